package io.hfbeam.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The conversation prompt files (our wording, Kura's answer fields): they load against the fields
 * the workflow fills, their schemas are ones llama.cpp turns into a grammar, and their checks take
 * and refuse what Kura's models would.
 */
class ConversationPromptsTest {
  static final PromptFile SUMMARY =
      PromptFile.load(Path.of("config/prompts/conversation-summary.json"), List.of("conversation"));
  static final PromptFile CLUSTERS =
      PromptFile.load(
          Path.of("config/prompts/conversation-clusters.json"),
          List.of(
              "positive_examples",
              "contrastive_examples",
              "clusters",
              "desired_number",
              "candidate_clusters",
              "name",
              "description",
              "candidate_list"));

  @Test
  void everyTaskRendersAndItsSchemaBecomesAGrammar() {
    assertEquals(java.util.Set.of("summarise"), SUMMARY.taskNames());
    assertEquals(
        java.util.Set.of(
            "describe_cluster", "candidate_clusters", "label_cluster", "rename_cluster_group"),
        CLUSTERS.taskNames());
    ChatRequest r =
        SUMMARY
            .task("summarise")
            .request(
                Map.of(
                    "conversation",
                    "<messages>\n<message>user: How do I sort a list in Python?</message>\n</messages>"),
                "m");
    assertTrue(r.messages().get(1).content().contains("sort a list in Python"));
    for (PromptFile f : List.of(SUMMARY, CLUSTERS)) {
      for (String t : f.taskNames()) {
        GrammarSchema.check(f.task(t).schemaJson()); // throws on what llama.cpp cannot take
      }
    }
  }

  @Test
  void summaryChecksFollowKurasRanges() {
    PromptFile.Task t = SUMMARY.task("summarise");
    String ok =
        "{\"summary\": \"The user asked how to sort a list.\", \"request\": null, \"topic\": null,"
            + " \"languages\": [\"english\", \"python\"], \"task\": null, \"concerning_score\": 1,"
            + " \"user_frustration\": null, \"assistant_errors\": []}";
    assertTrue(t.validate(ok, Map.of()).ok(), t.validate(ok, Map.of()).reasons().toString());
    assertFalse(
        t.validate(ok.replace("\"concerning_score\": 1", "\"concerning_score\": 6"), Map.of())
            .ok());
    assertFalse(
        t.validate(ok.replace("\"concerning_score\": 1", "\"concerning_score\": 0"), Map.of())
            .ok());
    assertFalse(t.validate(ok.replace(", \"topic\": null", ""), Map.of()).ok());
  }

  @Test
  void aLabelMustBeOneOfTheCandidatesOrVeryClose() {
    PromptFile.Task t = CLUSTERS.task("label_cluster");
    Map<String, Object> record =
        Map.of("candidate_list", List.of("Write and debug Python code", "Plan travel itineraries"));
    assertTrue(t.validate("{\"higher_level_cluster\": \"Plan travel itineraries\"}", record).ok());
    assertTrue(t.validate("{\"higher_level_cluster\": \"Plan travel itineraries.\"}", record).ok());
    assertFalse(t.validate("{\"higher_level_cluster\": \"Cook dinner\"}", record).ok());
    PromptFile.Task d = CLUSTERS.task("describe_cluster");
    String named =
        "{\"name\": \"Debug Python code\", \"summary\": \"Users asked for help with bugs.\","
            + " \"slug\": \"python_code_debugging\"}";
    assertTrue(d.validate(named, Map.of()).ok());
    assertFalse(
        d.validate(named.replace("python_code_debugging", "python_debugging"), Map.of()).ok());
  }
}
