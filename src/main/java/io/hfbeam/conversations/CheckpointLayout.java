package io.hfbeam.conversations;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hfbeam.hf.DatasetCard;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where a set of checkpoints lives and how a stage says it is complete. The root is one Hugging
 * Face dataset with a config per stage; each stage is also a dataset of its own:
 *
 * <pre>
 * ROOT/README.md                       configs: one per present stage, data_files STAGE/data/train-*.parquet
 * ROOT/STAGE/README.md                 the stage's own card (features, rows)
 * ROOT/STAGE/data/train-00000-of-00001.parquet
 * ROOT/STAGE/_errors/errors.jsonl      the stage's located failures, when it had any
 * ROOT/STAGE/checkpoint.json           written last: fingerprint, rows, how it was made
 * </pre>
 *
 * A stage without a readable {@code checkpoint.json} is not complete (a run that failed half way
 * never looks done); a stage whose fingerprint differs from the one a run computes is stale.
 */
public final class CheckpointLayout {
  /** The stages in pipeline order. */
  public static final List<String> STAGES =
      List.of(
          StageFeatures.CONVERSATIONS,
          StageFeatures.SUMMARIES,
          StageFeatures.EMBEDDINGS,
          StageFeatures.CLUSTERS,
          StageFeatures.META_CLUSTERS,
          StageFeatures.DIMENSIONALITY);

  public static final String STAGE_FILE = "checkpoint.json";
  public static final String SPLIT = "train";

  /** The data files' pattern inside a stage folder (HF shard names). */
  public static final String FILE_PATTERN = "data/{split}-{index:05d}-of-{count:05d}.parquet";

  /** The version of this layout, in every {@code checkpoint.json}. */
  public static final int FORMAT = 1;

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private CheckpointLayout() {}

  /**
   * What {@code checkpoint.json} says about a complete stage.
   *
   * @param fingerprint sha256 hex of the stage's inputs, model, prompt and parameters
   * @param madeBy how the stage was made, e.g. {@code llm openai:gpt-4o-mini}, {@code local
   *     all-MiniLM-L6-v2-q}, {@code c-TF-IDF (no LLM)}, {@code migrated from summaries.jsonl}
   * @param parameters the settings that went into the fingerprint, for people to read
   */
  public record StageInfo(
      String stage,
      String fingerprint,
      long rows,
      long failed,
      String madeBy,
      Map<String, String> parameters) {
    public StageInfo {
      if (!STAGES.contains(stage)) throw new IllegalArgumentException("no stage " + stage);
      parameters = parameters == null ? Map.of() : new LinkedHashMap<>(parameters);
    }

    ObjectNode toJson() {
      ObjectNode o = JsonNodeFactory.instance.objectNode();
      o.put("format", FORMAT);
      o.put("stage", stage);
      o.put("fingerprint", fingerprint);
      o.put("rows", rows);
      o.put("failed", failed);
      o.put("made_by", madeBy);
      ObjectNode p = o.putObject("parameters");
      parameters.forEach(p::put);
      return o;
    }

    public static StageInfo fromJson(JsonNode o) {
      Map<String, String> p = new LinkedHashMap<>();
      o.path("parameters").fields().forEachRemaining(e -> p.put(e.getKey(), e.getValue().asText()));
      return new StageInfo(
          o.path("stage").asText(),
          o.path("fingerprint").asText(),
          o.path("rows").asLong(),
          o.path("failed").asLong(),
          o.path("made_by").asText(),
          p);
    }
  }

  public static Path stageDir(Path root, String stage) {
    if (!STAGES.contains(stage)) throw new IllegalArgumentException("no stage " + stage);
    return root.resolve(stage);
  }

