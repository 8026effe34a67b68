package io.hfbeam.workflow.sft;

import io.hfbeam.hf.Features;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;

/**
 * The rows sft-generate writes: chat-format SFT examples ({@code messages}: system, user,
 * assistant; the form TRL's SFT trainer reads) with the pair's label, source id, error type and
 * reasoning.
 */
public final class SftExamples {
  public static final String CORRECT = "CORRECT";
  public static final String INCORRECT = "INCORRECT";

  /** The splits, and the JSON Lines file each is also written to (the seed script's names). */
  public static final Map<String, String> JSONL_FILES =
      Map.of(
          "correct", "sft_correct.jsonl",
          "incorrect", "sft_incorrect.jsonl",
          "combined", "sft_combined_safe.jsonl");

  public static final List<String> SPLITS = List.of("combined", "correct", "incorrect");

  public static final Features FEATURES =
      Features.fromJson(
          "{\"messages\": {\"feature\": {\"role\": {\"dtype\": \"string\", \"_type\": \"Value\"},"
              + " \"content\": {\"dtype\": \"string\", \"_type\": \"Value\"}}, \"_type\": \"List\"},"
              + " \"label\": {\"dtype\": \"string\", \"_type\": \"Value\"},"
              + " \"source_id\": {\"dtype\": \"string\", \"_type\": \"Value\"},"
              + " \"error_type\": {\"dtype\": \"string\", \"_type\": \"Value\"},"
              + " \"reasoning\": {\"dtype\": \"string\", \"_type\": \"Value\"}}");

  private static final Schema SCHEMA = FEATURES.beamSchema();
  private static final Schema MESSAGE =
      SCHEMA.getField("messages").getType().getCollectionElementType().getRowSchema();

  private SftExamples() {}

  /** One example: the system prompt, the user turn over {@code text}, the assistant's label. */
  public static Row example(
      PairMapping mapping,
      Map<String, ?> record,
      String label,
      String text,
      String sourceId,
      String errorType,
      String reasoning) {
    Map<String, Object> fields = new HashMap<>(record);
    fields.put("text", text);
    if (reasoning != null) fields.put("reasoning", reasoning);
    String assistant =
        (CORRECT.equals(label) ? mapping.correct() : mapping.incorrect(reasoning != null))
            .render(fields);
    List<Row> messages =
        List.of(
            message("system", mapping.system()),
            message("user", mapping.user().render(fields)),
            message("assistant", assistant));
    return Row.withSchema(SCHEMA)
        .addValues(messages, label, sourceId, errorType, reasoning)
        .build();
  }

  private static Row message(String role, String content) {
    return Row.withSchema(MESSAGE).addValues(role, content).build();
  }

  /**
   * Which side of a pair comes first in the combined split: a function of the seed and the source
   * id, so any order of input gives the same file and the label is not given away by position.
   */
  public static boolean incorrectFirst(long seed, String sourceId) {
    long h = seed * 0x9E3779B97F4A7C15L;
    for (int i = 0; i < sourceId.length(); i++) h = (h ^ sourceId.charAt(i)) * 0x100000001B3L;
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    return (h & 1) == 0;
  }
}
