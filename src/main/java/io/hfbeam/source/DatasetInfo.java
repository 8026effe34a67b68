package io.hfbeam.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hfbeam.hf.ConfigLayout;
import io.hfbeam.hf.Features;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * What {@code hfbeam datasets info} reports of a dataset, as JSON: its configs, the default one,
 * per config the builder, features ({@code datasets}' dict form) and per split the row count and
 * size where known (the card's {@code dataset_info}, else Parquet footers) and the data files.
 */
public final class DatasetInfo {
  private static final ObjectMapper JSON = new ObjectMapper();

  private DatasetInfo() {}

  /**
   * @param revision the commit read, or null for a local directory
   */
  public static ObjectNode of(HfDataset ds, String revision) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    root.put("dataset", ds.describe());
    root.put("revision", revision);
    root.put("default_config", ds.layout().defaultConfig().orElse(null));
    ArrayNode configs = root.putArray("configs");
    for (ConfigLayout c : ds.layout().configs()) {
      ObjectNode cn = configs.addObject();
      cn.put("config_name", c.name());
      cn.put("builder", c.builder());
      c.dataDir().ifPresent(d -> cn.put("data_dir", d));
      if (!c.builderKwargs().isEmpty()) {
        ObjectNode kw = cn.putObject("builder_kwargs");
        c.builderKwargs().forEach(kw::set);
      }
      FormatReader reader = null;
      try {
        reader = FormatReaders.forBuilder(c.builder());
        Features f = ds.features(c);
        cn.set("features", JSON.readTree(f.toJson()));
      } catch (IOException | RuntimeException e) {
        cn.put("features_error", oneLine(e));
      }
      ArrayNode splits = cn.putArray("splits");
      for (String s : c.reportedSplitNames()) {
        ObjectNode sn = splits.addObject();
        sn.put("name", s);
        ConfigLayout.SplitStats card = c.cardSplits().get(s);
        List<DataFile> files = c.splits().containsKey(s) ? ds.dataFiles(c, s) : List.of();
        Long rows = card != null ? Long.valueOf(card.numExamples()) : null;
        if (rows == null && reader != null && !files.isEmpty()) rows = countRows(ds, reader, files);
        if (rows == null) sn.putNull("num_rows");
        else sn.put("num_rows", rows);
        if (card != null) sn.put("num_bytes", card.numBytes());
        else sn.putNull("num_bytes");
        long total = 0;
        ArrayNode fs = sn.putArray("files");
        for (DataFile f : files) {
          fs.addObject().put("path", f.path()).put("size", f.size());
          total += f.size();
        }
        sn.put("files_bytes", total);
      }
    }
    return root;
  }

  /** The split's rows when every file's format states its count, else null. */
  private static Long countRows(HfDataset ds, FormatReader reader, List<DataFile> files) {
    long n = 0;
    for (DataFile f : files) {
      try {
        Optional<Long> c = reader.rowCount(ds.files(), f);
        if (c.isEmpty()) return null;
        n += c.get();
      } catch (IOException | RuntimeException e) {
        return null;
      }
    }
    return n;
  }

  private static String oneLine(Exception e) {
    String m = e.getMessage() != null ? e.getMessage() : e.toString();
    return m.replaceAll("\\s+", " ");
  }

  /** The features of a config as the card's YAML writes them, for the text form. */
  public static String featuresYaml(JsonNode featuresJson) {
    try {
      Features f = Features.fromJson(featuresJson.toString());
      return new ObjectMapper(
              com.fasterxml.jackson.dataformat.yaml.YAMLFactory.builder()
                  .enable(
                      com.fasterxml.jackson.dataformat.yaml.YAMLGenerator.Feature.MINIMIZE_QUOTES)
                  .disable(
                      com.fasterxml.jackson.dataformat.yaml.YAMLGenerator.Feature
                          .WRITE_DOC_START_MARKER)
                  .build())
          .writeValueAsString(f.toYamlList());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
