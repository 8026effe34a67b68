package io.hfbeam.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SecretsTest {
  @Test
  void masksTheKeyAndKeyShapedTokensButNotOrdinaryWords() {
    assertEquals("key *** here", Secrets.mask("key my-own-key here", "my-own-key"));
    assertEquals(
        "Incorrect API key provided: sk-***. See",
        Secrets.mask("Incorrect API key provided: sk-proj-abc**********wxyz. See", null));
    assertEquals(
        "the task-list and disk-space", Secrets.mask("the task-list and disk-space", null));
    assertEquals("", Secrets.mask(null, "k"));
  }

  @Test
  void oneLineJoinsLinesAndShortens() {
    assertEquals("a b c", Secrets.oneLine("a\n b\r\n\tc ", null));
    assertEquals(403, Secrets.oneLine("x".repeat(1000), null).length());
  }
}
