package io.hfbeam.hf;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.List;
import org.apache.beam.sdk.coders.RowCoder;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;
import org.junit.jupiter.api.Test;

class TimestampsTest {
  private static final long MIN = Long.MIN_VALUE;
  private static final long MAX = Long.MAX_VALUE;

  @Test
  void epochCountsRoundTripInEveryUnitIncludingInt64Extremes() {
    for (String unit : List.of("ms", "us", "ns")) {
      for (long v : new long[] {MIN, MIN + 1, -1_000_001, -1, 0, 1, 999_999, MAX - 1, MAX}) {
        Instant t = Timestamps.ofEpoch(v, unit);
        assertThat(unit + " " + v, Timestamps.toEpoch(t, unit), is(v));
      }
    }
    assertThat(
        Timestamps.ofEpoch(MIN, "ns"), equalTo(Instant.parse("1677-09-21T00:12:43.145224192Z")));
    assertThat(
        Timestamps.ofEpoch(MAX, "ns"), equalTo(Instant.parse("2262-04-11T23:47:16.854775807Z")));
    assertThat(Timestamps.ofEpoch(-1, "us"), equalTo(Instant.parse("1969-12-31T23:59:59.999999Z")));
    assertThat(Timestamps.ofEpoch(-3, "s"), equalTo(Instant.parse("1969-12-31T23:59:57Z")));
  }

  @Test
  void sAndMsAreJodaInstantsUsAndNsJavaTimeInstants() {
    Instant t = Instant.parse("1969-12-31T23:59:59.123Z");
    assertThat(Timestamps.value(t, "timestamp[ms]"), equalTo(new org.joda.time.Instant(-877L)));
    assertThat(Timestamps.value(t, "timestamp[s]"), instanceOf(org.joda.time.Instant.class));
    assertThat(Timestamps.value(t, "timestamp[us, tz=UTC]"), equalTo(t));
    assertThat(Timestamps.value(-877L, "ms", "timestamp[ns]"), equalTo(t));
    assertThat(
        Timestamps.value(-877L, "ms", "timestamp[ms]"), equalTo(new org.joda.time.Instant(-877L)));
    assertThat(Timestamps.toEpoch(new org.joda.time.Instant(-877L), "us"), is(-877_000L));
  }

  @Test
  void finerThanTheUnitFailsInsteadOfBeingCut() {
    Instant t = Instant.parse("2024-01-02T03:04:05.123456789Z");
    IllegalArgumentException ms =
        assertThrows(IllegalArgumentException.class, () -> Timestamps.value(t, "timestamp[ms]"));
    assertThat(
        ms.getMessage(),
        equalTo(
            "timestamp 2024-01-02T03:04:05.123456789Z is finer than timestamp[ms] holds"
                + " (milliseconds)"));
    IllegalArgumentException us =
        assertThrows(IllegalArgumentException.class, () -> Timestamps.value(t, "timestamp[us]"));
    assertThat(
        us.getMessage(),
        equalTo(
            "timestamp 2024-01-02T03:04:05.123456789Z is finer than timestamp[us] holds"
                + " (microseconds)"));
    IllegalArgumentException write =
        assertThrows(IllegalArgumentException.class, () -> Timestamps.toEpoch(t, "us"));
    assertThat(
        write.getMessage(),
        equalTo(
            "timestamp 2024-01-02T03:04:05.123456789Z is finer than microseconds, which the"
                + " column holds"));
    // one nanosecond outside int64 nanoseconds
    assertThrows(
        ArithmeticException.class,
        () -> Timestamps.toEpoch(Timestamps.ofEpoch(MIN, "ns").minusNanos(1), "ns"));
    assertThrows(
        ArithmeticException.class,
        () -> Timestamps.toEpoch(Timestamps.ofEpoch(MAX, "ns").plusNanos(1), "ns"));
  }

  /** Rows cross workers encoded: MicrosInstant/NanosInstant keep every digit, extremes too. */
  @Test
  void rowCoderKeepsEveryDigit() throws Exception {
    Features f =
        Features.fromJson(
            "{\"us\": \"timestamp[us]\", \"ns\": {\"dtype\": \"timestamp[ns, tz=UTC]\", \"_type\":"
                + " \"Value\"}, \"ms\": \"timestamp[ms]\"}");
    Schema s = f.beamSchema();
    RowCoder coder = RowCoder.of(s);
    for (long v : new long[] {MIN, -1, 1, MAX}) {
      Row row =
          Row.withSchema(s)
              .addValues(
                  Timestamps.ofEpoch(v, "us"),
                  Timestamps.ofEpoch(v, "ns"),
                  new org.joda.time.Instant(v / 1_000_000))
              .build();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      coder.encode(row, out);
      Row back = coder.decode(new ByteArrayInputStream(out.toByteArray()));
      assertThat(back, equalTo(row));
      assertThat(Timestamps.toEpoch(back.getValue("ns"), "ns"), is(v));
    }
    assertThat(Features.fromBeamSchema(s), equalTo(f));
  }

  @Test
  void otherLogicalTypesHaveNoFeature() {
    Schema s =
        Schema.builder()
            .addLogicalTypeField("d", new org.apache.beam.sdk.schemas.logicaltypes.NanosDuration())
            .build();
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Features.fromBeamSchema(s));
    assertThat(
        e.getMessage(),
        equalTo(
            "field 'd': Beam logical type beam:logical_type:nanos_duration:v1 has no Hugging Face"
                + " feature (timestamps: beam:logical_type:micros_instant:v1,"
                + " beam:logical_type:nanos_instant:v1)"));
  }
}
