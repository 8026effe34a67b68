package io.hfbeam.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.apache.commons.lang3.SerializationUtils;
import org.junit.jupiter.api.Test;

/**
 * The prompt-file parts Kura's prompts need: no system prompt, dedent, and the checks int_range,
 * matches, min_items and one_of_field.
 */
class PromptFileChecksTest {
  private static PromptFile.Task task(String checks) {
    return task(checks, "");
  }

  private static PromptFile.Task task(String checks, String extra) {
    String json =
        "{\"tasks\":{\"t\":{\"user\":\"{{x}}\""
            + extra
            + ",\"schema\":{\"type\":\"object\"},"
            + "\"checks\":["
            + checks
            + "]}}}";
    return PromptFile.parse(json, "p.json").task("t");
  }

  private static String bad(String checks, String extra) {
    PromptFileException e = assertThrows(PromptFileException.class, () -> task(checks, extra));
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
    return e.getMessage();
  }

  private static List<String> reasons(PromptFile.Task t, String answer, Map<String, ?> record) {
    PromptFile.Validation v = t.validate(answer, record);
    assertEquals(v.reasons().isEmpty(), v.ok());
    v.reasons().forEach(r -> assertFalse(r.contains("\n"), r));
    return v.reasons();
  }

  @Test
  void withoutSystemTheRequestIsTheUserMessageAlone() {
    PromptFile.Task t = task("");
    assertNull(t.system());
    ChatRequest r = t.request(Map.of("x", "hello"), "m");
    assertEquals(List.of(ChatMessage.user("hello")), r.messages());
  }

  @Test
  void dedentWorksOnEveryMessageAfterRendering() {
    PromptFile.Task t = task("", ",\"dedent\":true,\"system\":\"\\n    sys\\n      more\\n    \"");
    // Kura's rename prompt is indented in its source; instructor dedents it
    assertEquals("\nsys\n  more\n", t.system());
    // the margin is the one of the rendered text: a value's own lines count
    assertEquals(
        "\n    a\nb\n",
        t.request(Map.of("x", "\n    a\nb\n  \t "), "m").messages().get(1).content());
    assertEquals(
        "\na\n  b\n\n",
        t.request(Map.of("x", "\n  a\n    b\n   \n"), "m").messages().get(1).content());
    // without dedent the text is sent as rendered
    PromptFile.Task raw = task("");
    assertEquals("  a\n  ", raw.request(Map.of("x", "  a\n  "), "m").messages().get(0).content());
    assertTrue(bad("", ",\"dedent\":\"yes\"").endsWith("/tasks/t/dedent: must be true or false"));
    assertEquals(
        t.request(Map.of("x", "a"), "m"),
        SerializationUtils.clone(t).request(Map.of("x", "a"), "m"));
  }

  @Test
  void intRange() {
    PromptFile.Task t = task("{\"check\":\"int_range\",\"path\":\"/s\",\"min\":1,\"max\":5}");
    Map<String, String> rec = Map.of();
    for (String ok : List.of("{\"s\":1}", "{\"s\":5}", "{\"s\":3.0}", "{\"s\":null}", "{}")) {
      assertEquals(List.of(), reasons(t, ok, rec), ok);
    }
    assertEquals(List.of("int_range: /s is 0, less than 1"), reasons(t, "{\"s\":0}", rec));
    assertEquals(List.of("int_range: /s is 6, more than 5"), reasons(t, "{\"s\":6}", rec));
    assertEquals(
        List.of("int_range: /s is 99999999999999999999, more than 5"),
        reasons(t, "{\"s\":99999999999999999999}", rec));
    assertEquals(List.of("int_range: /s is not a number"), reasons(t, "{\"s\":\"3\"}", rec));
    PromptFile.Task min = task("{\"check\":\"int_range\",\"path\":\"/s\",\"min\":-2}");
    assertEquals(List.of(), reasons(min, "{\"s\":1000}", rec));
    assertEquals(List.of("int_range: /s is -3, less than -2"), reasons(min, "{\"s\":-3}", rec));
    assertTrue(
        bad("{\"check\":\"int_range\",\"path\":\"/s\"}", "")
            .endsWith("/tasks/t/checks/0: needs \"min\", \"max\" or both"));
    assertTrue(
        bad("{\"check\":\"int_range\",\"path\":\"/s\",\"min\":5,\"max\":1}", "")
            .endsWith("/tasks/t/checks/0/min: is larger than max"));
    assertTrue(
        bad("{\"check\":\"int_range\",\"path\":\"/s\",\"min\":1.5}", "")
            .endsWith("/tasks/t/checks/0/min: must be an integer"));
    assertTrue(
        bad("{\"check\":\"int_range\",\"path\":\"/s\",\"min\":1,\"value\":3}", "")
            .endsWith("/tasks/t/checks/0/value: unknown key 'value' for a int_range check"));
  }

