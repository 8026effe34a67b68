package io.hfbeam.format.files;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineReaderTest {
  @Test
  void linesWithByteOffsetsAcrossLfCrlfUtf8AndLongLines() throws Exception {
    String longLine = "x".repeat(200_000);
    String text = "å\r\n\nabc\n" + longLine + "\nlast";
    LineReader r =
        new LineReader(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), 100);
    List<String> got = new ArrayList<>();
    String l;
    while ((l = r.readLine()) != null)
      got.add(r.lineOffset() + ":" + (l.length() > 10 ? "long" + l.length() : l));
    assertThat(got, contains("100:å", "104:", "105:abc", "109:long200000", "200110:last"));
  }

  @Test
  void aLineLongerThanTheLimitIsSkippedToItsEndAndReported() throws Exception {
    String text = "a\n" + "y".repeat(5000) + "\nb\n" + "z".repeat(3000);
    LineReader r =
        new LineReader(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), 0, 1000);
    List<String> got = new ArrayList<>();
    int len;
    while ((len = r.readLineBytes()) != -1) {
      got.add(
          r.lineOffset()
              + ":"
              + (len == LineReader.TOO_LONG
                  ? "too long " + r.longLineBytes() + " " + r.longLineExcerpt().length()
                  : new String(r.buffer(), r.lineStart(), len, StandardCharsets.UTF_8)));
    }
    assertThat(got, contains("0:a", "2:too long 5001 800", "5003:b", "5005:too long 3000 800"));
  }
}
