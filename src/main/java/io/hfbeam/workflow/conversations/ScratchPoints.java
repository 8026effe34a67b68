package io.hfbeam.workflow.conversations;

import io.hfbeam.cluster.VectorFile;
import io.hfbeam.cluster.Vectors;
import io.hfbeam.conversations.ConversationLayout;
import io.hfbeam.conversations.StageFeatures;
import io.hfbeam.conversations.StageRows;
import io.hfbeam.format.files.Directories;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The set's conversations as clustering points, kept in scratch files under the set's {@code
 * .hfbeam/} rather than on the heap: the vectors (from the embeddings stage) in a {@link
 * VectorFile}, the naming texts (summaries with an LLM, else the conversations' text, clipped) in a
 * file read by offset. The heap holds the chat ids and two numbers a point, so the cluster stage at
 * 100k conversations does not hold 154 MB of vectors and 100 MB of texts. Closing removes the
 * files.
 */
final class ScratchPoints implements ClusterAnalysis.PointSet, Closeable {
  private final Path dir;
  private final List<String> chatIds;
  private final VectorFile vectors;
  private final FileChannel texts;
  private final long[] offsets;
  private final int[] lengths;

  private ScratchPoints(
      Path dir,
      List<String> chatIds,
      VectorFile vectors,
      FileChannel texts,
      long[] offsets,
      int[] lengths) {
    this.dir = dir;
    this.chatIds = chatIds;
    this.vectors = vectors;
    this.texts = texts;
    this.offsets = offsets;
    this.lengths = lengths;
  }

  /**
   * Reads the set's embeddings and naming texts into scratch files (two streamed passes over the
   * stages). A chat id the embeddings stage holds twice keeps its last vector; a point without a
   * text has "".
   */
  static ScratchPoints of(Path root, boolean summaries, ConversationLayout layout, int textChars)
      throws IOException {
    return of(List.of(root), summaries, layout, textChars);
  }

  /** The set's vectors alone (every text ""): for sums and radii, which read no text. */
  static ScratchPoints vectorsOf(Path root) throws IOException {
    return of(List.of(root), false, ConversationLayout.SAFE, NO_TEXTS);
  }

  private static final int NO_TEXTS = -1;

  /**
   * The points of several checkpoint sets together (a watched set and its increment), the scratch
   * files under the first's {@code .hfbeam/}.
   */
  static ScratchPoints of(
      List<Path> roots, boolean summaries, ConversationLayout layout, int textChars)
      throws IOException {
    Path scratch = roots.get(0).resolve(".hfbeam");
    Files.createDirectories(scratch);
    Path dir = Files.createTempDirectory(scratch, "cluster-");
    try {
      return read(roots, dir, summaries, layout, textChars);
    } catch (IOException | RuntimeException e) {
      Directories.deleteTree(dir);
      throw e;
    }
  }

  private static ScratchPoints read(
      List<Path> roots, Path dir, boolean summaries, ConversationLayout layout, int textChars)
      throws IOException {
    Path vectorFile = dir.resolve("vectors.f32");
    List<String> ids = new ArrayList<>();
    int[] dimension = {-1};
    VectorFile.Writer[] writer = {null};
    try {
      for (Path root : roots) {
        StageFiles.forEachRow(
            root,
            StageFeatures.EMBEDDINGS,
            row -> {
              io.hfbeam.conversations.Embedding e = StageRows.embedding(row);
              if (writer[0] == null) {
                dimension[0] = e.vector().length;
                writer[0] = VectorFile.writer(vectorFile, dimension[0]);
              }
              writer[0].add(e.vector());
              ids.add(e.chatId());
            });
      }
    } finally {
      if (writer[0] != null) writer[0].close();
    }
    // the points in chat id order; of repeated ids, the last row written
    Integer[] byId = new Integer[ids.size()];
    for (int i = 0; i < byId.length; i++) byId[i] = i;
    Arrays.sort(byId, Comparator.comparing((Integer i) -> ids.get(i)).thenComparing(i -> i));
    List<String> sorted = new ArrayList<>(byId.length);
    List<Integer> rows = new ArrayList<>(byId.length);
    for (int j = 0; j < byId.length; j++) {
      String id = ids.get(byId[j]);
      if (j + 1 < byId.length && ids.get(byId[j + 1]).equals(id)) continue;
      sorted.add(id);
      rows.add(byId[j]);
    }
    ids.clear();
    int[] order = rows.stream().mapToInt(Integer::intValue).toArray();
    List<String> chatIds = Collections.unmodifiableList(sorted);
    long[] offsets = new long[order.length];
    int[] lengths = new int[order.length];
    Arrays.fill(lengths, -1);
    Path textFile = dir.resolve("texts.utf8");
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(textFile), 1 << 16)) {
      long[] at = {0};
      StageFiles.RowAction take =
          row -> {
            String id = row.path("chat_id").asText();
            int i = Collections.binarySearch(chatIds, id);
            if (i < 0) return;
            String text =
                summaries
                    ? row.path("summary").asText()
                    : ConversationText.of(StageRows.conversation(row, layout));
            byte[] b = ClusterAnalysis.clip(text, textChars).getBytes(StandardCharsets.UTF_8);
            out.write(b);
            offsets[i] = at[0];
            lengths[i] = b.length;
            at[0] += b.length;
          };
      for (Path root : textChars == NO_TEXTS ? List.<Path>of() : roots) {
        StageFiles.forEachRow(
            root, summaries ? StageFeatures.SUMMARIES : StageFeatures.CONVERSATIONS, take);
      }
    }
    VectorFile vectors =
        VectorFile.open(vectorFile, Math.max(0, dimension[0]), order.length == 0 ? null : order);
    return new ScratchPoints(
        dir,
        chatIds,
        vectors,
        FileChannel.open(textFile, StandardOpenOption.READ),
        offsets,
        lengths);
  }

  @Override
  public List<String> chatIds() {
    return chatIds;
  }

  @Override
  public Vectors vectors() {
    return vectors;
  }

  /**
   * The vectors by chat id, each read when asked for (a read-only view: what {@link ClusterSums}
   * and {@link ClusterUpdate} look up).
   */
  Map<String, float[]> vectorsById() {
    return new AbstractMap<>() {
      @Override
      public float[] get(Object id) {
        int i = id instanceof String s ? Collections.binarySearch(chatIds, s) : -1;
        return i < 0 ? null : vectors.row(i);
      }

      @Override
      public boolean containsKey(Object id) {
        return id instanceof String s && Collections.binarySearch(chatIds, s) >= 0;
      }

      @Override
      public int size() {
        return chatIds.size();
      }

      @Override
      public Set<Map.Entry<String, float[]>> entrySet() {
        return new AbstractSet<>() {
          @Override
          public Iterator<Map.Entry<String, float[]>> iterator() {
            return new Iterator<>() {
              private int i;

              @Override
              public boolean hasNext() {
                return i < chatIds.size();
              }

              @Override
              public Map.Entry<String, float[]> next() {
                if (!hasNext()) throw new java.util.NoSuchElementException();
                int at = i++;
                return Map.entry(chatIds.get(at), vectors.row(at));
              }
            };
          }

          @Override
          public int size() {
            return chatIds.size();
          }
        };
      }
    };
  }

  @Override
  public String text(int i) {
    if (lengths[i] <= 0) return "";
    ByteBuffer b = ByteBuffer.allocate(lengths[i]);
    try {
      while (b.hasRemaining()) {
        if (texts.read(b, offsets[i] + b.position()) < 0) throw new IOException("text cut");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(dir + ": " + e.getMessage(), e);
    }
    return new String(b.array(), StandardCharsets.UTF_8);
  }

  @Override
  public void close() throws IOException {
    try {
      vectors.close();
      texts.close();
    } finally {
      Directories.deleteTree(dir);
    }
  }
}
