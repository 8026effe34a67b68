package io.hfbeam.workflow.checkpoints;

import io.hfbeam.conversations.CheckpointLayout;
import io.hfbeam.conversations.CheckpointReader;
import io.hfbeam.conversations.Conversation;
import io.hfbeam.conversations.ConversationLayout;
import io.hfbeam.conversations.Parsed;
import io.hfbeam.conversations.ReadFailure;
import io.hfbeam.conversations.StageFeatures;
import io.hfbeam.format.Excerpts;
import io.hfbeam.format.parquet.ParquetSettings;
import io.hfbeam.hf.Features;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Kura JSONL checkpoints -> a checkpoint set ({@link CheckpointLayout}), and the dry run of that
 * ({@code analyze}). Each Kura file is read as a stream, one record at a time: conversations twice
 * (a first pass picks the typed {@link ConversationLayout} when the data allows it), the other
 * stages once. A record Kura's models would refuse, and a second row with a key already seen
 * ({@code chat_id}, or a cluster's {@code id}), is a located failure in the stage's {@code
 * _errors/errors.jsonl}; everything else is written in input order. Memory holds one record, the
 * Parquet writer's current row group, and the set of keys seen (for the duplicate check).
 */
public final class Migration {
  /** How many failures a report keeps for printing (all are in the errors file). */
  static final int SHOWN_FAILURES = 5;

  /** One Kura file and what its migration gave. */
  public record StageReport(
      String stage,
      String file,
      long fileBytes,
      long rows,
      long failed,
      List<ReadFailure> firstFailures,
      Features features,
      long checkpointBytes,
      CheckpointLayout.StageInfo info) {}

  /** What a migration (or its dry run) found. */
  public record Report(List<StageReport> stages, List<String> otherFiles) {
    public long failed() {
      return stages.stream().mapToLong(StageReport::failed).sum();
    }
  }

  private Migration() {}

  /** The Kura files of {@code old}, by stage (pipeline order). */
  public static Map<KuraStage<?>, Path> kuraFiles(Path old) {
    Map<KuraStage<?>, Path> out = new LinkedHashMap<>();
    for (KuraStage<?> s : KuraStage.ALL) s.fileIn(old).ifPresent(f -> out.put(s, f));
    return out;
  }

  /** Migrates every Kura file of {@code old} into the checkpoint set {@code root}. */
  public static Report migrate(Path old, Path root, ParquetSettings settings) throws IOException {
    Paths.checkOldDir(old);
    Paths.checkNewRoot(root);
    Files.createDirectories(root);
    Map<KuraStage<?>, Path> files = kuraFiles(old);
    if (files.isEmpty()) {
      throw new IllegalArgumentException(
          old
              + " holds no Kura checkpoint file (conversations.jsonl or .json, summaries.jsonl,"
              + " clusters.jsonl, meta_clusters.jsonl, dimensionality.jsonl)");
    }
    List<StageReport> reports = new ArrayList<>();
    for (Map.Entry<KuraStage<?>, Path> e : files.entrySet()) {
      reports.add(migrateStage(e.getKey(), e.getValue(), root, settings));
    }
    CheckpointLayout.writeRootCard(root, "Kura checkpoints: " + old.toAbsolutePath().getFileName());
    return new Report(reports, otherFiles(old, files));
  }

  /**
   * What a migration would give, measured: the same migration into a temporary directory, deleted
   * afterwards (so the checkpoint sizes are the real ones, not a guessed ratio).
   */
  public static Report analyze(Path old, ParquetSettings settings) throws IOException {
    Paths.checkOldDir(old);
    Path tmp = Files.createTempDirectory("hfbeam-checkpoints-analyze");
    try {
      Map<KuraStage<?>, Path> files = kuraFiles(old);
      List<StageReport> reports = new ArrayList<>();
      for (Map.Entry<KuraStage<?>, Path> e : files.entrySet()) {
        reports.add(migrateStage(e.getKey(), e.getValue(), tmp, settings));
      }
      return new Report(reports, otherFiles(old, files));
    } finally {
      StageWriter.deleteTree(tmp);
    }
  }

  private static List<String> otherFiles(Path old, Map<KuraStage<?>, Path> used)
      throws IOException {
    Set<Path> known = Set.copyOf(used.values());
    try (Stream<Path> s = Files.list(old)) {
      return s.filter(Files::isRegularFile)
          .filter(p -> !known.contains(p))
          .map(p -> p.getFileName().toString())
          .sorted()
          .toList();
    }
  }

  private static <T> StageReport migrateStage(
      KuraStage<T> stage, Path file, Path root, ParquetSettings settings) throws IOException {
    String name = file.getFileName().toString();
    ConversationLayout layout = ConversationLayout.SAFE;
    if (stage == KuraStage.CONVERSATIONS) layout = layoutOf(file, name);
    Features features = stage.features(layout);
    List<ReadFailure> shown = new ArrayList<>();
    CheckpointLayout.StageInfo info;
    try (StageWriter w = new StageWriter(root, stage.name(), features, settings);
        CheckpointReader<T> r =
            new CheckpointReader<>(name, Files.newInputStream(file), stage.parser())) {
      Map<String, Long> seen = new HashMap<>();
      while (r.hasNext()) {
        Parsed<T> p = r.next();
        ReadFailure failure = p.failure();
        if (failure == null) {
          String key = stage.key(p.value());
          Long first = seen.putIfAbsent(key, p.where().line());
          if (first != null) {
            failure =
                new ReadFailure(
                    p.where(),
                    "duplicate "
                        + stage.keyField()
                        + " '"
                        + Excerpts.of(key)
                        + "' (first at line "
                        + first
                        + "; the first is kept)",
                    Excerpts.of(stage.write(p.value())));
          }
        }
        if (failure != null) {
          w.fail(failure, "migrate");
          if (shown.size() < SHOWN_FAILURES) shown.add(failure);
          continue;
        }
        w.write(stage.row(p.value(), features));
      }
      Map<String, String> params = new LinkedHashMap<>();
      params.put("source", name);
      params.put("compression", settings.codec().name().toLowerCase(java.util.Locale.ROOT));
      if (stage == KuraStage.CONVERSATIONS) {
        params.put("time", layout.time().name().toLowerCase(java.util.Locale.ROOT));
        params.put("metadata", layout.typedMetadata() ? "struct" : "json");
      }
      info =
          w.finish(
              sha256(file),
              "migrated from " + name,
              params,
              "Kura's `"
                  + stage.name()
                  + "` checkpoint, migrated from `"
                  + name
                  + "` by `hfbeam checkpoints migrate`: Kura's field names, order and types,"
                  + " rows in the file's order. `hfbeam checkpoints export` writes the file back"
                  + " byte for byte.");
    }
    long checkpointBytes = 0;
    for (Path f : StageData.dataFiles(CheckpointLayout.stageDir(root, stage.name()))) {
      checkpointBytes += Files.size(f);
    }
    return new StageReport(
        stage.name(),
        name,
        Files.size(file),
        info.rows(),
        info.failed(),
        shown,
        features,
        checkpointBytes,
        info);
  }

  /** First pass over the conversations: the typed layout when every row allows it. */
  private static ConversationLayout layoutOf(Path file, String name) throws IOException {
    ConversationLayout.Builder b = new ConversationLayout.Builder();
    try (CheckpointReader<Conversation> r =
        new CheckpointReader<>(name, Files.newInputStream(file), CheckpointReader.CONVERSATIONS)) {
      while (r.hasNext()) {
        Parsed<Conversation> p = r.next();
        if (p.ok()) b.add(p.value());
      }
    }
    return b.build();
  }

  /** The file's sha256, hex: a migrated stage's fingerprint is its Kura file's. */
  static String sha256(Path file) throws IOException {
    MessageDigest sha = sha256();
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) sha.update(buf, 0, n);
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Kura's file name of a stage when it is written back (the source's name when known). */
  static String exportName(KuraStage<?> stage, CheckpointLayout.StageInfo info) {
    String source = info.parameters().get("source");
    if (source != null && stage.fileNames().contains(source)) return source;
    return stage.fileNames().get(0);
  }

  static boolean isConversations(String stage) {
    return stage.equals(StageFeatures.CONVERSATIONS);
  }
}
