package io.hfbeam.bench;

import io.hfbeam.explorer.ExplorerFixtures;
import java.nio.file.Path;

/**
 * Writes the explorer benchmark's synthetic checkpoint set: the 580 real conversations repeated
 * until there are at least N (new chat ids), summaries, a tree whose base clusters hold about 70
 * conversations each, and the map; Parquet row groups of about 1 MiB.
 *
 * <p>usage: ExplorerBenchData DIR N [ROW_GROUP_BYTES] (default 1 MiB; 134217728 is the writers' 128
 * MiB default, which puts 100k conversations in one row group)
 */
public final class ExplorerBenchData {
  private ExplorerBenchData() {}

  public static void main(String[] args) throws Exception {
    Path root = Path.of(args[0]);
    int n = Integer.parseInt(args[1]);
    int copies = Math.max(1, (n + 579) / 580);
    long rowGroupBytes = args.length > 2 ? Long.parseLong(args[2]) : 1 << 20;
    long t0 = System.nanoTime();
    int written =
        ExplorerFixtures.write(
            root,
            ExplorerFixtures.Options.small().withCopies(copies).withRowGroupBytes(rowGroupBytes));
    System.out.printf(
        "%d conversations written to %s in %.1f s%n",
        written, root, (System.nanoTime() - t0) / 1e9);
  }
}
