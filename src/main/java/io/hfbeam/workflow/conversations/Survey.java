package io.hfbeam.workflow.conversations;

import io.hfbeam.conversations.Conversation;
import io.hfbeam.conversations.ConversationLayout;
import io.hfbeam.conversations.ConversationReader;
import io.hfbeam.conversations.JsonRecords;
import io.hfbeam.conversations.Parsed;
import io.hfbeam.conversations.ReadLimits;
import io.hfbeam.format.files.Compressions;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The pass over the input before the pipeline is built: the conversations checkpoint's layout (one
 * Arrow type per column needs every row seen), the input's content hash (the fingerprint), counts,
 * the parts the files are read in, and the chat ids that occur in more than one part (a worker
 * reads one part and cannot see the others). Streams, hashing each file while it is parsed: memory
 * holds the ids, not the conversations.
 *
 * @param parts every file cut into parts of at most {@link #PART_RECORDS} records (and {@link
 *     #PART_BYTES} of JSON Lines): a part is one call on a worker, so on Flink a checkpoint waits
 *     for one part at most, never for a whole file
 * @param crossFileDuplicates chat id -> index of the part that holds its first occurrence, for ids
 *     that occur again in a later part
 */
public record Survey(
    ConversationLayout layout,
    String inputHash,
    long conversations,
    long failures,
    long bytes,
    List<Part> parts,
    Map<String, Integer> crossFileDuplicates) {
  static final long PART_RECORDS = 1000;
  static final long PART_BYTES = 16L << 20;

  /**
   * A run of records of one file: where it starts, how many records, and what the reader had
   * detected by then.
   *
   * @param file the file's index in the input
   * @param bytes this part's share of the file's size (the progress line's input share)
   */
  public record Part(
      int file,
      String path,
      JsonRecords.Mark start,
      boolean array,
      long records,
      String detectedFormat,
      long bytes)
      implements Serializable {
    /** The file's first part (the one that says a file is empty or gone). */
    public boolean first() {
      return start.records() == 0;
    }
  }

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
    Map<String, Integer> firstPart = new HashMap<>();
    for (String id : known) firstPart.put(id, -1);
    Map<String, Integer> dups = new HashMap<>();
    List<Part> parts = new ArrayList<>();
    long ok = 0;
    long failed = 0;
    long bytes = 0;
    for (int i = 0; i < files.size(); i++) {
      Path f = files.get(i);
      long size = Files.size(f);
      bytes += size;
      MessageDigest fileHash = sha256();
      List<Part> ofFile = new ArrayList<>();
      try (InputStream file = Files.newInputStream(f);
          // the parser closes its input at the end; the rest is still to be hashed
          DigestInputStream raw = new DigestInputStream(unclosed(file), fileHash);
          ConversationReader r =
              ConversationReader.open(
                  f.toString(),
                  Compressions.open(f, raw),
                  spec.conversationFormat(),
                  ReadLimits.DEFAULT,
                  null)) {
        JsonRecords.Mark start = r.mark();
        String detected = r.detectedName();
        long n = 0;
        while (true) {
          JsonRecords.Mark at = r.mark();
          if (n >= PART_RECORDS
              || (n > 0 && !r.isArray() && at.offset() - start.offset() >= PART_BYTES)) {
            ofFile.add(new Part(i, f.toString(), start, r.isArray(), n, detected, 0));
            start = at;
            detected = r.detectedName();
            n = 0;
          }
          if (!r.hasNext()) break;
          Parsed<Conversation> p = r.next();
          n++;
          if (!p.ok()) {
            failed++;
            continue;
          }
          // the index the part being read will have; a repeat inside one part is the reader's to
          // refuse
          int part = parts.size() + ofFile.size();
          Integer first = firstPart.putIfAbsent(p.value().chatId(), part);
          if (first != null) {
            if (first != part) dups.putIfAbsent(p.value().chatId(), first);
            failed++;
            continue;
          }
          ok++;
          layout.add(p.value());
        }
        if (n > 0 || ofFile.isEmpty()) {
          // an empty file is one part of no records: ReadConversations says so
          if (n == 0) failed++;
          ofFile.add(new Part(i, f.toString(), start, r.isArray(), n, detected, 0));
        }
        raw.transferTo(OutputStream.nullOutputStream()); // the hash covers bytes the reader left
      }
      all.update(fileHash.digest());
      parts.addAll(shares(ofFile, size));
    }
    all.update(spec.describe().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    return new Survey(
        layout.build(),
        HexFormat.of().formatHex(all.digest()),
        ok,
        failed,
        bytes,
        List.copyOf(parts),
        Map.copyOf(dups));
  }

  private static InputStream unclosed(InputStream in) {
    return new FilterInputStream(in) {
      @Override
      public void close() {}
    };
  }

  /** The file's size shared over its parts by records (the last takes the rest). */
  private static List<Part> shares(List<Part> parts, long size) {
    long total = parts.stream().mapToLong(Part::records).sum();
    List<Part> out = new ArrayList<>();
    long given = 0;
    for (int k = 0; k < parts.size(); k++) {
      Part p = parts.get(k);
      long b =
          k == parts.size() - 1
              ? size - given
              : total == 0 ? 0 : Math.round((double) size * p.records() / total);
      given += b;
      out.add(
          new Part(p.file(), p.path(), p.start(), p.array(), p.records(), p.detectedFormat(), b));
    }
    return out;
  }

  public Survey withLayout(ConversationLayout l) {
    return new Survey(l, inputHash, conversations, failures, bytes, parts, crossFileDuplicates);
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
