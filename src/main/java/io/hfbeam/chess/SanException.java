package io.hfbeam.chess;

/** A SAN move that cannot be played in the position: unparseable, illegal or ambiguous. */
public final class SanException extends IllegalArgumentException {
  private final String san;

  SanException(String san, String reason) {
    super(reason + ": '" + san + "'");
    this.san = san;
  }

  /** The move text as given. */
  public String san() {
    return san;
  }
}
