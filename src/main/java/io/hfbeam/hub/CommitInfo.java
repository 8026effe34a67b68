package io.hfbeam.hub;

/**
 * The result of {@link HubClient#createCommit}: the commit that holds the operations. {@code created} is false
 * when nothing had to change (every file already on the branch), in which case {@code oid} is the branch head.
 */
public record CommitInfo(String oid, String url, boolean created) {}
