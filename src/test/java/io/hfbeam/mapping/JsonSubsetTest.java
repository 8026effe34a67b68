package io.hfbeam.mapping;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonSubsetTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> PATHS =
      List.of(
          "question",
          "persona.roll",
          "persona.erfarenhet",
          "validation.composite_score",
          "tags",
          "a.b.c",
          "n");
  private final JsonSubset subset = new JsonSubset(PATHS);

  /** Every kept path reads the same node as in the whole tree, whatever the shape of the record. */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"id\": 1, \"question\": \"Vad gör jag nu?\", \"persona\": {\"roll\": \"sjuksköterska\", \"erfarenhet\": \"ny\", \"x\": [1, {\"y\": 2}]},"
            + " \"validation\": {\"composite_score\": 0.727, \"delpoang\": {\"r\": 0.5}}, \"skapad\": \"2026\"}",
        "{\"persona\": \"not an object\", \"validation\": [1, 2], \"a\": {\"b\": 7}}",
        "{\"persona\": {\"roll\": {\"nested\": true}}, \"a\": {\"b\": {\"c\": [1, 2.5, null]}}}",
        "{\"tags\": [\"a\", {\"b\": 1}], \"n\": 12345678901234567890, \"validation\": {\"composite_score\": 1e400}}",
        "{\"n\": null, \"question\": 12, \"a\": null}",
        "{}",
        "{\"skipped\": 1, \"skipped\": 2, \"question\": \"a key no path reads may repeat: it changes nothing\"}"
      })
  void keptPathsReadAsInTheWholeTree(String record) throws IOException {
    byte[] bytes = record.getBytes(StandardCharsets.UTF_8);
    JsonNode whole = JSON.readTree(bytes);
    JsonNode kept = subset.read(bytes, 0, bytes.length);
    for (String path : PATHS) {
      assertThat(
          path + " in " + record,
          FieldMapping.path(kept, path),
          equalTo(FieldMapping.path(whole, path)));
    }
  }

  /**
   * Where readTree would change a value silently (the last duplicate wins, text after the object is
   * dropped).
   */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"question\": \"first\", \"question\": \"second\"}",
        "{\"persona\": {\"roll\": \"r\"}, \"persona\": {\"erfarenhet\": \"e\"}}",
        "{\"persona\": {\"roll\": \"r\", \"roll\": \"s\"}}",
        "{\"tags\": [{\"a\": 1, \"a\": 2}]}",
        "{\"question\": \"q\"} trailing text",
        "{\"question\": \"q\"}{\"question\": \"r\"}",
        "{\"question\": \"q\"} 1"
      })
  void duplicateKeptKeysAndDataAfterTheObjectAreErrors(String record) {
    byte[] bytes = record.getBytes(StandardCharsets.UTF_8);
    assertThrows(IOException.class, () -> subset.read(bytes, 0, bytes.length));
  }

  @Test
  void keepsOnlyWhatTheMappingReads() throws IOException {
    byte[] bytes =
        "{\"id\": 1, \"persona\": {\"roll\": \"r\", \"other\": 2}, \"big\": {\"deep\": [1, 2, 3]}}"
            .getBytes(StandardCharsets.UTF_8);
    assertThat(
        subset.read(bytes, 0, bytes.length).toString(), equalTo("{\"persona\":{\"roll\":\"r\"}}"));
  }

  @Test
  void notAnObjectIsLeftToTheCaller() throws IOException {
    byte[] bytes = "[1, 2]".getBytes(StandardCharsets.UTF_8);
    assertThat(subset.read(bytes, 0, bytes.length), nullValue());
  }

  /**
   * Syntax errors in parts that are skipped are still errors: a broken line never passes as a
   * record.
   */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"question\": \"q\", \"skipped\": {\"x\": [1, 2}",
        "{\"question\": \"q\", \"skipped\": \"unterminated}",
        "{\"question\": \"q\" \"missing comma\": 1}",
        "{\"question\": \"q\", \"skipped\": tru}",
        "{\"question\": \"q\""
      })
  void malformedJsonAnywhereFails(String record) {
    byte[] bytes = record.getBytes(StandardCharsets.UTF_8);
    IOException e = assertThrows(IOException.class, () -> subset.read(bytes, 0, bytes.length));
    assertThrows(IOException.class, () -> JSON.readTree(bytes)); // the whole-tree parser agrees
    assertThat(e.getMessage(), containsString("line: 1"));
  }
}
