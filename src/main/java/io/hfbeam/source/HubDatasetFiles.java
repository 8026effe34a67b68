package io.hfbeam.source;

import io.hfbeam.format.RangedSource;
import io.hfbeam.format.files.LocalRangedFile;
import io.hfbeam.hub.HubClient;
import io.hfbeam.hub.HubException;
import io.hfbeam.hub.RepoFile;
import io.hfbeam.hub.RepoId;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A dataset repo on the Hub, pinned to one commit so that every worker reads the same version.
 * Streaming opens files with HTTP range requests; otherwise each file is downloaded once into the
 * shared Hugging Face cache and read from there. The client is made lazily on each worker.
 */
public final class HubDatasetFiles implements DatasetFiles {
  private final HubClient.Settings settings;
  private final RepoId repo;
  private final String commit;
  private final boolean streaming;
  private transient HubClient client;

  private HubDatasetFiles(
      HubClient.Settings settings, RepoId repo, String commit, boolean streaming) {
    this.settings = settings;
    this.repo = repo;
    this.commit = commit;
    this.streaming = streaming;
  }

  /**
   * Resolves {@code revision} (a branch, tag or commit) to its commit. A missing, private or gated
   * repo or revision fails here with one line.
   */
  public static HubDatasetFiles open(
      HubClient.Settings settings, RepoId repo, String revision, boolean streaming)
      throws IOException {
    HubClient c = settings.newClient();
    String sha;
    try {
      sha = c.repoInfo(repo, revision == null ? "main" : revision).sha();
    } catch (HubException e) {
      throw new IOException(
          "cannot read dataset "
              + repo.id()
              + (revision == null ? "" : "@" + revision)
              + " from "
              + c.endpoint()
              + ": "
              + e.getMessage(),
          e);
    }
    if (sha == null || !sha.matches("[0-9a-f]{40}")) {
      throw new IOException(
          c.endpoint() + " gave no commit for " + repo.id() + ": is HF_ENDPOINT a Hub?");
    }
    HubDatasetFiles files = new HubDatasetFiles(settings, repo, sha, streaming);
    files.client = c;
    return files;
  }

  public RepoId repo() {
    return repo;
  }

  public String commit() {
    return commit;
  }

  public boolean streaming() {
    return streaming;
  }

  /** The same files, read the other way (streamed or through the cache). */
  public HubDatasetFiles withStreaming(boolean streaming) {
    return new HubDatasetFiles(settings, repo, commit, streaming);
  }

  private synchronized HubClient client() throws IOException {
    if (client == null) client = settings.newClient();
    return client;
  }

  @Override
  public String describe() {
    return repo.id() + "@" + commit.substring(0, 12);
  }

  @Override
  public String version() {
    return repo.id() + "@" + commit;
  }

  @Override
  public List<DataFile> list() throws IOException {
    List<DataFile> out = new ArrayList<>();
    for (RepoFile f : client().listFiles(repo, commit, "", true)) {
      if (!f.directory()) out.add(new DataFile(f.path(), f.size()));
    }
    return out;
  }

  @Override
  public Optional<String> readText(String path) throws IOException {
    try {
      return Optional.of(java.nio.file.Files.readString(client().download(repo, commit, path)));
    } catch (HubException e) {
      if (e.isEntryNotFound() || e.status() == 404) return Optional.empty();
      throw e;
    }
  }

  @Override
  public RangedSource open(String path) throws IOException {
    if (streaming) return client().openRange(repo, commit, path);
    Path local = client().download(repo, commit, path);
    return LocalRangedFile.open(local, path);
  }

  /** The file in the shared cache, downloaded first when it is not there. */
  @Override
  public Optional<Path> localPath(String path) throws IOException {
    return Optional.of(client().download(repo, commit, path));
  }

  @Override
  public String toString() {
    return describe();
  }
}
