package io.hfbeam.format;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class RangedSourceTest {
  /** 1000 bytes; records every range asked for. */
  static final class Numbers implements RangedSource {
    final byte[] bytes = new byte[1000];
    final List<String> asked = new ArrayList<>();

    Numbers() {
      for (int i = 0; i < bytes.length; i++) bytes[i] = (byte) i;
    }

    @Override
    public String name() {
      return "numbers.bin";
    }

    @Override
    public long size() {
      return bytes.length;
    }

    @Override
    public void readFully(long offset, byte[] buf, int off, int len) throws IOException {
      checkRange(offset, len);
      asked.add(offset + "+" + len);
      System.arraycopy(bytes, (int) offset, buf, off, len);
    }

    @Override
    public void close() {}
  }

  @Test
  void aStreamFromAnOffsetReadsToTheEndInBlocks() throws Exception {
    Numbers n = new Numbers();
    try (InputStream in = n.stream(600, 256)) {
      assertArrayEquals(Arrays.copyOfRange(n.bytes, 600, 1000), in.readAllBytes());
    }
    assertThat(n.asked, is(List.of("600+256", "856+144")));
  }

  @Test
  void aRangePastTheEndNamesTheFileAndItsSize() {
    EOFException e =
        assertThrows(EOFException.class, () -> new Numbers().readFully(990, new byte[20], 0, 20));
    assertThat(
        e.getMessage(),
        containsString("numbers.bin: bytes 990-1009 asked for, but the file has 1000 bytes"));
  }
}
