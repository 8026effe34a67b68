package io.hfbeam.conversations;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * How one JSON record of an input becomes a Kura {@link Conversation}. The file container (JSON
 * Lines or one JSON array) is {@link JsonRecords}' business, so every format reads from both.
 */
@FunctionalInterface
public interface ConversationFormat {
  /** The conversation of a record; {@code where} names it when the record has no id of its own. */
  Conversation map(JsonNode record, Location where) throws RecordException;

  /** Kura's own conversation JSON (its JSONL checkpoint, or its JSON dump: one array). */
  static ConversationFormat kura() {
    return (n, where) -> KuraJson.conversation(n);
  }

  /** A Claude.ai export ({@code conversations.json}), as Kura's loader reads it. */
  static ConversationFormat claude() {
    return ClaudeExport::conversation;
  }

  /** OpenAI chat JSON Lines ({@code {"messages": [{"role", "content"}]}}). */
  static ConversationFormat openAi() {
    return ChatMapping.OPENAI;
  }

  /** ShareGPT ({@code {"id", "conversations": [{"from": "human"|"gpt", "value"}]}}). */
  static ConversationFormat shareGpt() {
    return ChatMapping.SHAREGPT;
  }

  /** Any record with a mapping of its fields. */
  static ConversationFormat mapped(ChatMapping mapping) {
    return mapping;
  }

  /**
   * The format a record looks like, by its keys: Kura ({@code chat_id} and {@code messages} with
   * {@code created_at}), Claude ({@code uuid} and {@code chat_messages}), ShareGPT ({@code
   * conversations}), OpenAI ({@code messages}); null when none fits.
   */
  static ConversationFormat detect(JsonNode first) {
    return named(detectName(first));
  }

  /** The name of the format {@link #detect} finds (kura, claude, sharegpt, openai), or null. */
  static String detectName(JsonNode first) {
    if (first == null || !first.isObject()) return null;
    if (first.has("chat_id") && first.has("messages") && first.has("created_at")) return "kura";
    if (first.has("uuid") && first.has("chat_messages")) return "claude";
    if (first.has("conversations") && first.get("conversations").isArray()) return "sharegpt";
    if (first.has("messages") && first.get("messages").isArray()) return "openai";
    return null;
  }

  /** A format {@link #detectName} names; null for null. */
  static ConversationFormat named(String name) {
    if (name == null) return null;
    return switch (name) {
      case "kura" -> kura();
      case "claude" -> claude();
      case "sharegpt" -> shareGpt();
      case "openai" -> openAi();
      default -> throw new IllegalArgumentException("no conversation format named " + name);
    };
  }
}
