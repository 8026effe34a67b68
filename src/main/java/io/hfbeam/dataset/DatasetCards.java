package io.hfbeam.dataset;

import io.hfbeam.format.files.AtomicFiles;
import io.hfbeam.hf.DatasetCard;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The dataset card of an assembled dataset: its splits' sizes, written as README.md. */
final class DatasetCards {
  private DatasetCards() {}

  /**
   * Adds the rows, Arrow bytes and file bytes of the dataset files among {@code files} to {@code
   * sizes} per split.
   */
  static <T> void addSizes(
      AssembleDataset.Settings<T> s, List<WrittenFile> files, Map<String, long[]> sizes) {
    String ext = s.format.parquet() ? ".parquet" : ".jsonl";
    for (WrittenFile f : files) {
      if (f.split() == null || !f.path().endsWith(ext)) continue;
      long[] acc = sizes.computeIfAbsent(f.split(), k -> new long[3]);
      acc[0] += f.rows();
      acc[1] += f.arrowBytes();
      acc[2] += f.bytes();
    }
  }

  /** Writes README.md for splits of these sizes (rows, Arrow bytes, file bytes). */
  static <T> WrittenFile writeCard(AssembleDataset.Settings<T> s, Map<String, long[]> sizes)
      throws IOException {
    return writeCard(s, sizes, Path.of(s.outputDir).resolve("README.md"));
  }

  /**
   * Writes a card for splits of these sizes to {@code target}; the file is published as README.md.
   */
  static <T> WrittenFile writeCard(
      AssembleDataset.Settings<T> s, Map<String, long[]> sizes, Path target) throws IOException {
    FileNaming naming = s.format.parquet() ? s.parquetNaming : s.jsonlNaming;
    List<DatasetCard.SplitInfo> infos = new ArrayList<>();
    long download = 0;
    for (Map.Entry<String, long[]> e : sizes.entrySet()) {
      long[] acc = e.getValue();
      infos.add(
          new DatasetCard.SplitInfo(e.getKey(), acc[0], acc[1], List.of(naming.glob(e.getKey()))));
      download += acc[2];
    }
    String card =
        DatasetCard.builder()
            .title(s.title)
            .description(s.description)
            .features(s.format.features())
            .splits(infos)
            .downloadSize(download)
            .sections(s.sections)
            .build()
            .render();
    AtomicFiles.write(target, tmp -> Files.writeString(tmp, card, StandardCharsets.UTF_8));
    return new WrittenFile(null, "README.md", target.toString(), 0, Files.size(target), 0);
  }
}
