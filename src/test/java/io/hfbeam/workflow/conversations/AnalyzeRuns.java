package io.hfbeam.workflow.conversations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hfbeam.cli.Cli;
import io.hfbeam.conversations.CheckpointLayout;
import io.hfbeam.conversations.ConversationLayout;
import io.hfbeam.conversations.KuraJson;
import io.hfbeam.conversations.StageFeatures;
import io.hfbeam.conversations.StageRows;
import io.hfbeam.format.json.JsonlRowWriter;
import io.hfbeam.format.parquet.HfParquetReader;
import io.hfbeam.hf.Feature;
import io.hfbeam.hf.Features;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.beam.sdk.values.Row;

/** Runs {@code conversations analyze} through the CLI and reads its checkpoints back in Java. */
final class AnalyzeRuns {
  static final Path RES = Path.of("src/test/resources/conversations");
  static final Path MT_BENCH = RES.resolve("mt_bench_questions.jsonl");
  static final Path TASKMASTER = RES.resolve("taskmaster_coffee.jsonl");
  static final Path FORMATS = RES.resolve("formats");

  /** The stages the offline path writes (no summaries without an LLM). */
  static final List<String> STAGES =
      List.of(
          StageFeatures.CONVERSATIONS,
          StageFeatures.EMBEDDINGS,
          StageFeatures.CLUSTERS,
          StageFeatures.META_CLUSTERS,
          StageFeatures.DIMENSIONALITY);

  private static final ObjectMapper JSON = new ObjectMapper();

  private AnalyzeRuns() {}

  static Cli analyze(Path out, String... args) {
    List<String> all = new ArrayList<>(List.of("conversations", "analyze", "--output"));
    all.add(out.toString());
    all.addAll(List.of(args));
    return Cli.run(all.toArray(String[]::new));
  }

  static Cli analyzeOk(Path out, String... args) {
    Cli r = analyze(out, args);
    assertEquals(0, r.exitCode, r.toString());
    return r;
  }

  static List<Path> dataFiles(Path root, String stage) throws IOException {
    Path data = CheckpointLayout.stageDir(root, stage).resolve("data");
    try (Stream<Path> s = Files.list(data)) {
      return s.filter(p -> p.toString().endsWith(".parquet")).sorted().toList();
    }
  }

  /** A stage's features and rows as the Parquet files hold them. */
  record StageData(Features features, List<Row> rows) {}

  static StageData read(Path root, String stage) throws IOException {
    Features features = null;
    List<Row> rows = new ArrayList<>();
    for (Path f : dataFiles(root, stage)) {
      try (HfParquetReader r = HfParquetReader.open(f)) {
        features = r.features();
        while (r.hasNext()) rows.add(r.next());
      }
    }
    return new StageData(features, rows);
  }

  /** The conversations checkpoint's layout, from its features. */
  static ConversationLayout layout(Features f) {
    String time = ((Feature.Value) f.get("created_at")).dtype();
    ConversationLayout.Time t =
        switch (time) {
          case "timestamp[us]" -> ConversationLayout.Time.NAIVE;
          case "timestamp[us, tz=UTC]" -> ConversationLayout.Time.UTC;
          default -> ConversationLayout.Time.TEXT;
        };
    Feature md = f.get("metadata");
    return new ConversationLayout(t, md instanceof Feature.Struct s ? s.fields() : null);
  }

  /**
   * A stage's rows in a form Python can make too, sorted: Kura's pydantic JSON for conversations
   * and clusters; {@code chat_id model sha256(float32 LE vector)} for embeddings.
   */
  static List<String> comparable(Path root, String stage) throws Exception {
    StageData d = read(root, stage);
    List<String> out = new ArrayList<>();
    for (Row row : d.rows()) {
      JsonNode n = JSON.readTree(JsonlRowWriter.toJsonLine(row, d.features()));
      out.add(
          switch (stage) {
            case StageFeatures.CONVERSATIONS ->
                KuraJson.write(StageRows.conversation(n, layout(d.features())));
            case StageFeatures.EMBEDDINGS ->
                row.getString("chat_id")
                    + " "
                    + row.getString("model")
                    + " "
                    + vectorHash(row.getArray("embedding"));
            case StageFeatures.DIMENSIONALITY -> KuraJson.write(StageRows.projectedCluster(n));
            default -> KuraJson.write(StageRows.cluster(n));
          });
    }
    out.sort(null);
    return out;
  }

  static String vectorHash(Collection<?> v) throws Exception {
    ByteBuffer b = ByteBuffer.allocate(4 * v.size()).order(ByteOrder.LITTLE_ENDIAN);
    for (Object f : v) b.putFloat((Float) f);
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b.array()));
  }

  /** Every file under the root: path -> (size, mtime, sha256). */
  static Map<String, String> snapshot(Path root) throws Exception {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        byte[] bytes = Files.readAllBytes(p);
        out.put(
            root.relativize(p).toString(),
            Files.getLastModifiedTime(p).toMillis()
                + " "
                + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
      }
    }
    return out;
  }

  /** The Parquet bytes of every stage: relative path -> sha256. */
  static Map<String, String> parquetHashes(Path root) throws Exception {
    Map<String, String> out = new TreeMap<>();
    for (String stage : STAGES) {
      for (Path f : dataFiles(root, stage)) {
        out.put(
            root.relativize(f).toString(),
            HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f))));
      }
    }
    return out;
  }

  /** What the run printed about each stage: stage -> its state line. */
  static Map<String, String> stageLines(Cli r) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String line : r.out.lines().toList()) {
      for (String stage : STAGES) {
        if (line.startsWith("  " + stage + ": ")) {
          out.put(stage, line.substring(stage.length() + 4));
        }
      }
    }
    assertEquals(STAGES, List.copyOf(out.keySet()), r.toString());
    return out;
  }

  static void assertComplete(Path root, String stage) {
    assertTrue(
        CheckpointLayout.read(root, stage).isPresent(),
        stage + " has no readable checkpoint.json under " + root);
  }

  /**
   * Every conversation of the set as a clustering point held in memory (the reference the cluster
   * stage's scratch files are checked against): its vector and its naming text, clipped to {@code
   * textChars} (the summary with an LLM, else the conversation's text, read in {@code layout}).
   */
  static List<ClusterAnalysis.Point> memoryPoints(
      Path root, boolean summaries, ConversationLayout layout, int textChars) throws IOException {
    Map<String, float[]> vectors = StageFiles.vectors(root);
    Map<String, String> texts = new java.util.HashMap<>();
    StageFiles.forEachRow(
        root,
        summaries ? StageFeatures.SUMMARIES : StageFeatures.CONVERSATIONS,
        row -> {
          String text =
              summaries
                  ? row.path("summary").asText()
                  : ConversationText.of(StageRows.conversation(row, layout));
          texts.put(
              row.path("chat_id").asText(),
              text.length() <= textChars ? text : text.substring(0, textChars));
        });
    List<ClusterAnalysis.Point> points = new ArrayList<>(vectors.size());
    vectors.forEach(
        (id, v) -> points.add(new ClusterAnalysis.Point(id, texts.getOrDefault(id, ""), v)));
    return points;
  }
}
