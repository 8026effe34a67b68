package io.hfbeam.workflow.checkpoints;

import io.hfbeam.conversations.CheckpointLayout;
import io.hfbeam.conversations.Conversation;
import io.hfbeam.conversations.KuraDump;
import io.hfbeam.conversations.RecordException;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * A checkpoint set -> Kura's JSONL checkpoint files, byte for byte as Kura writes them: one {@code
 * model_dump_json()} line per row ({@code KuraJson}), each followed by a newline, in the stage's
 * row order (data files by name, rows as written: a migrated stage keeps its file's order). A stage
 * migrated from Kura's conversation dump ({@code conversations.json}) goes back to a dump ({@code
 * KuraDump}); otherwise the file names are Kura's JSONL manager's ({@code STAGE.jsonl}). The
 * embeddings stage has no Kura file and is not exported. Each file is written to a temporary name
 * and moved in place whole.
 */
public final class Export {
  /** One file written: its stage, name and rows. */
  public record Written(String stage, String file, long rows) {}

  private Export() {}

  public static List<Written> export(Path root, Path old) throws IOException {
    Paths.checkRoot(root);
    Paths.checkDistinct(root, old);
    List<KuraStage<?>> stages = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (KuraStage<?> s : KuraStage.ALL) {
      CheckpointLayout.read(root, s.name())
          .ifPresent(
              info -> {
                stages.add(s);
                names.add(Migration.exportName(s, info));
              });
    }
    if (stages.isEmpty()) {
      throw new IllegalArgumentException(
          root
              + " holds no complete stage Kura has a file for (a stage is complete when its"
              + " checkpoint.json exists)");
    }
    // refuse before writing anything: Kura files already there are never overwritten
    for (String n : names) {
      if (Files.exists(old.resolve(n))) {
        throw new IllegalArgumentException(
            old.resolve(n) + " exists; export into a new or empty folder");
      }
    }
    Files.createDirectories(old);
    List<Written> out = new ArrayList<>();
    for (int i = 0; i < stages.size(); i++) {
      out.add(exportStage(stages.get(i), root, old, names.get(i)));
    }
    return out;
  }

  private static <T> Written exportStage(KuraStage<T> stage, Path root, Path old, String name)
      throws IOException {
    Path target = old.resolve(name);
    Path tmp = old.resolve(name + ".tmp");
    long rows = 0;
    try (StageData data = StageData.open(root, stage.name());
        BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
      Iterator<T> items = new Items<>(stage, data);
      if (name.endsWith(".json") && stage == KuraStage.CONVERSATIONS) {
        Counting<Conversation> counted = new Counting<>(cast(items));
        KuraDump.write(counted, w);
        rows = counted.n;
      } else {
        while (items.hasNext()) {
          w.write(stage.write(items.next()));
          w.write('\n');
          rows++;
        }
      }
    } catch (UncheckedIOException e) {
      Files.deleteIfExists(tmp);
      throw e.getCause();
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    return new Written(stage.name(), name, rows);
  }

  @SuppressWarnings("unchecked")
  private static Iterator<Conversation> cast(Iterator<?> it) {
    return (Iterator<Conversation>) it;
  }

  /** The stage's rows as Kura objects; a row that cannot be one fails with its location. */
  static final class Items<T> implements Iterator<T> {
    private final KuraStage<T> stage;
    private final StageData data;

    Items(KuraStage<T> stage, StageData data) {
      this.stage = stage;
      this.data = data;
    }

    @Override
    public boolean hasNext() {
      return data.hasNext();
    }

    @Override
    public T next() {
      if (!hasNext()) throw new NoSuchElementException();
      StageData.StageRow r = data.next();
      try {
        return stage.fromRow(r.json(), r.features());
      } catch (RecordException | IllegalArgumentException e) {
        throw new IllegalStateException(
            stage.name() + "/" + r + ": not a Kura " + stage.name() + " row: " + e.getMessage(), e);
      }
    }
  }

  private static final class Counting<T> implements Iterator<T> {
    private final Iterator<T> in;
    long n;

    Counting(Iterator<T> in) {
      this.in = in;
    }

    @Override
    public boolean hasNext() {
      return in.hasNext();
    }

    @Override
    public T next() {
      n++;
      return in.next();
    }
  }
}
