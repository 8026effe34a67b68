package io.hfbeam.source;

import com.fasterxml.jackson.databind.JsonNode;
import io.hfbeam.format.Excerpts;
import io.hfbeam.hf.Feature;
import io.hfbeam.hf.Features;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;

/**
 * The {@code csv} builder of {@code datasets}, which reads with pandas' {@code read_csv} and {@code
 * pa.Table.from_pandas}: the kwargs {@code sep}/{@code delimiter}, {@code header} ("infer", a row
 * number, or null), {@code names}/{@code column_names}, {@code quotechar}, {@code skiprows} (a
 * count or a list of row numbers), {@code usecols} (names or positions) and {@code chunksize};
 * quoted fields with doubled quotes, newlines inside quotes, LF/CRLF/CR line ends, blank lines
 * skipped, pandas' missing-value spellings read as null, a UTF-8 BOM dropped, duplicate header
 * names made unique ({@code a}, {@code a.1}).
 *
 * <p>Features, when the card declares none: each column's dtype from the first {@code chunksize}
 * (10,000) readable rows of the first file as pandas infers it ({@link CsvTypes}; text columns are
 * {@code large_string}, what pandas 3's string dtype gives); later rows are cast to it. With
 * features, the file's columns are matched by name (columns not in the features are dropped, as
 * {@code datasets} does) and each cell is cast; a cell that does not fit fails its row. A row with
 * more fields than columns is a located failure (pandas stops: "Expected N fields"); fewer fields
 * read as null.
 *
 * <p>Planning: a CSV file is one unit. A quoted field may hold a newline, so where a record starts
 * cannot be known from a byte offset without reading from the file start; reading from the start to
 * find the boundary would cost as much as reading the range.
 */
public final class CsvReader implements FormatReader {
  public static final CsvReader INSTANCE = new CsvReader();

  private static final int DEFAULT_CHUNK_ROWS = 10_000;

  /** The longest record, in characters: past it a quote is taken as unclosed. */
  static final int MAX_RECORD_CHARS = 64 << 20;

  private CsvReader() {}

  @Override
  public Features features(
      DatasetFiles files, List<DataFile> dataFiles, Map<String, JsonNode> kwargs)
      throws IOException {
    if (dataFiles.isEmpty()) {
      throw new IllegalArgumentException("no data files to infer features from");
    }
    DataFile first = dataFiles.get(0);
    Options o = Options.of(kwargs);
    List<CsvTypes.Column> types = new ArrayList<>();
    List<String>[] names = new List[1];
    long[] rows = {0};
    try {
      scan(
          files,
          first.path(),
          o,
          new Handler() {
            @Override
            public void columns(List<String> cols) {
              names[0] = cols;
              for (int i = 0; i < cols.size(); i++) types.add(new CsvTypes.Column());
            }

            @Override
            public void record(List<String> cells, String where) {
              if (rows[0]++ >= o.chunkRows) throw new StopScan();
              for (int i = 0; i < types.size(); i++) {
                types.get(i).add(i < cells.size() ? cells.get(i) : null);
              }
            }

            @Override
            public void failure(String where, String reason, String excerpt) {
              // left out of the inference: the read reports it, located
            }
          });
    } catch (StopScan e) {
      // the first chunk is read
    }
    if (names[0] == null) {
      throw new IllegalArgumentException(
          first.path() + " is empty: no columns to infer features from");
    }
    LinkedHashMap<String, Feature> out = new LinkedHashMap<>();
    for (int i = 0; i < names[0].size(); i++) {
      Feature f = types.get(i).feature();
      if (f.equals(new Feature.Value("string"))) f = new Feature.Value("large_string");
      out.put(names[0].get(i), f);
    }
    return Features.of(out);
  }

