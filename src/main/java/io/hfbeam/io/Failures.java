package io.hfbeam.io;

import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;

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
          .addNullableStringField("step")
          .addNullableStringField("reason")
          .addNullableStringField("excerpt")
          .build();

  public static final int EXCERPT_CHARS = 200;

  private Failures() {}

  /** The tag of the failure output in every multi-output step. */
  public static TupleTag<org.apache.beam.sdk.values.KV<io.hfbeam.transform.RecordKey, Row>> tag() {
    return new TupleTag<>("failures") {};
  }

  /** A failure; {@code line} is 1-based or null when the source has no lines. */
  public static Row of(String source, Long line, Long offset, String step, String reason, String excerpt) {
    return Row.withSchema(SCHEMA)
        .addValues(source, line, offset, step, oneLine(reason), excerpt(excerpt))
        .build();
  }

  public static Row withLine(Row failure, long line) {
    return Row.fromRow(failure).withFieldValue("line", line).build();
  }

  static String excerpt(String text) {
    if (text == null) return null;
    return text.length() <= EXCERPT_CHARS ? text : text.substring(0, EXCERPT_CHARS) + "...";
  }

  private static String oneLine(String s) {
    return s == null ? null : s.replace('\n', ' ').replace('\r', ' ');
  }
}
