package io.hfbeam.hub;

import java.util.List;

/**
 * What the client needs from repo info: the head commit ({@code sha}) of the revision asked for,
 * and its files.
 */
public record RepoInfo(
    String id, String sha, boolean isPrivate, String lastModified, List<String> files) {}
