package io.hfbeam.workflow;

import io.hfbeam.hf.Features;
import io.hfbeam.io.Failures;
import io.hfbeam.io.FileNaming;
import io.hfbeam.io.ResolveFailureLines;
import io.hfbeam.io.WriteDataset;
import io.hfbeam.transform.RecordKey;
import java.nio.file.Path;
import java.util.Map;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;

/** The dead-letter output every workflow shares: failures with file line numbers, in input order. */
final class Errors {
  static final String FILE = "_errors/errors.jsonl";

  private Errors() {}

  static void write(PCollection<KV<RecordKey, Row>> failures, PCollection<KV<Long, Long>> chunkLines, Path output) {
    failures
        .apply("LocateErrors", ResolveFailureLines.using(chunkLines))
        .apply("WriteErrors", WriteDataset.with(WriteDataset.Settings.builder()
            .outputDir(output.toString())
            .name("errors")
            .features(Features.fromBeamSchema(Failures.SCHEMA))
            .jsonl(new FileNaming(FILE, Map.of(ResolveFailureLines.SPLIT, FILE)))
            .card(false)
            .build()));
  }

  static String path(Path output) {
    return output.resolve(FILE).toString();
  }
}
