package io.hfbeam.conversations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The input readers on the real MT-Bench and Taskmaster files and on hand-made hostile files. */
class ConversationReaderTest {
  static final Path RESOURCES = Path.of("src/test/resources/conversations");

  record Result(List<Conversation> ok, List<ReadFailure> failed) {}

  static Result read(String name, String text, ConversationFormat format) throws IOException {
    return read(name, text, format, ReadLimits.DEFAULT);
  }

  static Result read(String name, String text, ConversationFormat format, ReadLimits limits)
      throws IOException {
    List<Conversation> ok = new ArrayList<>();
    List<ReadFailure> failed = new ArrayList<>();
    try (ConversationReader r =
        ConversationReader.open(
            name,
            new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)),
            format,
            limits,
            new HashSet<>())) {
      while (r.hasNext()) {
        Parsed<Conversation> p = r.next();
        if (p.ok()) ok.add(p.value());
        else failed.add(p.failure());
      }
    }
    return new Result(ok, failed);
  }

  static String kuraLine(String id, String role, String content, String time) {
    return "{\"chat_id\":\""
        + id
        + "\",\"created_at\":\"2025-06-01T09:00:00\",\"messages\":[{\"created_at\":\""
        + time
        + "\",\"role\":\""
        + role
        + "\",\"content\":"
        + content
        + "}],\"metadata\":{}}";
  }

  @Test
  void realFilesAreReadWholeAndWrittenBackByteForByte() throws IOException {
    for (String f : List.of("mt_bench_questions.jsonl", "taskmaster_coffee.jsonl")) {
      String text = Files.readString(RESOURCES.resolve(f));
      Result r = read(f, text, null);
      assertEquals(List.of(), r.failed(), f);
      assertEquals(f.startsWith("mt") ? 80 : 500, r.ok().size(), f);
      StringBuilder again = new StringBuilder();
      r.ok().forEach(c -> again.append(KuraJson.write(c)).append('\n'));
      assertEquals(text, again.toString(), f + " round trip");
    }
  }

  @Test
  void metadataValuesKeepTheirTypes() throws IOException {
    Conversation c =
        read(
                "m.jsonl",
                "{\"chat_id\":\"a\",\"created_at\":\"2025-06-01 09:00:00\",\"messages\":[{\"created_at\":\"2025-06-01T09:00:00Z\",\"role\":\"user\",\"content\":\"x\"}],"
                    + "\"metadata\":{\"i\":1,\"f\":1.0,\"b\":true,\"s\":\"1\",\"e\":[],\"mixed\":[1,2.5],\"big\":123456789012345678901234567890}}\n",
                ConversationFormat.kura())
            .ok()
            .get(0);
    JsonValue.Obj md = c.metadata();
    assertEquals(JsonValue.of(1), md.get("i"));
    assertEquals(JsonValue.of(1.0), md.get("f"));
    assertEquals(JsonValue.of(true), md.get("b"));
    assertEquals(JsonValue.of("1"), md.get("s"));
    assertEquals(new JsonValue.Arr(List.of()), md.get("e"));
    // Kura's list[float]: the int becomes 1.0, as pydantic makes it
    assertEquals(new JsonValue.Arr(List.of(JsonValue.of(1.0), JsonValue.of(2.5))), md.get("mixed"));
    assertEquals(
        "{\"i\":1,\"f\":1.0,\"b\":true,\"s\":\"1\",\"e\":[],\"mixed\":[1.0,2.5],\"big\":123456789012345678901234567890}",
        KuraJson.toText(md));
    // naive stays naive, zoned stays zoned; the space separator is pydantic's same value
    assertNull(c.createdAt().offset());
    assertEquals("2025-06-01T09:00:00", c.createdAt().toString());
    assertEquals("2025-06-01T09:00:00Z", c.messages().get(0).createdAt().toString());
  }

  @Test
  void hostileKuraLinesAreLocatedAndTheRestKept() throws IOException {
    String mb = "\"" + "x".repeat(1024 * 1024) + "\"";
    String text =
        String.join(
                "\n",
                kuraLine("good-1", "user", "\"hi\"", "2025-06-01T09:00:00"), // 1
                kuraLine("role", "system", "\"hi\"", "2025-06-01T09:00:00"), // 2
                "{\"chat_id\":\"empty\",\"created_at\":\"2025-06-01T09:00:00\",\"messages\":[],\"metadata\":{}}", // 3
                kuraLine("null", "user", "null", "2025-06-01T09:00:00"), // 4
                kuraLine("huge", "user", mb, "2025-06-01T09:00:00"), // 5
                kuraLine("time", "user", "\"hi\"", "2025-13-45T09:00:00"), // 6
                kuraLine("good-1", "user", "\"again\"", "2025-06-01T09:00:00"), // 7: duplicate
                "{\"chat_id\":\"broken\",\"created_at\":", // 8
                "  \t", // 9: blank, no record
                kuraLine("good-2", "assistant", "\"ok\"", "2025-06-01T09:00:00.123456789"), // 10
                kuraLine("good-3", "assistant", "\"ok\"", "2025-06-01T09:00:00.123456000"), // 11
                kuraLine("sur", "user", "\"\\ud800\"", "2025-06-01T09:00:00"), // 12
                "{\"chat_id\":\"dup-key\",\"chat_id\":\"x\"}", // 13
                "{\"chat_id\":\"meta\",\"created_at\":\"2025-06-01T09:00:00\",\"messages\":[{\"created_at\":\"2025-06-01T09:00:00\",\"role\":\"user\",\"content\":\"x\"}],\"metadata\":{\"k\":null}}", // 14
                "{\"chat_id\":\"bools\",\"created_at\":\"2025-06-01T09:00:00\",\"messages\":[{\"created_at\":\"2025-06-01T09:00:00\",\"role\":\"user\",\"content\":\"x\"}],\"metadata\":{\"k\":[true,1]}}", // 15
                "{\"chat_id\":\"extra\",\"created_at\":\"2025-06-01T09:00:00\",\"messages\":[],\"metadata\":{},\"conversation_id\":1}", // 16
                "[1,2]") // 17
            + "\n";
    Result r = read("hostile.jsonl", text, ConversationFormat.kura());
    assertEquals(List.of("good-1", "good-3"), r.ok().stream().map(Conversation::chatId).toList());
    List<String> got = r.failed().stream().map(ReadFailure::toString).toList();
    List<String> expected =
        List.of(
            "hostile.jsonl:2: messages[0].role: 'system' (Kura allows only 'user' and 'assistant')",
            "hostile.jsonl:3: no messages",
            "hostile.jsonl:4: messages[0].content: null, expected a string",
            "hostile.jsonl:5: messages[0].content: 1048576 bytes, over the cap of 524288",
            "hostile.jsonl:6: messages[0].created_at: not a valid datetime",
            "hostile.jsonl:7: chat_id 'good-1' seen before (duplicate)",
            "hostile.jsonl:8: broken JSON",
            "hostile.jsonl:10: messages[0].created_at: more than 6 fraction digits",
            "hostile.jsonl:12: messages[0].content: unpaired surrogate at character 0",
            "hostile.jsonl:13: broken JSON: Duplicate field 'chat_id'",
            "hostile.jsonl:14: metadata.k: null (Kura's metadata values cannot be None)",
            "hostile.jsonl:15: metadata.k: a list holding a boolean",
            "hostile.jsonl:16: conversation_id: unknown field",
            "hostile.jsonl:17: record: a list, expected an object");
    assertEquals(expected.size(), got.size(), String.join("\n", got));
    for (int i = 0; i < expected.size(); i++) {
      assertTrue(got.get(i).startsWith(expected.get(i)), got.get(i) + " / " + expected.get(i));
    }
    assertEquals(
        "2025-06-01T09:00:00.123456", r.ok().get(1).messages().get(0).createdAt().toString());
  }

  @Test
  void aJsonDumpIsReadAndBrokenJsonEndsItLocated() throws IOException {
    String good = kuraLine("a", "user", "\"hi\"", "2025-06-01T09:00:00");
    String role = kuraLine("b", "tool", "\"hi\"", "2025-06-01T09:00:00");
    String good2 = kuraLine("c", "assistant", "\"yo\"", "2025-06-01T09:00:00");
    Result r = read("dump.json", "[\n" + good + ",\n" + role + ",\n" + good2 + "\n]\n", null);
    assertEquals(List.of("a", "c"), r.ok().stream().map(Conversation::chatId).toList());
    assertEquals(1, r.failed().size());
    assertTrue(
        r.failed().get(0).toString().startsWith("dump.json:3 [1]: messages[0].role: 'tool'"));

    r = read("cut.json", "[\n" + good + ",\n" + good2 + ",\n{\"chat_id\": \"x\", ", null);
    assertEquals(List.of("a", "c"), r.ok().stream().map(Conversation::chatId).toList());
    assertEquals(1, r.failed().size());
    assertTrue(
        r.failed().get(0).reason().startsWith("broken JSON")
            && r.failed().get(0).reason().endsWith("the rest of the array cannot be read"),
        r.failed().get(0).toString());
  }

  @Test
  void claudeExportAsKurasLoaderMapsIt() throws IOException {
    String export =
        """
        [{"uuid": "u-1", "name": "chat", "created_at": "2025-01-02T10:00:00.123456Z",
          "chat_messages": [
            {"uuid": "m3", "sender": "assistant", "created_at": "2025-01-02T10:00:05Z",
             "content": [{"type": "text", "text": "second"}, {"type": "tool_use", "name": "x"}, {"type": "text", "text": "part"}]},
            {"uuid": "m2", "sender": "assistant", "created_at": "2025-01-02T10:00:01Z", "content": [{"type": "text", "text": "answer"}]},
            {"uuid": "m1", "sender": "human", "created_at": "2025-01-02T10:00:01Z", "content": [{"type": "text", "text": "question"}]}
          ]},
         {"uuid": "u-2", "created_at": "2025-01-02T11:00:00Z", "chat_messages": [
            {"sender": "system", "created_at": "2025-01-02T11:00:00Z", "content": []}]},
         {"uuid": "u-3", "created_at": "2025-01-02T12:00:00Z", "chat_messages": []}
        ]
        """;
    Result r = read("conversations.json", export, null);
    assertEquals(1, r.ok().size());
    Conversation c = r.ok().get(0);
    assertEquals("u-1", c.chatId());
    assertEquals("2025-01-02T10:00:00.123456Z", c.createdAt().toString());
    assertEquals(
        List.of("user:question", "assistant:answer", "assistant:second\npart"),
        c.messages().stream().map(m -> m.role().wire() + ":" + m.content()).toList());
    assertEquals(JsonValue.Obj.EMPTY, c.metadata());
    assertEquals(2, r.failed().size());
    assertTrue(r.failed().get(0).reason().startsWith("chat_messages[0].sender: 'system'"));
    assertEquals("no messages", r.failed().get(1).reason());
  }

  @Test
  void openAiChatLinesSystemToMetadataToolRefused() throws IOException {
    String text =
        """
        {"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}, {"role": "assistant", "content": [{"type": "text", "text": "Hello"}, {"type": "text", "text": "there"}]}]}
        {"messages": [{"role": "user", "content": "weather?"}, {"role": "assistant", "content": null, "tool_calls": []}, {"role": "tool", "content": "sunny"}]}
        {"id": 7, "messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]}]}
        {"id": "x-1", "created_at": "2024-12-31T23:59:59+01:00", "messages": [{"role": "user", "content": "ok"}]}
        """;
    Result r = read("chat.jsonl", text, ConversationFormat.openAi());
    assertEquals(2, r.ok().size());
    Conversation c = r.ok().get(0);
    assertEquals("chat.jsonl:1", c.chatId());
    assertEquals("1970-01-01T00:00:00", c.createdAt().toString());
    assertEquals(
        List.of("user:Hi", "assistant:Hello\nthere"),
        c.messages().stream().map(m -> m.role().wire() + ":" + m.content()).toList());
    assertEquals("{\"system_prompt\":\"Be brief.\"}", KuraJson.toText(c.metadata()));
    assertEquals("x-1", r.ok().get(1).chatId());
    assertEquals(
        "2024-12-31T23:59:59+01:00", r.ok().get(1).messages().get(0).createdAt().toString());
    assertEquals(2, r.failed().size());
    assertEquals("messages[1].content: null, expected text", r.failed().get(0).reason());
    assertTrue(r.failed().get(1).reason().startsWith("messages[0].content[0]: a 'image_url' part"));
  }

  @Test
  void shareGptAndAMappedRecord() throws IOException {
    String share =
        """
        [{"id": "s1", "conversations": [{"from": "human", "value": "Who are you?"}, {"from": "gpt", "value": "A model."}]},
         {"id": "s2", "conversations": [{"from": "narrator", "value": "?"}]}]
        """;
    Result r = read("share.json", share, null);
    assertEquals(1, r.ok().size());
    assertEquals(
        List.of(Role.USER, Role.ASSISTANT),
        r.ok().get(0).messages().stream().map(Message::role).toList());
    assertTrue(r.failed().get(0).reason().startsWith("conversations[0].from: 'narrator'"));

    ChatMapping mapping =
        new ChatMapping(
            "question_id",
            "ts",
            "turns",
            "speaker",
            "text",
            "at",
            List.of("category", "score", "tags"),
            java.util.Map.of("U", ChatMapping.Target.USER, "A", ChatMapping.Target.ASSISTANT),
            ChatMapping.UNKNOWN_TIME);
    String rows =
        "{\"question_id\": 81, \"ts\": \"2025-06-01T09:00:00\", \"category\": \"writing\", \"score\": 1.0,"
            + " \"tags\": [\"a\"], \"other\": 5, \"turns\": [{\"speaker\": \"U\", \"text\": \"Write\","
            + " \"at\": \"2025-06-01T09:00:01\"}, {\"speaker\": \"A\", \"text\": \"Done\"}]}\n"
            + "{\"question_id\": 82, \"ts\": \"2025-06-01T09:00:00\", \"category\": null,"
            + " \"turns\": [{\"speaker\": \"U\", \"text\": \"x\"}]}\n";
    r = read("mapped.jsonl", rows, ConversationFormat.mapped(mapping));
    assertEquals(1, r.ok().size(), r.failed().toString());
    Conversation c = r.ok().get(0);
    assertEquals("81", c.chatId());
    assertEquals(
        "{\"category\":\"writing\",\"score\":1.0,\"tags\":[\"a\"]}", KuraJson.toText(c.metadata()));
    assertEquals("2025-06-01T09:00:01", c.messages().get(0).createdAt().toString());
    assertEquals("2025-06-01T09:00:00", c.messages().get(1).createdAt().toString());
    assertEquals(
        "metadata.category: null (Kura's metadata values cannot be None)",
        r.failed().get(0).reason());
  }

  @Test
  void invalidUtf8AndOverlongLinesAreLocated() throws IOException {
    byte[] bad =
        (kuraLine("a", "user", "\"hi\"", "2025-06-01T09:00:00") + "\n")
            .getBytes(StandardCharsets.UTF_8);
    byte[] broken = new byte[] {'{', '"', (byte) 0xC3, (byte) 0x28, '"', '}', '\n'};
    byte[] all = new byte[bad.length + broken.length];
    System.arraycopy(broken, 0, all, 0, broken.length);
    System.arraycopy(bad, 0, all, broken.length, bad.length);
    List<Parsed<Conversation>> out = new ArrayList<>();
    try (ConversationReader r =
        ConversationReader.open(
            "u.jsonl", new ByteArrayInputStream(all), null, ReadLimits.DEFAULT, new HashSet<>())) {
      r.forEachRemaining(out::add);
    }
    assertEquals("u.jsonl:1: not valid UTF-8", out.get(0).failure().toString());
    assertEquals("a", out.get(1).value().chatId());

    String line = kuraLine("long", "user", "\"" + "y".repeat(5000) + "\"", "2025-06-01T09:00:00");
    Result r =
        read(
            "l.jsonl",
            line + "\n" + kuraLine("b", "user", "\"b\"", "2025-06-01T09:00:00"),
            null,
            new ReadLimits(100_000, 1000));
    assertTrue(
        r.failed().get(0).toString().startsWith("l.jsonl:1: line of 5"), r.failed().toString());
    assertEquals("b", r.ok().get(0).chatId());
  }

  /**
   * A 100,000-conversation input made on the fly: the first conversation comes out after a few
   * kilobytes were read, in both containers, so nothing holds the file whole.
   */
  @Test
  void aHugeInputIsStreamed() throws IOException {
    for (boolean array : new boolean[] {false, true}) {
      CountingGenerator in = new CountingGenerator(100_000, array);
      try (ConversationReader r =
          ConversationReader.open(
              "big", in, ConversationFormat.kura(), ReadLimits.DEFAULT, new HashSet<>())) {
        assertTrue(r.next().ok());
        assertTrue(in.served < 200_000, "bytes read before the first record: " + in.served);
        long n = 1;
        long start = System.nanoTime();
        long heapAt10k = 0;
        while (r.hasNext()) {
          assertTrue(r.next().ok());
          n++;
          if (n == 10_000) heapAt10k = usedHeapAfterGc();
        }
        long heapAt100k = usedHeapAfterGc();
        // the set of seen chat ids is the only thing that grows (about 60 bytes an id)
        System.out.printf(
            "heap in use after GC: %.1f MB at 10k, %.1f MB at 100k conversations%n",
            heapAt10k / 1e6, heapAt100k / 1e6);
        double secs = (System.nanoTime() - start) / 1e9;
        assertEquals(100_000, n);
        System.out.printf(
            "streamed %d conversations (%s, %.1f MB) in %.2f s: %.0f/s%n",
            n, array ? "JSON array" : "JSONL", in.served / 1e6, secs, n / secs);
      }
    }
  }

  private static long usedHeapAfterGc() {
    Runtime rt = Runtime.getRuntime();
    System.gc();
    return rt.totalMemory() - rt.freeMemory();
  }

  /** Kura conversation lines made as they are read. */
  static final class CountingGenerator extends InputStream {
    final int total;
    final boolean array;
    int made;
    long served;
    byte[] buf = new byte[0];
    int pos;

    CountingGenerator(int total, boolean array) {
      this.total = total;
      this.array = array;
    }

    @Override
    public int read() {
      if (pos == buf.length && !refill()) return -1;
      served++;
      return buf[pos++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (pos == buf.length && !refill()) return -1;
      int n = Math.min(len, buf.length - pos);
      System.arraycopy(buf, pos, b, off, n);
      pos += n;
      served += n;
      return n;
    }

    private boolean refill() {
      if (made > total) return false;
      String s;
      if (made == total) s = array ? "]" : "";
      else {
        String line =
            kuraLine(
                "c-" + made,
                made % 2 == 0 ? "user" : "assistant",
                "\"message number " + made + " about coffee and tea\"",
                "2025-06-01T09:00:00");
        s = array ? (made == 0 ? "[" : ",") + line + "\n" : line + "\n";
      }
      made++;
      buf = s.getBytes(StandardCharsets.UTF_8);
      pos = 0;
      return buf.length > 0 || refill();
    }
  }
}
