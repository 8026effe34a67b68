package io.hfbeam.workflow.sft;

import com.fasterxml.jackson.databind.JsonNode;
import io.hfbeam.llm.Template;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How input records become pairs (the pairing YAML, {@code config/sft-pairing-medec.yaml}): which
 * columns hold the id, the text with the error, the corrected text and the error's details; which
 * rows are skipped; which prompt-file tasks make each side; and the chat templates of the SFT
 * examples. Immutable and serializable.
 */
public final class PairMapping implements Serializable {
  /** The pair's roles and the record's columns that fill them. */
  public static final List<String> ROLES =
      List.of("id", "incorrect", "correct", "error_type", "error_sentence", "corrected_sentence");

  private static final Set<String> REQUIRED_ROLES = Set.of("id", "incorrect", "correct");
  private static final Set<String> TOP_KEYS =
      Set.of("pair", "skip", "tasks", "example", "prompt_file");
  private static final Set<String> EXAMPLE_KEYS =
      Set.of("system", "user", "correct", "incorrect", "incorrect_with_reasoning");

  /** A skip rule: the row is skipped when its column's value matches. */
  public record Skip(String column, String notEquals, String equals, List<String> blankOr)
      implements Serializable {
    boolean matches(Map<String, ?> record) {
      Object raw = record.get(column);
      String v = raw == null ? null : raw.toString();
      if (notEquals != null) return v == null || !v.trim().equals(notEquals);
      if (equals != null) return v != null && v.trim().equals(equals);
      return v == null || v.isBlank() || blankOr.contains(v.trim());
    }

    String describe() {
      if (notEquals != null) return column + " is not " + notEquals;
      if (equals != null) return column + " is " + equals;
      return column + " is blank" + (blankOr.isEmpty() ? "" : " or " + String.join("/", blankOr));
    }
  }

  private final String file;
  private final LinkedHashMap<String, String> columns;
  private final List<Skip> skips;
  private final String correctTask;
  private final String reasoningTask;
  private final String system;
  private final Template user;
  private final Template correct;
  private final Template incorrect;
  private final Template incorrectWithReasoning;

  private PairMapping(
      String file,
      LinkedHashMap<String, String> columns,
      List<Skip> skips,
      String correctTask,
      String reasoningTask,
      String system,
      Template user,
      Template correct,
      Template incorrect,
      Template incorrectWithReasoning) {
    this.file = file;
    this.columns = columns;
    this.skips = List.copyOf(skips);
    this.correctTask = correctTask;
    this.reasoningTask = reasoningTask;
    this.system = system;
    this.user = user;
    this.correct = correct;
    this.incorrect = incorrect;
    this.incorrectWithReasoning = incorrectWithReasoning;
  }

  /**
   * Reads the pairing YAML's tree; every fault is one line naming {@code file} and the key.
   *
   * @throws IllegalArgumentException a fault in the file
   */
  public static PairMapping parse(JsonNode root, String file) {
    if (root == null || !root.isObject()) throw fault(file, "", "expected a YAML mapping");
    root.fieldNames()
        .forEachRemaining(
            k -> {
              if (!TOP_KEYS.contains(k))
                throw fault(file, k, "unknown key (known: " + String.join(", ", TOP_KEYS) + ")");
            });
    JsonNode pair = root.path("pair");
    if (!pair.isObject()) throw fault(file, "pair", "required: a mapping of role -> column");
    LinkedHashMap<String, String> columns = new LinkedHashMap<>();
    pair.fields()
        .forEachRemaining(
            e -> {
              if (!ROLES.contains(e.getKey()))
                throw fault(
                    file,
                    "pair." + e.getKey(),
                    "unknown role (known: " + String.join(", ", ROLES) + ")");
              if (!e.getValue().isTextual() || e.getValue().asText().isBlank())
                throw fault(file, "pair." + e.getKey(), "expected a column name");
              columns.put(e.getKey(), e.getValue().asText());
            });
    for (String r : REQUIRED_ROLES)
      if (!columns.containsKey(r)) throw fault(file, "pair." + r, "required");
    List<Skip> skips = new ArrayList<>();
    JsonNode skip = root.path("skip");
    if (!skip.isMissingNode() && !skip.isNull()) {
      if (!skip.isArray()) throw fault(file, "skip", "expected a list of rules");
      for (int i = 0; i < skip.size(); i++)
        skips.add(skipRule(skip.get(i), file, "skip[" + i + "]"));
    }
    JsonNode tasks = root.path("tasks");
    String correctTask = text(tasks, "correct", file, "tasks.correct", "paraphrase_correct");
    String reasoningTask = text(tasks, "reasoning", file, "tasks.reasoning", "explain_error");
    JsonNode example = root.path("example");
    if (!example.isMissingNode() && !example.isObject())
      throw fault(file, "example", "expected a mapping");
    example
        .fieldNames()
        .forEachRemaining(
            k -> {
              if (!EXAMPLE_KEYS.contains(k))
                throw fault(
                    file,
                    "example." + k,
                    "unknown key (known: " + String.join(", ", EXAMPLE_KEYS) + ")");
            });
    String system =
        text(
            example,
            "system",
            file,
            "example.system",
            "You review clinical notes for medical errors. Answer CORRECT if the note has no"
                + " medical error, INCORRECT if it has one.");
    Template user =
        template(
            example, "user", file, "Does this clinical note contain a medical error?\n\n{{text}}");
    Template correct = template(example, "correct", file, "CORRECT");
    Template incorrect = template(example, "incorrect", file, "INCORRECT");
    Template withReasoning =
        template(example, "incorrect_with_reasoning", file, "INCORRECT\n\n{{reasoning}}");
    return new PairMapping(
        file,
        columns,
        skips,
        correctTask,
        reasoningTask,
        system,
        user,
        correct,
        incorrect,
        withReasoning);
  }

