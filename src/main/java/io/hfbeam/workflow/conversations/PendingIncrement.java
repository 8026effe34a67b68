package io.hfbeam.workflow.conversations;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hfbeam.conversations.CheckpointLayout;
import io.hfbeam.conversations.ConversationLayout;
import io.hfbeam.conversations.StageFeatures;
import io.hfbeam.dataset.DatasetFiles;
import io.hfbeam.format.files.AtomicFiles;
import io.hfbeam.hf.Features;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * An increment of a watching run that has begun to change the checkpoint set and not yet finished
 * ({@code .hfbeam/increment-pending.json}), so that a stop anywhere (kill -9, power loss) leaves
 * the set as before the increment or as after it.
 *
 * <p>The increment first prepares, in its scratch root, everything it will write: the new shards of
 * the appended stages (the pipeline's), and under {@code next/} the three cluster stages whole, the
 * cluster sums, the chat ids to add and the watch state after it. Nothing of the set changes until
 * then: a stop there leaves the set as it was and the files not taken in, so a restart takes them
 * in again (the LLM's answers and the embeddings are journaled). Then this record is written
 * atomically: the commit point. From there the increment is <em>finished</em>, never rolled back:
 * the uninterrupted run and a restart both run {@link #finish}, whose every step can be run again.
 * An appended stage is first put back as it was (its record and card as before, its errors cut to
 * their length before, its moved shards moved back to the scratch root) and appended again; the
 * cluster stages, sums, ids and state are copied from {@code next/}; the record goes last.
 *
 * <p>Finish rather than roll back: rolling back would need the cluster stages as they were (they
 * are written whole), a copy of the set's data; finishing needs only what the increment prepared,
 * and its pipeline's work is not done again. The record stays small: per appended stage its record
 * and card before (a few KB), its errors' length before and the names of its shards.
 */
final class PendingIncrement {
  /** Test hook: told after each step of a change to the set; a failure there is a stop there. */
  @FunctionalInterface
  interface StepListener {
    void after(String step) throws Exception;
  }

  static volatile StepListener steps = step -> {};

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final List<String> WHOLE =
      List.of(StageFeatures.CLUSTERS, StageFeatures.META_CLUSTERS, StageFeatures.DIMENSIONALITY);

  /**
   * A shard's name as an increment's pipeline writes it ({@code CheckpointLayout.FILE_PATTERN}).
   */
  private static final java.util.regex.Pattern SHARD =
      java.util.regex.Pattern.compile("train-\\d{5,}-of-\\d{5,}\\.parquet");

  private PendingIncrement() {}

  static Path file(Path root) {
    return root.resolve(".hfbeam").resolve("increment-pending.json");
  }

  /** Where an increment prepares what it writes whole: a checkpoint root of its own. */
  static Path next(Path root) {
    return ConversationsIncrementRun.scratch(root).resolve("next");
  }

  static void step(String name) throws IOException {
    try {
      steps.after(name);
    } catch (IOException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Writes the record of increment {@code n} (its appended {@code stages}, each with the
   * fingerprint it will have), from the set as it is now, before the set changes.
   */
  static void record(
      Path root, int n, List<String> stages, List<String> fingerprints, int embeddingDimension)
      throws IOException {
    Path scratch = ConversationsIncrementRun.scratch(root);
    ObjectNode o = JSON.createObjectNode();
    o.put("increment", n);
    o.put("embedding_dimension", embeddingDimension);
    Path ids = WatchState.idsFile(root);
    o.put("ids_length", Files.isRegularFile(ids) ? Files.size(ids) : -1);
    ArrayNode list = o.putArray("stages");
    for (int i = 0; i < stages.size(); i++) {
      String stage = stages.get(i);
      Path dir = CheckpointLayout.stageDir(root, stage);
      ObjectNode st = list.addObject();
      st.put("stage", stage);
      st.put("fingerprint", fingerprints.get(i));
      st.put("checkpoint", read(dir.resolve(CheckpointLayout.STAGE_FILE)));
      st.put("card", read(dir.resolve("README.md")));
      Path errors = dir.resolve(DatasetFiles.ERRORS_FILE);
      st.put("errors_length", Files.isRegularFile(errors) ? Files.size(errors) : -1);
      ArrayNode shards = st.putArray("shards");
      for (Path f : StageFiles.files(scratch, stage)) shards.add(f.getFileName().toString());
    }
    String text = JSON.writeValueAsString(o) + "\n";
    AtomicFiles.write(file(root), tmp -> Files.writeString(tmp, text, StandardCharsets.UTF_8));
  }

  private static String read(Path f) throws IOException {
    return Files.isRegularFile(f) ? Files.readString(f, StandardCharsets.UTF_8) : null;
  }

  /**
   * Finishes the increment the record names, if there is one (the watch's start and each increment
   * run this first).
   *
   * @return the increment finished, or 0 when none was pending
   */
  static int finish(Path root) throws IOException {
    Path f = file(root);
    if (!Files.isRegularFile(f)) return 0;
    JsonNode o = JSON.readTree(f.toFile());
    int n = o.path("increment").asInt();
    Path scratch = ConversationsIncrementRun.scratch(root);
    Path next = next(root);
    if (!Files.isRegularFile(WatchState.file(next))) {
      // the record is removed before the scratch root, so this is a set changed by hand
      throw new IllegalStateException(
          f
              + ": increment "
              + n
              + " stopped half way but what it prepared ("
              + next
              + ") is gone; the set cannot be finished");
    }
    // the record is ours, but read back from disk: checked whole before anything moves (a stage
    // is one of the set's, a shard a name, never a path)
    for (JsonNode st : o.path("stages")) {
      CheckpointLayout.stageDir(root, st.path("stage").asText());
      for (JsonNode shard : st.path("shards")) {
        if (!SHARD.matcher(shard.asText()).matches()) {
          throw new IOException(f + ": not a shard name: " + shard.asText());
        }
      }
    }
    for (JsonNode st : o.path("stages")) {
      String stage = st.path("stage").asText();
      putBack(root, scratch, n, st);
      CheckpointLayout.StageInfo before = CheckpointLayout.read(root, stage).orElseThrow();
      StageFiles.append(
          root,
          scratch,
          stage,
          n,
          features(stage, o.path("embedding_dimension").asInt()),
          st.path("fingerprint").asText(),
          before.madeBy(),
          before.parameters());
      step("append " + stage);
    }
    for (String stage : WHOLE) {
      copyStage(next, root, stage);
      step(stage);
    }
    Path sums = ClusterSums.file(next);
    if (Files.isRegularFile(sums)) copy(sums, ClusterSums.file(root));
    step("sums");
    Path ids = WatchState.idsFile(root);
    long idsLength = o.path("ids_length").asLong();
    if (idsLength < 0) Files.deleteIfExists(ids);
    else cut(ids, idsLength);
    Files.createDirectories(ids.getParent());
    try (OutputStream out =
        Files.newOutputStream(ids, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
      out.write(Files.readAllBytes(WatchState.idsFile(next)));
    }
    step("ids");
    copy(WatchState.file(next), WatchState.file(root));
    step("state");
    Files.delete(f);
    step("record");
    StageFiles.deleteTree(scratch);
    CheckpointLayout.writeRootCard(root, "Conversation analysis checkpoints");
    return n;
  }

  /**
   * An appended stage as it was before increment {@code n}: its shards back in the scratch root.
   */
  private static void putBack(Path root, Path scratch, int n, JsonNode st) throws IOException {
    String stage = st.path("stage").asText();
    Path dir = CheckpointLayout.stageDir(root, stage);
    CheckpointLayout.invalidate(root, stage);
    Path data = StageFiles.dataDir(root, stage);
    Path back = StageFiles.dataDir(scratch, stage);
    for (JsonNode shard : st.path("shards")) {
      String name = shard.asText();
      Path moved = data.resolve(name.replaceFirst("^train-", String.format("train-w%05d-", n)));
      if (Files.exists(moved)) {
        Files.createDirectories(back);
        Files.move(moved, back.resolve(name), StandardCopyOption.ATOMIC_MOVE);
      }
    }
    Path errors = dir.resolve(DatasetFiles.ERRORS_FILE);
    long length = st.path("errors_length").asLong();
    if (length < 0) Files.deleteIfExists(errors);
    else cut(errors, length);
    Path card = dir.resolve("README.md");
    if (st.path("card").isTextual()) write(card, st.path("card").asText());
    else Files.deleteIfExists(card);
    // the record last: the stage looks complete only once it is as it was
    write(dir.resolve(CheckpointLayout.STAGE_FILE), st.path("checkpoint").asText());
  }

  /**
   * A stage written whole, from {@code from} to {@code to}, as {@link StageFiles#writeWhole} writes
   * it: its record removed first and written last, its old shards gone.
   */
  private static void copyStage(Path from, Path to, String stage) throws IOException {
    CheckpointLayout.invalidate(to, stage);
    Set<String> names = new HashSet<>();
    for (Path f : StageFiles.files(from, stage)) {
      names.add(f.getFileName().toString());
      copy(f, StageFiles.dataDir(to, stage).resolve(f.getFileName().toString()));
    }
    for (Path f : StageFiles.files(to, stage)) {
      if (!names.contains(f.getFileName().toString())) Files.delete(f);
    }
    Path src = CheckpointLayout.stageDir(from, stage);
    Path dst = CheckpointLayout.stageDir(to, stage);
    copy(src.resolve("README.md"), dst.resolve("README.md"));
    copy(src.resolve(CheckpointLayout.STAGE_FILE), dst.resolve(CheckpointLayout.STAGE_FILE));
  }

  private static void copy(Path from, Path to) throws IOException {
    AtomicFiles.write(to, tmp -> Files.copy(from, tmp, StandardCopyOption.REPLACE_EXISTING));
  }

  private static void write(Path to, String text) throws IOException {
    AtomicFiles.write(to, tmp -> Files.writeString(tmp, text, StandardCharsets.UTF_8));
  }

  /** {@code f} cut to {@code length} bytes (what was appended after it is gone). */
  private static void cut(Path f, long length) throws IOException {
    if (!Files.isRegularFile(f)) return;
    try (FileChannel c = FileChannel.open(f, StandardOpenOption.WRITE)) {
      if (c.size() > length) c.truncate(length);
    }
  }

  static Features features(String stage, int embeddingDimension) {
    return switch (stage) {
      case StageFeatures.CONVERSATIONS -> StageFeatures.conversations(ConversationLayout.SAFE);
      case StageFeatures.SUMMARIES -> StageFeatures.summaries();
      default -> StageFeatures.embeddings(embeddingDimension);
    };
  }

  /** The names of the steps {@link #finish} reports, in order, for {@code stages} appended. */
  static List<String> stepNames(List<String> stages) {
    List<String> out = new ArrayList<>();
    out.add("prepared");
    out.add("recorded");
    for (String s : stages) out.add("append " + s);
    out.addAll(WHOLE);
    out.addAll(List.of("sums", "ids", "state", "record"));
    return out;
  }
}
