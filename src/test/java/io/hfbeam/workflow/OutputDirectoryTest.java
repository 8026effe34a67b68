package io.hfbeam.workflow;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import io.hfbeam.cli.Cli;
import io.hfbeam.format.files.AtomicFiles;
import io.hfbeam.testing.Files2;
import io.hfbeam.workflow.convert.ConvertWorkflowTest;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an output directory holds: exactly one complete run's dataset (stale files of an earlier run
 * removed, other files left alone), never the partial files of a failed run, never the input it
 * reads.
 */
class OutputDirectoryTest {
  @TempDir Path tmp;

  Path features() throws Exception {
    Path f = tmp.resolve("features.yaml");
    Files.writeString(
        f,
        "id: int64\ngroup: string\nlabel: class_label(neg,pos)\nscore: int8\ntags: list<string>\ntext: string\n");
    return f;
  }

  Cli convert(Path in, Path out, String... more) throws Exception {
    List<String> args =
        new ArrayList<>(
            List.of(
                "convert",
                "--input",
                in.toString(),
                "--features",
                features().toString(),
                "--output",
                out.toString(),
                "--split-by",
                "group"));
    args.addAll(List.of(more));
    return Cli.run(args.toArray(String[]::new));
  }

  /**
   * The files a dataset reader sees: everything but hidden (dot) files and folders. Hidden folders
   * are not even walked: after a failed run the DirectRunner's other threads may still be busy in
   * the parts folder.
   */
  static Map<String, String> visible(Path dir) throws Exception {
    Map<String, String> out = new TreeMap<>();
    for (Path p : files(dir)) {
      String rel = dir.relativize(p).toString();
      if (!p.getFileName().toString().startsWith(".")) out.put(rel, Files2.sha256(p));
    }
    return out;
  }

