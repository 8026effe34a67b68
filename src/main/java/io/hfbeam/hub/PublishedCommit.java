package io.hfbeam.hub;

import java.io.Serializable;

/**
 * What one planned commit of {@link HubPublish} did: the commit it made ({@code oid}, or "no
 * changes" when the Hub already had every file), its message, and how many files and bytes went up.
 */
public record PublishedCommit(
    int index, String oid, String message, int filesUploaded, long bytesUploaded, int filesSkipped)
    implements Serializable {
  public static final String NO_CHANGES = "no changes";
}
