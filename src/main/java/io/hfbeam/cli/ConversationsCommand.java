package io.hfbeam.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code hfbeam conversations analyze|...}: Kura-style analysis of chat logs. */
@Command(
    name = "conversations",
    mixinStandardHelpOptions = true,
    description =
        "Analyse conversations as Kura does (summaries, embeddings, clusters, a hierarchy, a 2-D"
            + " map), every stage a Hugging Face dataset checkpoint.",
    subcommands = {ConversationsAnalyzeCommand.class})
public final class ConversationsCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
