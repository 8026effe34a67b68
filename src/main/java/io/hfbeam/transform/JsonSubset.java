package io.hfbeam.transform;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads a JSON object keeping only the dotted paths a mapping uses: the rest of the record is checked for syntax
 * (skipped token by token) but never built as a tree. For a record such as the internal QA format, where the
 * mapping reads five of a dozen nested values, this is most of the cost of parsing it. Each kept value is exactly
 * the node {@link ObjectMapper#readTree} gives (a later duplicate key replaces an earlier one, as there), so a
 * mapping sees the same record either way.
 */
final class JsonSubset {
  private static final JsonFactory FACTORY = new JsonFactory();
  private static final ObjectReader TREE = new ObjectMapper().readerFor(JsonNode.class);

  /** A step of the kept paths: {@code whole} keeps the value as it is, otherwise only these children. */
  private static final class Step {
    final Map<String, Step> children = new HashMap<>();
    boolean whole;
  }

  private final Step root = new Step();

  /** @param paths dotted paths, as {@link FieldMapping#paths()} lists them */
  JsonSubset(Collection<String> paths) {
    for (String path : paths) {
      Step s = root;
      for (String part : FieldMapping.steps(path)) s = s.children.computeIfAbsent(part, k -> new Step());
      s.whole = true;
    }
  }

  /**
   * The record with only the kept paths, or null when the bytes do not start with a JSON object (the caller then
   * parses them whole, for its error message).
   *
   * @throws IOException on malformed JSON anywhere in the object
   */
  ObjectNode read(byte[] bytes, int off, int len) throws IOException {
    return read(bytes, off, len, null);
  }

  /** As {@link #read(byte[], int, int)}; {@code skipped} (when not null) is told each top-level key not kept. */
  ObjectNode read(byte[] bytes, int off, int len, java.util.function.Consumer<String> skipped) throws IOException {
    try (JsonParser p = FACTORY.createParser(bytes, off, len)) {
      if (p.nextToken() != JsonToken.START_OBJECT) return null;
      return object(p, root, skipped);
    }
  }

  /** Reads the object whose START_OBJECT is the current token, up to and including its END_OBJECT. */
  private static ObjectNode object(JsonParser p, Step step, java.util.function.Consumer<String> skipped) throws IOException {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    String name;
    while ((name = p.nextFieldName()) != null) {
      JsonToken t = p.nextToken();
      Step child = step.children.get(name);
      if (child == null) {
        if (skipped != null) skipped.accept(name);
        p.skipChildren();
      } else if (child.whole || t != JsonToken.START_OBJECT) {
        // a value that is not an object where a deeper path is wanted is kept as is: the path then finds nothing
        node.set(name, t == JsonToken.VALUE_STRING ? TextNode.valueOf(p.getText()) : TREE.readTree(p));
      } else {
        node.set(name, object(p, child, null));
      }
    }
    if (p.currentToken() != JsonToken.END_OBJECT) throw new IOException("unexpected end of the object");
    return node;
  }
}
