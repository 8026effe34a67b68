package io.hfbeam.workflow.conversations;

import io.hfbeam.dataset.WrittenFile;
import io.hfbeam.workflow.HubTarget;
import io.hfbeam.workflow.Launchable;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;

/**
 * The checkpoint set as it is, published: a watching run that finished a stopped increment at
 * start-up ({@link PendingIncrement}) publishes it then, not with the next increment, which may be
 * long in coming. The launcher adds the publish step; files the Hub has are not uploaded again.
 */
final class PublishSetRun implements Launchable {
  private final Path root;

  PublishSetRun(Path root) {
    this.root = root;
  }

  @Override
  public String name() {
    return "conversations-publish";
  }

  @Override
  public Path output() {
    return root;
  }

  @Override
  public List<Path> inputDirs() {
    return List.of();
  }

  @Override
  public long inputBytes() {
    return 0;
  }

  @Override
  public List<String> steps() {
    return List.of();
  }

  @Override
  public PCollection<WrittenFile> build(Pipeline p, Optional<HubTarget> hub, PrintStream out)
      throws IOException {
    return p.apply(
        "SetFiles",
        Create.of(ConversationsAnalyzeRun.allFiles(root))
            .withCoder(SerializableCoder.of(WrittenFile.class)));
  }

  @Override
  public Optional<String> rejection() {
    return Optional.empty(); // nothing is written: the set's stages were accepted when made
  }

  @Override
  public String doneMessage() {
    return "the checkpoint set " + root + " as it is now";
  }
}
