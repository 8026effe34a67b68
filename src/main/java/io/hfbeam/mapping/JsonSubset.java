package io.hfbeam.mapping;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
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
 * Reads a JSON object keeping only the dotted paths a mapping uses: the rest of the record is
 * checked for syntax (skipped token by token) but never built as a tree. For a record such as the
 * internal QA format, where the mapping reads five of a dozen nested values, this is most of the
 * cost of parsing it. Each kept value is exactly the node {@link ObjectMapper#readTree} gives.
 * Stricter than readTree where a value would change silently: a kept key given twice and anything
 * after the object are errors (a duplicate among the keys no path reads changes nothing and is not
 * looked for, which keeps the skipping cheap).
 */
final class JsonSubset {
  /**
   * Jackson's own default limits, set here on purpose: a record past them (a string of more than 20
   * M characters, a number of more than 1000 digits, nesting deeper than 1000) is a located failure
   * of that record.
   */
  static final StreamReadConstraints LIMITS =
      StreamReadConstraints.builder()
          .maxStringLength(20_000_000)
          .maxNumberLength(1000)
          .maxNestingDepth(1000)
          .build();

  private static final JsonFactory FACTORY =
      JsonFactory.builder().streamReadConstraints(LIMITS).build();

  /**
   * Kept values are whole trees: a duplicate key inside one is a failure, not "the last one wins".
   */
  private static final ObjectReader TREE =
      new ObjectMapper(FACTORY)
          .readerFor(JsonNode.class)
          .with(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);

  /**
   * A step of the kept paths: {@code whole} keeps the value as it is, otherwise only these
   * children.
   */
  private static final class Step {
    final Map<String, Step> children = new HashMap<>();
    boolean whole;
  }

  private final Step root = new Step();

  /**
   * @param paths dotted paths, as {@link FieldMapping#paths()} lists them
   */
  JsonSubset(Collection<String> paths) {
    for (String path : paths) {
      Step s = root;
      for (String part : FieldMapping.steps(path))
        s = s.children.computeIfAbsent(part, k -> new Step());
      s.whole = true;
    }
  }

  /**
   * The record with only the kept paths, or null when the bytes do not start with a JSON object
   * (the caller then parses them whole, for its error message).
   *
   * @throws IOException on malformed JSON anywhere in the object, a duplicate kept key, or data
   *     after the object
   */
  ObjectNode read(byte[] bytes, int off, int len) throws IOException {
    return read(bytes, off, len, null);
  }

  /**
   * As {@link #read(byte[], int, int)}; {@code skipped} (when not null) is told each top-level key
   * not kept.
   */
  ObjectNode read(byte[] bytes, int off, int len, java.util.function.Consumer<String> skipped)
      throws IOException {
    try (JsonParser p = FACTORY.createParser(bytes, off, len)) {
      if (p.nextToken() != JsonToken.START_OBJECT) return null;
      ObjectNode node = object(p, root, skipped);
      if (p.nextToken() != null) {
        throw new IOException(
            "more data after the JSON object at column "
                + p.currentTokenLocation().getColumnNr()
                + " (one object per line)");
      }
      return node;
    }
  }

  /**
   * Reads the object whose START_OBJECT is the current token, up to and including its END_OBJECT.
   */
  private static ObjectNode object(
      JsonParser p, Step step, java.util.function.Consumer<String> skipped) throws IOException {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    String name;
    while ((name = p.nextFieldName()) != null) {
      JsonToken t = p.nextToken();
      Step child = step.children.get(name);
      if (child == null) {
        if (skipped != null) skipped.accept(name);
        p.skipChildren();
        continue;
      }
      if (node.has(name)) throw new IOException("duplicate key '" + name + "'");
      if (child.whole || t != JsonToken.START_OBJECT) {
        // a value that is not an object where a deeper path is wanted is kept as is: the path then
        // finds nothing
        node.set(
            name, t == JsonToken.VALUE_STRING ? TextNode.valueOf(p.getText()) : TREE.readTree(p));
      } else {
        node.set(name, object(p, child, null));
      }
    }
    if (p.currentToken() != JsonToken.END_OBJECT)
      throw new IOException("unexpected end of the object");
    return node;
  }
}
