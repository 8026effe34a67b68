/**
 * Kura's data model and formats, for the {@code conversations} workflow and the {@code checkpoints}
 * tools; pure Java (no Beam), only {@code hf} for the features.
 *
 * <p>Decisions, each documented where it lives:
 *
 * <ul>
 *   <li>Values are kept as given: {@link io.hfbeam.conversations.KuraTime} keeps naive vs zoned and
 *       microseconds; {@link io.hfbeam.conversations.JsonValue} keeps 1 an int, 1.0 a float, true a
 *       bool, key order, and ints of any size. The one conversion is Kura's own: a metadata list
 *       mixing ints and floats is {@code list[float]} (as pydantic makes it).
 *   <li>Kura JSONL is written as pydantic 2.13's {@code model_dump_json()} writes it ({@link
 *       io.hfbeam.conversations.KuraJson}; proven byte for byte against pydantic in the tests).
 *   <li>Readers stream ({@link io.hfbeam.conversations.JsonRecords}), refuse what Kura would change
 *       or drop silently, and put a located {@link io.hfbeam.conversations.ReadFailure} in place of
 *       a bad record; caps in {@link io.hfbeam.conversations.ReadLimits}; roles in {@link
 *       io.hfbeam.conversations.ChatMapping}.
 *   <li>Checkpoint features ({@link io.hfbeam.conversations.StageFeatures}) are exact; times and
 *       metadata that one Arrow column cannot type are kept losslessly by {@link
 *       io.hfbeam.conversations.ConversationLayout}.
 * </ul>
 */
package io.hfbeam.conversations;
