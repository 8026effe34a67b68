package io.hfbeam.conversations;

/** A record that could not be read: where, why, and the first characters of it. */
public record ReadFailure(Location where, String reason, String excerpt) {
  @Override
  public String toString() {
    return where + ": " + reason;
  }
}
