package io.hfbeam.workflow.conversations;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hfbeam.format.files.AtomicFiles;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a watching run has done, beside its checkpoints ({@code .hfbeam/watch-state.json}, written
 * whole after each increment's stages are in place): the files taken in (path -> size), the number
 * of increments, the conversations added and the ones that drifted since the clusters were last
 * made, the clusters' radius, and the files whose increment was refused (path -> size and why). The
 * chat ids analysed are in {@code .hfbeam/watch-ids.txt}. A restarted run reads both and takes in
 * only files it has not, and a refused file only once its size changed.
 */
record WatchState(
    TreeMap<String, Long> ingested,
    int increments,
    long sinceRebuild,
    long driftedSinceRebuild,
    double radius,
    long conversations,
    TreeMap<String, Refused> refused)
    implements Serializable {
  /** A file whose increment was refused: its size then, and why. */
  record Refused(long size, String reason) implements Serializable {}

  WatchState(
      TreeMap<String, Long> ingested,
      int increments,
      long sinceRebuild,
      long driftedSinceRebuild,
      double radius,
      long conversations) {
    this(
        ingested,
        increments,
        sinceRebuild,
        driftedSinceRebuild,
        radius,
        conversations,
        new TreeMap<>());
  }

  /** This state with {@code refused} as the refused files (the rest as it is). */
  WatchState withRefused(TreeMap<String, Refused> refused) {
    return new WatchState(
        ingested, increments, sinceRebuild, driftedSinceRebuild, radius, conversations, refused);
  }

  /**
   * Whether the watch tries {@code file} (of {@code size} bytes) now: not taken in, and not refused
   * at this size (a refused file that changed is tried again).
   */
  boolean wants(String file, long size) {
    if (ingested.containsKey(file)) return false;
    Refused r = refused.get(file);
    return r == null || r.size() != size;
  }

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  static Path file(Path root) {
    return root.resolve(".hfbeam").resolve("watch-state.json");
  }

  static Path idsFile(Path root) {
    return root.resolve(".hfbeam").resolve("watch-ids.txt");
  }

  static WatchState empty() {
    return new WatchState(new TreeMap<>(), 0, 0, 0, 0, 0);
  }

  static WatchState load(Path root) throws IOException {
    Path f = file(root);
    if (!Files.isRegularFile(f)) return empty();
    JsonNode o = JSON.readTree(f.toFile());
    TreeMap<String, Long> files = new TreeMap<>();
    o.path("ingested").fields().forEachRemaining(e -> files.put(e.getKey(), e.getValue().asLong()));
    return new WatchState(
        files,
        o.path("increments").asInt(),
        o.path("since_rebuild").asLong(),
        o.path("drifted_since_rebuild").asLong(),
        o.path("radius").asDouble(),
        o.path("conversations").asLong(),
        refused(o.path("refused")));
  }

  private static TreeMap<String, Refused> refused(JsonNode o) {
    TreeMap<String, Refused> out = new TreeMap<>();
    o.fields()
        .forEachRemaining(
            e ->
                out.put(
                    e.getKey(),
                    new Refused(
                        e.getValue().path("size").asLong(), e.getValue().path("reason").asText())));
    return out;
  }

  void save(Path root) throws IOException {
    ObjectNode o = JSON.createObjectNode();
    ObjectNode files = o.putObject("ingested");
    ingested.forEach(files::put);
    o.put("increments", increments);
    o.put("since_rebuild", sinceRebuild);
    o.put("drifted_since_rebuild", driftedSinceRebuild);
    o.put("radius", radius);
    o.put("conversations", conversations);
    ObjectNode refusedFiles = o.putObject("refused");
    refused.forEach(
        (f, r) -> refusedFiles.putObject(f).put("size", r.size()).put("reason", r.reason()));
    Path f = file(root);
    Files.createDirectories(f.getParent());
    String text = JSON.writeValueAsString(o) + "\n";
    AtomicFiles.write(f, tmp -> Files.writeString(tmp, text, StandardCharsets.UTF_8));
  }

  static Set<String> ids(Path root) throws IOException {
    Path f = idsFile(root);
    return Files.isRegularFile(f)
        ? new LinkedHashSet<>(Files.readAllLines(f, StandardCharsets.UTF_8))
        : new LinkedHashSet<>();
  }
}
