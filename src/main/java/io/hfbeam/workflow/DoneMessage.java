package io.hfbeam.workflow;

import io.hfbeam.dataset.StagedDataset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The last lines of a successful run: where the dataset is, its errors if any, and how to load it.
 */
final class DoneMessage {
  private DoneMessage() {}

  static String of(Path output) {
    Path abs = output.toAbsolutePath().normalize();
    StringBuilder sb = new StringBuilder();
    sb.append("\ndataset: ").append(abs).append('\n');
    Path errors = abs.resolve("_errors/errors.jsonl");
    if (Files.exists(errors)) {
      long n = lines(errors);
      sb.append("errors:  ")
          .append(errors)
          .append(" (")
          .append(n)
          .append(n == 1 ? " record)\n" : " records)\n");
    }
    List<String> others = StagedDataset.others(abs);
    if (!others.isEmpty()) {
      sb.append("left alone: ")
          .append(others.size())
          .append(others.size() == 1 ? " file" : " files")
          .append(" in the output that hf-beam did not write (load_dataset may read them): ")
          .append(String.join(", ", others.subList(0, Math.min(5, others.size()))))
          .append(others.size() > 5 ? ", ..." : "")
          .append('\n');
    }
    sb.append("load it in Python:\n  from datasets import load_dataset\n  ds = load_dataset(\"")
        .append(abs)
        .append("\")\n");
    return sb.toString();
  }

  private static long lines(Path f) {
    try (Stream<String> s = Files.lines(f)) {
      return s.count();
    } catch (IOException e) {
      return -1;
    }
  }
}
