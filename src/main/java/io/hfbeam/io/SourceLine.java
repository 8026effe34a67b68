package io.hfbeam.io;

import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;

/** One line of a text source: its file, byte offset and text. Its position is carried by the RecordKey. */
public final class SourceLine {
  public static final Schema SCHEMA =
      Schema.builder().addStringField("source").addInt64Field("offset").addStringField("text").build();

  private SourceLine() {}

  public static Row of(String source, long offset, String text) {
    return Row.withSchema(SCHEMA).attachValues(source, offset, text);
  }

  public static String source(Row r) {
    return r.getString(0);
  }

  public static long offset(Row r) {
    return r.getInt64(1);
  }

  public static String text(Row r) {
    return r.getString(2);
  }
}
