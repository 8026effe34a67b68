package io.hfbeam.conversations;

import java.util.Objects;

/** Kura's {@code Message}: one turn. Field order is Kura's JSON order. */
public record Message(KuraTime createdAt, Role role, String content) {
  public Message {
    Objects.requireNonNull(createdAt, "created_at");
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(content, "content");
  }
}
