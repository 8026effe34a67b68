package io.hfbeam.mapping;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hfbeam.hf.Feature;
import java.util.Arrays;
import java.util.List;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;

/** JSON values of the encoded features, and timestamps finer than Beam's milliseconds. */
class JsonValuesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Object convert(String json, Feature f) throws Exception {
    JsonNode node = JSON.readTree(json);
    return JsonValues.convert(node, f, false);
  }

  private static String mismatch(String json, Feature f) {
    return assertThrows(JsonValues.TypeMismatch.class, () -> convert(json, f)).getMessage();
  }

  @Test
  void imageFromAPathOrBytesAndPath() throws Exception {
    Feature image = new Feature.Image();
    Row path = (Row) convert("\"img/a.png\"", image);
    assertThat(path.getValues(), equalTo(Arrays.asList(null, "img/a.png")));
    Row both = (Row) convert("{\"bytes\": \"iVBORw==\", \"path\": \"a.png\"}", new Feature.Audio());
    assertThat(
        Arrays.toString(both.getBytes("bytes")),
        equalTo(Arrays.toString(new byte[] {(byte) 0x89, 'P', 'N', 'G'})));
    assertThat(both.getString("path"), equalTo("a.png"));
    assertThat(
        mismatch("{\"bytes\": null, \"path\": null}", image),
        equalTo("needs one of bytes or path, both are missing or null"));
    assertThat(
        mismatch("{\"url\": \"x\"}", image),
        equalTo("unexpected key 'url'; expected bytes and path"));
    assertThat(
        mismatch("3", image),
        equalTo("expected a path or an object with bytes and path, got an integer"));
  }

  @Test
  void translationsAsDatasetsEncodesThem() throws Exception {
    Row fixed =
        (Row)
            convert(
                "{\"fr\": \"salut\", \"en\": \"hi\"}",
                new Feature.Translation(List.of("fr", "en")));
    assertThat(fixed.getValues(), equalTo(List.of("hi", "salut")));
    assertThat(
        mismatch("{\"de\": \"hallo\"}", new Feature.Translation(List.of("fr", "en"))),
        equalTo("language 'de' is not one of [fr, en]"));
    Feature variable = new Feature.TranslationVariableLanguages(List.of());
    Row v = (Row) convert("{\"fr\": [\"b\", \"a\"], \"en\": \"hello\"}", variable);
    assertThat(
        v.getValues(), equalTo(List.of(List.of("en", "fr", "fr"), List.of("hello", "a", "b"))));
  }

  @Test
  void jsonValuesAreTheirCompactTextAsDatasetsEncodesThem() throws Exception {
    Feature json = new Feature.Json();
    assertThat(convert("{\"a\": [1, \"x\"]}", json), equalTo("{\"a\":[1,\"x\"]}"));
    assertThat(convert("\"[1, 2]\"", json), equalTo("[1, 2]"));
    assertThat(convert("\"plain\"", json), equalTo("\"plain\""));
    assertThat(convert("\"\"", json), equalTo("\"\""));
    assertThat(convert("null", json), equalTo(null));
  }

  @Test
  void timestampsAreExactInTheirUnitAndFinerDigitsFail() throws Exception {
    Feature ms = new Feature.Value("timestamp[ms]");
    Feature us = new Feature.Value("timestamp[us]");
    Feature ns = new Feature.Value("timestamp[ns, tz=UTC]");
    // s and ms stay Joda instants (Beam DATETIME)
    assertThat(
        convert("\"2024-01-02T03:04:05.123000Z\"", ms),
        equalTo(Instant.parse("2024-01-02T03:04:05.123Z")));
    assertThat(convert("1704164645123", ms), equalTo(Instant.parse("2024-01-02T03:04:05.123Z")));
    assertThat(
        mismatch("\"2024-01-02T03:04:05.1234Z\"", ms),
        equalTo(
            "'2024-01-02T03:04:05.1234Z' has digits finer than timestamp[ms] holds (milliseconds)"));
    // us and ns: java.time instants, every digit kept, offsets applied, before 1970 too
    assertThat(
        convert("\"2024-01-02T03:04:05.123456Z\"", us),
        equalTo(java.time.Instant.parse("2024-01-02T03:04:05.123456Z")));
    assertThat(
        convert("\"2024-01-02T05:04:05,1234560+02:00\"", us),
        equalTo(java.time.Instant.parse("2024-01-02T03:04:05.123456Z")));
    assertThat(
        convert("\"1969-12-31T23:59:59.999999999Z\"", ns),
        equalTo(java.time.Instant.ofEpochSecond(0, -1)));
    assertThat(
        convert("\"1677-09-21T00:12:43.145224192Z\"", ns),
        equalTo(java.time.Instant.ofEpochSecond(0, Long.MIN_VALUE)));
    assertThat(
        mismatch("\"2024-01-02T03:04:05.1234567Z\"", us),
        equalTo(
            "'2024-01-02T03:04:05.1234567Z' has digits finer than timestamp[us] holds"
                + " (microseconds)"));
    assertThat(
        mismatch("\"2024-01-02T03:04:05.1234567891Z\"", ns),
        equalTo(
            "'2024-01-02T03:04:05.1234567891Z' has digits finer than timestamp[ns, tz=UTC] holds"
                + " (nanoseconds)"));
    // integers count the unit after the epoch, as pyarrow reads them; int64 extremes included
    assertThat(convert("-1", us), equalTo(java.time.Instant.ofEpochSecond(0, -1000)));
    assertThat(
        convert(Long.toString(Long.MIN_VALUE), ns),
        equalTo(java.time.Instant.ofEpochSecond(0, Long.MIN_VALUE)));
    assertThat(
        convert(Long.toString(Long.MAX_VALUE), ns),
        equalTo(java.time.Instant.ofEpochSecond(0, Long.MAX_VALUE)));
    assertThat(
        mismatch("9223372036854775808", ns),
        equalTo("9223372036854775808 ns is out of the int64 range"));
    assertThat(
        mismatch("1.5", us), equalTo("expected an ISO-8601 timestamp or an integer, got a number"));
    assertThat(mismatch("\"yesterday\"", us), equalTo("'yesterday' is not an ISO-8601 timestamp"));
  }
}
