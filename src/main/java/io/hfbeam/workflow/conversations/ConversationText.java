package io.hfbeam.workflow.conversations;

import io.hfbeam.conversations.Conversation;
import io.hfbeam.conversations.Message;

/**
 * A conversation as one text: its messages' contents, one after another. With no LLM, this is what
 * gets embedded and what names clusters (role words would top every cluster's terms).
 */
public final class ConversationText {
  private ConversationText() {}

  public static String of(Conversation c) {
    StringBuilder b = new StringBuilder();
    for (Message m : c.messages()) {
      if (b.length() > 0) b.append('\n');
      b.append(m.content());
    }
    return b.toString();
  }
}
