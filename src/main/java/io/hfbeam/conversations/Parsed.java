package io.hfbeam.conversations;

/** One record of an input: its value, or the failure that took its place (exactly one is set). */
public record Parsed<T>(Location where, T value, ReadFailure failure) {
  public static <T> Parsed<T> ok(Location where, T value) {
    return new Parsed<>(where, value, null);
  }

  public static <T> Parsed<T> failed(ReadFailure f) {
    return new Parsed<>(f.where(), null, f);
  }

  public boolean ok() {
    return failure == null;
  }
}
