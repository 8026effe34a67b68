package io.hfbeam.workflow.conversations;

import io.hfbeam.format.parquet.ParquetSettings;
import java.util.List;

/**
 * What {@code conversations analyze} is asked to do.
 *
 * @param inputs conversation files or directories (JSON Lines or JSON, optionally compressed)
 * @param output the checkpoint set's folder
 * @param llm the LLM for summaries and cluster names; null: none (offline)
 * @param watching the run keeps watching its input: conversations use the lossless layout (text
 *     times, JSON metadata), since later files may bring other metadata keys or time zones
 */
public record AnalyzeSettings(
    List<String> inputs,
    String output,
    InputSpec input,
    EmbedTexts.Spec embedder,
    ClusterAnalysis.Settings clustering,
    ParquetSettings parquet,
    ConversationLlm llm,
    boolean watching)
    implements java.io.Serializable {
  /** Input files a directory is searched for. */
  public static final String PATTERN =
      "*.{json,jsonl,ndjson,json.gz,jsonl.gz,jsonl.zst,jsonl.bz2,jsonl.xz}";

  public AnalyzeSettings {
    inputs = List.copyOf(inputs);
  }

  public AnalyzeSettings withInputs(List<String> files) {
    return new AnalyzeSettings(files, output, input, embedder, clustering, parquet, llm, watching);
  }

  public boolean hasLlm() {
    return llm != null;
  }
}