  @Override
  public List<ReadUnit> plan(
      DatasetFiles files,
      DataFile file,
      long firstOrder,
      long unitBytes,
      Map<String, JsonNode> kwargs) {
    return List.of(ReadUnit.wholeFile(firstOrder, file));
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
    if (!LineUnits.fromStart(unit)) return; // a byte range past 0: its rows belong to the first
    Features selected = FormatReaders.select(features, columns);
    Schema schema = selected.beamSchema();
    List<String> wanted = selected.names();
    Options o = Options.of(kwargs);
    int[] index = new int[wanted.size()];
    boolean[] ok = {false};
    try {
      scan(
          files,
          unit.path(),
          o,
          new Handler() {
            @Override
            public void columns(List<String> cols) {
              Map<String, Integer> at = new HashMap<>();
              for (int i = 0; i < cols.size(); i++) at.put(cols.get(i), i);
              for (int i = 0; i < wanted.size(); i++) {
                Integer j = at.get(wanted.get(i));
                if (j == null) {
                  sink.failure(
                      unit.path(),
                      "column '"
                          + wanted.get(i)
                          + "' of the features is not in the file; its columns are "
                          + cols,
                      "");
                  return;
                }
                index[i] = j;
              }
              ok[0] = true;
            }

            @Override
            public void record(List<String> cells, String where) {
              if (!ok[0]) throw new StopScan();
              List<Object> values = new ArrayList<>(wanted.size());
              for (int i = 0; i < wanted.size(); i++) {
                String cell = index[i] < cells.size() ? cells.get(index[i]) : null;
                if (CsvTypes.missing(cell)) {
                  values.add(null);
                  continue;
                }
                try {
                  values.add(Casts.text(cell, selected.get(wanted.get(i)), wanted.get(i)));
                } catch (Casts.CastException e) {
                  sink.failure(where, e.getMessage(), Excerpts.of(String.join(o.sepText(), cells)));
                  return;
                }
              }
              sink.row(Row.withSchema(schema).addValues(values).build());
            }

            @Override
            public void failure(String where, String reason, String excerpt) {
              sink.failure(where, reason, excerpt);
            }
          });
    } catch (StopScan e) {
      // the file's columns do not match the features: reported once
    }
  }

  private static final class StopScan extends RuntimeException {
    StopScan() {
      super(null, null, false, false);
    }
  }

  /** What a scan of a file gives: the column names once, then each row's cells. */
  private interface Handler {
    void columns(List<String> names);

    /** Cells of one row, as many as the columns (missing trailing cells are null). */
    void record(List<String> cells, String where);

    void failure(String where, String reason, String excerpt);
  }

  /** The kwargs, resolved as {@code CsvConfig.__post_init__} and pandas do. */
  record Options(
      char sep,
      char quote,
      int header,
      List<String> names,
      int skipCount,
      java.util.Set<Long> skipRows,
      List<JsonNode> usecols,
      long chunkRows) {
    static Options of(Map<String, JsonNode> kw) {
      String sep = text(kw, "delimiter", text(kw, "sep", ","));
      if (sep.length() != 1) {
        throw new IllegalArgumentException(
            "sep '" + sep + "': only a one-character separator is supported");
      }
      String quote = text(kw, "quotechar", "\"");
      if (quote.length() != 1) {
        throw new IllegalArgumentException("quotechar '" + quote + "' must be one character");
      }
      UnitInput.requireUtf8(kw);
      List<String> names = null;
      JsonNode n = kw.containsKey("column_names") ? kw.get("column_names") : kw.get("names");
      if (n != null && !n.isNull()) {
        names = new ArrayList<>();
        for (JsonNode x : n) names.add(x.asText());
      }
      JsonNode h = kw.get("header");
      int header;
      if (h == null || (h.isTextual() && h.asText().equals("infer")))
        header = names == null ? 0 : -1;
      else if (h.isNull()) header = -1;
      else if (h.canConvertToInt()) header = h.intValue();
      else
        throw new IllegalArgumentException(
            "header " + h + ": expected \"infer\", a row number or null");
      int skipCount = 0;
      java.util.Set<Long> skipRows = new java.util.HashSet<>();
      JsonNode s = kw.get("skiprows");
      if (s != null && !s.isNull()) {
        if (s.isArray()) for (JsonNode x : s) skipRows.add(x.asLong());
        else skipCount = s.asInt();
      }
      List<JsonNode> usecols = null;
      JsonNode u = kw.get("usecols");
      if (u != null && !u.isNull()) {
        usecols = new ArrayList<>();
        for (JsonNode x : u) usecols.add(x);
      }
      JsonNode c = kw.get("chunksize");
      long chunk =
          c != null && c.canConvertToLong() && c.longValue() > 0
              ? c.longValue()
              : DEFAULT_CHUNK_ROWS;
      return new Options(
          sep.charAt(0), quote.charAt(0), header, names, skipCount, skipRows, usecols, chunk);
    }

    String sepText() {
      return String.valueOf(sep);
    }

    private static String text(Map<String, JsonNode> kw, String key, String dflt) {
      JsonNode v = kw.get(key);
      return v == null || v.isNull() ? dflt : v.asText();
    }
  }