  @Test
  void matches() {
    PromptFile.Task t =
        task("{\"check\":\"matches\",\"path\":\"/slug\",\"pattern\":\"[a-z0-9]+(_[a-z0-9]+){2}\"}");
    Map<String, String> rec = Map.of();
    assertEquals(List.of(), reasons(t, "{\"slug\":\"code_debugging_help\"}", rec));
    assertEquals(List.of(), reasons(t, "{\"slug\":\"python3_code_help\"}", rec));
    for (String wrong :
        List.of(
            "code_debugging",
            "code_debugging_help_now",
            "Code_debugging_help",
            "code-debugging-help",
            "code debugging help",
            "code_debugging_help\n",
            "_code_debugging",
            "")) {
      List<String> rs =
          reasons(t, new ObjectMapper().createObjectNode().put("slug", wrong).toString(), rec);
      assertEquals(1, rs.size(), wrong);
      assertTrue(rs.get(0).startsWith("matches: /slug "), rs.get(0));
    }
    assertEquals(List.of("matches: /slug is not a string"), reasons(t, "{\"slug\":3}", rec));
    assertTrue(
        bad("{\"check\":\"matches\",\"path\":\"/s\",\"pattern\":\"(\"}", "")
            .contains("/tasks/t/checks/0/pattern: not a regular expression: "));
  }

  @Test
  void minItems() {
    PromptFile.Task t = task("{\"check\":\"min_items\",\"path\":\"/names\",\"value\":1}");
    assertEquals(List.of(), reasons(t, "{\"names\":[\"a\"]}", Map.of()));
    assertEquals(List.of("min_items: /names has 0 < 1"), reasons(t, "{\"names\":[]}", Map.of()));
    assertEquals(
        List.of("min_items: /names is not an array"), reasons(t, "{\"names\":\"a\"}", Map.of()));
  }

  @Test
  void oneOfFieldExactAndFuzzy() {
    PromptFile.Task exact =
        task("{\"check\":\"one_of_field\",\"path\":\"/label\",\"field\":\"choices\"}");
    PromptFile.Task fuzzy =
        task(
            "{\"check\":\"one_of_field\",\"path\":\"/label\",\"field\":\"choices\","
                + "\"fuzzy_ratio\":90}");
    Map<String, Object> rec =
        Map.of("choices", List.of("Assist with creative writing", "Solve math problems"));
    String exactAnswer = "{\"label\":\"Solve math problems\"}";
    // one character off in 28: ratio 98
    String typo = "{\"label\":\"Assist with creative writting\"}";
    String far = "{\"label\":\"Help with homework\"}";
    assertEquals(List.of(), reasons(exact, exactAnswer, rec));
    assertEquals(List.of(), reasons(fuzzy, exactAnswer, rec));
    assertEquals(List.of(), reasons(fuzzy, typo, rec));
    assertEquals(
        List.of("one_of_field: /label \"Assist with creative writting\" is not one of 'choices'"),
        reasons(exact, typo, rec));
    assertEquals(
        List.of(
            "one_of_field: /label \"Help with homework\" is not one of 'choices' (nor within fuzzy"
                + " ratio 90 of one)"),
        reasons(fuzzy, far, rec));
    // a JSON array in the record works too; a record without a list is a located failure
    assertEquals(
        List.of(),
        reasons(
            fuzzy,
            exactAnswer,
            Map.of("choices", new ObjectMapper().createArrayNode().add("Solve math problems"))));
    assertEquals(
        List.of("one_of_field: the record's 'choices' is not a list of strings"),
        reasons(fuzzy, exactAnswer, Map.of("choices", "Solve math problems")));
    // an answer with a newline stays a one-line reason
    List<String> rs = reasons(fuzzy, "{\"label\":\"two\\nlines\"}", rec);
    assertTrue(rs.get(0).contains("\"two\\nlines\""), rs.get(0));
    assertTrue(
        bad("{\"check\":\"one_of_field\",\"path\":\"/l\",\"field\":\"c\",\"fuzzy_ratio\":101}", "")
            .endsWith("/tasks/t/checks/0/fuzzy_ratio: must be an integer from 1 to 100"));
    // the field is checked against the input's columns like the other field checks
    PromptFileException e =
        assertThrows(
            PromptFileException.class,
            () ->
                PromptFile.parse(
                        "{\"tasks\":{\"t\":{\"user\":\"u\",\"schema\":{},\"checks\":[{\"check\":"
                            + "\"one_of_field\",\"path\":\"/l\",\"field\":\"c\"}]}}}",
                        "p.json")
                    .checkFields(List.of("x")));
    assertEquals(
        "p.json: /tasks/t/checks/0/field: unknown field 'c', the input has [x]", e.getMessage());
  }
}
