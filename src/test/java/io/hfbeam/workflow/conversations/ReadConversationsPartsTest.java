package io.hfbeam.workflow.conversations;

import static io.hfbeam.workflow.conversations.ConversationsAnalyzeBadInputTest.conv;
import static io.hfbeam.workflow.conversations.ConversationsAnalyzeBadInputTest.good;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hfbeam.conversations.ConversationReader;
import io.hfbeam.conversations.Parsed;
import io.hfbeam.conversations.ReadLimits;
import io.hfbeam.format.files.Compressions;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Keys;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files read in parts ({@link Survey#PART_RECORDS} records each, so a Flink checkpoint never waits
 * for a whole file) give exactly what one reader going through each file whole gives: the same
 * conversations, and the same failures at the same lines and indexes, including duplicates whose
 * first occurrence is in another part of the same file or in another file.
 */
class ReadConversationsPartsTest {
  @TempDir Path tmp;

  /** 2,600 records with hostile ones on both sides of the part boundaries. */
  private static List<String> records() {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 2600; i++) {
      String line;
      if (i == 15 || i == 2400) line = good(7); // a repeat in the same part, then in a later part
      else if (i == 999) line = "{\"chat_id\": \"broken\", ";
      else if (i == 1000) line = conv("empty-" + i, "2025-06-01T09:00:00");
      else if (i == 1500) line = conv("odd-" + i, "2025-06-01T09:00:00", "wizard", "hello");
      else if (i == 2599) line = good(3000); // repeated in the second file
      else line = good(i);
      lines.add(line);
      if (i % 700 == 0) lines.add(""); // blank lines count as lines, not records
    }
    return lines;
  }

  @Test
  void jsonLinesInPartsReadAsOneReaderWould() throws Exception {
    Path a = tmp.resolve("a.jsonl");
    Files.write(a, records());
    Path b = tmp.resolve("b.jsonl.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(b))) {
      List<String> second = new ArrayList<>(records().subList(2000, 2600));
      second.set(0, good(3000)); // 2,599 of a.jsonl again
      second.set(1, conv("x", "not a time", "user", "hi"));
      out.write(String.join("\n", second).getBytes(StandardCharsets.UTF_8));
    }
    check(List.of(a, b), 3 + 1);
  }

  @Test
  void jsonArraysInPartsReadAsOneReaderWould() throws Exception {
    Path a = tmp.resolve("dump.json");
    List<String> recs = records();
    recs.removeIf(String::isEmpty);
    recs.set(999, "{\"chat_id\": 5}"); // a broken record would end an array: a wrong type instead
    Files.writeString(a, "[\n" + String.join(",\n", recs) + "\n]\n");
    check(List.of(a), 3);
  }

  private void check(List<Path> files, int expectedParts) throws Exception {
    Survey survey = Survey.of(files, InputSpec.auto());
    assertEquals(expectedParts, survey.parts().size(), "parts: " + survey.parts());
    assertEquals(
        files.stream().mapToLong(f -> f.toFile().length()).sum(),
        survey.parts().stream().mapToLong(Survey.Part::bytes).sum(),
        "the parts' byte shares add up to the input");

    // the oracle: one reader through every file, one set of chat ids
    List<String> ids = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    HashSet<String> seen = new HashSet<>();
    for (Path f : files) {
      try (ConversationReader r =
          ConversationReader.open(
              f.toString(), Compressions.open(f), null, ReadLimits.DEFAULT, seen)) {
        while (r.hasNext()) {
          Parsed<io.hfbeam.conversations.Conversation> p = r.next();
          if (p.ok()) ids.add(p.value().chatId());
          else
            failures.add(
                p.where().file()
                    + ":"
                    + Math.max(0, p.where().line())
                    + ":"
                    + p.where().index()
                    + " "
                    + kind(p.failure().reason()));
        }
      }
    }
    assertTrue(failures.size() >= 5, "the fixture has failures in several parts: " + failures);
    assertEquals(survey.conversations(), ids.size());

    TestPipeline p = TestPipeline.create().enableAbandonedNodeEnforcement(false);
    PCollectionTuple read = p.apply(ReadConversations.from(survey));
    PAssert.that(read.get(ReadConversations.CONVERSATIONS).apply(Keys.create()))
        .containsInAnyOrder(ids);
    PAssert.that(
            read.get(ReadConversations.FAILURES)
                .apply(
                    MapElements.into(TypeDescriptors.strings())
                        .via(
                            r ->
                                r.getString("source")
                                    + ":"
                                    + (r.getInt64("line") == null ? 0 : r.getInt64("line"))
                                    + ":"
                                    + (r.getInt64("record") == null ? -1 : r.getInt64("record"))
                                    + " "
                                    + kind(r.getString("reason")))))
        .containsInAnyOrder(failures);
    p.run().waitUntilFinish();
  }

  /** The reason without the part that names where the first occurrence was. */
  private static String kind(String reason) {
    return reason.contains("duplicate") ? "duplicate" : reason;
  }
}
