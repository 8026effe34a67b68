package io.hfbeam.dataset;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Options the dataset sinks read where they run (a Flink TaskManager too): set by the launcher. */
public interface DatasetOptions extends PipelineOptions {
  @Description(
      "The share of failed records above which a run's files are not made the dataset (nor published).")
  @Default.Double(1.0)
  double getMaxErrorRate();

  void setMaxErrorRate(double rate);
}
