package io.hfbeam.io;

import java.io.Serializable;

/** A finished file of a dataset: its split (null for the card), path relative to the dataset root, size. */
public record WrittenFile(String split, String path, String localPath, long rows, long bytes) implements Serializable {}
