package io.hfbeam.format;

import java.io.IOException;

/**
 * One-line descriptions of unreadable YAML or JSON configuration files, with the line and column at
 * fault.
 */
public final class YamlErrors {
  private YamlErrors() {}

  /** "{file}, line L, column C: problem" when the parser knows where, else "{file}: problem". */
  public static String describe(String file, IOException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof org.yaml.snakeyaml.error.MarkedYAMLException m
          && m.getProblemMark() != null) {
        String context = m.getContext() != null ? " (" + m.getContext().trim() + ")" : "";
        return file
            + ", line "
            + (m.getProblemMark().getLine() + 1)
            + ", column "
            + (m.getProblemMark().getColumn() + 1)
            + ": "
            + oneLine(m.getProblem())
            + context;
      }
    }
    if (e instanceof com.fasterxml.jackson.core.JsonProcessingException j
        && j.getLocation() != null) {
      return file
          + ", line "
          + j.getLocation().getLineNr()
          + ", column "
          + j.getLocation().getColumnNr()
          + ": "
          + oneLine(j.getOriginalMessage());
    }
    return file + ": " + oneLine(e.getMessage());
  }

  private static String oneLine(String s) {
    return s == null
        ? ""
        : s.lines().map(String::trim).filter(l -> !l.isEmpty()).findFirst().orElse("");
  }
}
