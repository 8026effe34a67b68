package io.hfbeam.llm;

/**
 * A prompt file that cannot be used. The message is one line: {@code file: /json/pointer: reason}
 * (or {@code file:line:column: reason} for a file that is not JSON), so a user can go straight to
 * the spot.
 */
public final class PromptFileException extends IllegalArgumentException {
  private final String file;
  private final String pointer;
  private final String reason;

  PromptFileException(String file, String pointer, String reason) {
    super(file + ": " + (pointer.isEmpty() ? "/" : pointer) + ": " + oneLine(reason));
    this.file = file;
    this.pointer = pointer;
    this.reason = oneLine(reason);
  }

  /** For a file that does not parse as JSON: the location is a line and a column. */
  PromptFileException(String file, long line, long column, String reason) {
    super(file + ":" + line + ":" + column + ": " + oneLine(reason));
    this.file = file;
    this.pointer = "";
    this.reason = oneLine(reason);
  }

  public String file() {
    return file;
  }

  /** The JSON pointer of the faulty part ("" for the whole file or a syntax error). */
  public String pointer() {
    return pointer;
  }

  public String reason() {
    return reason;
  }

  static String oneLine(String s) {
    return s == null ? "" : s.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
  }
}
