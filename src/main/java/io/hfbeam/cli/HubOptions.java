package io.hfbeam.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.hfbeam.workflow.HubTarget;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * Publishing flags for workflow commands; a command takes them with {@code @Mixin HubOptions hub;}.
 * Commit sizes come from the pipeline YAML's {@code hub:} section ({@code max_files_per_commit},
 * {@code max_mb_per_commit}, {@code path_prefix}, {@code include_errors}). The launcher checks the
 * token and creates the repo before the pipeline starts.
 */
public final class HubOptions {
  @Option(
      names = "--repo",
      paramLabel = "OWNER/NAME",
      description = "Publish the dataset to this Hub dataset repo (created if missing).")
  String repo;

  @Option(
      names = "--private",
      description = "Create the repo private (an existing repo keeps its visibility).")
  boolean isPrivate;

  @Option(
      names = "--revision",
      paramLabel = "BRANCH",
      defaultValue = "main",
      description = "Branch to commit to (default: ${DEFAULT-VALUE}).")
  String revision;

  @Option(
      names = "--create-pr",
      description = "Open a pull request instead of committing to the branch.")
  boolean createPr;

  /** Where to publish, with --repo; {@code env} (HF_*) null means the process environment. */
  Optional<HubTarget> target(JsonNode yaml, Map<String, String> env) {
    if (repo == null) return Optional.empty();
    HubTarget t;
    try {
      t = HubTarget.to(repo);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--repo: " + e.getMessage());
    }
    return Optional.of(
        t.withRevision(revision)
            .withPrivate(isPrivate)
            .withCreatePr(createPr)
            .withEnvironment(env)
            .withPathPrefix(yaml.path("path_prefix").asText(""))
            .withIncludeErrors(yaml.path("include_errors").asBoolean(false))
            .withMaxFilesPerCommit(
                yaml.has("max_files_per_commit") ? yaml.get("max_files_per_commit").asInt() : null)
            .withMaxMbPerCommit(
                yaml.has("max_mb_per_commit") ? yaml.get("max_mb_per_commit").asLong() : null));
  }
}
