package io.hfbeam.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hfbeam.hub.HubClient;
import io.hfbeam.hub.RepoFile;
import io.hfbeam.hub.RepoId;
import io.hfbeam.hub.server.LocalHubServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * hfbeam checkpoints ...: the commands end to end, their output, exit codes and one-line errors.
 */
class CheckpointsCommandTest {
  static final String TOKEN = "hf_" + "checkpointscmdtoken012345";
  static final Path FIXTURE = Path.of("src/test/resources/conversations/kura-fixture");
  static final Path BAD = Path.of("src/test/resources/conversations/kura-fixture-bad");

  @TempDir Path tmp;

  @Test
  void migrateInfoFilterVerifyExport() throws Exception {
    String neu = tmp.resolve("new").toString();
    Cli m = Cli.run("checkpoints", "migrate", FIXTURE.toString(), neu, "--compression", "gzip");
    assertEquals(0, m.exitCode, m.toString());
    assertTrue(m.out.contains("summaries.jsonl -> summaries: 4 rows, 0 failed"), m.out);

    Cli info = Cli.run("checkpoints", "info", neu, "summaries");
    assertEquals(0, info.exitCode, info.toString());
    assertTrue(info.out.contains("stage summaries: complete"), info.out);
    assertTrue(info.out.contains("made by: migrated from summaries.jsonl"), info.out);
    assertTrue(info.out.contains("    concerning_score: int8"), info.out);
    assertTrue(
        info.out.contains("parameters: {source=summaries.jsonl, compression=gzip}"), info.out);
    Cli all = Cli.run("checkpoints", "info", neu, "--json");
    JsonNode stages = new ObjectMapper().readTree(all.out).get("stages");
    assertEquals("absent", stages.get(2).get("state").asText()); // embeddings: Kura has none

    Cli f =
        Cli.run(
            "checkpoints",
            "filter",
            neu,
            "summaries",
            "--where",
            "user_frustration >= 4",
            "--output",
            tmp.resolve("angry").toString());
    assertEquals(0, f.exitCode, f.toString());
    assertEquals("summaries: 2 of 4 rows match; written to " + tmp.resolve("angry") + "\n", f.out);

    Cli v = Cli.run("checkpoints", "verify", FIXTURE.toString(), neu, "--detailed");
    assertEquals(0, v.exitCode, v.toString());
    assertTrue(
        v.out.endsWith("verified_checkpoints/total_checkpoints: 5/5 (failed 0, missing 0)\n"));

    Cli x = Cli.run("checkpoints", "export", neu, tmp.resolve("kura").toString());
    assertEquals(0, x.exitCode, x.toString());
    assertTrue(x.out.contains("dimensionality -> dimensionality.jsonl: 8 rows"), x.out);
    for (String n :
        List.of(
            "conversations.jsonl",
            "summaries.jsonl",
            "clusters.jsonl",
            "meta_clusters.jsonl",
            "dimensionality.jsonl")) {
      assertEquals(
          Files.readString(FIXTURE.resolve(n)),
          Files.readString(tmp.resolve("kura").resolve(n)),
          n);
    }
  }

