package io.hfbeam.workflow.convert;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.hfbeam.dataset.Batch;
import io.hfbeam.format.parquet.ParquetSettings;
import io.hfbeam.hf.Features;
import io.hfbeam.mapping.Split;
import io.hfbeam.workflow.WatchSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.joda.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * convert in its continuous form on the DirectRunner, end to end on a real watched directory: JSONL
 * files that land there become the next batches within a commit interval, the card counts
 * everything written so far, and a malformed line goes to that pane's errors file with its location
 * while the other rows are written. Which pane a file lands in, and the per-pane error budget, are
 * proved without watching or sleeping in {@link ConvertPanesTest}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ConvertWatchTest {
  @TempDir Path tmp;

  @Test
  void landedFilesBecomeTheNextBatches() throws Exception {
    Path in = Files.createDirectories(tmp.resolve("in"));
    Path out = tmp.resolve("out");
    Features features =
        Features.parse(
            new ObjectMapper()
                .readTree(
                    "{\"id\": {\"dtype\": \"string\", \"_type\": \"Value\"}, \"n\": {\"dtype\": \"int64\", \"_type\": \"Value\"}}"));
    ConvertWorkflow.Settings s =
        new ConvertWorkflow.Settings(
            List.of(),
            ConvertWorkflow.InputFormat.JSONL,
            features,
            out,
            true,
            true,
            "{split}/batch_{NNN}.parquet",
            ParquetSettings.builder().build(),
            Split.Settings.builder().trainRatio(0.9).seed(42).build(),
            Batch.Settings.of(150),
            1 << 20);
    DirectOptions options =
        PipelineOptionsFactory.fromArgs("--runner=DirectRunner", "--blockOnRun=false")
            .as(DirectOptions.class);
    Pipeline p = Pipeline.create(options);
    ConvertWorkflow.buildWatch(
        p, s, new WatchSettings(in.toString(), Duration.millis(300), Duration.standardSeconds(1)));
    PipelineResult run = p.run();
    try {
      land(in, "a.jsonl", rows("a", 100, -1));
      awaitCard(out, 100);
      land(in, "b.jsonl", rows("b", 200, 7)); // line 8 is broken
      awaitCard(out, 299);
      assertThat("every id once, in the JSONL batches", ids(out), equalTo(expectedIds()));
      List<Path> errors = files(out.resolve("_errors"));
      assertThat(errors.toString(), errors.size(), equalTo(1));
      String error = Files.readString(errors.get(0));
      assertThat(error, containsString("b.jsonl"));
      assertThat(error, containsString("\"line\": 8"));
      assertThat(
          "numbering goes on across panes",
          Files.exists(out.resolve("train/batch_003.parquet")),
          equalTo(true));
    } finally {
      run.cancel();
    }
  }

  static String rows(String prefix, int n, int broken) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      sb.append(
              i == broken
                  ? "{\"id\": \"broken"
                  : "{\"id\": \"" + prefix + i + "\", \"n\": " + i + "}")
          .append('\n');
    }
    return sb.toString();
  }

  static List<String> expectedIds() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 100; i++) ids.add("a" + i);
    for (int i = 0; i < 200; i++) if (i != 7) ids.add("b" + i);
    ids.sort(null);
    return ids;
  }

  static void land(Path dir, String name, String text) throws IOException {
    Path hidden = dir.resolve("." + name + ".tmp");
    Files.writeString(hidden, text, StandardCharsets.UTF_8);
    Files.move(hidden, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
  }

  static final Pattern EXAMPLES = Pattern.compile("num_examples: (\\d+)");

  static void awaitCard(Path out, long rows) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    long seen = -1;
    while (System.nanoTime() < deadline) {
      Path card = out.resolve("README.md");
      if (Files.exists(card)) {
        Matcher m = EXAMPLES.matcher(Files.readString(card));
        seen = 0;
        while (m.find()) seen += Long.parseLong(m.group(1));
        if (seen == rows) return;
      }
      Thread.sleep(100);
    }
    fail("the card counts " + seen + " rows, not " + rows);
  }

  static List<String> ids(Path out) throws IOException {
    List<String> ids = new ArrayList<>();
    ObjectMapper json = new ObjectMapper();
    for (Path f : files(out)) {
      if (!f.toString().endsWith(".jsonl") || f.toString().contains("_errors")) continue;
      for (String line : Files.readAllLines(f)) ids.add(json.readTree(line).path("id").asText());
    }
    ids.sort(null);
    return ids;
  }

  /** The dataset's files; hidden folders (staging, parts) are not entered: the run changes them. */
  static List<Path> files(Path dir) throws IOException {
    if (!Files.exists(dir)) return List.of();
    List<Path> files = new ArrayList<>();
    Files.walkFileTree(
        dir,
        new java.nio.file.SimpleFileVisitor<>() {
          @Override
          public java.nio.file.FileVisitResult preVisitDirectory(
              Path d, java.nio.file.attribute.BasicFileAttributes attrs) {
            return !d.equals(dir) && d.getFileName().toString().startsWith(".")
                ? java.nio.file.FileVisitResult.SKIP_SUBTREE
                : java.nio.file.FileVisitResult.CONTINUE;
          }

          @Override
          public java.nio.file.FileVisitResult visitFile(
              Path f, java.nio.file.attribute.BasicFileAttributes attrs) {
            if (attrs.isRegularFile() && !f.getFileName().toString().startsWith(".")) files.add(f);
            return java.nio.file.FileVisitResult.CONTINUE;
          }
        });
    files.sort(null);
    return files;
  }
}
