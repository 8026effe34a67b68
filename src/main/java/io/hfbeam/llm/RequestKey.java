package io.hfbeam.llm;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The journal's key: sha256 of a canonical JSON of everything that shapes an answer. Held as four
 * longs (not a hex string) so an index of 100k keys stays small.
 */
public record RequestKey(long a, long b, long c, long d) implements Serializable {
  private static final JsonFactory JSON = new JsonFactory();

  /**
   * The key of {@code request} asked for {@code task}. Fixed field order, nulls written as null,
   * numbers as Jackson writes them (Double.toString): the same bytes in every JVM and run. Bump "v"
   * if the layout ever changes, so old journal entries are simply not found.
   */
  public static RequestKey of(ChatRequest request, String task) {
    return ofBytes(canonicalJson(request, task));
  }

  static byte[] canonicalJson(ChatRequest request, String task) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeNumberField("v", 1);
      g.writeStringField("task", task);
      g.writeStringField("model", request.model());
      g.writeArrayFieldStart("messages");
      for (ChatMessage m : request.messages()) {
        g.writeStartObject();
        g.writeStringField("role", m.role());
        g.writeStringField("content", m.content());
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeFieldName("temperature");
      if (request.temperature() == null) {
        g.writeNull();
      } else {
        g.writeNumber(request.temperature().doubleValue());
      }
      g.writeFieldName("max_tokens");
      if (request.maxTokens() == null) {
        g.writeNull();
      } else {
        g.writeNumber(request.maxTokens().intValue());
      }
      g.writeFieldName("seed");
      if (request.seed() == null) {
        g.writeNull();
      } else {
        g.writeNumber(request.seed().longValue());
      }
      g.writeStringField("schema", request.jsonSchema());
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static RequestKey ofBytes(byte[] canonical) {
    try {
      ByteBuffer h = ByteBuffer.wrap(MessageDigest.getInstance("SHA-256").digest(canonical));
      return new RequestKey(h.getLong(), h.getLong(), h.getLong(), h.getLong());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** Parses 64 hex digits as {@link #hex()} writes them. */
  public static RequestKey ofHex(String hex) {
    if (hex == null || hex.length() != 64) {
      throw new IllegalArgumentException("a request key is 64 hex digits, got " + quoteShort(hex));
    }
    try {
      byte[] bytes = HexFormat.of().parseHex(hex);
      ByteBuffer h = ByteBuffer.wrap(bytes);
      return new RequestKey(h.getLong(), h.getLong(), h.getLong(), h.getLong());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("a request key is 64 hex digits, got " + quoteShort(hex));
    }
  }

  private static String quoteShort(String s) {
    if (s == null) {
      return "null";
    }
    return "'" + (s.length() > 80 ? s.substring(0, 80) + "..." : s) + "'";
  }

  /** The lowercase hex of the sha256. */
  public String hex() {
    ByteBuffer h = ByteBuffer.allocate(32).putLong(a).putLong(b).putLong(c).putLong(d);
    return HexFormat.of().formatHex(h.array());
  }

  @Override
  public String toString() {
    return hex();
  }
}
