package io.hfbeam.hf;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The dataset card ({@code README.md}): YAML front matter with {@code configs} (data files per
 * split) and {@code dataset_info} (features, split sizes), which {@code datasets} reads before the
 * data files, so exact features (Array2D, fixed-length lists) survive where Parquet metadata cannot
 * carry them. Then a human page. Nothing time-dependent goes in, so an unchanged dataset gives a
 * byte-identical card.
 */
public final class DatasetCard {
  private static final ObjectMapper YAML =
      new ObjectMapper(
          new YAMLFactory()
              .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
              .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
              .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR));

  /** Size of one split: its rows, uncompressed Arrow bytes, and the globs of its files. */
  public record SplitInfo(String name, long numExamples, long numBytes, List<String> dataFiles) {}

  private final String title;
  private final String description;
  private final Features features;
  private final List<SplitInfo> splits;
  private final long downloadSize;
  private final Map<String, String> sections;

  private DatasetCard(Builder b) {
    this.title = b.title;
    this.description = b.description;
    this.features = b.features;
    this.splits = List.copyOf(b.splits);
    this.downloadSize = b.downloadSize;
    this.sections = new LinkedHashMap<>(b.sections);
  }

  public static Builder builder() {
    return new Builder();
  }

  public String render() {
    StringBuilder md = new StringBuilder();
    md.append("---\n").append(frontMatter()).append("---\n\n");
    md.append("# ").append(title).append("\n\n");
    if (description != null && !description.isBlank())
      md.append(description.strip()).append("\n\n");
    md.append("## Splits\n\n| split | rows | files |\n| --- | ---: | --- |\n");
    for (SplitInfo s : splits) {
      md.append("| ")
          .append(s.name())
          .append(" | ")
          .append(s.numExamples())
          .append(" | `")
          .append(String.join("`, `", s.dataFiles()))
          .append("` |\n");
    }
    md.append("\n## Features\n\n| column | type | notes |\n| --- | --- | --- |\n");
    for (String name : features.names()) {
      Feature f = features.get(name);
      md.append("| `")
          .append(cell(name))
          .append("` | `")
          .append(cell(Features.typeText(f)))
          .append("` | ")
          .append(cell(Features.describe(f)))
          .append(" |\n");
    }
    md.append('\n');
    for (Map.Entry<String, String> s : sections.entrySet()) {
      md.append("## ")
          .append(s.getKey())
          .append("\n\n")
          .append(s.getValue().strip())
          .append("\n\n");
    }
    // no placeholder: the card cannot know the folder it will be read from, nor a repository it may
    // be published to
    md.append(
        "## Loading\n\n`datasets.load_dataset` takes this dataset's folder, or its Hub repository id once "
            + "published; the splits and features come from the YAML header of this card.\n\n");
    md.append("Built with hf-beam (Apache Beam pipelines for Hugging Face datasets).\n");
    return md.toString();
  }

  /**
   * The YAML front matter of a card (an empty object when it has none), for tools that edit a card.
   */
  public static ObjectNode frontMatter(String card) {
    int end = card.startsWith("---\n") ? card.indexOf("\n---\n", 3) : -1;
    if (end < 0) return JsonNodeFactory.instance.objectNode();
    try {
      return (ObjectNode) YAML.readTree(card.substring(4, end + 1));
    } catch (IOException | ClassCastException e) {
      throw new IllegalArgumentException(
          "the card's YAML front matter is not a mapping: " + e.getMessage(), e);
    }
  }

  /**
   * {@code card} with its front matter replaced by {@code yaml}, written the way {@link #render()}
   * writes it.
   */
  public static String withFrontMatter(String card, ObjectNode yaml) {
    int end = card.startsWith("---\n") ? card.indexOf("\n---\n", 3) : -1;
    String body = end < 0 ? "\n" + card : card.substring(end + 5);
    try {
      return "---\n" + YAML.writeValueAsString(yaml) + "---\n" + body;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Text safe inside a markdown table cell. */
  private static String cell(String text) {
    return text.replace("|", "\\|").replace("\n", " ");
  }

  String frontMatter() {
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode root = f.objectNode();
    ArrayNode configs = root.putArray("configs");
    ObjectNode config = configs.addObject();
    config.put("config_name", "default");
    ArrayNode dataFiles = config.putArray("data_files");
    for (SplitInfo s : splits) {
      ObjectNode df = dataFiles.addObject();
      df.put("split", s.name());
      if (s.dataFiles().size() == 1) {
        df.put("path", s.dataFiles().get(0));
      } else {
        ArrayNode paths = df.putArray("path");
        s.dataFiles().forEach(paths::add);
      }
    }
    ObjectNode info = root.putObject("dataset_info");
    info.set("features", features.toYamlList());
    ArrayNode splitList = info.putArray("splits");
    long datasetSize = 0;
    for (SplitInfo s : splits) {
      ObjectNode sn = splitList.addObject();
      sn.put("name", s.name());
      sn.put("num_bytes", s.numBytes());
      sn.put("num_examples", s.numExamples());
      datasetSize += s.numBytes();
    }
    info.put("download_size", downloadSize);
    info.put("dataset_size", datasetSize);
    try {
      return YAML.writeValueAsString(root);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static final class Builder {
    private String title = "Dataset";
    private String description = "";
    private Features features;
    private List<SplitInfo> splits = List.of();
    private long downloadSize;
    private final Map<String, String> sections = new LinkedHashMap<>();

    public Builder title(String t) {
      title = t;
      return this;
    }

    public Builder description(String d) {
      description = d;
      return this;
    }

    public Builder features(Features f) {
      features = f;
      return this;
    }

    public Builder splits(List<SplitInfo> s) {
      splits = s;
      return this;
    }

    public Builder downloadSize(long bytes) {
      downloadSize = bytes;
      return this;
    }

    public Builder sections(Map<String, String> all) {
      sections.putAll(all);
      return this;
    }

    /** An extra markdown section, e.g. how an encoding works. */
    public Builder section(String heading, String markdown) {
      sections.put(heading, markdown);
      return this;
    }

    public DatasetCard build() {
      if (features == null) throw new IllegalStateException("a dataset card needs features");
      return new DatasetCard(this);
    }
  }
}
