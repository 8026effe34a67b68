package io.hfbeam.source;

import java.nio.file.Path;

/**
 * A second process for {@link ArchivesTest}: waits for the go file, extracts one archive of a
 * directory (as a remote repo, so it counts its reads) and prints how often it opened it.
 */
public final class ExtractMain {
  private ExtractMain() {}

  public static void main(String[] args) throws Exception {
    Path repo = Path.of(args[0]);
    Path go = Path.of(args[3]);
    while (!java.nio.file.Files.exists(go)) Thread.sleep(5);
    ArchivesTest.DirFiles files = new ArchivesTest.DirFiles(repo, false);
    Path out = Archives.in(Path.of(args[2])).extract(files, args[1]);
    System.out.println("opened " + files.opened.get() + " " + out);
  }
}
