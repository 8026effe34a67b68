package io.hfbeam.workflow.conversations;

import io.hfbeam.conversations.Conversation;
import io.hfbeam.conversations.ConversationLayout;
import io.hfbeam.conversations.ConversationReader;
import io.hfbeam.conversations.Parsed;
import io.hfbeam.conversations.ReadLimits;
import io.hfbeam.format.files.Compressions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The pass over the input before the pipeline is built: the conversations checkpoint's layout (one
 * Arrow type per column needs every row seen), the input's content hash (the fingerprint), counts,
 * and the chat ids that occur in more than one file (a worker reads one file and cannot see them).
 * Streams: memory holds the ids, not the conversations.
 *
 * @param crossFileDuplicates chat id -> index of the file that holds its first occurrence, for ids
 *     that occur again in a later file
 */
public record Survey(
    ConversationLayout layout,
    String inputHash,
    long conversations,
    long failures,
    long bytes,
    Map<String, Integer> crossFileDuplicates) {

  public static Survey of(List<Path> files, InputSpec spec) throws IOException {
    return of(files, spec, java.util.Set.of());
  }

  /**
   * @param known chat ids analysed before (a watching run's earlier files): a conversation with one
   *     is refused as a duplicate ({@code crossFileDuplicates} maps it to -1)
   */
  public static Survey of(List<Path> files, InputSpec spec, java.util.Set<String> known)
      throws IOException {
    ConversationLayout.Builder layout = new ConversationLayout.Builder();
    MessageDigest all = sha256();
    Map<String, Integer> firstFile = new HashMap<>();
    for (String id : known) firstFile.put(id, -1);
    Map<String, Integer> dups = new HashMap<>();
    long ok = 0;
    long failed = 0;
    long bytes = 0;
    for (int i = 0; i < files.size(); i++) {
      Path f = files.get(i);
      all.update(hashOf(f));
      bytes += Files.size(f);
      try (ConversationReader r =
          ConversationReader.open(
              f.toString(),
              Compressions.open(f),
              spec.conversationFormat(),
              ReadLimits.DEFAULT,
              new HashSet<>())) {
        if (!r.hasNext()) failed++; // an empty file: ReadConversations says so
        while (r.hasNext()) {
          Parsed<Conversation> p = r.next();
          if (!p.ok()) {
            failed++;
            continue;
          }
          Integer first = firstFile.putIfAbsent(p.value().chatId(), i);
          if (first != null && first != i) {
            dups.putIfAbsent(p.value().chatId(), first);
            failed++;
            continue;
          }
          ok++;
          layout.add(p.value());
        }
      }
    }
    all.update(spec.describe().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    return new Survey(
        layout.build(),
        HexFormat.of().formatHex(all.digest()),
        ok,
        failed,
        bytes,
        Map.copyOf(dups));
  }

  public Survey withLayout(ConversationLayout l) {
    return new Survey(l, inputHash, conversations, failures, bytes, crossFileDuplicates);
  }

  private static byte[] hashOf(Path f) throws IOException {
    MessageDigest d = sha256();
    byte[] buf = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(f)) {
      for (int n; (n = in.read(buf)) > 0; ) d.update(buf, 0, n);
    }
    return d.digest();
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
