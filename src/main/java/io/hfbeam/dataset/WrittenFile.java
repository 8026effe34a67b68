package io.hfbeam.dataset;

import java.io.Serializable;

/**
 * A finished file of a dataset: its split (null for the card and the errors file), path relative to
 * the dataset root, where it is on disk, rows, size, and uncompressed Arrow bytes.
 */
public record WrittenFile(
    String split, String path, String localPath, long rows, long bytes, long arrowBytes)
    implements Serializable {}
