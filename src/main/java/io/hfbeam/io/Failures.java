package io.hfbeam.io;

import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * The dead-letter record every step emits for input it cannot use: where it came from, which step refused it,
 * why, and a short excerpt. Written to {@code _errors/} and counted in the run summary.
 */
public final class Failures {
  public static final Schema SCHEMA =
      Schema.builder()
          .addNullableStringField("source")
          .addNullableInt64Field("line")
          .addNullableInt64Field("offset")
          .addNullableInt64Field("record")
          .addNullableStringField("step")
          .addNullableStringField("reason")
          .addNullableStringField("excerpt")
          .build();

  public static final int EXCERPT_CHARS = 200;

  private Failures() {}

  /**
   * A failure. {@code line} is 1-based (relative to the chunk while a chunk is processed) or null when the source
   * has no lines; {@code record} numbers records where lines do not (a game in a PGN file).
   */
  public static Row of(String source, Long line, Long offset, Long record, String step, String reason, String excerpt) {
    return Row.withSchema(SCHEMA)
        .addValues(source, line, offset, record, step, oneLine(reason), excerpt(excerpt))
        .build();
  }

  /**
   * Reads back a failure written to a part. While a chunk is processed its line (or, for sources without lines,
   * its record number) counts from the chunk's start; {@code before} (lines or records of the file's earlier
   * chunks) makes it count from the file's start.
   */
  public static Row fromJson(JsonNode n, long before) {
    Long line = n.path("line").isNumber() ? n.get("line").asLong() + before : null;
    Long record = n.path("record").isNumber() ? n.get("record").asLong() + (line == null ? before : 0) : null;
    return Row.withSchema(SCHEMA).addValues(text(n, "source"), line, num(n, "offset"), record,
        text(n, "step"), text(n, "reason"), text(n, "excerpt")).build();
  }

  private static String text(JsonNode n, String k) {
    return n.path(k).isTextual() ? n.get(k).asText() : null;
  }

  private static Long num(JsonNode n, String k) {
    return n.path(k).isNumber() ? n.get(k).asLong() : null;
  }

  static String excerpt(String text) {
    if (text == null) return null;
    return text.length() <= EXCERPT_CHARS ? text : text.substring(0, EXCERPT_CHARS) + "...";
  }

  private static String oneLine(String s) {
    return s == null ? null : s.replace('\n', ' ').replace('\r', ' ');
  }
}
