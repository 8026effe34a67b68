package io.hfbeam.conversations;

/**
 * Where a record is: its file, its 1-based line (where its JSON starts) and, in a JSON array file,
 * its 0-based index in the array (-1 in a JSON Lines file).
 */
public record Location(String file, long line, long index) {
  @Override
  public String toString() {
    return index < 0 ? file + ":" + line : file + ":" + line + " [" + index + "]";
  }
}
