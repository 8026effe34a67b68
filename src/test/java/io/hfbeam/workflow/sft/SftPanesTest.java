package io.hfbeam.workflow.sft;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.hfbeam.dataset.AssemblePanes;
import io.hfbeam.dataset.WrittenFile;
import io.hfbeam.format.files.InputFiles;
import io.hfbeam.format.parquet.ParquetSettings;
import io.hfbeam.llm.BackendSpec;
import io.hfbeam.llm.PromptFile;
import io.hfbeam.llm.ScriptedOpenAiServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.values.PCollection;
import org.joda.time.Duration;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * sft-generate's continuous form with pair files' arrival driven by TestStream: each file's pairs
 * land in the pane open when it arrives, batches number on, answers come from the journal.
 */
public class SftPanesTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();
  @Rule public final transient TemporaryFolder tmp = new TemporaryFolder();

  static final Duration INTERVAL = Duration.standardSeconds(30);
  private ScriptedOpenAiServer server;

  @Before
  public void start() throws Exception {
    server = new ScriptedOpenAiServer().chatDefault(ScriptedOpenAiServer.medec());
  }

  @After
  public void stop() {
    server.close();
  }

  /** Settings of a run against the scripted server, as the CLI makes them. */
  static SftGenerateWorkflow.Settings settings(Path out, String baseUrl, long numPairs)
      throws Exception {
    PairMapping mapping =
        PairMapping.parse(
            new ObjectMapper(new YAMLFactory())
                .readTree(Path.of("config/sft-pairing-medec.yaml").toFile()),
            "config/sft-pairing-medec.yaml");
    PromptFile prompts = PromptFile.load(Path.of("config/prompts/medec-safe-augmentation.json"));
    SftSettings llm =
        new SftSettings(
            null,
            BackendSpec.openAi(baseUrl).withConcurrency(2).withKey("sk-" + "test-123456"),
            "gpt-4o-mini",
            prompts,
            mapping,
            false,
            null,
            null,
            0,
            0,
            Files.readString(Path.of("config/llm-prices.yaml")),
            2,
            null,
            null,
            5,
            0,
            Map.of());
    return new SftGenerateWorkflow.Settings(
        List.of(), null, out, numPairs, ParquetSettings.builder().build(), llm);
  }

  /** JSON Lines of flagged MEDEC rows {@code skip}..{@code skip + n}, landed as file {@code i}. */
  private InputFiles.Chunk landed(String name, int fileIndex, int skip, int n) throws Exception {
    com.fasterxml.jackson.dataformat.csv.CsvMapper csv =
        new com.fasterxml.jackson.dataformat.csv.CsvMapper();
    List<Map<String, String>> rows = new ArrayList<>();
    try (var it =
        csv.readerFor(Map.class)
            .with(com.fasterxml.jackson.dataformat.csv.CsvSchema.emptySchema().withHeader())
            .<Map<String, String>>readValues(Path.of(SftGenerateTest.MEDEC).toFile())) {
      while (it.hasNext()) {
        Map<String, String> r = it.next();
        if ("1".equals(r.get("Error Flag"))) rows.add(r);
      }
    }
    ObjectMapper json = new ObjectMapper();
    StringBuilder text = new StringBuilder();
    for (Map<String, String> r : rows.subList(skip, skip + n))
      text.append(json.writeValueAsString(r)).append('\n');
    Path f = tmp.getRoot().toPath().resolve("in").resolve(name);
    Files.createDirectories(f.getParent());
    Files.writeString(f, text);
    InputFiles.Chunk c = InputFiles.wholeFiles(List.of(f)).get(0);
    return new InputFiles.Chunk(c.path(), fileIndex, c.index(), c.start(), c.end(), c.whole());
  }

  static List<String> describe(Iterable<AssemblePanes.Pane> panes) {
    List<String> out = new ArrayList<>();
    for (AssemblePanes.Pane pane : panes) {
      for (WrittenFile f : pane.files()) out.add(pane.number() + " " + f.path() + " " + f.rows());
    }
    return out;
  }

  @Test
  public void eachPairFileGoesToThePaneOpenWhenItLands() throws Exception {
    Path out = tmp.newFolder("out").toPath();
    SftGenerateWorkflow.Settings s =
        SftGenerateWorkflow.prepare(
            settings(out, server.baseUrl(), 0),
            new SftGenerateWorkflow.Survey(0, 0, 0, 0, Map.of()),
            UUID.randomUUID().toString());
    TestStream<InputFiles.Chunk> files =
        TestStream.create(SerializableCoder.of(InputFiles.Chunk.class))
            .addElements(landed("a.jsonl", 0, 0, 3))
            .advanceProcessingTime(INTERVAL.plus(Duration.millis(1)))
            .addElements(landed("b.jsonl", 1, 3, 2))
            .advanceProcessingTime(INTERVAL.plus(Duration.millis(1)))
            .advanceWatermarkToInfinity();
    PCollection<AssemblePanes.Pane> panes =
        SftGenerateWorkflow.watched(s, 1).panes(p.apply(files), INTERVAL);
    PAssert.that(panes)
        .satisfies(
            ps -> {
              assertThat(
                  describe(ps),
                  containsInAnyOrder(
                      "1 combined/batch_001.parquet 6",
                      "1 correct/batch_001.parquet 3",
                      "1 incorrect/batch_001.parquet 3",
                      "1 README.md 0",
                      "2 combined/batch_002.parquet 4",
                      "2 correct/batch_002.parquet 2",
                      "2 incorrect/batch_002.parquet 2",
                      "2 README.md 0",
                      "3 README.md 0"));
              return null;
            });
    p.run().waitUntilFinish();
    Generation.close(s.llm().runId());
    org.junit.Assert.assertEquals(5, server.chatRequests());
  }
}
