package io.hfbeam.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code hfbeam conversations ...}: Kura-style analysis of chat logs, and its explorer. */
@Command(
    name = "conversations",
    mixinStandardHelpOptions = true,
    description =
        "Conversation analysis (Kura's stages as Hugging Face datasets) and its explorer.",
    subcommands = {ConversationsServeCommand.class})
public final class ConversationsCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
