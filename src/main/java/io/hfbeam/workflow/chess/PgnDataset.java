package io.hfbeam.workflow.chess;

import io.hfbeam.hf.Feature;
import io.hfbeam.hf.Features;
import io.hfbeam.source.ReadPlan;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.beam.sdk.values.Row;

/**
 * A Hugging Face dataset of chess games, read row by row: the plan and the column that holds each
 * row's games. Hub chess datasets come in two shapes: whole PGN text in one column ({@code pgn},
 * {@code text}), or the movetext in one column and the tags in others (Lichess'
 * standard-chess-games: Event, Site, White, ..., {@code movetext}). {@link #pgn} turns a row of
 * either shape into PGN text.
 */
public final class PgnDataset implements Serializable {
  /** The columns tried, in order, when none is named. */
  public static final List<String> DEFAULT_COLUMNS = List.of("pgn", "movetext", "text");

  /** A PGN tag name (a PGN symbol): anything else cannot be written as a tag pair. */
  private static final Pattern TAG_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_+#=:-]*");

  private final ReadPlan plan;
  private final String column;
  private final List<String> tagColumns;
  private final Map<String, List<String>> labels;

  private PgnDataset(
      ReadPlan plan, String column, List<String> tagColumns, Map<String, List<String>> labels) {
    this.plan = plan;
    this.column = column;
    this.tagColumns = tagColumns;
    this.labels = labels;
  }

  /**
   * The games of {@code plan} in {@code column}, or when null in the first of {@link
   * #DEFAULT_COLUMNS} the columns read have. A missing or non-text column fails with one line
   * naming the dataset's text columns.
   */
  public static PgnDataset of(ReadPlan plan, String column) {
    Features f = plan.selected();
    List<String> text = new ArrayList<>();
    for (String name : f.names()) {
      if (isText(f.get(name))) text.add(name);
    }
    String chosen = column;
    if (chosen == null) {
      chosen = DEFAULT_COLUMNS.stream().filter(text::contains).findFirst().orElse(null);
      if (chosen == null) {
        throw new IllegalArgumentException(
            plan.files().describe()
                + " has none of the columns "
                + String.join(", ", DEFAULT_COLUMNS)
                + "; name the one holding the games with --pgn-column (its string columns: "
                + text
                + ")");
      }
    } else if (!text.contains(chosen)) {
      throw new IllegalArgumentException(
          "--pgn-column "
              + chosen
              + ": "
              + plan.files().describe()
              + (f.names().contains(chosen)
                  ? " has it as " + Features.typeText(f.get(chosen)) + ", not text"
                  : " has no such column")
              + "; its string columns: "
              + text);
    }
    List<String> tags = new ArrayList<>();
    Map<String, List<String>> labels = new HashMap<>();
    for (String name : f.names()) {
      Feature type = f.get(name);
      if (name.equals(chosen) || !TAG_NAME.matcher(name).matches()) continue;
      if (type instanceof Feature.ClassLabel c) {
        labels.put(name, List.copyOf(c.names()));
        tags.add(name);
      } else if (type instanceof Feature.Value v && !v.dtype().equals("binary")) {
        tags.add(name);
      }
    }
    return new PgnDataset(plan, chosen, List.copyOf(tags), Map.copyOf(labels));
  }

  private static boolean isText(Feature f) {
    return f instanceof Feature.Value v
        && (v.dtype().equals("string") || v.dtype().equals("large_string"));
  }

  public ReadPlan plan() {
    return plan;
  }

  /** The column holding the games. */
  public String column() {
    return column;
  }

  /** The columns written as tag pairs before a movetext value, in the dataset's order. */
  public List<String> tagColumns() {
    return tagColumns;
  }

  /**
   * The dataset at its version, for fingerprints and messages: {@code owner/name@commit} on the
   * Hub.
   */
  public String version() {
    return plan.files().version();
  }

  /**
   * A row's PGN text, or null when its column is null. A value that starts with {@code [} is whole
   * PGN (one or more games) and is taken as it is; any other value is movetext, preceded by the
   * row's other non-null scalar columns as tag pairs ({@code [Name "value"]}, value escaped as PGN
   * requires).
   */
  public String pgn(Row row) {
    String value = row.getString(column);
    if (value == null) return null;
    String trimmed = value.stripLeading();
    if (trimmed.startsWith("\uFEFF")) trimmed = trimmed.substring(1).stripLeading();
    if (trimmed.startsWith("[")) return trimmed;
    StringBuilder b = new StringBuilder();
    for (String name : tagColumns) {
      Object v = row.getValue(name);
      if (v == null) continue;
      List<String> names = labels.get(name);
      String text =
          names != null && v instanceof Number n && n.intValue() >= 0 && n.intValue() < names.size()
              ? names.get(n.intValue())
              : v.toString();
      b.append('[').append(name).append(" \"").append(escape(text)).append("\"]\n");
    }
    if (b.length() > 0) b.append('\n');
    return b.append(trimmed).append('\n').toString();
  }

  /**
   * A tag value as PGN writes it: backslash and quote escaped; a tag pair is one line, so line
   * breaks become spaces.
   */
  static String escape(String v) {
    return v.replace("\\", "\\\\")
        .replace("\"", "\\\"")
        .replace("\r\n", " ")
        .replaceAll("[\r\n]", " ");
  }
}
