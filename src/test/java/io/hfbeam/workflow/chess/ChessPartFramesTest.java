package io.hfbeam.workflow.chess;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.hfbeam.chess.ChessSample;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The raw window encoding of chess parts: whatever the windows, they read back exactly, in little
 * space.
 */
class ChessPartFramesTest {
  private static final int FRAMES = 10;
  private static final int PER = 69;

  @Test
  void repeatedAndShiftedWindowsReadBackExactlyAndSmall() throws IOException {
    Random random = new Random(1);
    List<byte[]> repeats = new ArrayList<>();
    List<byte[]> histories = new ArrayList<>();
    byte[] position = frame(random);
    byte[] history = new byte[FRAMES * PER];
    Arrays.fill(history, (byte) 14);
    int newFrames = 0;
    for (int i = 0; i < 500; i++) {
      position[random.nextInt(PER)] = (byte) random.nextInt(30);
      byte[] repeat = new byte[FRAMES * PER];
      for (int k = 0; k < FRAMES; k++) System.arraycopy(position, 0, repeat, k * PER, PER);
      repeats.add(repeat);
      int shift =
          1 + (i % 3 == 0 ? random.nextInt(3) : 0); // skipped positions shift the history further
      for (int s = 0; s < shift; s++) {
        System.arraycopy(history, PER, history, 0, history.length - PER);
        System.arraycopy(frame(random), 0, history, history.length - PER, PER);
      }
      newFrames += Math.min(shift, FRAMES);
      histories.add(history.clone());
      if (i % 50 == 0) { // nothing in common with anything
        repeats.add(random(random));
        histories.add(random(random));
      }
    }
    for (List<byte[]> windows : List.of(repeats, histories)) {
      byte[] raw = write(windows);
      List<byte[]> back = read(raw, windows.size());
      for (int i = 0; i < windows.size(); i++)
        assertThat("window " + i, back.get(i), equalTo(windows.get(i)));
    }
    // each sample costs its tags and its new frames only (plus the unrelated windows and what
    // follows them)
    int unrelated = 10 * 2 * FRAMES * PER;
    assertThat(write(repeats).length, lessThan(repeats.size() * (FRAMES + PER) + unrelated));
    assertThat(
        write(histories).length, lessThan(histories.size() * FRAMES + newFrames * PER + unrelated));
  }

  @Test
  void int64WindowsReadBackExactly() throws IOException {
    ChessSample s = new ChessSample(FRAMES * 15, true);
    ChessPartFormat.Frames frames = new ChessPartFormat.Frames(FRAMES, 15, true);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    List<long[]> windows = new ArrayList<>();
    Random random = new Random(2);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      for (int i = 0; i < 100; i++) {
        System.arraycopy(s.windowLong, 15, s.windowLong, 0, s.windowLong.length - 15);
        for (int j = 0; j < 15; j++) s.windowLong[s.windowLong.length - 15 + j] = random.nextLong();
        windows.add(s.windowLong.clone());
        frames.write(out, s);
      }
    }
    ChessSample r = new ChessSample(FRAMES * 15, true);
    ChessPartFormat.Frames reader = new ChessPartFormat.Frames(FRAMES, 15, true);
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()));
    for (long[] w : windows) {
      reader.read(in, r);
      assertThat(r.windowLong, equalTo(w));
    }
  }

  @Test
  void aCorruptPartIsAnErrorNotWrongData() {
    byte[] raw = new byte[FRAMES];
    raw[0] = (byte) 200;
    IOException e = assertThrows(IOException.class, () -> read(raw, 1));
    assertThat(e.getMessage(), containsString("corrupt chess part"));
  }

  private static byte[] write(List<byte[]> windows) throws IOException {
    ChessSample s = new ChessSample(FRAMES * PER, false);
    ChessPartFormat.Frames frames = new ChessPartFormat.Frames(FRAMES, PER, false);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      for (byte[] w : windows) {
        System.arraycopy(w, 0, s.window, 0, w.length);
        frames.write(out, s);
      }
    }
    return bytes.toByteArray();
  }

  private static List<byte[]> read(byte[] raw, int n) throws IOException {
    ChessSample s = new ChessSample(FRAMES * PER, false);
    ChessPartFormat.Frames frames = new ChessPartFormat.Frames(FRAMES, PER, false);
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(raw));
    List<byte[]> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      frames.read(in, s);
      out.add(s.window.clone());
    }
    return out;
  }

  private static byte[] frame(Random random) {
    byte[] f = new byte[PER];
    for (int i = 0; i < PER; i++) f[i] = (byte) (15 + random.nextInt(14));
    return f;
  }

  private static byte[] random(Random random) {
    byte[] w = new byte[FRAMES * PER];
    random.nextBytes(w);
    return w;
  }
}
