package io.hfbeam.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.hfbeam.hf.Feature;
import io.hfbeam.hf.Features;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;

/**
 * The {@code text} builder of {@code datasets}: with {@code sample_by: line} (the default) one row
 * per line, lines ending at LF, CRLF or a lone CR (Python's universal newlines), empty lines kept,
 * the line break dropped unless {@code keep_linebreaks} (then it is "\n"); {@code paragraph}: the
 * text split at "\n\n", empty pieces dropped; {@code document}: one row per file. The column is
 * {@code text}, or the single feature the card declares (cast to its type).
 *
 * <p>Planning: byte ranges (a line belongs to the range holding its first byte); compressed files
 * whole. {@link #plan} cannot see the kwargs, so for {@code paragraph} and {@code document} the
 * range that starts at 0 reads the whole file and the file's other ranges read nothing. Invalid
 * UTF-8 fails its line (Python would stop the load); a paragraph streams, a document is held whole.
 */
public final class TextReader implements FormatReader {
  public static final TextReader INSTANCE = new TextReader();

  private TextReader() {}

  @Override
  public Features features(
      DatasetFiles files, List<DataFile> dataFiles, Map<String, JsonNode> kwargs) {
    LinkedHashMap<String, Feature> f = new LinkedHashMap<>();
    f.put("text", new Feature.Value("string"));
    return Features.of(f);
  }

  @Override
  public List<ReadUnit> plan(
      DatasetFiles files,
      DataFile file,
      long firstOrder,
      long unitBytes,
      Map<String, JsonNode> kwargs) {
    JsonNode by = kwargs.get("sample_by");
    if (by != null && !by.isNull() && !by.asText().equals("line")) {
      return List.of(ReadUnit.wholeFile(firstOrder, file)); // a paragraph may cross a range
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
    if (features.size() != 1) {
      throw new IllegalArgumentException(
          "the text builder reads one column, but the features have " + features.names());
    }
    String name = features.names().get(0);
    Feature feature = features.get(name);
    UnitInput.requireUtf8(kwargs);
    Features selected = FormatReaders.select(features, columns);
    Schema schema = selected.beamSchema();
    String sampleBy = kwargs.containsKey("sample_by") ? kwargs.get("sample_by").asText() : "line";
    boolean keep =
        kwargs.containsKey("keep_linebreaks") && kwargs.get("keep_linebreaks").asBoolean();
    Emitter emit =
        (text, where) -> {
          try {
            Object v =
                Casts.json(TextNode.valueOf(text), feature, schema.getField(0).getType(), name);
            sink.row(Row.withSchema(schema).addValue(v).build());
          } catch (Casts.CastException e) {
            sink.failure(where, e.getMessage(), io.hfbeam.format.Excerpts.of(text));
          }
        };
    switch (sampleBy) {
      case "line" ->
          LineUnits.walk(
              files,
              unit,
              true,
              sink,
              (b, off, len, terminated, where) -> {
                String s = decode(b, off, len, where, sink);
                if (s != null) emit.row(keep && terminated ? s + "\n" : s, where);
              });
      case "paragraph" -> {
        if (!LineUnits.fromStart(unit)) return;
        StringBuilder cur = new StringBuilder();
        String[] first = {null};
        LineUnits.walk(
            files,
            whole(unit),
            true,
            sink,
            (b, off, len, terminated, where) -> {
              String s = decode(b, off, len, where, sink);
              if (s == null) return;
              if (first[0] == null) first[0] = where;
              cur.append(s);
              if (terminated) cur.append('\n');
              int i;
              while ((i = cur.indexOf("\n\n")) >= 0) {
                if (i > 0) emit.row(cur.substring(0, i), first[0]);
                cur.delete(0, i + 2);
                first[0] = cur.length() == 0 ? null : where;
              }
            });
        if (cur.length() > 0) emit.row(cur.toString(), first[0]);
      }
      case "document" -> {
        if (!LineUnits.fromStart(unit)) return;
        StringBuilder all = new StringBuilder();
        LineUnits.walk(
            files,
            whole(unit),
            true,
            sink,
            (b, off, len, terminated, where) -> {
              String s = decode(b, off, len, where, sink);
              if (s == null) return;
              all.append(s);
              if (terminated) all.append('\n');
            });
        emit.row(all.toString(), unit.path());
      }
      default ->
          throw new IllegalArgumentException(
              "sample_by '" + sampleBy + "' is not one of line, paragraph, document");
    }
  }

  private static ReadUnit whole(ReadUnit unit) {
    return new ReadUnit(unit.order(), unit.path(), unit.fileSize(), -1, -1, -1);
  }

  @FunctionalInterface
  private interface Emitter {
    void row(String text, String where);
  }

  private static String decode(byte[] b, int off, int len, String where, RowSink sink) {
    try {
      return LineScanner.utf8(b, off, len);
    } catch (CharacterCodingException e) {
      sink.failure(where, "invalid UTF-8", LineUnits.excerpt(b, off, len));
      return null;
    }
  }
}
