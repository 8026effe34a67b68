package io.hfbeam.format.json;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hfbeam.hf.Features;
import io.hfbeam.hf.PyJson;
import io.hfbeam.hf.Timestamps;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JsonlRowWriterTest {
  private static final Features QA =
      Features.fromJson(
          "{\"question\": \"string\", \"answer\": \"string\","
              + " \"source\": \"string\", \"persona\": \"string\", \"validation_score\": \"float64\"}");

  private static byte[] expectedQa() throws Exception {
    try (InputStream in =
        JsonlRowWriterTest.class.getResourceAsStream("/qa/expected_qa_pairs.jsonl")) {
      return in.readAllBytes();
    }
  }

  private static Row qaRow(JsonNode n) {
    return Row.withSchema(QA.beamSchema())
        .addValues(
            n.get("question").textValue(),
            n.get("answer").textValue(),
            n.get("source").textValue(),
            n.get("persona").textValue(),
            n.get("validation_score").doubleValue())
        .build();
  }

  @Test
  void reproducesThePythonQaExportByteForByte() throws Exception {
    byte[] expected = expectedQa();
    ObjectMapper json = new ObjectMapper();
    String[] lines = new String(expected, StandardCharsets.UTF_8).split("\n");
    assertThat(lines.length, is(40));
    for (String line : lines) {
      assertThat(JsonlRowWriter.toJsonLine(qaRow(json.readTree(line)), QA), equalTo(line));
    }
    // the streaming form gives the whole file, line ends included
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonlRowWriter w = new JsonlRowWriter(out, QA)) {
      for (String line : lines) w.write(qaRow(json.readTree(line)));
    }
    assertThat(out.toByteArray(), equalTo(expected));
  }

  /** Expected values printed by CPython 3 {@code json.dumps(x)} (= repr for finite floats). */
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "0.1|0.1",
        "1e-05|1e-05",
        "0.0001|0.0001",
        "1e16|1e+16",
        "123456789012345680.0|1.2345678901234568e+17",
        "0.727|0.727",
        "1.0|1.0",
        "-0.0|-0.0",
        "5e-324|5e-324",
        "1.7976931348623157e308|1.7976931348623157e+308",
        "1.5e-7|1.5e-07",
        "9999999999999998.0|9999999999999998.0",
        "100.0|100.0",
        "2.5e-4|0.00025",
        "0.3333333333333333|0.3333333333333333",
        "NaN|NaN",
        "Infinity|Infinity",
        "-Infinity|-Infinity",
        // both sides of the edges of Java's plain notation (1e-3 and 1e7), which is written without
        // a rewrite
        "0.001|0.001",
        "0.0009999999999999998|0.0009999999999999998",
        "9999999.999999998|9999999.999999998",
        "10000000.0|10000000.0",
        "1234567.0|1234567.0",
        "-0.5|-0.5",
        "0.72|0.72",
        "2.0000000000000004|2.0000000000000004"
      })
  void float64IsPythonRepr(String input, String python) {
    assertThat(PyJson.floatRepr(Double.parseDouble(input)), equalTo(python));
  }

  @Test
  void float32UsesTheShortestFloat32Digits() {
    assertThat(PyJson.floatRepr(0.1f), equalTo("0.1"));
    assertThat(PyJson.floatRepr(1e-5f), equalTo("1e-05"));
    assertThat(PyJson.floatRepr(16777216f), equalTo("16777216.0"));
  }

  @Test
  void escapesLikePythonAndKeepsNonAscii() {
    Features f = Features.fromJson("{\"s\": \"string\"}");
    Row r =
        Row.withSchema(f.beamSchema()).addValues("a\"b\\c\n\r\t\b\f\u0001\u001f\u007få🎉").build();
    // python3 -c 'import json; print(json.dumps({"s": "a\"b\\c\n\r\t\b\f\x01\x1f\x7få🎉"},
    // ensure_ascii=False))'
    assertThat(
        JsonlRowWriter.toJsonLine(r, f),
        equalTo("{\"s\": \"a\\\"b\\\\c\\n\\r\\t\\b\\f\\u0001\\u001f\u007få🎉\"}"));
  }

  @Test
  void encodesEveryUtf8LengthAndReplacesLoneSurrogatesAsJavaDoes() {
    Features f = Features.fromJson("{\"s\": \"string\"}");
    // 1, 2, 3 and 4 UTF-8 bytes; then a lone high and a lone low surrogate, which
    // String.getBytes(UTF_8) writes as '?'
    String s = "aé€中🎉\ud800x\udc00";
    Row r = Row.withSchema(f.beamSchema()).addValues(s).build();
    String line = JsonlRowWriter.toJsonLine(r, f);
    assertThat(line, equalTo("{\"s\": \"aé€中🎉?x?\"}"));
    assertThat(
        line.getBytes(java.nio.charset.StandardCharsets.UTF_8).length,
        equalTo(9 + 1 + 2 + 3 + 3 + 4 + 3));
  }

  @Test
  void everyFeatureKindHasItsPythonForm() {
    Features f =
        Features.fromJson(
            "{\"b\": \"bool\", \"i\": \"int8\", \"u\": \"uint64\", \"f\": \"float32\","
                + " \"bin\": \"binary\", \"ts\": \"timestamp[ms]\", \"ts2\": \"timestamp[ms]\", \"l\": \"list<int16>\","
                + " \"g\": \"array2d<int8>(1,2)\", \"lab\": \"class_label(a,b)\", \"st\": {\"x\": \"string\"}, \"n\": \"string\"}");
    Schema s = f.beamSchema();
    Row row =
        Row.withSchema(s)
            .addValues(
                true,
                (byte) -3,
                -1L,
                0.5f,
                new byte[] {1, 2, 3},
                new Instant(1_700_000_000_000L),
                new Instant(1_700_000_000_123L),
                Arrays.asList((short) 1, null),
                List.of(List.of((byte) 1, (byte) 2)),
                1L,
                Row.withSchema(s.getField("st").getType().getRowSchema()).addValues("y").build(),
                null)
            .build();
    assertThat(
        JsonlRowWriter.toJsonLine(row, f),
        equalTo(
            "{\"b\": true, \"i\": -3, \"u\": 18446744073709551615,"
                + " \"f\": 0.5, \"bin\": \"AQID\", \"ts\": \"2023-11-14T22:13:20\", \"ts2\": \"2023-11-14T22:13:20.123000\","
                + " \"l\": [1, null], \"g\": [[1, 2]], \"lab\": 1, \"st\": {\"x\": \"y\"}, \"n\": null}"));
  }

  /**
   * us and ns as Python's isoformat prints the datetime / pandas Timestamp datasets gives (checked
   * with datasets 5.0.1: {@code ds[i]["ns"].isoformat()}); TimestampPrecisionPythonTest compares a
   * whole file.
   */
  @Test
  void microsAndNanosPrintEveryDigitAsPythonDoes() {
    Features f = Features.fromJson("{\"us\": \"timestamp[us]\", \"ns\": \"timestamp[ns]\"}");
    Schema s = f.beamSchema();
    String[][] cases = {
      {
        "1700000000123456",
        "1700000000123456789",
        "2023-11-14T22:13:20.123456",
        "2023-11-14T22:13:20.123456789"
      },
      {"-1", "-1", "1969-12-31T23:59:59.999999", "1969-12-31T23:59:59.999999999"},
      {
        "-62135596800000000",
        "1700000000123456000",
        "0001-01-01T00:00:00",
        "2023-11-14T22:13:20.123456"
      },
      {"0", "9223372036854775807", "1970-01-01T00:00:00", "2262-04-11T23:47:16.854775807"},
      {"1", "-9223372036854775807", "1970-01-01T00:00:00.000001", "1677-09-21T00:12:43.145224193"},
    };
    for (String[] c : cases) {
      Row row =
          Row.withSchema(s)
              .addValues(
                  Timestamps.ofEpoch(Long.parseLong(c[0]), "us"),
                  Timestamps.ofEpoch(Long.parseLong(c[1]), "ns"))
              .build();
      assertThat(
          JsonlRowWriter.toJsonLine(row, f),
          equalTo("{\"us\": \"" + c[2] + "\", \"ns\": \"" + c[3] + "\"}"));
    }
  }
}
