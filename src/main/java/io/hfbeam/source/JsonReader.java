package io.hfbeam.source;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hfbeam.format.Excerpts;
import io.hfbeam.hf.Feature;
import io.hfbeam.hf.Features;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.schemas.Schema;

/**
 * The {@code json} builder of {@code datasets}: JSON Lines (one object per line; blank lines
 * skipped), a JSON document holding an array of records (or of scalars, which become a {@code text}
 * column), and, with the {@code field} kwarg, the records (an array, or a dict of columns) under
 * that key of a top-level object.
 *
 * <p>Features, when the card declares none, are inferred as {@code datasets} does (see {@link
 * JsonInference}): from the first {@code chunksize} bytes (10 MiB) of the first file for JSON
 * Lines, from all records of a JSON document; records that cannot be read are left out (the read
 * reports them). Records are then cast to the features; a record that does not fit, a line that is
 * not JSON, or a key that is not a column is a located failure and reading goes on ({@code
 * datasets} stops the whole load there).
 *
 * <p>Planning: JSON Lines by byte ranges; a JSON document and a compressed file are whole-file
 * units. {@link #plan} cannot see the kwargs, so with {@code field} a byte-range unit that starts
 * at 0 reads the whole document and the other ranges of the file read nothing. A document is never
 * held whole: Jackson's streaming parser walks the array (a dict of columns under {@code field} is
 * the exception: its columns are held to be zipped into rows).
 */
public final class JsonReader implements FormatReader {
  public static final JsonReader INSTANCE = new JsonReader();

  private static final int DEFAULT_CHUNK = 10 << 20;

  /**
   * What telling a document from JSON Lines fetches: the first non-blank byte is near the start.
   */
  private static final int PEEK_BLOCK = 4096;

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final ObjectReader LINE =
      MAPPER.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private static final JsonFactory FACTORY = MAPPER.getFactory();

  private JsonReader() {}

  @Override
  public Features features(
      DatasetFiles files, List<DataFile> dataFiles, Map<String, JsonNode> kwargs)
      throws IOException {
    if (dataFiles.isEmpty())
      throw new IllegalArgumentException("no data files to infer features from");
    UnitInput.requireUtf8(kwargs);
    DataFile first = dataFiles.get(0);
    JsonInference inference = new JsonInference();
    String field = field(kwargs);
    // a record that cannot be read is left out of the inference: the read reports it, located
    RowSink collect =
        new RowSink() {
          @Override
          public void row(org.apache.beam.sdk.values.Row row) {}

          @Override
          public void failure(String where, String reason, String excerpt) {}
        };
    if (field != null || isArrayDocument(files, first.path())) {
      document(files, first.path(), field, collect, inference::add);
    } else {
      long budget = chunkSize(kwargs);
      ReadUnit whole = ReadUnit.wholeFile(0, first);
      try {
        LineUnits.walk(
            files,
            whole,
            false,
            collect,
            new LineUnits.Visitor() {
              long bytes;

              @Override
              public void line(byte[] b, int off, int len, boolean terminated, String where) {
                // the first block ends at chunksize, finished to the end of its line
                if (bytes >= budget) throw new StopInference();
                bytes += len + 1;
                JsonNode node = parseLine(b, off, len, where, collect);
                if (node != null) inference.add(node, where);
              }
            });
      } catch (StopInference e) {
        // the first block is read
      }
    }
    return inference.features();
  }

  private static final class StopInference extends RuntimeException {
    StopInference() {
      super(null, null, false, false);
    }
  }

  @Override
  public List<ReadUnit> plan(
      DatasetFiles files,
      DataFile file,
      long firstOrder,
      long unitBytes,
      Map<String, JsonNode> kwargs)
      throws IOException {
    JsonNode field = kwargs.get("field");
    boolean hasField = field != null && !field.isNull();
    if (hasField || (!UnitInput.compressed(file.path()) && isArrayDocument(files, file.path()))) {
      return List.of(ReadUnit.wholeFile(firstOrder, file));
    }
    return LineUnits.plan(file, firstOrder, unitBytes);
  }

