package io.hfbeam.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.lang3.SerializationUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PromptFileTest {
  static final Path SHIPPED = Path.of("config/prompts/medec-safe-augmentation.json");
  static final List<String> MEDEC_COLUMNS =
      List.of(
          "Text ID",
          "Text",
          "Sentences",
          "Error Flag",
          "Error Type",
          "Error Sentence ID",
          "Error Sentence",
          "Corrected Sentence",
          "Corrected Text");

  @Test
  void realHeaderIsTheOneTheDefaultsAreWrittenFor() throws Exception {
    assertEquals(MEDEC_COLUMNS, Medec.header());
  }

  @Test
  void shippedFileLoadsAgainstTheRealHeader() throws Exception {
    PromptFile pf = PromptFile.load(SHIPPED, Medec.header());
    assertEquals(Set.of("paraphrase_correct", "explain_error"), pf.taskNames());
    assertTrue(pf.task("paraphrase_correct").user().fields().contains("Corrected Text"));
    assertTrue(
        pf.task("paraphrase_correct").checks().stream()
            .anyMatch(
                c -> c.kind().equals("not_contains_field") && c.field().equals("Error Sentence")));
    // Not against a header without the corrected side.
    List<String> cut = new ArrayList<>(MEDEC_COLUMNS);
    cut.remove("Corrected Text");
    PromptFileException e = assertThrows(PromptFileException.class, () -> pf.checkFields(cut));
    assertTrue(e.getMessage().contains("unknown field 'Corrected Text'"), e.getMessage());
  }

  @Test
  void rendersARequestForARealFlaggedRow() throws Exception {
    Map<String, String> row =
        Medec.rows().stream()
            .filter(r -> r.get("Error Flag").equals("1"))
            .findFirst()
            .orElseThrow();
    PromptFile pf = PromptFile.load(SHIPPED, row.keySet());

    ChatRequest p = pf.task("paraphrase_correct").request(row, "gpt-4o-mini");
    assertEquals("gpt-4o-mini", p.model());
    assertEquals(List.of("system", "user"), p.messages().stream().map(ChatMessage::role).toList());
    assertTrue(p.messages().get(1).content().contains(row.get("Corrected Text")));
    assertFalse(p.messages().get(1).content().contains("{{"));
    assertEquals(0.7, p.temperature());
    assertEquals(1024, p.maxTokens());
    assertEquals(42L, p.seed());
    JsonNode schema = new ObjectMapper().readTree(p.jsonSchema());
    assertEquals("string", schema.at("/properties/paraphrase/type").asText());

    ChatRequest x = pf.task("explain_error").request(row, "m");
    String user = x.messages().get(1).content();
    assertTrue(user.contains(row.get("Error Sentence")));
    assertTrue(user.contains(row.get("Error Type")));
    assertTrue(
        new ObjectMapper()
            .readTree(x.jsonSchema())
            .at("/required")
            .toString()
            .contains("reasoning"));
  }

  @Test
  void shippedSchemasSuitBothBackends() {
    PromptFile pf = PromptFile.load(SHIPPED);
    for (String name : pf.taskNames()) {
      String schema = pf.task(name).schemaJson();
      // llama.cpp's grammar conversion accepts it ...
      GrammarSchema.check(schema);
      // ... and OpenAI's strict mode: no string-length keywords, closed objects.
      assertFalse(schema.contains("minLength") || schema.contains("maxLength"), schema);
      assertTrue(schema.contains("\"additionalProperties\":false"), schema);
    }
  }

  @Test
  void taskSurvivesJavaSerialization() throws Exception {
    PromptFile.Task t = PromptFile.load(SHIPPED).task("paraphrase_correct");
    PromptFile.Task back = SerializationUtils.clone(t);
    Map<String, String> rec = record();
    assertEquals(t.request(rec, "m"), back.request(rec, "m"));
    assertTrue(back.validate(good(), rec).ok());
  }

  private static Map<String, String> record() {
    Map<String, String> r = new HashMap<>();
    r.put("Corrected Text", "Patient with fever. Started on ceftriaxone for gonorrhea.");
    r.put("Error Sentence", "Started on   Azithromycin for gonorrhea.");
    return r;
  }

  private static String good() {
    return "{\"paraphrase\": \"The patient presented febrile and received ceftriaxone therapy for gonococcal infection.\"}";
  }

  @Test
  void validationAcceptsAGoodAnswerAndRejectsEachFailureKind() throws Exception {
    PromptFile.Task t = PromptFile.load(SHIPPED).task("paraphrase_correct");
    Map<String, String> rec = record();

    PromptFile.Validation ok = t.validate(good(), rec);
    assertTrue(ok.ok(), ok.reasons().toString());
    assertEquals(List.of(), ok.reasons());
    assertNotNull(ok.parsed());
    assertTrue(ok.parsed().get("paraphrase").asText().startsWith("The patient"));

    assertRejected(t.validate("not json {", rec), "answer is not JSON");
    assertRejected(t.validate("", rec), "answer is empty");
    assertRejected(t.validate("[1]", rec), "/: expected object, got array");
    assertRejected(t.validate("{}", rec), "missing required property 'paraphrase'");
    assertRejected(
        t.validate("{\"paraphrase\": 5}", rec), "/paraphrase: expected string, got integer");
    assertRejected(
        t.validate(good().replace("}", ", \"extra\": 1}"), rec), "unexpected property 'extra'");
    assertRejected(
        t.validate("{\"paraphrase\": \"short\"}", rec), "min_chars: /paraphrase has 5 < 40");
    assertRejected(
        t.validate("{\"paraphrase\": \"" + "a".repeat(8001) + "\"}", rec),
        "max_chars: /paraphrase has 8001 > 8000");
    // The error sentence, re-cased and re-spaced, still counts as repeated.
    assertRejected(
        t.validate(
            "{\"paraphrase\": \"Febrile patient. STARTED on azithromycin\\n for gonorrhea. More.\"}",
            rec),
        "not_contains_field: /paraphrase repeats 'Error Sentence'");
    assertRejected(
        t.validate(
            "{\"paraphrase\": \"  patient with FEVER.  Started on ceftriaxone for gonorrhea. \"}",
            rec),
        "differs_from_field: /paraphrase is the same as 'Corrected Text'");
  }

  private static void assertRejected(PromptFile.Validation v, String reason) {
    assertFalse(v.ok(), "accepted, expected: " + reason);
    assertTrue(
        v.reasons().stream().anyMatch(r -> r.contains(reason)),
        "expected a reason containing '" + reason + "', got " + v.reasons());
    v.reasons().forEach(r -> assertFalse(r.contains("\n"), r));
  }

  @Test
  void schemaSubsetKeywords() throws Exception {
    ObjectMapper m = new ObjectMapper();
    JsonNode s =
        m.readTree(
            "{\"type\":\"object\",\"properties\":{"
                + "\"label\":{\"enum\":[\"CORRECT\",\"INCORRECT\"]},"
                + "\"score\":{\"type\":\"number\",\"minimum\":0,\"maximum\":1},"
                + "\"n\":{\"type\":\"integer\"},"
                + "\"tags\":{\"type\":\"array\",\"items\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":3}}},"
                + "\"additionalProperties\":{\"type\":\"boolean\"}}");
    assertEquals(
        List.of(),
        SchemaSubset.validate(
            s,
            m.readTree(
                "{\"label\":\"CORRECT\",\"score\":0.5,\"n\":2.0,\"tags\":[\"ab\"],\"x\":true}")));
    assertEquals(
        List.of(
            "/label: \"maybe\" is not one of [\"CORRECT\",\"INCORRECT\"]",
            "/score: 1.5 is more than 1",
            "/n: expected integer, got number",
            "/tags/1: 4 characters, more than 3",
            "/tags/2: 0 characters, fewer than 1",
            "/x: expected boolean, got integer"),
        SchemaSubset.validate(
            s,
            m.readTree(
                "{\"label\":\"maybe\",\"score\":1.5,\"n\":2.5,\"tags\":[\"ab\",\"abcd\",\"\"],\"x\":1}")));
    assertEquals(
        List.of("/score: -1 is less than 0"),
        SchemaSubset.validate(s, m.readTree("{\"score\":-1}")));
  }

  @Test
  void templateDefaultsAndMissingValues() {
    Template t = Template.parse("Type: {{Error Type|unspecified}}; text: {{ Text }}");
    assertEquals(List.of("Error Type", "Text"), List.copyOf(t.fields()));
    assertEquals("Type: unspecified; text: x", t.render(Map.of("Text", "x")));
    assertEquals("Type: dx; text: x", t.render(Map.of("Text", "x", "Error Type", "dx")));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> t.render(Map.of("Error Type", "dx")));
    assertEquals(
        "record has no value for 'Text' and the template gives no default", e.getMessage());
  }

  // --- bad prompt files: one located line each ---

  private static final String GOOD_TASK =
      "{\"system\":\"s\",\"user\":\"{{Text}}\",\"schema\":{\"type\":\"object\"}}";

  private static String withKeys(String extra) {
    return GOOD_TASK.substring(0, GOOD_TASK.length() - 1) + extra + "}";
  }

  private static String badLine(String json, List<String> columns) {
    PromptFileException e =
        assertThrows(
            PromptFileException.class, () -> PromptFile.parse(json, "p.json").checkFields(columns));
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
    return e.getMessage();
  }

  @Test
  void unknownFieldIsFoundAgainstTheColumns() {
    String json = "{\"tasks\":{\"t\":" + GOOD_TASK.replace("{{Text}}", "a {{Txet|x}} b") + "}}";
    // Loads without columns; the typo is found when the input's columns are known.
    PromptFile pf = PromptFile.parse(json, "p.json");
    assertEquals(
        "p.json: /tasks/t/user: unknown field 'Txet', the input has [Text ID, Text]",
        badLine(json, List.of("Text ID", "Text")));
    assertNotNull(pf);
    String check =
        "{\"tasks\":{\"t\":"
            + withKeys(
                ",\"checks\":[{\"check\":\"not_contains_field\",\"path\":\"/a\",\"field\":\"Nope\"}]")
            + "}}";
    assertEquals(
        "p.json: /tasks/t/checks/0/field: unknown field 'Nope', the input has [Text]",
        badLine(check, List.of("Text")));
  }

  @Test
  void badSchemaType() {
    String json =
        "{\"tasks\":{\"t\":"
            + GOOD_TASK.replace(
                "{\"type\":\"object\"}",
                "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"str\"}}}")
            + "}}";
    String line = badLine(json, List.of("Text"));
    assertTrue(
        line.startsWith("p.json: /tasks/t/schema/properties/a/type: unknown type \"str\""), line);
    String kw =
        "{\"tasks\":{\"t\":"
            + GOOD_TASK.replace("\"object\"}", "\"object\",\"pattern\":\"x\"}")
            + "}}";
    assertEquals(
        "p.json: /tasks/t/schema/pattern: unsupported schema keyword 'pattern'",
        badLine(kw, List.of("Text")));
  }

  @Test
  void missingTaskParts() {
    assertEquals(
        "p.json: /tasks/t: missing \"user\"",
        badLine(
            "{\"tasks\":{\"t\":" + GOOD_TASK.replace("\"user\":\"{{Text}}\",", "") + "}}",
            List.of("Text")));
    assertEquals(
        "p.json: /tasks/t: missing \"schema\" (the answer's JSON schema)",
        badLine("{\"tasks\":{\"t\":{\"system\":\"s\",\"user\":\"u\"}}}", List.of("Text")));
    assertEquals(
        "p.json: /tasks: must be an object with at least one task",
        badLine("{\"tasks\":{}}", List.of("Text")));
    assertEquals(
        "p.json: /tasks/t/max_tokens: must be a positive integer",
        badLine(
            "{\"tasks\":{\"t\":"
                + GOOD_TASK.replace("{\"system\"", "{\"max_tokens\":0,\"system\"")
                + "}}",
            List.of()));
    assertEquals(
        "p.json: /tasks/t/checks/0/check: unknown check 'nope', expected not_contains_field,"
            + " differs_from_field, max_chars, min_chars, matches, one_of_field, int_range or"
            + " min_items",
        badLine(
            "{\"tasks\":{\"t\":"
                + withKeys(",\"checks\":[{\"check\":\"nope\",\"path\":\"\"}]")
                + "}}",
            List.of("Text")));
    assertEquals(
        "p.json: /tasks/t/user: unclosed '{{' at character 2",
        badLine(
            "{\"tasks\":{\"t\":" + GOOD_TASK.replace("{{Text}}", "a {{Text") + "}}",
            List.of("Text")));
    assertEquals(
        "p.json: /tasks/t/tempreature: unknown task key 'tempreature'",
        badLine(
            "{\"tasks\":{\"t\":"
                + GOOD_TASK.replace("{\"system\"", "{\"tempreature\":1,\"system\"")
                + "}}",
            List.of()));
  }

  @Test
  void badJsonHasLineAndColumn(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("bad.json");
    Files.writeString(f, "{\n  \"tasks\": {\n    \"t\": {\"system\": \"s\",, }\n  }\n}\n");
    PromptFileException e = assertThrows(PromptFileException.class, () -> PromptFile.load(f));
    assertTrue(e.getMessage().startsWith(f + ":3:26: not valid JSON: "), e.getMessage());
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
    // Jackson's "[Source: ...]" (which quotes the file) is cut to the location.
    Files.writeString(f, "{\"tasks\": {\"t\": {\"system\": \"s\"}}");
    e = assertThrows(PromptFileException.class, () -> PromptFile.load(f));
    assertTrue(e.getMessage().endsWith("(start marker at line 1, column 1)"), e.getMessage());
    assertFalse(e.getMessage().contains("Source"), e.getMessage());
    PromptFileException missing =
        assertThrows(PromptFileException.class, () -> PromptFile.load(dir.resolve("none.json")));
    assertTrue(
        missing.getMessage().startsWith(dir.resolve("none.json") + ": /: cannot read"),
        missing.getMessage());
  }

  @Test
  void unknownTaskNameSaysWhichThereAre() {
    PromptFile pf = PromptFile.load(SHIPPED);
    PromptFileException e = assertThrows(PromptFileException.class, () -> pf.task("paraphrase"));
    assertEquals(
        SHIPPED
            + ": /tasks: no task 'paraphrase', the file has [explain_error, paraphrase_correct]",
        e.getMessage());
  }

  // --- the pairing defaults ---

  @Test
  void pairingDefaultsNameRealColumnsAndMakeThePublishedPairs() throws Exception {
    JsonNode y = new YAMLMapper().readTree(Path.of("config/sft-pairing-medec.yaml").toFile());
    List<String> header = Medec.header();
    y.get("pair")
        .fields()
        .forEachRemaining(e -> assertTrue(header.contains(e.getValue().asText()), e.toString()));
    for (JsonNode rule : y.get("skip")) {
      assertTrue(header.contains(rule.get("column").asText()), rule.toString());
    }
    PromptFile pf = PromptFile.load(Path.of("config/prompts/medec-safe-augmentation.json"), header);
    y.get("tasks").fields().forEachRemaining(e -> pf.task(e.getValue().asText()));

    // Applying the skip rules as written to the published CSV leaves SOURCES.md's 319 pairs.
    int pairs = 0;
    for (Map<String, String> row : Medec.rows()) {
      boolean skip = false;
      for (JsonNode rule : y.get("skip")) {
        String v = row.get(rule.get("column").asText());
        if (rule.has("not_equals")) {
          skip |= !v.equals(rule.get("not_equals").asText());
        }
        if (rule.has("blank_or")) {
          skip |= v.isBlank();
          for (JsonNode n : rule.get("blank_or")) {
            skip |= v.equals(n.asText());
          }
        }
      }
      if (!skip) {
        pairs++;
        assertFalse(row.get("Corrected Text").equals(row.get("Text")), row.get("Text ID"));
      }
    }
    assertEquals(319, pairs);
  }
}
