package io.hfbeam.source;

import java.io.IOException;

/**
 * An archive that cannot or must not be extracted (corrupt, a path that climbs out, a link, over
 * the limits). The message is one line naming the dataset, the archive and, where there is one, the
 * member.
 */
public final class ArchiveException extends IOException {
  private static final long serialVersionUID = 1L;

  public ArchiveException(String message) {
    super(message);
  }
}