  private static Skip skipRule(JsonNode n, String file, String where) {
    if (!n.isObject()) throw fault(file, where, "expected a mapping with column and a condition");
    Set<String> keys = new LinkedHashSet<>();
    n.fieldNames().forEachRemaining(keys::add);
    for (String k : keys)
      if (!Set.of("column", "not_equals", "equals", "blank_or", "blank").contains(k))
        throw fault(
            file,
            where + "." + k,
            "unknown key (known: column, not_equals, equals, blank_or, blank)");
    if (!n.path("column").isTextual()) throw fault(file, where + ".column", "required");
    int conditions =
        (n.has("not_equals") ? 1 : 0)
            + (n.has("equals") ? 1 : 0)
            + (n.has("blank_or") || n.has("blank") ? 1 : 0);
    if (conditions != 1)
      throw fault(file, where, "needs exactly one of not_equals, equals, blank_or, blank: true");
    List<String> blankOr = new ArrayList<>();
    if (n.has("blank_or")) {
      if (!n.get("blank_or").isArray()) throw fault(file, where + ".blank_or", "expected a list");
      n.get("blank_or").forEach(v -> blankOr.add(v.asText()));
    }
    return new Skip(
        n.get("column").asText(),
        n.has("not_equals") ? n.get("not_equals").asText() : null,
        n.has("equals") ? n.get("equals").asText() : null,
        blankOr);
  }

  private static String text(JsonNode parent, String key, String file, String where, String dflt) {
    JsonNode n = parent.path(key);
    if (n.isMissingNode() || n.isNull()) return dflt;
    if (!n.isTextual() || n.asText().isBlank()) throw fault(file, where, "expected text");
    return n.asText();
  }

  private static Template template(JsonNode parent, String key, String file, String dflt) {
    String source = text(parent, key, file, "example." + key, dflt);
    try {
      return Template.parse(source);
    } catch (IllegalArgumentException e) {
      throw fault(file, "example." + key, e.getMessage());
    }
  }

  private static IllegalArgumentException fault(String file, String key, String why) {
    return new IllegalArgumentException(file + (key.isEmpty() ? "" : ": " + key) + ": " + why);
  }

  /** The column of {@code role}, or null when the mapping names none. */
  public String column(String role) {
    return columns.get(role);
  }

  /** The columns the mapping reads (roles and skip rules), for checking the input's header. */
  public Set<String> columnsRead() {
    Set<String> out = new LinkedHashSet<>(columns.values());
    for (Skip s : skips) out.add(s.column());
    return out;
  }

  /** The first skip rule that holds for {@code record}, described; null when none does. */
  public String skipReason(Map<String, ?> record) {
    for (Skip s : skips) if (s.matches(record)) return s.describe();
    return null;
  }

  public String correctTask() {
    return correctTask;
  }

  public String reasoningTask() {
    return reasoningTask;
  }

  public String system() {
    return system;
  }

  /** The user turn of an example; fields: {@code text} and the record's columns. */
  public Template user() {
    return user;
  }

  /** The assistant turn of a CORRECT example. */
  public Template correct() {
    return correct;
  }

  /** The assistant turn of an INCORRECT example (with {@code reasoning} when it was asked for). */
  public Template incorrect(boolean withReasoning) {
    return withReasoning ? incorrectWithReasoning : incorrect;
  }

  public String file() {
    return file;
  }

  @Override
  public String toString() {
    return "PairMapping(" + file + ")";
  }
}
