package io.hfbeam.conversations;

/** Kura's {@code Literal["user", "assistant"]}: the only two roles a Kura message may have. */
public enum Role {
  USER("user"),
  ASSISTANT("assistant");

  private final String wire;

  Role(String wire) {
    this.wire = wire;
  }

  /** The JSON text ({@code user}, {@code assistant}). */
  public String wire() {
    return wire;
  }

  /** The role of a JSON text, or null when Kura has no such role. */
  public static Role ofWire(String s) {
    if ("user".equals(s)) return USER;
    if ("assistant".equals(s)) return ASSISTANT;
    return null;
  }
}
