package io.hfbeam.dataset;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

public class RunEventsTest {
  @Test
  public void linesGoToTheRunsOutputWhilePrintingIsOn() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (RunEvents.Printing printing =
        RunEvents.printTo(new PrintStream(bytes, true, StandardCharsets.UTF_8))) {
      RunEvents.emit("pane 0 written");
    }
    RunEvents.emit("after the run"); // to the log, not to the run's output
    assertThat(
        bytes.toString(StandardCharsets.UTF_8), equalTo("pane 0 written" + System.lineSeparator()));
  }

  @Test
  public void closingAnEarlierRunsPrintingLeavesTheCurrentOne() {
    ByteArrayOutputStream first = new ByteArrayOutputStream();
    ByteArrayOutputStream second = new ByteArrayOutputStream();
    RunEvents.Printing one =
        RunEvents.printTo(new PrintStream(first, true, StandardCharsets.UTF_8));
    try (RunEvents.Printing two =
        RunEvents.printTo(new PrintStream(second, true, StandardCharsets.UTF_8))) {
      one.close();
      RunEvents.emit("commit landed");
    }
    assertThat(first.toString(StandardCharsets.UTF_8), equalTo(""));
    assertThat(
        second.toString(StandardCharsets.UTF_8), equalTo("commit landed" + System.lineSeparator()));
  }
}
