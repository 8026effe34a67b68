package io.hfbeam.llm;

import java.io.IOException;

/**
 * A request the server refused or that failed after every allowed attempt. The message is one line,
 * with any API key masked.
 */
public final class OpenAiException extends IOException {
  private final int status;

  OpenAiException(int status, String message) {
    super(message);
    this.status = status;
  }

  /** The last HTTP status, or 0 when no answer came (timeout, connection failure). */
  public int status() {
    return status;
  }
}
