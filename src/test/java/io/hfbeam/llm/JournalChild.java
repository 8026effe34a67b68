package io.hfbeam.llm;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * A child JVM for {@link ResponseJournalTest}: appends records {@code from..from+n-1} to the
 * journal in {@code dir}, syncing every {@code k} and printing "synced <count>" after each sync.
 */
public final class JournalChild {
  private JournalChild() {}

  static ChatRequest request(int i) {
    return new ChatRequest("m", List.of(ChatMessage.user("question " + i)), 0.7, 64, 42L, null);
  }

  static ResponseJournal.Entry entry(int i) {
    return new ResponseJournal.Entry(
        "answer " + i + " " + "x".repeat(i % 97),
        "stop",
        10 + i,
        20 + i,
        "m",
        "task",
        1,
        Instant.ofEpochSecond(1_700_000_000L + i));
  }

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int from = Integer.parseInt(args[1]);
    int n = Integer.parseInt(args[2]);
    int k = Integer.parseInt(args[3]);
    try (ResponseJournal journal = ResponseJournal.open(dir)) {
      for (int i = from; i < from + n; i++) {
        journal.append(RequestKey.of(request(i), "task"), entry(i));
        if ((i - from + 1) % k == 0) {
          journal.sync();
          System.out.println("synced " + (i - from + 1));
          System.out.flush();
        }
      }
    }
    System.out.println("done " + n);
  }
}
