package io.hfbeam.mapping;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hfbeam.dataset.ChunkFailure;
import io.hfbeam.dataset.Part;
import io.hfbeam.dataset.ProcessChunks;
import io.hfbeam.dataset.RowPartFormat;
import io.hfbeam.format.files.InputFiles;
import io.hfbeam.format.json.JsonSource;
import io.hfbeam.hf.Features;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.Row;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The HF-schema mapper and the seeded splitter at work inside a pipeline (MapRecords under
 * ProcessChunks).
 */
public class MapRecordsPipelineTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();
  @Rule public final transient TemporaryFolder tmp = new TemporaryFolder();

  static final Schema SCHEMA =
      Schema.builder().addInt64Field("id").addStringField("game").addStringField("text").build();
  static final Features FEATURES = Features.fromBeamSchema(SCHEMA);
  static final Split.Settings SPLIT =
      Split.Settings.builder()
          .split("train", 0.5)
          .split("test", 0.5)
          .keyFields(List.of("game"))
          .seed(7)
          .build();

  private ProcessChunks.Result run(List<InputFiles.Chunk> chunks, Path parts) {
    MapRecords mapper =
        new MapRecords(
            JsonSource.jsonLines(), FieldMapping.identity(FEATURES, true, "train"), SPLIT);
    return p.apply(Create.of(chunks).withCoder(SerializableCoder.of(InputFiles.Chunk.class)))
        .apply(
            ProcessChunks.toParts(mapper, new RowPartFormat(FEATURES, null, true), parts, false));
  }

  /** Every record of a game lands in the split the seeded hash of the game gives, across chunks. */
  @Test
  public void theSplitterKeepsEachGameInTheSplitItsSeededHashChooses() throws Exception {
    Path in = tmp.newFile("games.jsonl").toPath();
    StringBuilder text = new StringBuilder();
    Map<String, Long> expected = new TreeMap<>();
    for (int i = 0; i < 40; i++) {
      String game = "g" + (i % 13);
      text.append("{\"id\": ")
          .append(i)
          .append(", \"game\": \"")
          .append(game)
          .append("\", \"text\": \"t")
          .append(i)
          .append("\"}\n");
      expected.merge(SPLIT.assign(game), 1L, Long::sum);
    }
    Files.writeString(in, text);
    Path parts = tmp.newFolder("parts").toPath();
    ProcessChunks.Result r = run(InputFiles.chunks(List.of(in), 200), parts);
    PAssert.that(r.parts())
        .satisfies(
            ps -> {
              Map<String, Long> rows = new TreeMap<>();
              for (Part part : ps)
                if (!part.isStats()) rows.merge(part.split(), part.rows(), Long::sum);
              assertThat(rows, equalTo(expected));
              return null;
            });
    PAssert.that(r.failures()).empty();
    p.run().waitUntilFinish();

    ObjectMapper json = new ObjectMapper();
    Map<String, String> splitOfGame = new HashMap<>();
    List<Long> ids = new ArrayList<>();
    for (String split : List.of("train", "test")) {
      try (Stream<Path> files = Files.list(parts.resolve("data").resolve(split))) {
        for (Path f : files.filter(x -> x.toString().endsWith(".jsonl")).toList()) {
          for (String line : Files.readAllLines(f)) {
            JsonNode n = json.readTree(line);
            ids.add(n.get("id").asLong());
            assertThat(split, equalTo(SPLIT.assign(n.get("game").asText())));
            assertThat(
                "one game, one split",
                splitOfGame.computeIfAbsent(n.get("game").asText(), g -> split),
                equalTo(split));
          }
        }
      }
    }
    assertThat(ids.size(), equalTo(40));
  }

  /**
   * A record the mapper cannot type and a line that is not JSON become failures on the tag, not
   * rows.
   */
  @Test
  public void recordsTheMapperRefusesAreFailuresWithSourceLineAndReason() throws Exception {
    Path in = tmp.newFile("games.jsonl").toPath();
    Files.writeString(
        in,
        "{\"id\": 1, \"game\": \"a\", \"text\": \"ok\"}\n"
            + "{\"id\": \"one\", \"game\": \"a\", \"text\": \"bad id\"}\n"
            + "{not json\n"
            + "{\"id\": 4, \"game\": \"b\", \"text\": \"ok\"}\n");
    Path parts = tmp.newFolder("parts").toPath();
    ProcessChunks.Result r = run(InputFiles.wholeFiles(List.of(in)), parts);
    String src = in.toString();
    PAssert.that(r.failures())
        .satisfies(
            fs -> {
              List<String> got = new ArrayList<>();
              for (ChunkFailure f : fs) {
                Row row = f.failure();
                assertThat(row.getString("source"), equalTo(src));
                got.add(
                    f.index()
                        + " line "
                        + row.getInt64("line")
                        + " "
                        + row.getString("step")
                        + " last="
                        + f.last());
                assertThat(
                    row.getString("reason"),
                    f.index() == 0 ? startsWith("id") : startsWith("invalid JSON"));
              }
              got.sort(null);
              assertThat(
                  got,
                  equalTo(
                      List.of("0 line 2 MapFields last=false", "1 line 3 MapFields last=true")));
              return null;
            });
    PAssert.that(r.parts())
        .satisfies(
            ps -> {
              long rows = 0;
              for (Part part : ps) rows += part.rows();
              assertThat(rows, equalTo(2L));
              return null;
            });
    p.run().waitUntilFinish();
  }
}