  @Test
  void theToolsReadWhatConversationsAnalyzeWrites() throws Exception {
    // the analyze workflow writes stages with HuggingFaceIO; export gives its conversations back
    // as the input's bytes, and verify, info and filter read every stage it wrote
    Path input = Path.of("src/test/resources/conversations/mt_bench_questions.jsonl");
    String out = tmp.resolve("analysis").toString();
    Cli a =
        Cli.run(
            "conversations",
            "analyze",
            "--input",
            input.toString(),
            "--output",
            out,
            "--clusters",
            "8");
    assertEquals(0, a.exitCode, a.toString());
    Cli x = Cli.run("checkpoints", "export", out, tmp.resolve("kura").toString());
    assertEquals(0, x.exitCode, x.toString());
    assertEquals(
        Files.readString(input),
        Files.readString(tmp.resolve("kura").resolve("conversations.jsonl")));
    assertFalse(x.out.contains("embeddings"), "Kura has no embeddings file: " + x.out);
    Cli v = Cli.run("checkpoints", "verify", tmp.resolve("kura").toString(), out);
    assertEquals(0, v.exitCode, v.toString());
    assertTrue(v.out.contains("verified_checkpoints/total_checkpoints: 4/4"), v.out);
    Cli f =
        Cli.run(
            "checkpoints",
            "filter",
            out,
            "conversations",
            "--where",
            "metadata.category = 'math' and len(messages) >= 1",
            "--output",
            tmp.resolve("math").toString());
    assertEquals(0, f.exitCode, f.toString());
    assertTrue(f.out.startsWith("conversations: 10 of 80 rows match"), f.out);
    Cli i = Cli.run("checkpoints", "info", out, "embeddings");
    assertTrue(i.out.contains("embedding: list<float32>[384]"), i.out);
  }

  @Test
  void verifyExitsNonZeroOnADifference() throws Exception {
    String neu = tmp.resolve("new").toString();
    assertEquals(0, Cli.run("checkpoints", "migrate", FIXTURE.toString(), neu).exitCode);
    Path old = tmp.resolve("old");
    Files.createDirectories(old);
    Files.writeString(
        old.resolve("clusters.jsonl"),
        Files.readString(FIXTURE.resolve("clusters.jsonl")).replace("Greet users", "Greet people"));
    Cli v = Cli.run("checkpoints", "verify", old.toString(), neu, "--detailed");
    assertEquals(3, v.exitCode, v.toString());
    assertTrue(v.out.contains("clusters.jsonl -> clusters: FAILED, 5 rows compared"), v.out);
    assertTrue(v.out.contains("clusters.jsonl:3 vs clusters/data/"), v.out);
    assertTrue(v.out.contains("verified_checkpoints/total_checkpoints: 0/1 (failed 1"), v.out);
  }

  @Test
  void analyzeShowsFailuresAndWhatAMigrationGives() {
    Cli a = Cli.run("checkpoints", "analyze", BAD.toString());
    assertEquals(0, a.exitCode, a.toString());
    assertTrue(a.out.contains("conversations.jsonl (stage conversations): "), a.out);
    assertTrue(a.out.contains("3 rows readable, 2 failed"), a.out);
    assertTrue(a.out.contains("  failure: conversations.jsonl:2: "), a.out);
    assertTrue(a.out.contains("  failure: summaries.jsonl:2: concerning_score"), a.out);
    assertTrue(a.out.contains("  layout: times text, metadata json"), a.out);
    assertTrue(a.out.contains("not a Kura checkpoint file (ignored): README.md"), a.out);
  }

  @Test
  void wrongInputFailsWithOneLine() {
    Cli bad =
        Cli.run(
            "checkpoints",
            "filter",
            tmp.toString(),
            "summaries",
            "--where",
            "x > 1",
            "--output",
            tmp.resolve("o").toString());
    assertEquals(2, bad.exitCode);
    assertEquals(1, bad.err.strip().lines().count(), bad.err);
    assertTrue(bad.err.contains("stage summaries is not complete"), bad.err);

    Cli codec =
        Cli.run(
            "checkpoints",
            "migrate",
            FIXTURE.toString(),
            tmp.resolve("n").toString(),
            "--compression",
            "brotli");
    assertEquals(2, codec.exitCode);
    assertEquals(1, codec.err.strip().lines().count(), codec.err);
    assertFalse(Files.exists(tmp.resolve("n")));

    Cli where = Cli.run("checkpoints", "migrate", FIXTURE.toString(), tmp.resolve("n").toString());
    assertEquals(0, where.exitCode);
    Cli unknown =
        Cli.run(
            "checkpoints",
            "filter",
            tmp.resolve("n").toString(),
            "clusters",
            "--where",
            "size > 100",
            "--output",
            tmp.resolve("o").toString());
    assertEquals(2, unknown.exitCode);
    assertEquals(
        "error: --where: unknown column 'size' at position 1 (columns: id, name, description, slug,"
            + " chat_ids, parent_id, count) (see 'checkpoints filter --help')\n",
        unknown.err);
    Cli hub =
        Cli.run(
            "checkpoints",
            "filter",
            "hf://datasets/a/b",
            "clusters",
            "--where",
            "count > 1",
            "--output",
            tmp.resolve("o").toString());
    assertEquals(2, hub.exitCode);
    assertTrue(hub.err.contains("give a local folder"), hub.err);
    Cli badHub = Cli.run("checkpoints", "info", "hf://models/a/b");
    assertEquals(2, badHub.exitCode);
    assertTrue(badHub.err.contains("expected hf://datasets/owner/name[@revision]"), badHub.err);
    Cli missing = Cli.run("checkpoints", "analyze", tmp.resolve("nothing").toString());
    assertEquals(2, missing.exitCode);
    assertTrue(missing.err.contains("is not a directory of Kura checkpoints"), missing.err);
  }

