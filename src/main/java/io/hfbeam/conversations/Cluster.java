package io.hfbeam.conversations;

import java.util.List;
import java.util.Objects;

/**
 * Kura's {@code Cluster} (base and meta clusters alike): {@code parentId} null for a root. {@link
 * #count()} is Kura's computed field, written to JSON and never read from it.
 */
public record Cluster(
    String id,
    String name,
    String description,
    String slug,
    List<String> chatIds,
    String parentId) {
  public Cluster {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(slug, "slug");
    chatIds = List.copyOf(chatIds);
  }

  public int count() {
    return chatIds.size();
  }
}
