package io.hfbeam.dataset;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hfbeam.format.json.JsonlRowWriter;
import io.hfbeam.hf.Features;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.apache.beam.sdk.values.Row;
import org.junit.jupiter.api.Test;

class FailuresTest {
  /**
   * A failure quoting a huge record stays small: the errors file is read back line by line with
   * Jackson's default limits (20 M characters a string), which a 25 M character reason once
   * exceeded, failing the run at its end.
   */
  @Test
  void reasonAndExcerptAreBoundedSoTheErrorsFileAlwaysReadsBack() throws Exception {
    String huge = "x".repeat(25_000_000);
    Row f = Failures.of("a.jsonl", 2L, 10L, null, "MapFields", "invalid JSON: " + huge, huge);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonlRowWriter w = new JsonlRowWriter(out, Features.fromBeamSchema(Failures.SCHEMA))) {
      w.write(f);
    }
    String line = out.toString(StandardCharsets.UTF_8).strip();
    assertThat(line.length(), lessThanOrEqualTo(2000));
    JsonNode back = new ObjectMapper().readTree(line);
    assertThat(back.get("line").asLong(), equalTo(2L));
    assertThat(
        back.get("excerpt").asText().length(), lessThanOrEqualTo(Failures.EXCERPT_CHARS + 3));
  }

  @Test
  void anExcerptOfBytesDecodesOnlyWhatItKeeps() {
    byte[] big = new byte[50_000_000];
    java.util.Arrays.fill(big, (byte) 'y');
    String e = Failures.excerpt(big, 0, big.length);
    assertThat(e, equalTo("y".repeat(Failures.EXCERPT_CHARS) + "..."));
    assertThat(Failures.excerpt("ab".getBytes(StandardCharsets.UTF_8), 0, 2), equalTo("ab"));
  }

  @Test
  void anExcerptNeverEndsInHalfASurrogatePair() {
    String s = "a".repeat(Failures.EXCERPT_CHARS - 1) + "😀" + "tail";
    assertThat(Failures.excerpt(s), equalTo("a".repeat(Failures.EXCERPT_CHARS - 1) + "..."));
  }
}