  /** Every file outside hidden folders, hidden ones included. */
  static List<Path> files(Path dir) throws Exception {
    List<Path> out = new ArrayList<>();
    Files.walkFileTree(
        dir,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
            return d.equals(dir) || !d.getFileName().toString().startsWith(".")
                ? FileVisitResult.CONTINUE
                : FileVisitResult.SKIP_SUBTREE;
          }

          @Override
          public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) {
            out.add(f);
            return FileVisitResult.CONTINUE;
          }
        });
    return out;
  }

  /** The dataset and its manifest. */
  static Map<String, String> dataset(Path dir) throws Exception {
    Map<String, String> out = new TreeMap<>(visible(dir));
    out.put(".hfbeam/manifest.json", Files2.sha256(dir.resolve(".hfbeam/manifest.json")));
    return out;
  }

  @Test
  void aRerunWithOtherSettingsRemovesTheEarlierRunsFilesAndLeavesOthersAlone() throws Exception {
    Path in = ConvertWorkflowTest.jsonl(tmp, 1000);
    Path out = tmp.resolve("out");
    assertThat(convert(in, out, "--batch-size", "100").exitCode, equalTo(0));
    assertThat(Files.exists(out.resolve("train/batch_009.parquet")), is(true));
    Files.writeString(out.resolve("notes.txt"), "mine\n");

    Cli again = convert(in, out, "--batch-size", "400");
    assertThat(again.toString(), again.exitCode, equalTo(0));
    Path fresh = tmp.resolve("fresh/out"); // same name: the card's title is the folder's
    assertThat(convert(in, fresh, "--batch-size", "400").exitCode, equalTo(0));

    Map<String, String> expected = new TreeMap<>(visible(fresh));
    expected.put("notes.txt", Files2.sha256(out.resolve("notes.txt")));
    assertThat(visible(out), equalTo(expected));
    assertThat(again.out, containsString("notes.txt"));
    assertThat(Files.readString(out.resolve("notes.txt")), equalTo("mine\n"));
  }

  @Test
  void anOutputInsideTheInputDirectoryIsAUsageError() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("in"));
    ConvertWorkflowTest.jsonl(dir, 10);
    Cli run = convert(dir, dir.resolve("out"));
    assertThat(run.toString(), run.exitCode, equalTo(2));
    assertThat(run.err.lines().count(), equalTo(1L));
    assertThat(run.err, containsString("inside the input"));
    assertThat(Files.exists(dir.resolve("out")), is(false));
  }

  @Test
  void aRunOverTheErrorBudgetLeavesThePreviousDatasetUntouched() throws Exception {
    Path in = ConvertWorkflowTest.jsonl(tmp, 1000); // one bad record
    Path out = tmp.resolve("out");
    assertThat(convert(in, out, "--batch-size", "100").exitCode, equalTo(0));
    Map<String, String> before = dataset(out);

    Cli failed = convert(in, out, "--batch-size", "300", "--max-error-rate", "0");
    assertThat(failed.toString(), failed.exitCode, equalTo(1));
    assertThat(failed.err, containsString("--max-error-rate"));
    assertThat(failed.err, containsString("previous dataset"));
    assertThat(dataset(out), equalTo(before));
    // the run's work is kept where the message says, for a look at its errors
    assertThat(failed.err, containsString(out.resolve(".hfbeam/staging").toString()));
    assertThat(Files.exists(out.resolve(".hfbeam/staging/_errors/errors.jsonl")), is(true));
  }

  @Test
  void aFailedWriteLeavesThePreviousDatasetUntouchedAndNoPartialFiles() throws Exception {
    Path in = ConvertWorkflowTest.jsonl(tmp, 1000);
    Path out = tmp.resolve("out");
    assertThat(convert(in, out, "--batch-size", "100").exitCode, equalTo(0));
    Map<String, String> before = dataset(out);

    System.setProperty(AtomicFiles.FAIL_WRITE_PROPERTY, "train/batch_002.parquet");
    Cli failed;
    try {
      failed = convert(in, out, "--batch-size", "300");
    } finally {
      System.clearProperty(AtomicFiles.FAIL_WRITE_PROPERTY);
    }
    assertThat(failed.toString(), failed.exitCode, equalTo(1));
    assertThat(failed.err, containsString("No space left on device"));
    assertThat(failed.err, containsString("previous dataset"));
    assertThat(dataset(out), equalTo(before));
    assertThat(
        files(out).stream().filter(p -> p.toString().endsWith(".tmp")).toList(),
        equalTo(List.of()));

    // a later good run still gives exactly the dataset of its settings
    assertThat(convert(in, out, "--batch-size", "300").exitCode, equalTo(0));
    Path fresh = tmp.resolve("fresh/out"); // same name: the card's title is the folder's
    assertThat(convert(in, fresh, "--batch-size", "300").exitCode, equalTo(0));
    assertThat(visible(out), equalTo(visible(fresh)));
  }

  @Test
  void anEmptyInputSaysNoRecordsAndExitsOne() throws Exception {
    Path in = Files.writeString(tmp.resolve("empty.jsonl"), "");
    Path out = tmp.resolve("out");
    Cli run = convert(in, out);
    assertThat(run.toString(), run.exitCode, equalTo(1));
    assertThat(run.err, containsString("no records"));
    assertThat(run.out, not(containsString("load_dataset")));
    assertThat(Files.exists(out.resolve("README.md")), is(false));
  }

  @Test
  void anInputOfOnlyBadRecordsSaysNoRecordsAndExitsOne() throws Exception {
    Path in = Files.writeString(tmp.resolve("bad.jsonl"), "{\"id\": \"x\"}\nnot json\n");
    Path out = tmp.resolve("out");
    Cli run = convert(in, out);
    assertThat(run.toString(), run.exitCode, equalTo(1));
    assertThat(run.err, containsString("no records"));
    assertThat(Files.exists(out.resolve("README.md")), is(false));
  }
}
