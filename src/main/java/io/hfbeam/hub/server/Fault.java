package io.hfbeam.hub.server;

/**
 * One way the local server misbehaves on purpose, so tests can prove a client survives the real
 * Hub's bad days.
 */
public final class Fault {
  /** What the server does instead of (or before) answering. */
  public enum Kind {
    STATUS_429,
    STATUS_503,
    RESET,
    SLOW
  }

  /**
   * 429 with {@code Retry-After: 1} and a {@code RateLimit} header, as the Hub's rate limiter
   * answers.
   */
  public static final Fault STATUS_429 = new Fault(Kind.STATUS_429, 0);

  public static final Fault STATUS_503 = new Fault(Kind.STATUS_503, 0);

  /** Aborts the connection without an answer. */
  public static final Fault RESET = new Fault(Kind.RESET, 0);

  private final Kind kind;
  private final long millis;

  private Fault(Kind kind, long millis) {
    this.kind = kind;
    this.millis = millis;
  }

  /**
   * Handles the request normally, but only after waiting: the request body is read first, so the
   * work is done even when the client has given up, like a Hub commit that finishes after the
   * client's timeout.
   */
  @SuppressWarnings("MethodName") // mirrors the constants: Fault.SLOW(500) reads like Fault.RESET
  public static Fault SLOW(long millis) {
    return new Fault(Kind.SLOW, millis);
  }

  public Kind kind() {
    return kind;
  }

  public long millis() {
    return millis;
  }

  @Override
  public String toString() {
    return kind == Kind.SLOW ? "SLOW(" + millis + ")" : kind.name();
  }
}
