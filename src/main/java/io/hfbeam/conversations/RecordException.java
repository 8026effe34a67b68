package io.hfbeam.conversations;

/**
 * A record that cannot be read, with the reason (the field path first, e.g. {@code
 * messages[2].role: ...}).
 */
public final class RecordException extends Exception {
  public RecordException(String reason) {
    super(reason, null, false, false);
  }

  public String reason() {
    return getMessage();
  }
}
