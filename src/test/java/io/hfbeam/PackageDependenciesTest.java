package io.hfbeam;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The package map of docs/architecture.md, enforced: each package of src/main may use only the
 * packages listed for it, so dependencies point one way and no cycle can form. References are
 * imports and fully qualified names in code (comments are left out).
 */
class PackageDependenciesTest {
  private static final Path MAIN = Path.of("src/main/java");

  /** Package (under io.hfbeam) -> the packages of ours it may use. */
  private static final Map<String, Set<String>> ALLOWED =
      Map.ofEntries(
          Map.entry("format", Set.of()),
          Map.entry("format.files", Set.of("format")),
          Map.entry("format.json", Set.of("format", "format.files", "hf")),
          Map.entry("format.parquet", Set.of("format", "format.files", "hf")),
          Map.entry("format.parquet.tensor", Set.of("format", "hf")),
          Map.entry("hf", Set.of()),
          Map.entry("chess", Set.of()),
          // the Kura data model and its formats: pure, only the Features of hf
          Map.entry("conversations", Set.of("hf")),
          Map.entry("cluster", Set.of()),
          Map.entry(
              "dataset", Set.of("format", "format.files", "format.json", "format.parquet", "hf")),
          Map.entry(
              "mapping",
              Set.of(
                  "dataset",
                  "format",
                  "format.files",
                  "format.json",
                  "format.parquet",
                  "hf",
                  "source")),
          Map.entry("hub", Set.of("dataset", "hf", "format", "format.files")),
          Map.entry("hub.server", Set.of("hub")),
          Map.entry("llm", Set.of()),
          Map.entry(
              "source",
              Set.of("format", "format.files", "format.json", "format.parquet", "hf", "hub")),
          Map.entry("runner", Set.of("dataset", "format", "format.files")),
          // the conversation explorer: checkpoints read with pushdown, served by Jetty
          Map.entry(
              "explorer",
              Set.of(
                  "conversations",
                  "format",
                  "format.files",
                  "format.parquet",
                  "hf",
                  "hub",
                  "source")),
          Map.entry(
              "beam",
              Set.of(
                  "dataset",
                  "mapping",
                  "format",
                  "format.files",
                  "format.json",
                  "format.parquet",
                  "chess",
                  "hf",
                  "hub",
                  "source")),
          Map.entry(
              "workflow",
              Set.of(
                  "dataset", "mapping", "format", "format.files", "hf", "hub", "runner", "source")),
          Map.entry(
              "workflow.chess",
              Set.of(
                  "source",
                  "workflow",
                  "beam",
                  "dataset",
                  "mapping",
                  "format",
                  "format.files",
                  "format.parquet",
                  "format.parquet.tensor",
                  "chess",
                  "hf",
                  "hub",
                  "runner")),
          Map.entry(
              "workflow.qa",
              Set.of(
                  "source",
                  "workflow",
                  "dataset",
                  "mapping",
                  "format",
                  "format.files",
                  "format.json",
                  "format.parquet",
                  "hf",
                  "hub",
                  "runner")),
          Map.entry(
              "workflow.convert",
              Set.of(
                  "source",
                  "workflow",
                  "dataset",
                  "mapping",
                  "format",
                  "format.files",
                  "format.json",
                  "format.parquet",
                  "hf",
                  "hub",
                  "runner")),
          Map.entry(
              "workflow.sft",
              Set.of(
                  "source",
                  "workflow",
                  "dataset",
                  "mapping",
                  "format",
                  "format.files",
                  "format.json",
                  "format.parquet",
                  "hf",
                  "hub",
                  "llm",
                  "runner")),
          // the checkpoint tools: Kura's files and checkpoint sets, no Beam pipeline
          Map.entry(
              "workflow.checkpoints",
              Set.of(
                  "conversations",
                  "format",
                  "format.json",
                  "format.parquet",
                  "hf",
                  "hub",
                  "mapping",
                  "source")),
          Map.entry(
              "workflow.conversations",
              Set.of(
                  "beam",
                  "cluster",
                  "conversations",
                  "workflow",
                  "dataset",
                  "mapping",
                  "format",
                  "format.files",
                  "format.json",
                  "format.parquet",
                  "hf",
                  "llm",
                  "runner",
                  "source")),
          // the CLI builds typed settings (their types live below) and calls the launcher
          Map.entry(
              "cli",
              Set.of(
                  "workflow",
                  "workflow.checkpoints",
                  "workflow.chess",
                  "workflow.qa",
                  "workflow.convert",
                  "workflow.sft",
                  "workflow.conversations",
                  "explorer",
                  "dataset",
                  "mapping",
                  "format",
                  "format.files",
                  "format.json",
                  "format.parquet",
                  "chess",
                  "hf",
                  "hub",
                  "hub.server",
                  "llm",
                  "runner",
                  "source")));

  private static final Pattern REFERENCE =
      Pattern.compile("\\bio\\.hfbeam((?:\\.[a-z]\\w*)+)\\.[A-Z]");
  private static final Pattern COMMENT = Pattern.compile("//[^\\n]*|/\\*[\\s\\S]*?\\*/");

  @Test
  void everyPackageUsesOnlyThePackagesBelowIt() throws IOException {
    Map<String, Set<String>> used = used();
    List<String> problems = new ArrayList<>();
    used.forEach(
        (pkg, deps) -> {
          Set<String> allowed = ALLOWED.get(pkg);
          if (allowed == null) {
            problems.add(pkg + " is not on the package map (docs/architecture.md, and this test)");
            return;
          }
          for (String d : deps) {
            if (!allowed.contains(d)) problems.add(pkg + " -> " + d);
          }
        });
    assertThat(problems, empty());
  }

  @Test
  void theMapItselfHasNoCycle() {
    List<String> cycles = new ArrayList<>();
    for (String pkg : ALLOWED.keySet()) {
      if (reaches(pkg, pkg, new TreeSet<>())) cycles.add(pkg);
    }
    assertThat(cycles, empty());
  }

  private static boolean reaches(String from, String target, Set<String> seen) {
    for (String next : ALLOWED.getOrDefault(from, Set.of())) {
      if (next.equals(target)) return true;
      if (seen.add(next) && reaches(next, target, seen)) return true;
    }
    return false;
  }

  /** Package -> the other packages of ours its files reference. */
  private static Map<String, Set<String>> used() throws IOException {
    Map<String, Set<String>> used = new TreeMap<>();
    Path root = MAIN.resolve("io/hfbeam");
    try (Stream<Path> files = Files.walk(root)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        String pkg = root.relativize(f.getParent()).toString().replace('/', '.');
        if (pkg.isEmpty()) pkg = "(root)";
        Set<String> deps = used.computeIfAbsent(pkg, k -> new TreeSet<>());
        String code = COMMENT.matcher(Files.readString(f, StandardCharsets.UTF_8)).replaceAll("");
        Matcher m = REFERENCE.matcher(code);
        while (m.find()) {
          String dep = m.group(1).substring(1);
          if (!dep.equals(pkg)) deps.add(dep);
        }
      }
    }
    return used;
  }
}
