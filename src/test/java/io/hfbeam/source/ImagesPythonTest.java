package io.hfbeam.source;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hfbeam.hf.BeamMapping;
import io.hfbeam.hf.Feature;
import io.hfbeam.testing.PythonEnv;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.values.Row;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Images decodes to the numbers {@code datasets.Image().decode_example} (Pillow) gives: exactly for
 * PNG, GIF and BMP; within {@link #JPEG_TOLERANCE} for JPEG, whose decoders (Pillow's
 * libjpeg-turbo, the JDK's libjpeg 6b) may round differently.
 */
class ImagesPythonTest {
  /** Largest difference of one JPEG sample between the two decoders, allowed. */
  static final int JPEG_TOLERANCE = 2;

  private static final org.apache.beam.sdk.schemas.Schema VALUE =
      BeamMapping.fieldType(new Feature.Image()).getRowSchema();

  @TempDir Path dir;

  @Test
  void pixelsEqualPillowsForEveryMode() throws Exception {
    Assumptions.assumeTrue(
        PythonEnv.available(), () -> "Python interop skipped: " + PythonEnv.skipReason());
    String script;
    try (var in = getClass().getResourceAsStream("make_images.py")) {
      script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    PythonEnv.Result r = PythonEnv.runScript(script, Map.of(), dir, 300);
    assertThat(r.output(), r.exitCode(), is(0));

    ObjectMapper json = new ObjectMapper();
    List<String> checked = new ArrayList<>();
    StringBuilder report = new StringBuilder();
    for (String line : Files.readAllLines(dir.resolve("expected.jsonl"))) {
      JsonNode want = json.readTree(line);
      String name = want.get("name").asText();
      byte[] bytes = Files.readAllBytes(dir.resolve(name));
      Row got = Images.decode(bytes);
      String mode = want.get("mode").asText();
      assertThat(name, got.getString("mode"), equalTo(mode));
      int h = want.get("shape").get(0).asInt();
      int w = want.get("shape").get(1).asInt();
      int c = want.get("shape").get(2).asInt();
      assertThat(name, got.getInt32("width"), is(w));
      assertThat(name, got.getInt32("height"), is(h));
      List<Integer> flat =
          flatten(got.getValue(mode.equals("I;16") ? "pixels16" : "pixels"), h, w, c);
      assertThat(name, got.getValue(mode.equals("I;16") ? "pixels" : "pixels16"), equalTo(null));
      int maxDiff = 0;
      JsonNode data = want.get("data");
      assertThat(name, flat.size(), is(data.size()));
      for (int i = 0; i < flat.size(); i++) {
        maxDiff = Math.max(maxDiff, Math.abs(flat.get(i) - data.get(i).asInt()));
      }
      report.append(name).append(" max diff ").append(maxDiff).append("; ");
      assertThat(
          name + ": " + report,
          maxDiff,
          lessThanOrEqualTo(name.endsWith(".jpg") ? JPEG_TOLERANCE : 0));
      checked.add(name);
    }
    System.out.println("ImagesPythonTest: " + report);

    // Image(mode=...): the conversions equal Pillow's convert exactly
    int conversions = 0;
    for (String line : Files.readAllLines(dir.resolve("converted.jsonl"))) {
      JsonNode want = json.readTree(line);
      String name = want.get("name").asText();
      String mode = want.get("mode").asText();
      Row got =
          Images.decode(
              Row.withSchema(VALUE).addValues(Files.readAllBytes(dir.resolve(name)), null).build(),
              p -> null,
              new Feature.Image(mode, true));
      assertThat(name + " -> " + mode, got.getString("mode"), equalTo(mode));
      List<Integer> flat =
          flatten(
              got.getValue("pixels"), got.getInt32("height"), got.getInt32("width"), mode.length());
      List<Integer> expected = new ArrayList<>();
      want.get("data").forEach(v -> expected.add(v.asInt()));
      assertThat(name + " -> " + mode, flat, equalTo(expected));
      conversions++;
    }
    assertThat(conversions, is(20));
    assertThat(checked.size(), is(22));
  }

  /** The (height, width, channels) nested lists, checked for shape, flattened. */
  @SuppressWarnings("unchecked")
  static List<Integer> flatten(Object pixels, int h, int w, int c) {
    List<Integer> out = new ArrayList<>();
    List<Object> rows = (List<Object>) pixels;
    assertThat(rows.size(), is(h));
    for (Object row : rows) {
      List<Object> px = (List<Object>) row;
      assertThat(px.size(), is(w));
      for (Object p : px) {
        List<Number> channels = (List<Number>) p;
        assertThat(channels.size(), is(c));
        channels.forEach(v -> out.add(v.intValue()));
      }
    }
    return out;
  }
}
