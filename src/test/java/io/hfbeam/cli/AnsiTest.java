package io.hfbeam.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Help.Ansi;

/** Colours only on a terminal that shows them; PlainOutputIT checks a real pipe. */
class AnsiTest {
  @Test
  void coloursOnlyOnAConsoleWithATermAndNoNoColor() {
    assertThat(Main.ansi(true, Map.of("TERM", "xterm-256color")), equalTo(Ansi.ON));
    assertThat(
        Main.ansi(false, Map.of("TERM", "xterm-256color", "CLICOLOR_FORCE", "1")),
        equalTo(Ansi.OFF));
    assertThat(Main.ansi(true, Map.of("TERM", "dumb")), equalTo(Ansi.OFF));
    assertThat(Main.ansi(true, Map.of()), equalTo(Ansi.OFF));
    assertThat(Main.ansi(true, Map.of("TERM", "xterm", "NO_COLOR", "")), equalTo(Ansi.OFF));
  }
}
