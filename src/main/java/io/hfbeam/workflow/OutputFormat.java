package io.hfbeam.workflow;

/** Which files a workflow writes: JSONL, Parquet or both. */
public enum OutputFormat {
  JSONL,
  PARQUET,
  BOTH;

  public boolean parquet() {
    return this != JSONL;
  }

  public boolean jsonl() {
    return this != PARQUET;
  }
}