  @Override
  public void read(
      DatasetFiles files,
      ReadUnit unit,
      Features features,
      Map<String, JsonNode> kwargs,
      List<String> columns,
      RowSink sink)
      throws IOException {
    UnitInput.requireUtf8(kwargs);
    Features selected = FormatReaders.select(features, columns);
    Schema schema = selected.beamSchema();
    LinkedHashMap<String, Feature> fields = features.asMap();
    RecordVisitor toRow =
        (node, where) -> {
          try {
            sink.row(Casts.record(node, fields, schema));
          } catch (Casts.CastException e) {
            sink.failure(where, e.getMessage(), Excerpts.of(node.toString()));
          }
        };
    String field = field(kwargs);
    boolean document = field != null || isArrayDocument(files, unit.path());
    if (document) {
      if (LineUnits.fromStart(unit)) document(files, unit.path(), field, sink, toRow);
      return;
    }
    LineUnits.walk(
        files,
        unit,
        false,
        sink,
        (b, off, len, terminated, where) -> {
          JsonNode node = parseLine(b, off, len, where, sink);
          if (node != null) toRow.record(node, where);
        });
  }

  /** One parsed record and its place. */
  @FunctionalInterface
  private interface RecordVisitor {
    void record(JsonNode record, String where);
  }

  /** A line's object, or null for a blank line or after reporting why it is not one. */
  private static JsonNode parseLine(byte[] b, int off, int len, String where, RowSink sink) {
    if (blank(b, off, len)) return null;
    JsonNode node;
    try {
      node = LINE.readTree(new java.io.ByteArrayInputStream(b, off, len));
    } catch (IOException e) {
      sink.failure(where, "not valid JSON: " + why(e), LineUnits.excerpt(b, off, len));
      return null;
    }
    if (node == null || !node.isObject()) {
      sink.failure(
          where,
          "a JSON Lines record must be an object, got "
              + (node == null ? "nothing" : node.getNodeType().toString().toLowerCase()),
          LineUnits.excerpt(b, off, len));
      return null;
    }
    return node;
  }

  private static boolean blank(byte[] b, int off, int len) {
    for (int i = off; i < off + len; i++) {
      if (b[i] != ' ' && b[i] != '\t' && b[i] != '\r' && b[i] != '\f') return false;
    }
    return true;
  }

