package io.hfbeam.dataset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hfbeam.format.files.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * How a dataset becomes visible in its output directory only when complete. A run writes its files
 * under {@code <output>/.hfbeam/staging/} (same file system, so each move is a rename); once every
 * file is there and the run is within its error budget, they are moved into place (the card last),
 * the files of the previous run that this one did not write are removed, and {@code
 * <output>/.hfbeam/manifest.json} lists the dataset's files. Files hf-beam did not write (not in a
 * manifest) are never touched. A run that fails leaves the output as it was and its files in
 * staging.
 *
 * <p>{@code datasets} ignores hidden folders when it resolves data files, and the card names its
 * data files by pattern, so neither staging nor the manifest is read as data; the manifest is not
 * published.
 */
public final class StagedDataset {
  public static final String MANIFEST = ".hfbeam/manifest.json";
  private static final String STAGING = ".hfbeam/staging";
  private static final String REJECTED = "REJECTED";
  private static final ObjectMapper JSON = new ObjectMapper();

  private StagedDataset() {}

  public static Path stagingDir(Path output) {
    return output.toAbsolutePath().normalize().resolve(STAGING);
  }

  /**
   * Why a run of {@code rows} written and {@code failed} failed records must not become the
   * dataset, or null when it may: no records at all (a dataset without rows is not loadable), or
   * more failures than {@code maxErrorRate}.
   */
  public static String rejection(long rows, long failed, double maxErrorRate) {
    if (rows == 0) {
      return failed == 0
          ? "no records in the input: nothing to write"
          : "no records to write: all " + failed + " records failed";
    }
    long records = rows + failed;
    if (overBudget(rows, failed, maxErrorRate)) {
      return String.format(
          "%d of %d records failed (%.1f%%), more than --max-error-rate %s",
          failed, records, 100.0 * failed / records, maxErrorRate);
    }
    return null;
  }

  /** More than {@code maxErrorRate} of the records failed. */
  public static boolean overBudget(long rows, long failed, double maxErrorRate) {
    return failed > 0 && failed / (double) (rows + failed) > maxErrorRate;
  }

  /**
   * Keeps a run's files in staging, not made the dataset, and records why (read by {@link
   * #rejected}); the reason names the errors file when there is one.
   */
  static void reject(Path output, String reason) throws IOException {
    Path staging = stagingDir(output);
    Path errors = staging.resolve(DatasetFiles.ERRORS_FILE);
    String text = reason + (Files.exists(errors) ? "; see " + errors : "");
    AtomicFiles.write(
        staging.resolve(REJECTED), tmp -> Files.writeString(tmp, text, StandardCharsets.UTF_8));
  }

  /**
   * Why the last run's files were kept in staging instead of becoming the dataset, if they were.
   */
  public static Optional<String> rejected(Path output) {
    Path f = stagingDir(output).resolve(REJECTED);
    try {
      return Files.isRegularFile(f)
          ? Optional.of(Files.readString(f, StandardCharsets.UTF_8))
          : Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Rows of the data files among {@code files} (one format's files) and rows of the errors file(s).
   */
  static long[] rowsAndFailed(List<WrittenFile> files, boolean parquet) {
    String ext = parquet ? ".parquet" : ".jsonl";
    long rows = 0;
    long failed = 0;
    for (WrittenFile f : files) {
      if (f.split() != null && f.path().endsWith(ext)) rows += f.rows();
      else if (f.split() == null && f.path().startsWith("_errors/")) failed += f.rows();
    }
    return new long[] {rows, failed};
  }

  /**
   * Moves the staged {@code files} into {@code output} (the card last) and records them in the
   * manifest. With {@code replace} the dataset is this run's files alone: files of the previous
   * manifest that this run did not write are removed; without it (a watched input, pane by pane)
   * the files are added to the dataset.
   *
   * @return the files at their final places
   */
  public static List<WrittenFile> commit(Path output, List<WrittenFile> files, boolean replace)
      throws IOException {
    Path root = output.toAbsolutePath().normalize();
    Set<String> previous = listed(root);
    Set<String> now = new TreeSet<>();
    for (WrittenFile f : files) now.add(f.path());
    // first the union: should this stop half-way, the manifest still names every file hf-beam put
    // here
    Set<String> union = new TreeSet<>(previous);
    union.addAll(now);
    writeManifest(root, union);
    List<WrittenFile> ordered = new ArrayList<>(files);
    ordered.sort(
        Comparator.comparing((WrittenFile f) -> f.path().equals("README.md"))
            .thenComparing(WrittenFile::path));
    List<WrittenFile> placed = new ArrayList<>();
    for (WrittenFile f : ordered) {
      Path target = root.resolve(f.path());
      Path staged = Path.of(f.localPath());
      // a job restored from a checkpoint may commit again files an earlier attempt already moved
      boolean moved = !Files.exists(staged) && Files.exists(target);
      if (!staged.equals(target) && !moved) {
        Files.createDirectories(target.getParent());
        Files.move(
            staged, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      }
      placed.add(
          new WrittenFile(
              f.split(), f.path(), target.toString(), f.rows(), f.bytes(), f.arrowBytes()));
    }
    if (replace) {
      for (String stale : previous) {
        if (!now.contains(stale)) delete(root, stale);
      }
      writeManifest(root, now);
    }
    return placed;
  }

  /**
   * Files in {@code output} that no manifest lists and that are not hidden: left alone, and
   * reported.
   */
  public static List<String> others(Path output) {
    Path root = output.toAbsolutePath().normalize();
    if (!Files.isDirectory(root)) return List.of();
    Set<String> ours = listed(root);
    List<String> out = new ArrayList<>();
    try (Stream<Path> st = Files.walk(root)) {
      for (Path p : st.filter(Files::isRegularFile).sorted().toList()) {
        String rel = root.relativize(p).toString().replace('\\', '/');
        if (!rel.startsWith(".") && !rel.contains("/.") && !ours.contains(rel)) out.add(rel);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /** The files the manifest of {@code root} lists (none without a manifest). */
  static Set<String> listed(Path root) {
    Path manifest = root.resolve(MANIFEST);
    Set<String> out = new TreeSet<>();
    if (!Files.isRegularFile(manifest)) return out;
    try {
      for (JsonNode n : JSON.readTree(manifest.toFile()).path("files")) out.add(n.asText());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + manifest + ": " + e.getMessage(), e);
    }
    return out;
  }

  private static void writeManifest(Path root, Set<String> files) throws IOException {
    ObjectNode doc = JSON.createObjectNode();
    doc.put("written_by", "hf-beam");
    ArrayNode list = doc.putArray("files");
    files.forEach(list::add); // sorted, nothing else: the same dataset gives the same manifest
    String text = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(doc) + "\n";
    AtomicFiles.write(
        root.resolve(MANIFEST), tmp -> Files.writeString(tmp, text, StandardCharsets.UTF_8));
  }

  /** Deletes a file of the dataset and the folders it leaves empty (never {@code root} itself). */
  private static void delete(Path root, String rel) throws IOException {
    Path p = root.resolve(rel).normalize();
    if (!p.startsWith(root) || p.equals(root))
      return; // a manifest is data: never let it reach outside the output
    Files.deleteIfExists(p);
    for (Path dir = p.getParent();
        dir != null && !dir.equals(root) && dir.startsWith(root);
        dir = dir.getParent()) {
      try (Stream<Path> st = Files.list(dir)) {
        if (st.findAny().isPresent()) break;
      }
      Files.delete(dir);
    }
  }
}
