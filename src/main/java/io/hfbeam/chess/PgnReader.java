package io.hfbeam.chess;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * Streams games out of PGN bytes one at a time, replaying each mainline as it reads so that a bad
 * move is reported with its text and the game's position in the stream. Memory holds one game,
 * never the input.
 *
 * <p>Handled: tag pairs, LF/CRLF, movetext over many lines, move numbers {@code 12.} and {@code
 * 12...}, {@code {}} comments (also over several lines, e.g. {@code [%clk]}), {@code ;} comments to
 * end of line, {@code %} escape lines, NAGs {@code $n}, stand-alone annotation glyphs, nested
 * variations (skipped), results {@code 1-0 0-1 1/2-1/2 *}, {@code FEN}/{@code SetUp} tags, games
 * without tags. A game that fails (illegal/unparseable move, bad FEN or tag line, a closing brace
 * outside a comment, a comment never closed, no result before the next game or the end of input)
 * becomes a {@link PgnError} and reading goes on with the next game.
 *
 * <p>A line that starts with {@code [} right after a blank line is a <em>game boundary</em>:
 * whatever is open there (a game without its result, a comment never closed) ends as an error and a
 * new game starts. The rule looks at two lines only, so {@link PgnRanges} finds the same boundaries
 * scanning from any offset, and a reader of a range that starts at a boundary gives what a reader
 * of the whole file gives from there on.
 */
public final class PgnReader implements Iterator<PgnRecord>, Closeable {
  private enum State {
    BETWEEN_GAMES,
    TAGS,
    MOVETEXT
  }

  private final LineInput lines;
  private final InputStream in;
  private final ArrayDeque<PgnRecord> ready = new ArrayDeque<>(2);
  private boolean eof;

  private State state = State.BETWEEN_GAMES;
  private boolean afterBlankLine;
  private boolean endsAtBoundary;
  private boolean inComment;
  private long commentOffset;
  private String commentText;
  private int variationDepth;
  private long gameCount;
  private long gameOffset;
  private Map<String, String> tags = new LinkedHashMap<>();
  private List<String> sans = new ArrayList<>();
  private int[] moves = new int[256];
  private Board board;
  private String startFen;
  private PgnError failure;

  /** Reads a whole stream; offsets count from 0. */
  public PgnReader(InputStream in) {
    this(in, 0);
  }

  /**
   * Reads a stream that starts at {@code baseOffset} of some file, so reported offsets are file
   * offsets.
   */
  public PgnReader(InputStream in, long baseOffset) {
    this.in = in;
    this.lines = new LineInput(in, baseOffset);
  }

  /** Reads a file, decompressing by extension (see {@link PgnFiles#open}). */
  public static PgnReader open(Path file) throws IOException {
    return new PgnReader(PgnFiles.open(file));
  }

  @Override
  public boolean hasNext() {
    while (ready.isEmpty() && !eof) {
      boolean more;
      try {
        more = lines.next();
      } catch (IOException | RuntimeException e) {
        unreadable(e);
        break;
      }
      if (more) {
        if (lines.tooLong) longLine(lines.line, lines.length, lines.lineOffset, lines.fullLength);
        else line(lines.line, lines.length, lines.lineOffset);
      } else {
        eof = true;
        closeOpen(endsAtBoundary ? NEW_GAME : INPUT_ENDED);
      }
    }
    return !ready.isEmpty();
  }

  /**
   * The stream broke (a corrupt or truncated compressed file): the game it was in fails with where
   * and why, the games before it stand, and reading ends.
   */
  private void unreadable(Exception e) {
    eof = true;
    long at = lines.offset();
    if (state == State.BETWEEN_GAMES) startGame(at);
    String why =
        e.getMessage() == null
            ? e.getClass().getSimpleName()
            : e.getClass().getSimpleName() + ": " + e.getMessage();
    fail(
        "",
        "cannot read the input past byte "
            + at
            + " (of the decompressed data for a compressed file: corrupt or "
            + "truncated?): "
            + why
            + "; the games before it are kept");
    endGame(null, INPUT_ENDED);
  }

  /**
   * The input is a range that stops at a game boundary: what is open at its end is reported as at
   * that boundary.
   */
  void endsAtBoundary() {
    endsAtBoundary = true;
  }

  @Override
  public PgnRecord next() {
    if (!hasNext()) throw new NoSuchElementException();
    return ready.poll();
  }

  @Override
  public void close() throws IOException {
    in.close();
  }

  private static final String NEW_GAME = "truncated: a new game starts before this game's result";
  private static final String INPUT_ENDED = "truncated: input ended before the game's result";

  private void line(byte[] b, int len, long offset) {
    int first = 0;
    while (first < len && isSpace(b[first])) first++;
    boolean boundary = afterBlankLine && len > 0 && b[0] == '[';
    afterBlankLine = first == len;
    if (boundary) closeOpen(NEW_GAME);
    if (len > 0 && b[0] == '%' && !inComment) return;
    if (first == len) return;
    if (b[first] == '[' && !inComment) {
      if (state == State.MOVETEXT) endGame(null, NEW_GAME);
      if (state == State.BETWEEN_GAMES) startGame(offset);
      state = State.TAGS;
      tagLine(b, first, len);
      return;
    }
    movetext(b, first, len, offset);
  }

  /**
   * A line past {@link LineInput}'s limit (only its first bytes are here): it fails the game it is
   * in, or a game of its own between games. A boundary is decided as for any line, so chunk cuts
   * still agree.
   */
  private void longLine(byte[] b, int len, long offset, long fullLength) {
    boolean boundary = afterBlankLine && len > 0 && b[0] == '[';
    afterBlankLine = false;
    if (boundary) closeOpen(NEW_GAME);
    if (state == State.BETWEEN_GAMES) startGame(offset);
    if (state == State.TAGS) state = State.MOVETEXT;
    fail(
        new String(b, 0, Math.min(len, 200), StandardCharsets.UTF_8),
        "line at byte "
            + offset
            + " is longer than "
            + (LineInput.DEFAULT_MAX_LINE >> 20)
            + " MiB ("
            + fullLength
            + " bytes): not PGN");
  }

  private void startGame(long offset) {
    gameCount++;
    gameOffset = offset;
    tags = new LinkedHashMap<>();
    sans = new ArrayList<>();
    board = null;
    startFen = null;
    failure = null;
    inComment = false;
    variationDepth = 0;
  }

  private void tagLine(byte[] b, int i, int len) {
    while (i < len) {
      if (isSpace(b[i])) {
        i++;
        continue;
      }
      int end = b[i] == '[' ? parseTag(b, i, len) : -1;
      if (end < 0) {
        fail(new String(b, i, len - i, StandardCharsets.UTF_8), "malformed tag line");
        return;
      }
      i = end;
    }
  }

  /**
   * Parses {@code [Name "value"]} at {@code i}; returns the index after it, or -1 when malformed.
   */
  private int parseTag(byte[] b, int i, int len) {
    int nameStart = ++i;
    while (i < len && !isSpace(b[i]) && b[i] != '"' && b[i] != ']') i++;
    if (i == nameStart) return -1;
    String name = new String(b, nameStart, i - nameStart, StandardCharsets.UTF_8);
    while (i < len && isSpace(b[i])) i++;
    if (i >= len || b[i] != '"') return -1;
    byte[] value = new byte[len];
    int n = 0;
    for (i++; i < len && b[i] != '"'; i++) {
      if (b[i] == '\\' && i + 1 < len) i++;
      value[n++] = b[i];
    }
    if (i >= len) return -1;
    for (i++; i < len && isSpace(b[i]); i++) {}
    if (i >= len || b[i] != ']') return -1;
    tags.put(name, new String(value, 0, n, StandardCharsets.UTF_8));
    return i + 1;
  }

  private void movetext(byte[] b, int i, int len, long offset) {
    int opened = -1;
    while (i < len) {
      byte c = b[i];
      if (inComment) {
        while (i < len && b[i] != '}') i++;
        if (i < len) {
          inComment = false;
          i++;
        }
      } else if (c == '{') {
        inComment = true;
        opened = i;
        commentOffset = offset + i;
        i++;
      } else if (c == '}') {
        strayBrace(offset, offset + i);
        i++;
      } else if (c == ';') {
        return;
      } else if (c == '(') {
        variationDepth++;
        i++;
      } else if (c == ')') {
        if (variationDepth > 0) variationDepth--;
        i++;
      } else if (isSpace(c)) {
        i++;
      } else {
        int end = i;
        while (end < len && !isSpace(b[end]) && "{}();".indexOf(b[end]) < 0) end++;
        if (variationDepth == 0 && token(b, i, end, offset)) return;
        i = end;
      }
    }
    // a comment that goes on past its line: keep its start now, to show if it is never closed
    if (inComment && opened >= 0) {
      commentText =
          new String(b, opened, Math.min(len - opened, COMMENT_EXCERPT), StandardCharsets.UTF_8);
    }
  }

  private static final int COMMENT_EXCERPT = 60;

  /**
   * Ends what is open at a game boundary or the end of the input: a comment never closed, a game
   * without result.
   */
  private void closeOpen(String truncatedReason) {
    if (inComment) {
      long at = commentOffset;
      String text = commentText;
      if (state == State.BETWEEN_GAMES)
        startGame(at); // a comment between games that swallows the rest: still reported
      state = State.MOVETEXT;
      fail(text, "unclosed '{' comment opened at byte " + at);
      endGame(null, truncatedReason);
    } else if (state != State.BETWEEN_GAMES) {
      endGame(null, truncatedReason);
    }
  }

  /**
   * A '}' outside a comment fails its game (one starts here if none is open): skipping it would
   * guess.
   */
  private void strayBrace(long lineOffset, long at) {
    if (state == State.BETWEEN_GAMES) startGame(lineOffset);
    state = State.MOVETEXT;
    fail("}", "'}' outside a comment at byte " + at);
  }

  /**
   * Handles one movetext token; true when it ended the game (the rest of the line is then ignored).
   */
  private boolean token(byte[] b, int start, int end, long lineOffset) {
    String result = result(b, start, end);
    if (state == State.BETWEEN_GAMES) startGame(lineOffset);
    state = State.MOVETEXT;
    if (result != null) {
      endGame(result, null);
      return true;
    }
    int i = start;
    while (i < end && b[i] >= '0' && b[i] <= '9') i++;
    if (i > start && i < end && b[i] == '.') {
      while (i < end && b[i] == '.') i++;
    } else {
      i = start;
    }
    if (i == end || b[i] == '$' || isGlyph(b, i, end) || failure != null) return false;
    String san = new String(b, i, end - i, StandardCharsets.ISO_8859_1);
    if (!setUpBoard()) return false;
    try {
      int move = San.parse(board, san);
      board.play(move);
      if (sans.size() == moves.length) moves = Arrays.copyOf(moves, moves.length * 2);
      moves[sans.size()] = move;
      sans.add(san);
    } catch (SanException e) {
      fail(san, e.getMessage() + " after " + sans.size() + " plies");
    }
    return false;
  }

  private static String result(byte[] b, int start, int end) {
    String s = new String(b, start, end - start, StandardCharsets.ISO_8859_1);
    return switch (s) {
      case "1-0", "0-1", "1/2-1/2", "*" -> s;
      default -> null;
    };
  }

  private static boolean isGlyph(byte[] b, int start, int end) {
    for (int i = start; i < end; i++) {
      if (b[i] != '!' && b[i] != '?') return false;
    }
    return true;
  }

  /**
   * Creates the board on first use, from the FEN tag if any; false (with the game failed) when that
   * is bad.
   */
  private boolean setUpBoard() {
    if (board != null) return true;
    String variant = tags.get("Variant");
    if (variant != null
        && !variant.equalsIgnoreCase("standard")
        && !variant.equalsIgnoreCase("from position")
        && !variant.equalsIgnoreCase("chess")) {
      fail(variant, "unsupported variant");
      return false;
    }
    String fen = tags.get("FEN");
    try {
      board = fen == null ? Board.startingPosition() : Board.fromFen(fen);
    } catch (IllegalArgumentException e) {
      fail(fen, "bad FEN tag: " + e.getMessage());
      return false;
    }
    startFen = board.fen();
    return true;
  }

  private void fail(String text, String reason) {
    if (failure == null) {
      failure =
          new PgnError(gameCount, gameOffset, text, reason, Collections.unmodifiableMap(tags));
    }
  }

  /** Ends the current game with its result, or as truncated when {@code result} is null. */
  private void endGame(String result, String truncatedReason) {
    if (result != null) setUpBoard();
    if (failure == null && result == null) fail("", truncatedReason);
    if (failure != null) {
      ready.add(failure);
    } else {
      ready.add(
          new PgnGame(
              gameCount,
              gameOffset,
              Collections.unmodifiableMap(tags),
              startFen,
              Collections.unmodifiableList(sans),
              Arrays.copyOf(moves, sans.size()),
              result));
    }
    state = State.BETWEEN_GAMES;
    inComment = false;
    variationDepth = 0;
  }

  static boolean isSpace(byte c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == 0x0B;
  }
}
