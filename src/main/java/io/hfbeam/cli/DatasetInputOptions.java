package io.hfbeam.cli;

import io.hfbeam.workflow.DatasetInput;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Flags for an input that is a Hugging Face dataset ({@code --input hf://datasets/owner/name}).
 * {@code --config} already names the pipeline YAML in every workflow, so the dataset's config is
 * {@code --input-config}.
 */
public final class DatasetInputOptions {
  @Option(
      names = "--input-config",
      paramLabel = "NAME",
      description = "With an hf:// input: the dataset's config (default: its default config).")
  String config;

  @Option(
      names = {"--input-split", "--split"},
      paramLabel = "NAME",
      description = "With an hf:// input: the split to read (default: every split).")
  String split;

  @Option(
      names = "--input-revision",
      paramLabel = "REV",
      description = "With an hf:// input: branch, tag or commit (or write hf://...@REV).")
  String revision;

  @Option(
      names = "--input-columns",
      split = ",",
      paramLabel = "A,B",
      description = "With an hf:// input: only these columns (Parquet fetches only them).")
  List<String> columns;

  @Option(
      names = "--decode-images",
      description =
          "With an hf:// input: decode Image columns into width, height, mode and pixels"
              + " (array of height x width x channels uint8).")
  boolean decodeImages;

  @Option(
      names = "--download",
      description =
          "With an hf:// input: download the files into the Hugging Face cache and read them"
              + " there, instead of streaming them with range requests.")
  boolean download;

  DatasetInput input(Map<String, String> env) {
    return new DatasetInput(config, split, revision, columns, !download, decodeImages, env);
  }
}
