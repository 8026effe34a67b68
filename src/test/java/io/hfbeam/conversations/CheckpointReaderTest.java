package io.hfbeam.conversations;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Kura JSONL checkpoints read back: read -> write gives the same bytes; bad rows are located. */
class CheckpointReaderTest {
  record Read<T>(List<T> ok, List<String> failed) {}

  static <T> Read<T> read(String name, String text, CheckpointReader.RowParser<T> parser)
      throws IOException {
    List<T> ok = new ArrayList<>();
    List<String> failed = new ArrayList<>();
    try (CheckpointReader<T> r =
        new CheckpointReader<>(
            name, new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), parser)) {
      r.forEachRemaining(
          p -> {
            if (p.ok()) ok.add(p.value());
            else failed.add(p.failure().toString());
          });
    }
    return new Read<>(ok, failed);
  }

  private static <T> String jsonl(List<T> rows, Function<T, String> write) {
    StringBuilder b = new StringBuilder();
    rows.forEach(r -> b.append(write.apply(r)).append('\n'));
    return b.toString();
  }

  @Test
  void everyCheckpointTypeRoundTripsByteForByte() throws IOException {
    String c = jsonl(KuraFixtures.conversations(), KuraJson::write);
    String s = jsonl(KuraFixtures.summaries(), KuraJson::write);
    String k = jsonl(KuraFixtures.clusters(), KuraJson::write);
    String d = jsonl(KuraFixtures.projected(), KuraJson::write);
    assertEquals(
        c,
        jsonl(
            read("conversations.jsonl", c, CheckpointReader.CONVERSATIONS).ok(), KuraJson::write));
    assertEquals(
        s, jsonl(read("summaries.jsonl", s, CheckpointReader.SUMMARIES).ok(), KuraJson::write));
    assertEquals(
        k, jsonl(read("meta_clusters.jsonl", k, CheckpointReader.CLUSTERS).ok(), KuraJson::write));
    assertEquals(
        d,
        jsonl(
            read("dimensionality.jsonl", d, CheckpointReader.PROJECTED_CLUSTERS).ok(),
            KuraJson::write));
    // the objects too, not only their bytes
    assertEquals(KuraFixtures.summaries(), read("s", s, CheckpointReader.SUMMARIES).ok());
    assertEquals(KuraFixtures.projected(), read("d", d, CheckpointReader.PROJECTED_CLUSTERS).ok());
  }

  @Test
  void badRowsAreLocatedAndTheRestKept() throws IOException {
    String good = KuraJson.write(KuraFixtures.clusters().get(0));
    String text =
        String.join(
                "\n",
                good,
                good.replace("\"count\":1", "\"count\":7"),
                good.replace(",\"parent_id\":\"m1000000000000000000000000000000\"", ""),
                good.replace("\"slug\"", "\"extra\":1,\"slug\""),
                good.replace("\"chat_ids\":[\"c-1\"]", "\"chat_ids\":[1]"),
                "{\"id\":")
            + "\n";
    Read<Cluster> r = read("meta_clusters.jsonl", text, CheckpointReader.CLUSTERS);
    assertEquals(1, r.ok().size());
    assertEquals(
        List.of(
            "meta_clusters.jsonl:2: count: 7 but chat_ids holds 1 (Kura recomputes it)",
            "meta_clusters.jsonl:3: parent_id: missing (null for a root)",
            "meta_clusters.jsonl:4: extra: unknown field (Kura would drop it; map it with the mapped format)",
            "meta_clusters.jsonl:5: chat_ids[0]: an integer, expected a string"),
        r.failed().subList(0, 4));
    assertEquals(true, r.failed().get(4).startsWith("meta_clusters.jsonl:6: broken JSON"));

    String summary = KuraJson.write(KuraFixtures.summaries().get(0));
    Read<ConversationSummary> s =
        read(
            "summaries.jsonl",
            summary.replace("\"concerning_score\":1", "\"concerning_score\":6")
                + "\n"
                + summary.replace("\"user_frustration\":5", "\"user_frustration\":\"5\"")
                + "\n"
                + summary.replace("\"metadata\":{", "\"metadata\":{\"x\":NaN,")
                + "\n"
                + summary.replace("\"embedding\":[0.1", "\"embedding\":[1e400")
                + "\n",
            CheckpointReader.SUMMARIES);
    assertEquals(List.of(), s.ok());
    assertEquals(
        List.of(
            "summaries.jsonl:1: concerning_score: 6, expected an integer 1..5 or null",
            "summaries.jsonl:2: user_frustration: \"5\", expected an integer 1..5 or null"),
        s.failed().subList(0, 2));
    assertEquals(
        true, s.failed().get(2).startsWith("summaries.jsonl:3: broken JSON"), s.failed().get(2));
    assertEquals(
        "summaries.jsonl:4: embedding[0]: a number beyond the range of a float", s.failed().get(3));
  }
}
