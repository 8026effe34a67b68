package io.hfbeam.source;

import java.io.Serializable;

/**
 * One data file of a dataset.
 *
 * @param path the repo-relative path ({@code data/train-00000-of-00002.parquet})
 * @param size its size in bytes
 */
public record DataFile(String path, long size) implements Serializable {}
