package io.hfbeam.chess;

/**
 * One game read from a PGN stream: a {@link PgnGame} or, when the game cannot be replayed, a {@link
 * PgnError}.
 */
public sealed interface PgnRecord permits PgnGame, PgnError {
  /** 1-based position of the game within the stream or byte range that was read. */
  long gameNumber();

  /**
   * Byte offset of the game's first line (its first tag, or its first movetext line when it has no
   * tags).
   */
  long byteOffset();
}
