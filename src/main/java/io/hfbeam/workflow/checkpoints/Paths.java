package io.hfbeam.workflow.checkpoints;

import io.hfbeam.conversations.CheckpointLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Checks of the directories the tools are given, before anything is read or written there. */
final class Paths {
  private Paths() {}

  /** A path from the command line: not blank, no NUL, parseable. */
  static Path of(String text, String what) {
    if (text == null || text.isBlank()) throw new IllegalArgumentException(what + " is empty");
    if (text.indexOf('\0') >= 0) throw new IllegalArgumentException(what + " holds a NUL byte");
    try {
      return Path.of(text);
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException(what + " is not a path: " + e.getReason());
    }
  }

  static void checkOldDir(Path old) {
    if (!Files.isDirectory(old)) {
      throw new IllegalArgumentException(old + " is not a directory of Kura checkpoints");
    }
  }

  static void checkRoot(Path root) {
    if (!Files.isDirectory(root)) {
      throw new IllegalArgumentException(root + " is not a directory (a checkpoint set)");
    }
  }

  /**
   * Where a checkpoint set will be written: absent, an empty directory, or a checkpoint set already
   * (its stages are then rewritten); never a directory holding anything else.
   */
  static void checkNewRoot(Path root) throws IOException {
    if (!Files.exists(root)) return;
    if (!Files.isDirectory(root)) throw new IllegalArgumentException(root + " is a file");
    try (Stream<Path> s = Files.list(root)) {
      for (Path p : s.toList()) {
        String n = p.getFileName().toString();
        boolean ours =
            n.equals("README.md")
                || n.equals("README.md.tmp")
                || (Files.isDirectory(p) && CheckpointLayout.STAGES.contains(n));
        if (!ours) {
          throw new IllegalArgumentException(
              root
                  + " holds '"
                  + n
                  + "', which is not part of a checkpoint set; give a new folder");
        }
      }
    }
  }

  static void checkDistinct(Path a, Path b) {
    Path x = a.toAbsolutePath().normalize();
    Path y = b.toAbsolutePath().normalize();
    if (x.startsWith(y) || y.startsWith(x)) {
      throw new IllegalArgumentException(a + " and " + b + " overlap; give separate folders");
    }
  }
}
