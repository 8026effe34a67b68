package io.hfbeam.dataset;

import java.io.Serializable;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * File names from a pattern: {@code {split}}, {@code {NNN}} (the batch number, 3 digits), {@code
 * {batch}}, {@code {batch:05d}}, and the HF sharded form {@code {index:05d}} (0-based file index
 * within the split) and {@code {count:05d}} (files in the split). Per-split overrides name a
 * split's single file outright.
 */
public record FileNaming(String pattern, Map<String, String> perSplit) implements Serializable {
  public static final String BATCHES = "{split}/batch_{NNN}.parquet";
  public static final String HF_SHARDS = "data/{split}-{index:05d}-of-{count:05d}.parquet";
  private static final Pattern PLACEHOLDER =
      Pattern.compile("\\{(split|NNN|batch|index|count)(?::0?(\\d+)d)?}");

  public FileNaming {
    perSplit = perSplit == null ? Map.of() : Map.copyOf(perSplit);
    if (!pattern.contains("{split}") && perSplit.isEmpty()) {
      throw new IllegalArgumentException("file pattern " + pattern + " must contain {split}");
    }
  }

  public static FileNaming of(String pattern) {
    return new FileNaming(pattern, Map.of());
  }

  /** The pattern with the {@code .parquet} extension swapped for another. */
  public FileNaming withExtension(String ext) {
    return new FileNaming(pattern.replaceAll("\\.[A-Za-z0-9]+$", "." + ext), perSplit);
  }

  public String name(String split, long batch, int index, int count) {
    String fixed = perSplit.get(split);
    if (fixed != null) return fixed;
    Matcher m = PLACEHOLDER.matcher(pattern);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      String what = m.group(1);
      int width = m.group(2) == null ? 0 : Integer.parseInt(m.group(2));
      String value =
          switch (what) {
            case "split" -> split;
            case "NNN" -> pad(batch, 3);
            case "batch" -> pad(batch, width);
            case "index" -> pad(index, width);
            default -> pad(count, width);
          };
      m.appendReplacement(sb, Matcher.quoteReplacement(value));
    }
    m.appendTail(sb);
    return sb.toString();
  }

  /**
   * A glob matching every file this naming can give a split (for the dataset card's data_files).
   */
  /**
   * True when names carry the batch number and no per-split fixed names: each new batch gets a new
   * name.
   */
  public boolean hasBatchNumber() {
    return perSplit.isEmpty() && (pattern.contains("{NNN}") || pattern.contains("{batch"));
  }

  public String glob(String split) {
    String fixed = perSplit.get(split);
    if (fixed != null) return fixed;
    return PLACEHOLDER
        .matcher(pattern)
        .replaceAll(r -> r.group(1).equals("split") ? Matcher.quoteReplacement(split) : "*");
  }

  private static String pad(long v, int width) {
    String s = Long.toString(v);
    return s.length() >= width ? s : "0".repeat(width - s.length()) + s;
  }
}
