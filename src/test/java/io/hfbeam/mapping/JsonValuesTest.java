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
  void subMillisecondTimestampsFailInsteadOfBeingCut() throws Exception {
    Feature us = new Feature.Value("timestamp[us]");
    assertThat(
        convert("\"2024-01-02T03:04:05.123000Z\"", us),
        equalTo(Instant.parse("2024-01-02T03:04:05.123Z")));
    assertThat(
        mismatch("\"2024-01-02T03:04:05.123456Z\"", us),
        equalTo(
            "'2024-01-02T03:04:05.123456Z' has sub-millisecond digits; Beam timestamps hold"
                + " milliseconds"));
  }
}
