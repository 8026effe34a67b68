package io.hfbeam.workflow.conversations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** A staged file's name is made of names from the Hub: only plain names reach the file system. */
class DatasetStageTest {
  @Test
  void plainNamesMakeTheFileName() {
    assertEquals(
        "alice--chats--default--train.jsonl",
        DatasetStage.fileName("alice/chats", "default", "train"));
    assertEquals("chats--en.v2--test_1.jsonl", DatasetStage.fileName("chats", "en.v2", "test_1"));
  }

  @Test
  void aNameThatIsAPathOrOddIsRefusedWithOneLine() {
    for (String[] bad :
        new String[][] {
          {"alice/chats", "../up", "train"},
          {"alice/chats", "default", "a/b"},
          {"alice/chats", "default", ".hidden"},
          {"alice/chats", "", "train"},
          {"alice/chats", "default", "tr\nain"},
          {"alice/chats", "default", "x".repeat(200)}
        }) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> DatasetStage.fileName(bad[0], bad[1], bad[2]),
              String.join(" ", bad));
      assertTrue(e.getMessage().contains("not a plain name"), e.getMessage());
      assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }
  }
}
