package io.hfbeam.workflow.checkpoints;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hfbeam.conversations.ConversationLayout;
import io.hfbeam.conversations.StageFeatures;
import io.hfbeam.hf.Feature;
import io.hfbeam.hf.Features;
import java.util.LinkedHashMap;
import org.junit.jupiter.api.Test;

/** The --where language: precedence, null rules, membership, nested paths, located refusals. */
class WhereTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Features SUMMARIES = StageFeatures.summaries();
  private static final Features CLUSTERS = StageFeatures.clusters();

  private static JsonNode row(String json) throws Exception {
    return JSON.readTree(json.replace('\'', '"'));
  }

  private static boolean test(Features f, String expr, String row) throws Exception {
    return Where.parse(expr, f).test(row(row));
  }

  @Test
  void comparesNumbersStringsAndBooleans() throws Exception {
    String r =
        "{'summary': 'Fix code', 'user_frustration': 4, 'concerning_score': null,"
            + " 'languages': ['english', 'python'], 'metadata': '{\\'lang\\': \\'fr\\', \\'turns\\': 3,"
            + " \\'ok\\': true, \\'deep\\': {\\'x\\': 1.5}}'}";
    assertTrue(test(SUMMARIES, "user_frustration >= 4", r));
    assertTrue(test(SUMMARIES, "user_frustration == 4.0", r), "4 and 4.0 are the same number");
    assertFalse(test(SUMMARIES, "user_frustration > 4", r));
    assertFalse(test(SUMMARIES, "user_frustration < 4", r));
    assertTrue(test(SUMMARIES, "user_frustration <= 4 and user_frustration < 4.5", r));
    assertTrue(test(SUMMARIES, "user_frustration != 5", r));
    assertTrue(test(SUMMARIES, "summary < 'G'", r));
    // by code point, as Python orders str: U+1F600 (a surrogate pair in Java) sorts after U+FFFD
    String emoji = "{'summary': '\ud83d\ude00'}";
    assertTrue(test(SUMMARIES, "summary > '\ufffd'", emoji));
    assertFalse(test(SUMMARIES, "summary < '\ufffd'", emoji));
    assertTrue(test(SUMMARIES, "'python' in languages", r));
    assertFalse(test(SUMMARIES, "'java' in languages", r));
    assertTrue(test(SUMMARIES, "'java' not in languages", r));
    assertTrue(test(SUMMARIES, "'code' in summary", r), "in a string: a substring");
    assertTrue(test(SUMMARIES, "len(languages) = 2 and len(summary) = 8", r));
    // Json metadata: keys at any depth, values with their JSON types
    assertTrue(test(SUMMARIES, "metadata.lang = 'fr' and metadata.turns >= 3", r));
    assertTrue(test(SUMMARIES, "metadata.ok = true", r));
    assertTrue(test(SUMMARIES, "metadata.deep.x > 1", r));
    assertTrue(test(SUMMARIES, "metadata.missing = null", r));
  }

  @Test
  void nullsOnlyEqualNull() throws Exception {
    String r = "{'concerning_score': null, 'languages': null, 'user_frustration': 2}";
    assertTrue(test(SUMMARIES, "concerning_score = null", r));
    assertFalse(test(SUMMARIES, "concerning_score >= 1", r));
    assertFalse(test(SUMMARIES, "concerning_score < 1", r), "no order with a null");
    assertFalse(test(SUMMARIES, "'python' in languages", r));
    assertFalse(test(SUMMARIES, "'python' not in languages", r), "a null list holds nothing");
    assertFalse(test(SUMMARIES, "len(languages) = 0", r), "len(null) is null");
  }

  @Test
  void precedenceIsNotThenAndThenOr() throws Exception {
    String r = "{'count': 150, 'parent_id': null, 'name': 'x'}";
    assertTrue(test(CLUSTERS, "count > 100 or name = 'y' and parent_id != null", r));
    assertFalse(test(CLUSTERS, "(count > 100 or name = 'y') and parent_id != null", r));
    assertTrue(test(CLUSTERS, "not count < 100 and not (parent_id != null)", r));
    assertFalse(test(CLUSTERS, "not not count < 100", r));
    assertTrue(test(CLUSTERS, "name = \"x\" and count = 1.5e2", r));
  }

  @Test
  void typedStructsAreCheckedFieldByField() throws Exception {
    LinkedHashMap<String, Feature> md = new LinkedHashMap<>();
    md.put("category", new Feature.Value("string"));
    md.put("question_id", new Feature.Value("int64"));
    Features conv =
        StageFeatures.conversations(new ConversationLayout(ConversationLayout.Time.NAIVE, md));
    String r =
        "{'chat_id': 'a', 'metadata': {'category': 'math', 'question_id': 7}, 'messages': []}";
    assertTrue(test(conv, "metadata.category = 'math' and metadata.question_id < 10", r));
    assertTrue(test(conv, "len(messages) = 0", r));
    assertEquals(
        "--where: unknown column 'metadata.categ' at position 1 (fields of metadata: category,"
            + " question_id)",
        assertThrows(
                IllegalArgumentException.class, () -> Where.parse("metadata.categ = 'x'", conv))
            .getMessage());
    assertEquals(
        "--where: a number compared with a string at position 22",
        assertThrows(
                IllegalArgumentException.class,
                () -> Where.parse("metadata.question_id = 'x'", conv))
            .getMessage());
  }

  @Test
  void badExpressionsAreRefusedWithTheirPosition() {
    String[][] cases = {
      {"frustration >= 4", "--where: unknown column 'frustration' at position 1"},
      {"count > ", "--where: expected a value, got 'end of expression' at position 9"},
      {"count > 100)", "--where: unexpected ')' at position 12"},
      {"(count > 100", "--where: expected ')' at position 13"},
      {"count >> 100", "--where: expected a value, got '>' at position 8"},
      {"name = 'open", "--where: unterminated string starting at position 8"},
      {"count > 'ten'", "--where: a number compared with a string at position 7"},
      {"count", "--where: 'count' is a number, not a test at position 1"},
      {"count > 1 and", "--where: expected a value, got 'end of expression' at position 14"},
      {"name < null", "--where: null compares only with = or != at position 6"},
      {"count # 2", "--where: unexpected '#' at position 7"},
      {"len(count) > 1", "--where: len() takes a list or a string at position 5"},
      {"chat_ids > 'a'", "--where: a list compared with a string at position 10"},
      {"  ", "--where: empty expression"},
    };
    for (String[] c : cases) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> Where.parse(c[0], CLUSTERS), c[0]);
      assertTrue(e.getMessage().startsWith(c[1]), c[0] + " -> " + e.getMessage());
    }
  }
}
