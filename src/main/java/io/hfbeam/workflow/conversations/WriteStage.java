package io.hfbeam.workflow.conversations;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.hfbeam.beam.HuggingFaceIO;
import io.hfbeam.conversations.CheckpointLayout;
import io.hfbeam.dataset.CollectList;
import io.hfbeam.dataset.DatasetFiles;
import io.hfbeam.dataset.WrittenFile;
import io.hfbeam.format.parquet.ParquetSettings;
import io.hfbeam.hf.Feature;
import io.hfbeam.hf.Features;
import io.hfbeam.mapping.JsonValues;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.schemas.SchemaCoder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;

/**
 * One stage's rows (JSON trees shaped by its features, {@code conversations.StageRows}) -> the
 * stage's dataset in the checkpoint set ({@link HuggingFaceIO#write()}: staged, then moved in
 * place) -> its {@code checkpoint.json} and the root card, written only after the files are in
 * place, so a stage that failed half way never looks complete. Emits the stage's files.
 */
public final class WriteStage extends PTransform<PCollection<String>, PCollection<WrittenFile>> {
  private final String root;
  private final String stage;
  private final String featuresJson;
  private final String fingerprint;
  private final String madeBy;
  private final Map<String, String> parameters;
  private final ParquetSettings parquet;
  private final transient PCollection<Row> failures;

  private WriteStage(
      String root,
      String stage,
      String featuresJson,
      String fingerprint,
      String madeBy,
      Map<String, String> parameters,
      ParquetSettings parquet,
      PCollection<Row> failures) {
    this.root = root;
    this.stage = stage;
    this.featuresJson = featuresJson;
    this.fingerprint = fingerprint;
    this.madeBy = madeBy;
    this.parameters = parameters;
    this.parquet = parquet;
    this.failures = failures;
  }

  public static WriteStage of(Path root, String stage, Features features) {
    CheckpointLayout.stageDir(root, stage); // checks the name
    return new WriteStage(
        root.toAbsolutePath().normalize().toString(),
        stage,
        features.toJson(),
        "",
        "",
        Map.of(),
        ParquetSettings.defaults(),
        null);
  }

  /**
   * What {@code checkpoint.json} records: the fingerprint, how the stage was made, its settings.
   */
  public WriteStage withRecord(String fingerprint, String madeBy, Map<String, String> parameters) {
    return new WriteStage(
        root,
        stage,
        featuresJson,
        fingerprint,
        madeBy,
        new java.util.LinkedHashMap<>(parameters),
        parquet,
        failures);
  }

  public WriteStage withParquet(ParquetSettings p) {
    return new WriteStage(root, stage, featuresJson, fingerprint, madeBy, parameters, p, failures);
  }

  /** The stage's failures ({@code dataset.Failures.SCHEMA}), written to its {@code _errors/}. */
  public WriteStage withFailures(PCollection<Row> f) {
    return new WriteStage(root, stage, featuresJson, fingerprint, madeBy, parameters, parquet, f);
  }

  @Override
  public PCollection<WrittenFile> expand(PCollection<String> rows) {
    Features features = Features.fromJson(featuresJson);
    Path dir = CheckpointLayout.stageDir(Path.of(root), stage);
    HuggingFaceIO.Write write =
        HuggingFaceIO.write()
            .to(dir.toString())
            .withFeatures(features)
            .withParquet(parquet)
            .withFilePattern(CheckpointLayout.FILE_PATTERN)
            .withSplitOrder(List.of(CheckpointLayout.SPLIT))
            .withTitle(stage)
            .withDescription(
                "The `"
                    + stage
                    + "` stage of a conversation analysis (hf-beam `conversations analyze`), made by "
                    + madeBy
                    + ". Kura's field names and types.");
    if (failures != null) write = write.withFailures(failures);
    return rows.apply("ToRows", ParDo.of(new ToRowFn(featuresJson)))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), SchemaCoder.of(features.beamSchema())))
        .apply("Write", write)
        .apply("CollectFiles", Combine.globally(new CollectList<WrittenFile>()))
        .setCoder(ListCoder.of(SerializableCoder.of(WrittenFile.class)))
        .apply("MarkComplete", ParDo.of(new MarkFn(root, stage, fingerprint, madeBy, parameters)))
        .setCoder(SerializableCoder.of(WrittenFile.class));
  }

  static final class ToRowFn extends DoFn<String, KV<String, Row>> {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String featuresJson;
    private transient Feature.Struct struct;

    ToRowFn(String featuresJson) {
      this.featuresJson = featuresJson;
    }

    @Setup
    public void setup() {
      struct = new Feature.Struct(Features.fromJson(featuresJson).asMap());
    }

    @ProcessElement
    public void process(@Element String json, OutputReceiver<KV<String, Row>> out)
        throws Exception {
      // the rows come from our own StageRows: a mismatch is a defect, not bad input
      Row row = (Row) JsonValues.convert(JSON.readTree(json), struct, false);
      out.output(KV.of(CheckpointLayout.SPLIT, row));
    }
  }

  /**
   * The line a run prints when a stage is in place (on a runner that shows no counts while it runs,
   * flink-batch, the stages are its progress).
   */
  static String written(String stage, long rows, long failed) {
    return String.format(
        "stage %s in place: %,d rows%s", stage, rows, failed > 0 ? ", " + failed + " failed" : "");
  }

  static final class MarkFn extends DoFn<List<WrittenFile>, WrittenFile> {
    private final String root;
    private final String stage;
    private final String fingerprint;
    private final String madeBy;
    private final Map<String, String> parameters;

    // the run summary's files and bytes: every stage's data files (the cluster stages count theirs)
    private final org.apache.beam.sdk.metrics.Counter filesWritten =
        org.apache.beam.sdk.metrics.Metrics.counter("write", "files_written");
    private final org.apache.beam.sdk.metrics.Counter bytesWritten =
        org.apache.beam.sdk.metrics.Metrics.counter("write", "bytes_written");

    MarkFn(
        String root, String stage, String fingerprint, String madeBy, Map<String, String> params) {
      this.root = root;
      this.stage = stage;
      this.fingerprint = fingerprint;
      this.madeBy = madeBy;
      this.parameters = params;
    }

    @ProcessElement
    public void process(@Element List<WrittenFile> files, OutputReceiver<WrittenFile> out)
        throws Exception {
      if (files.isEmpty()) return; // rejected or empty: the stage stays incomplete
      long rows = 0;
      long failed = 0;
      for (WrittenFile f : files) {
        if (f.path().equals(DatasetFiles.ERRORS_FILE)) {
          failed += f.rows();
        } else if (f.split() != null && f.path().endsWith(".parquet")) {
          rows += f.rows();
          filesWritten.inc();
          bytesWritten.inc(f.bytes());
        }
      }
      Path r = Path.of(root);
      CheckpointLayout.write(
          r, new CheckpointLayout.StageInfo(stage, fingerprint, rows, failed, madeBy, parameters));
      io.hfbeam.dataset.RunEvents.emit(written(stage, rows, failed));
      for (WrittenFile f : files) {
        // published under the stage's folder of the root dataset
        out.output(
            new WrittenFile(
                f.split(),
                stage + "/" + f.path(),
                f.localPath(),
                f.rows(),
                f.bytes(),
                f.arrowBytes()));
      }
    }
  }
}
