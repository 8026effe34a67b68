package io.hfbeam.hub;

import java.io.IOException;

/**
 * A Hub call that failed for good. The message is one line saying what happened and what to do; it
 * never contains a token. {@link #status()} is the HTTP status (0 when the Hub could not be
 * reached).
 */
public class HubException extends IOException {
  private final int status;
  private final String errorCode;

  public HubException(int status, String errorCode, String message) {
    super(message);
    this.status = status;
    this.errorCode = errorCode;
  }

  public HubException(String message, Throwable cause) {
    super(message, cause);
    this.status = 0;
    this.errorCode = null;
  }

  public int status() {
    return status;
  }

  /**
   * The Hub's {@code X-Error-Code} (RepoNotFound, RevisionNotFound, EntryNotFound, ...), or null.
   */
  public String errorCode() {
    return errorCode;
  }

  public boolean isEntryNotFound() {
    return "EntryNotFound".equals(errorCode);
  }
}