  /** The stage's record, or empty when the stage is absent, incomplete or its record unreadable. */
  public static Optional<StageInfo> read(Path root, String stage) {
    Path f = stageDir(root, stage).resolve(STAGE_FILE);
    if (!Files.isRegularFile(f)) return Optional.empty();
    try {
      JsonNode o = JSON.readTree(f.toFile());
      if (o.path("format").asInt() != FORMAT || !stage.equals(o.path("stage").asText())) {
        return Optional.empty();
      }
      return Optional.of(StageInfo.fromJson(o));
    } catch (IOException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** Marks the stage complete: written whole (a temporary file moved in place). */
  public static void write(Path root, StageInfo info) throws IOException {
    Path dir = stageDir(root, info.stage());
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, STAGE_FILE, ".tmp");
    Files.writeString(tmp, JSON.writeValueAsString(info.toJson()) + "\n", StandardCharsets.UTF_8);
    Files.move(
        tmp,
        dir.resolve(STAGE_FILE),
        StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
  }

  /** Marks the stage incomplete before it is rebuilt. */
  public static void invalidate(Path root, String stage) throws IOException {
    Files.deleteIfExists(stageDir(root, stage).resolve(STAGE_FILE));
  }

  /** The complete stages, in pipeline order. */
  public static List<StageInfo> present(Path root) {
    List<StageInfo> out = new ArrayList<>();
    for (String s : STAGES) read(root, s).ifPresent(out::add);
    return out;
  }

  /**
   * The root card: one config per complete stage (its data files and its features, taken from the
   * stage's own card), so {@code load_dataset(ROOT, STAGE)} loads a stage and a Hub repo of the
   * root shows them all.
   */
  public static String rootCard(Path root, String title) throws IOException {
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode yaml = f.objectNode();
    ArrayNode configs = yaml.putArray("configs");
    ArrayNode infos = f.arrayNode();
    StringBuilder body = new StringBuilder();
    body.append("# ").append(title).append("\n\n");
    body.append(
        "Checkpoints of a conversation analysis (hf-beam `conversations analyze`), one config per"
            + " stage, Kura's field names and types.\n\n");
    body.append("| stage | rows | failed | made by |\n| --- | ---: | ---: | --- |\n");
    for (StageInfo s : present(root)) {
      Path card = stageDir(root, s.stage()).resolve("README.md");
      if (!Files.isRegularFile(card)) continue;
      ObjectNode own = DatasetCard.frontMatter(Files.readString(card));
      ObjectNode config = configs.addObject();
      config.put("config_name", s.stage());
      ArrayNode files = config.putArray("data_files");
      for (JsonNode df : own.path("configs").path(0).path("data_files")) {
        ObjectNode d = files.addObject();
        d.put("split", df.path("split").asText());
        if (df.path("path").isArray()) {
          ArrayNode paths = d.putArray("path");
          df.path("path").forEach(p -> paths.add(s.stage() + "/" + p.asText()));
        } else {
          d.put("path", s.stage() + "/" + df.path("path").asText());
        }
      }
      if (own.has("dataset_info")) {
        ObjectNode info = infos.addObject();
        info.put("config_name", s.stage());
        own.get("dataset_info").fields().forEachRemaining(e -> info.set(e.getKey(), e.getValue()));
      }
      body.append("| ")
          .append(s.stage())
          .append(" | ")
          .append(s.rows())
          .append(" | ")
          .append(s.failed())
          .append(" | ")
          .append(s.madeBy().replace("|", "\\|"))
          .append(" |\n");
    }
    if (!infos.isEmpty()) yaml.set("dataset_info", infos);
    body.append(
        "\nLoad a stage with `datasets.load_dataset(PATH_OR_REPO, \"clusters\", split=\"train\")`.\n");
    return DatasetCard.withFrontMatter(body.toString(), yaml);
  }

  /** Writes the root card (whole). */
  public static void writeRootCard(Path root, String title) throws IOException {
    String card = rootCard(root, title);
    Path file = root.resolve("README.md");
    // unchanged (a run whose stages were all up to date): not rewritten, so it rewrites nothing
    if (Files.isRegularFile(file) && Files.readString(file, StandardCharsets.UTF_8).equals(card)) {
      return;
    }
    Path tmp = Files.createTempFile(root, "README.md", ".tmp");
    Files.writeString(tmp, card, StandardCharsets.UTF_8);
    Files.move(
        tmp,
        root.resolve("README.md"),
        StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
  }
}
