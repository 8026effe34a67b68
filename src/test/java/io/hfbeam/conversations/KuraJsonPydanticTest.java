package io.hfbeam.conversations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hfbeam.testing.PythonEnv;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kura JSONL checkpoints, byte for byte against pydantic 2.13 (the project's venv): the same
 * objects built in Java and with Kura's own pydantic models give the same bytes, and pydantic
 * re-reading and re-writing our files gives our bytes back.
 */
class KuraJsonPydanticTest {
  @TempDir static Path dir;

  @BeforeAll
  static void python() {
    Assumptions.assumeTrue(
        PythonEnv.available(), () -> "Python interop skipped: " + PythonEnv.skipReason());
  }

  private static <T> String lines(List<T> rows, Function<T, String> write) {
    StringBuilder b = new StringBuilder();
    rows.forEach(r -> b.append(write.apply(r)).append('\n'));
    return b.toString();
  }

  private static PythonEnv.Result run(String script) throws IOException {
    PythonEnv.Result r = PythonEnv.runScript(script, Map.of(), dir, 300);
    assertEquals(0, r.exitCode(), r.output());
    return r;
  }

  @Test
  void theSameObjectsGiveTheSameBytesAsPydantic() throws IOException {
    Map<String, String> java =
        Map.of(
            "conversations", lines(KuraFixtures.conversations(), KuraJson::write),
            "summaries", lines(KuraFixtures.summaries(), KuraJson::write),
            "meta_clusters", lines(KuraFixtures.clusters(), KuraJson::write),
            "dimensionality", lines(KuraFixtures.projected(), KuraJson::write));
    run(
        KuraFixtures.PYTHON
            + """

            # Kura's JSONLCheckpointManager.save_checkpoint, verbatim in effect
            for name, rows in [("conversations", conversations()), ("summaries", summaries()),
                               ("meta_clusters", clusters()), ("dimensionality", projected())]:
                with open(name + ".py.jsonl", "w", encoding="utf-8") as f:
                    for item in rows:
                        f.write(item.model_dump_json() + "\\n")
            """);
    for (Map.Entry<String, String> e : java.entrySet()) {
      byte[] py = Files.readAllBytes(dir.resolve(e.getKey() + ".py.jsonl"));
      assertEquals(
          new String(py, StandardCharsets.UTF_8), e.getValue(), e.getKey() + ": bytes differ");
    }
  }

  @Test
  void pydanticReadsOurFilesAndWritesTheSameBytes() throws IOException {
    Random rnd = new Random(15);
    List<Double> floats = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      double d =
          i % 2 == 0
              ? (rnd.nextDouble() * 2 - 1) * Math.pow(10, rnd.nextInt(61) - 30)
              : Double.longBitsToDouble(rnd.nextLong());
      if (Double.isFinite(d)) floats.add(d);
    }
    ConversationSummary withFloats =
        new ConversationSummary(
            "floats", null, null, null, null, null, null, null, "f", JsonValue.Obj.EMPTY, floats);
    List<ConversationSummary> summaries = new ArrayList<>(KuraFixtures.summaries());
    summaries.add(withFloats);
    Files.writeString(dir.resolve("c.jsonl"), lines(KuraFixtures.conversations(), KuraJson::write));
    Files.writeString(dir.resolve("s.jsonl"), lines(summaries, KuraJson::write));
    Files.writeString(dir.resolve("k.jsonl"), lines(KuraFixtures.clusters(), KuraJson::write));
    Files.writeString(dir.resolve("d.jsonl"), lines(KuraFixtures.projected(), KuraJson::write));
    PythonEnv.Result r =
        run(
            KuraFixtures.PYTHON
                + """

                # Kura's load_checkpoint then save_checkpoint
                bad = 0
                for name, cls in [("c", Conversation), ("s", ConversationSummary), ("k", Cluster), ("d", ProjectedCluster)]:
                    with open(name + ".jsonl", encoding="utf-8") as f:
                        for n, line in enumerate(f, 1):
                            again = cls.model_validate_json(line).model_dump_json() + "\\n"
                            if again != line:
                                bad += 1
                                print(name, n, repr(line[:300]), repr(again[:300]))
                print("differing lines:", bad)
                """);
    assertTrue(r.output().contains("differing lines: 0"), r.output());
  }

  /**
   * Every datetime text Java accepts is the value pydantic reads from it, written as pydantic
   * writes it; what Java refuses pydantic refuses too, or would cut (sub-microsecond digits).
   */
  @Test
  void datetimesParseAndPrintAsPydantic() throws IOException {
    List<String> texts =
        List.of(
            "2025-06-01T09:00:00",
            "2025-06-01 09:00:00",
            "2025-06-01t09:00:00",
            "2025-06-01",
            "2025-06-01T09:00",
            "2025-06-01T09:00:00.5",
            "2025-06-01T09:00:00.000000",
            "2025-06-01T09:00:00.120",
            "2025-06-01T09:00:00.1234560",
            "2025-06-01T09:00:00Z",
            "2025-06-01T09:00:00z",
            "2025-06-01T09:00:00+00:00",
            "2025-06-01T09:00:00-00:00",
            "2025-06-01T09:00:00+05:30",
            "2025-06-01T09:00:00+0530",
            "2025-06-01T09:00:00-08:00",
            "0001-01-01T00:00:00",
            "9999-12-31T23:59:59.999999",
            "2024-02-29T00:00:00",
            "2025-06-01T09:00:00.123456789",
            "2025-13-01T09:00:00",
            "2025-02-29T09:00:00",
            "2025-06-01T25:00:00",
            "2025-06-01T09:00:00+05:30:15",
            "yesterday",
            "2025-6-1",
            "2025-06-01T09:00:00+24:00",
            "2025-06-01T23:59:60",
            "");
    StringBuilder expected = new StringBuilder();
    for (String t : texts) {
      String java;
      try {
        java = KuraTime.parse(t).toString();
      } catch (IllegalArgumentException e) {
        java = "REFUSED";
      }
      expected.append(t).append(" -> ").append(java).append('\n');
    }
    StringBuilder py =
        new StringBuilder(
            "from pydantic import TypeAdapter\nfrom datetime import datetime\nimport json\nta = TypeAdapter(datetime)\nfor t in [");
    for (String t : texts) py.append('"').append(t).append("\",");
    py.append(
        """
        ]:
            try:
                v = ta.validate_json(json.dumps(t))
                out = ta.dump_json(v).decode()[1:-1]
                if len(t) > 26 and t[19:20] == "." and t[26:27].isdigit() and t[26:].strip("0").isdigit():
                    out = "CUT " + out
            except Exception:
                out = "REFUSED"
            print(t, "->", out)
        """);
    PythonEnv.Result r = run(py.toString());
    String pydantic = r.output().replace("CUT 2025-06-01T09:00:00.123456", "REFUSED");
    assertEquals(expected.toString(), pydantic);
  }

  /** Kura's JSON dump (generate_conversation_dump), byte for byte, and read back. */
  @Test
  void theConversationDumpIsKurasAndReadsBack() throws IOException {
    java.io.StringWriter w = new java.io.StringWriter();
    KuraDump.write(KuraFixtures.conversations().iterator(), w);
    run(
        KuraFixtures.PYTHON
            + """

            import json
            # Conversation.generate_conversation_dump, verbatim in effect
            with open("dump.py.json", "w") as f:
                json.dump([c.model_dump(mode="json") for c in conversations()], f)
            """);
    assertEquals(Files.readString(dir.resolve("dump.py.json")), w.toString());
    ConversationReaderTest.Result back =
        ConversationReaderTest.read("dump.json", w.toString(), null);
    assertEquals(List.of(), back.failed());
    assertEquals(KuraFixtures.conversations(), back.ok());
  }
}