  @Test
  void migrateWithRepoPublishesTheSetInOneCommit() throws Exception {
    try (LocalHubServer hub =
        LocalHubServer.start(
            0, tmp.resolve("hub"), LocalHubServer.Options.defaults().withToken(TOKEN, "alice"))) {
      Map<String, String> env =
          Map.of(
              "HF_ENDPOINT", hub.url(), "HF_TOKEN", TOKEN, "HF_HOME", tmp.resolve("hf").toString());
      Path neu = tmp.resolve("new");
      Cli m =
          Cli.runWith(
              env,
              "checkpoints",
              "migrate",
              FIXTURE.toString(),
              neu.toString(),
              "--repo",
              "alice/kura");
      assertEquals(0, m.exitCode, m.toString());
      assertTrue(m.out.contains("published to alice/kura (commit "), m.out);
      HubClient client = HubClient.Settings.builder().environment(env).build().newClient();
      RepoId repo = RepoId.dataset("alice/kura");
      List<String> remote =
          client.listFiles(repo, "main", "", true).stream()
              .filter(f -> !f.directory() && !f.path().equals(".gitattributes"))
              .map(RepoFile::path)
              .sorted()
              .toList();
      List<String> local;
      try (Stream<Path> s = Files.walk(neu)) {
        local =
            s.filter(Files::isRegularFile)
                .map(p -> neu.relativize(p).toString().replace('\\', '/'))
                .sorted()
                .toList();
      }
      assertEquals(local, remote);
      assertTrue(remote.contains("summaries/checkpoint.json"), remote.toString());
      // one commit for the whole set (plus the repo's initial one)
      assertEquals(2, client.listCommits(repo, "main").size());
      // info reads the published set through the Hub: file list, checkpoint.json, Parquet footers
      Cli remoteInfo =
          Cli.runWith(env, "checkpoints", "info", "hf://datasets/alice/kura@main", "--json");
      assertEquals(0, remoteInfo.exitCode, remoteInfo.toString());
      Cli localInfo = Cli.run("checkpoints", "info", neu.toString(), "--json");
      assertEquals(localInfo.out, remoteInfo.out);
      JsonNode summaries = new ObjectMapper().readTree(remoteInfo.out).get("stages").get(1);
      assertEquals("complete", summaries.get("state").asText());
      assertEquals(4, summaries.get("rows").asLong());
      assertEquals("int8", summaries.get("features").get("user_frustration").asText());
      Cli bad =
          Cli.runWith(
              env,
              "checkpoints",
              "migrate",
              FIXTURE.toString(),
              tmp.resolve("n2").toString(),
              "--repo",
              "no-slash");
      assertEquals(2, bad.exitCode);
      assertFalse(Files.exists(tmp.resolve("n2")));
    }
  }
}
