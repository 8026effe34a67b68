package io.hfbeam.chess;

import java.util.Map;

/**
 * A game that could not be read: an illegal, ambiguous or unparseable move, a bad FEN tag, a
 * malformed tag line, or a game cut off before its result.
 *
 * @param moveText the failing move as written, or the offending text (empty for a truncated game)
 * @param reason why it failed, readable on its own
 * @param tags the tags read before the failure (unmodifiable), useful to identify the game
 */
public record PgnError(
    long gameNumber, long byteOffset, String moveText, String reason, Map<String, String> tags)
    implements PgnRecord {}