  /**
   * Walks a JSON document: the array at its top, or the value of {@code field} in its top-level
   * object. Places are {@code path line N} (where the record starts).
   */
  private static void document(
      DatasetFiles files, String path, String field, RowSink sink, RecordVisitor visitor)
      throws IOException {
    UnitInput.Opened opened;
    try {
      opened = UnitInput.open(files, path, 0);
    } catch (IOException e) {
      if (!UnitInput.compressed(path)) throw e;
      sink.failure(path, UnitInput.corrupt(path, e), "");
      return;
    }
    try (opened;
        JsonParser p = FACTORY.createParser(skipBom(opened.in()))) {
      JsonToken t = p.nextToken();
      if (t == null) return; // an empty file: no records
      if (field == null) {
        if (t != JsonToken.START_ARRAY) {
          sink.failure(
              path + " line " + line(p), "a JSON document must be an array of records", "");
          return;
        }
        array(p, path, sink, visitor);
        return;
      }
      if (t != JsonToken.START_OBJECT) {
        sink.failure(
            path + " line " + line(p),
            "with field '" + field + "' the document must be a JSON object, got " + t.asString(),
            "");
        return;
      }
      List<String> keys = new ArrayList<>();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String key = p.currentName();
        JsonToken v = p.nextToken();
        if (!key.equals(field)) {
          keys.add(key);
          p.skipChildren();
          continue;
        }
        if (v == JsonToken.START_ARRAY) array(p, path, sink, visitor);
        else if (v == JsonToken.START_OBJECT) columns(p, path, sink, visitor);
        else {
          sink.failure(
              path + " line " + line(p),
              "field '" + field + "' holds " + v.asString() + ", not records",
              "");
        }
        return;
      }
      sink.failure(
          path, "the document has no top-level key '" + field + "'; its keys are " + keys, "");
    } catch (JsonProcessingException e) {
      sink.failure(
          path + " line " + e.getLocation().getLineNr(),
          "not valid JSON: " + e.getOriginalMessage() + "; the rest of the document is not read",
          "");
    } catch (IOException | RuntimeException e) {
      if (!UnitInput.compressed(path) || e instanceof StopInference) throw e;
      sink.failure(path, UnitInput.corrupt(path, e), "");
    }
  }

  /** The elements of an array: objects are records, anything else a {@code text} value. */
  private static void array(JsonParser p, String path, RowSink sink, RecordVisitor visitor)
      throws IOException {
    Boolean objects = null;
    JsonToken t;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      if (t == null)
        throw new com.fasterxml.jackson.core.JsonParseException(
            p, "unexpected end of the document");
      String where = path + " line " + line(p);
      JsonNode node = MAPPER.readTree(p);
      // datasets reads an array as records when it opens with an object, else as text values
      if (objects == null) objects = node.isObject();
      if (objects) {
        if (!node.isObject()) {
          sink.failure(
              where,
              "an array of records holds " + node.getNodeType().toString().toLowerCase(),
              Excerpts.of(node.toString()));
          continue;
        }
        visitor.record(node, where);
      } else {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.set("text", node);
        visitor.record(o, where);
      }
    }
  }

  /** A dict of columns ({@code {"a": [1, 2], "b": [3, 4]}}): held whole, zipped into rows. */
  private static void columns(JsonParser p, String path, RowSink sink, RecordVisitor visitor)
      throws IOException {
    String where = path + " line " + line(p);
    JsonNode node = MAPPER.readTree(p);
    int rows = -1;
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().isArray()) {
        sink.failure(where, "column '" + e.getKey() + "' of the dict of columns is not a list", "");
        return;
      }
      if (rows >= 0 && e.getValue().size() != rows) {
        sink.failure(where, "the columns of the dict of columns have different lengths", "");
        return;
      }
      rows = e.getValue().size();
    }
    for (int i = 0; i < rows; i++) {
      ObjectNode o = JsonNodeFactory.instance.objectNode();
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        o.set(e.getKey(), e.getValue().get(i));
      }
      visitor.record(o, where + " row " + (i + 1));
    }
  }

  private static long line(JsonParser p) {
    return p.currentTokenLocation().getLineNr();
  }

  private static InputStream skipBom(InputStream in) throws IOException {
    InputStream b = in.markSupported() ? in : new java.io.BufferedInputStream(in);
    b.mark(3);
    byte[] head = b.readNBytes(3);
    if (!(head.length == 3
        && (head[0] & 0xff) == 0xEF
        && (head[1] & 0xff) == 0xBB
        && (head[2] & 0xff) == 0xBF)) {
      b.reset();
    }
    return b;
  }

  /** Whether the file, past a BOM and whitespace, opens with '[': a JSON document, not lines. */
  static boolean isArrayDocument(DatasetFiles files, String path) throws IOException {
    try (UnitInput.Opened opened = UnitInput.open(files, path, 0, PEEK_BLOCK)) {
      InputStream in = skipBom(opened.in());
      for (int i = 0; i < 1 << 16; i++) {
        int c = in.read();
        if (c == -1) return false;
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
        return c == '[';
      }
      return false;
    } catch (IOException e) {
      if (UnitInput.compressed(path)) return false; // the read reports the corruption
      throw e;
    }
  }

  private static String field(Map<String, JsonNode> kwargs) {
    JsonNode f = kwargs.get("field");
    return f == null || f.isNull() ? null : f.asText();
  }

  private static long chunkSize(Map<String, JsonNode> kwargs) {
    JsonNode c = kwargs.get("chunksize");
    return c != null && c.canConvertToLong() && c.longValue() > 0 ? c.longValue() : DEFAULT_CHUNK;
  }

  private static String why(IOException e) {
    return e instanceof JsonProcessingException j
        ? j.getOriginalMessage()
        : String.valueOf(e.getMessage());
  }
}