  /** Reads a file's records and gives the handler its columns and rows. */
  private static void scan(DatasetFiles files, String path, Options o, Handler h)
      throws IOException {
    UnitInput.Opened opened;
    try {
      opened = UnitInput.open(files, path, 0);
    } catch (IOException e) {
      if (!UnitInput.compressed(path)) throw e;
      h.failure(path, UnitInput.corrupt(path, e), "");
      return;
    }
    try (opened) {
      Records records =
          new Records(
              new LineScanner(opened.in(), 0, true, LineScanner.MAX_LINE_BYTES), o, path, h);
      try {
        scan(records, path, o, h);
      } catch (StopScan e) {
        throw e;
      } catch (HandlerFailure e) {
        throw (RuntimeException) e.getCause();
      } catch (IOException | RuntimeException e) {
        // only a decompressor fails on its data mid-file; a plain file's error is the machine's
        if (!UnitInput.compressed(path)) throw e;
        h.failure(
            path + " line " + (records.line + 1),
            UnitInput.corrupt(path, e) + "; the rows before it are kept",
            "");
      }
    }
  }

  /** An exception of a handler, which must not pass for corrupt compressed data. */
  private static final class HandlerFailure extends RuntimeException {
    HandlerFailure(RuntimeException cause) {
      super(cause);
    }
  }

  private static void scan(Records records, String path, Options o, Handler h) throws IOException {
    long index = 0; // records of the file, 0-based, as skiprows and header count them
    List<String> columns = null;
    int[] use = null;
    List<String> next;
    while ((next = records.next()) != null) {
      List<String> cells = next;
      long i = index++;
      if (i < o.skipCount || o.skipRows.contains(i)) continue;
      long kept = i - o.skipCount;
      if (columns == null) {
        boolean isHeader = o.header >= 0;
        if (isHeader && kept < o.header) continue;
        List<String> c = new ArrayList<>();
        if (o.names != null) c.addAll(o.names);
        else if (isHeader) c.addAll(cells);
        else for (int k = 0; k < cells.size(); k++) c.add(String.valueOf(k));
        columns = unique(c);
        use = use(columns, o, path);
        List<String> cols = selected(columns, use);
        call(() -> h.columns(cols));
        if (isHeader) continue;
      }
      int width = columns.size();
      String where = path + " line " + records.recordLine;
      if (cells.size() > width) {
        String msg =
            "Expected " + width + " fields in line " + records.recordLine + ", saw " + cells.size();
        String ex = Excerpts.of(String.join(o.sepText(), cells));
        call(() -> h.failure(where, msg, ex));
        continue;
      }
      List<String> row = new ArrayList<>(use.length);
      for (int k : use) row.add(k < cells.size() ? cells.get(k) : null);
      call(() -> h.record(row, where));
    }
    if (columns == null && o.names != null) {
      List<String> c = unique(o.names);
      call(() -> h.columns(c));
    }
  }

  private static List<String> selected(List<String> columns, int[] use) {
    List<String> out = new ArrayList<>();
    for (int k : use) out.add(columns.get(k));
    return out;
  }

  private static void call(Runnable r) {
    try {
      r.run();
    } catch (StopScan e) {
      throw e;
    } catch (RuntimeException e) {
      throw new HandlerFailure(e);
    }
  }

  /** The positions of the columns read: all, or those {@code usecols} names, in file order. */
  private static int[] use(List<String> columns, Options o, String path) {
    if (o.usecols == null) {
      int[] all = new int[columns.size()];
      for (int i = 0; i < all.length; i++) all[i] = i;
      return all;
    }
    java.util.TreeSet<Integer> picked = new java.util.TreeSet<>();
    for (JsonNode u : o.usecols) {
      int k = u.isInt() ? u.intValue() : columns.indexOf(u.asText());
      if (k < 0 || k >= columns.size()) {
        throw new IllegalArgumentException(
            path + ": usecols " + u + " does not match a column; the columns are " + columns);
      }
      picked.add(k);
    }
    return picked.stream().mapToInt(Integer::intValue).toArray();
  }

