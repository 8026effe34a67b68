package io.hfbeam.workflow.checkpoints;

import io.hfbeam.hub.CommitInfo;
import io.hfbeam.hub.CommitOperation;
import io.hfbeam.hub.HubClient;
import io.hfbeam.hub.RepoId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A checkpoint set to a Hub dataset repo in one commit: the root card (one config per stage), each
 * stage's card, data, errors and {@code checkpoint.json}. Every publish is a new commit of the same
 * repo, so the Hub's history versions the checkpoints; files the branch already has are not
 * uploaded again (the commit API skips them).
 */
public final class Publish {
  private Publish() {}

  /**
   * With a client built from {@code env} (HF_ENDPOINT, HF_TOKEN, HF_HOME as the Hub tools read).
   */
  public static CommitInfo toHub(
      Path root, String repo, java.util.Map<String, String> env, String message)
      throws IOException {
    return toHub(
        root, repo, HubClient.Settings.builder().environment(env).build().newClient(), message);
  }

  public static CommitInfo toHub(Path root, String repo, HubClient client, String message)
      throws IOException {
    RepoId id = RepoId.dataset(repo);
    List<CommitOperation> ops = new ArrayList<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path f : s.filter(Files::isRegularFile).sorted().toList()) {
        String rel = root.relativize(f).toString().replace('\\', '/');
        // temporary files of an interrupted write and hidden folders are not part of the set
        if (rel.startsWith(".") || rel.contains("/.") || rel.endsWith(".tmp")) continue;
        ops.add(CommitOperation.add(rel, f));
      }
    }
    client.createRepo(id, false, true);
    return client.createCommit(id, "main", ops, message, null);
  }
}
