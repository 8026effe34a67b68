package io.hfbeam.llm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalEmbeddingsTest {
  private static final List<String> TEXTS =
      List.of(
          "How do I bake sourdough bread at home?",
          "What is a good recipe for a rye loaf?",
          "Explain the proof that there are infinitely many primes.",
          "Write a Python function that reverses a linked list.",
          "Which train goes from Paris to Lyon in the morning?");

  @Test
  void vectorsHave384UnitLengthDimensionsInInputOrder() {
    try (LocalEmbeddings embedder = new LocalEmbeddings()) {
      Embeddings e = embedder.embed(TEXTS);
      assertEquals(TEXTS.size(), e.vectors().length);
      assertEquals(384, e.dimension());
      for (float[] v : e.vectors()) {
        // sentence-transformers' all-MiniLM-L6-v2 ends with a Normalize module: unit vectors
        assertEquals(1.0, norm(v), 1e-4);
      }
      assertTrue(e.promptTokens() > TEXTS.size(), "token count: " + e.promptTokens());
      assertEquals(LocalEmbeddings.MODEL, e.model());

      // each text alone gives the same vector as in the batch, and the order is the input's
      List<String> reversed = new ArrayList<>(TEXTS);
      java.util.Collections.reverse(reversed);
      Embeddings r = embedder.embed(reversed);
      for (int i = 0; i < TEXTS.size(); i++) {
        assertArrayEquals(e.vectors()[i], r.vectors()[TEXTS.size() - 1 - i], 1e-6f);
        assertArrayEquals(
            e.vectors()[i], embedder.embed(List.of(TEXTS.get(i))).vectors()[0], 1e-6f);
      }
    }
  }

  @Test
  void meaningsThatAreCloseAreCloseVectors() {
    try (LocalEmbeddings embedder = new LocalEmbeddings()) {
      float[][] v = embedder.embed(TEXTS).vectors();
      double breads = dot(v[0], v[1]);
      // two bread questions are nearer to each other than to primes, code or trains
      for (int other = 2; other < v.length; other++) {
        assertTrue(breads > dot(v[0], v[other]) + 0.2, "bread/bread " + breads + " vs " + other);
      }
    }
  }

  @Test
  void aPoolAndConcurrentCallersGetTheSameVectors() throws Exception {
    float[][] single;
    try (LocalEmbeddings one = new LocalEmbeddings()) {
      single = one.embed(TEXTS).vectors();
    }
    try (LocalEmbeddings pooled = new LocalEmbeddings(3)) {
      ExecutorService callers = Executors.newFixedThreadPool(4);
      List<Future<float[][]>> results = new ArrayList<>();
      for (int i = 0; i < 8; i++) results.add(callers.submit(() -> pooled.embed(TEXTS).vectors()));
      for (Future<float[][]> f : results) {
        float[][] got = f.get(60, TimeUnit.SECONDS);
        for (int i = 0; i < single.length; i++) assertArrayEquals(single[i], got[i], 1e-6f);
      }
      callers.shutdown();
    }
  }

  @Test
  void nullAndBlankTextsAreRefusedWithTheirIndex() {
    try (LocalEmbeddings embedder = new LocalEmbeddings()) {
      List<String> withNull = new ArrayList<>(List.of("fine"));
      withNull.add(null);
      assertEquals(
          "text 1 is null",
          assertThrows(IllegalArgumentException.class, () -> embedder.embed(withNull))
              .getMessage());
      assertEquals(
          "text 2 is blank",
          assertThrows(
                  IllegalArgumentException.class, () -> embedder.embed(List.of("a", "b", "\n ")))
              .getMessage());
      assertEquals(0, embedder.embed(List.of()).vectors().length);
    }
  }

  /**
   * A fresh JVM with no proxy settings, a refusing security manager and an empty DJL cache: the
   * model loads only when used, its natives come out of the jar, and nothing opens a connection.
   */
  @Test
  void loadsLazilyAndNeverTouchesTheNetwork(@TempDir Path cache) throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    ProcessBuilder pb =
        new ProcessBuilder(
                java.toString(),
                "-Djava.security.manager=allow",
                "-cp",
                System.getProperty("java.class.path"),
                LocalEmbeddingsProbe.class.getName())
            .redirectErrorStream(true);
    for (String k : List.of("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy"))
      pb.environment().remove(k);
    pb.environment().remove("JAVA_TOOL_OPTIONS");
    pb.environment().put("ENGINE_CACHE_DIR", cache.toString()); // DJL unpacks its library here
    Path log = cache.resolve("probe.log");
    pb.redirectOutput(log.toFile());
    Process p = pb.start();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "probe timed out");
    String out = Files.readString(log);
    assertEquals(0, p.exitValue(), out);
    assertTrue(out.contains("loaded before use: false"), out);
    assertTrue(out.contains("loaded after an empty call: false"), out);
    assertTrue(out.contains("loaded after use: true dims 384"), out);
    assertTrue(out.contains("network refusal active"), out);
    try (var files = Files.walk(cache)) {
      assertTrue(
          files.anyMatch(f -> f.getFileName().toString().equals("libtokenizers.so")),
          "DJL's library was unpacked from the jar into the given cache");
    }
  }

  static double norm(float[] v) {
    return Math.sqrt(dot(v, v));
  }

  static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) s += (double) a[i] * b[i];
    return s;
  }
}