  /** pandas' {@code mangle_dupe_cols}: a repeated name {@code a} becomes {@code a.1}, ... */
  private static List<String> unique(List<String> names) {
    List<String> out = new ArrayList<>();
    Map<String, Integer> seen = new HashMap<>();
    for (String n0 : names) {
      String n = n0 == null ? "" : n0;
      String name = n;
      while (seen.containsKey(name)) {
        int k = seen.get(n) + 1;
        seen.put(n, k);
        name = n + "." + k;
      }
      seen.put(name, seen.getOrDefault(name, 0));
      out.add(name);
    }
    return out;
  }

  /**
   * pandas' C tokenizer over decoded lines: a quote opens a quoted field at a field's start; in it,
   * a doubled quote is a quote and line breaks are kept; after the closing quote, text up to the
   * separator is appended; a quote inside an unquoted field is text. Blank and whitespace-only
   * lines are skipped.
   */
  private static final class Records {
    private final LineScanner lines;
    private final Options o;
    private final String path;
    private final Handler h;
    long line; // physical lines read
    long recordLine; // 1-based line where the last record starts

    Records(LineScanner lines, Options o, String path, Handler h) {
      this.lines = lines;
      this.o = o;
      this.path = path;
      this.h = h;
    }

    /** One physical line, decoded, with its break; null at the end; skips undecodable lines. */
    private String[] nextLine() throws IOException {
      while (true) {
        int len = lines.next();
        if (len == -1) return null;
        line++;
        if (len == LineScanner.TOO_LONG) {
          String where = path + " line " + line;
          call(
              () ->
                  h.failure(
                      where,
                      "a line of "
                          + lines.skipped()
                          + " bytes, longer than the "
                          + LineScanner.MAX_LINE_BYTES
                          + " a record may have; skipped",
                      ""));
          continue;
        }
        byte[] b = lines.buffer();
        int off = lines.lineStart();
        int t = lines.terminator();
        String brk = t == 2 ? "\r\n" : t == 0 ? "" : b[off + len] == '\r' ? "\r" : "\n";
        if (line == 1
            && len >= 3
            && (b[off] & 0xff) == 0xEF
            && (b[off + 1] & 0xff) == 0xBB
            && (b[off + 2] & 0xff) == 0xBF) {
          off += 3;
          len -= 3;
        }
        String text;
        try {
          text = LineScanner.utf8(b, off, len);
        } catch (CharacterCodingException e) {
          String where = path + " line " + line;
          String ex = LineUnits.excerpt(b, off, len);
          call(() -> h.failure(where, "invalid UTF-8", ex));
          continue;
        }
        return new String[] {text, brk};
      }
    }

    List<String> next() throws IOException {
      while (true) {
        String[] l = nextLine();
        if (l == null) return null;
        if (l[0].isBlank() && l[0].indexOf(o.sep) < 0) continue;
        recordLine = line;
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false; // inside a quoted field
        boolean fieldStart = true;
        String text = l[0];
        String brk = l[1];
        long chars = 0;
        while (true) {
          for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted) {
              if (c == o.quote) {
                if (i + 1 < text.length() && text.charAt(i + 1) == o.quote) {
                  cell.append(c);
                  i++;
                } else quoted = false;
              } else cell.append(c);
            } else if (c == o.sep) {
              cells.add(cell.toString());
              cell.setLength(0);
              fieldStart = true;
              continue;
            } else if (c == o.quote && fieldStart) {
              quoted = true;
            } else cell.append(c);
            fieldStart = false;
          }
          if (!quoted) break;
          chars += text.length();
          String[] more = nextLine();
          if (more == null || chars > MAX_RECORD_CHARS) {
            String where = path + " line " + recordLine;
            String msg =
                "unclosed quote: the quoted field opened on line "
                    + recordLine
                    + (more == null
                        ? " is not closed before the end of the file"
                        : " runs past " + MAX_RECORD_CHARS + " characters")
                    + "; the rest of the file is not read";
            String ex = Excerpts.of(cell.toString());
            call(() -> h.failure(where, msg, ex));
            return null;
          }
          cell.append(brk);
          text = more[0];
          brk = more[1];
        }
        cells.add(cell.toString());
        return cells;
      }
    }
  }
}
