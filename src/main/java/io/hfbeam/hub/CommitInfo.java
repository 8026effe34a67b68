package io.hfbeam.hub;

/**
 * The result of {@link HubClient#createCommit} or {@link HubClient#createPullRequest}: the commit
 * that holds the operations. {@code created} is false when nothing had to change (every file
 * already there), in which case {@code oid} is the branch head. {@code pullRequestUrl} is set for
 * pull requests only.
 */
public record CommitInfo(String oid, String url, boolean created, String pullRequestUrl) {}
