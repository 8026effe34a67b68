package io.hfbeam.workflow.conversations;

import io.hfbeam.conversations.Cluster;
import io.hfbeam.format.files.AtomicFiles;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a watching run's increment needs to place new conversations without reading the set's
 * embeddings: per base cluster the sum of its members' vectors (in doubles, as {@link
 * ClusterUpdate#centroids} sums them) and their count, for the clusters stage whose fingerprint it
 * records. Kept in {@code .hfbeam/cluster-sums.bin} beside {@code watch-state.json}, written whole
 * after the cluster stages. The radius needs nothing more: it is only measured when the clusters
 * are made (every vector is read then anyway) and {@link WatchState} keeps it.
 *
 * <p>Binary, not JSON: Kura's rule makes about n / 10 clusters, so at 100k conversations the sums
 * are 10k x 384 doubles, 30 MB this way and about three times that as JSON text.
 */
final class ClusterSums {
  private static final String MAGIC = "hf-beam cluster sums 1";

  /** One base cluster's members: the sum of their vectors and how many there are. */
  record Sum(double[] sum, long count) {}

  private final String fingerprint;
  private final Map<String, Sum> sums;

  private ClusterSums(String fingerprint, Map<String, Sum> sums) {
    this.fingerprint = fingerprint;
    this.sums = sums;
  }

  static Path file(Path root) {
    return root.resolve(".hfbeam").resolve("cluster-sums.bin");
  }

  String fingerprint() {
    return fingerprint;
  }

  Map<String, Sum> sums() {
    return sums;
  }

  /** The sums of {@code base}'s members, from every vector of the set. */
  static ClusterSums of(List<Cluster> base, Map<String, float[]> vectors, String fingerprint) {
    Map<String, Sum> out = new LinkedHashMap<>();
    for (Cluster c : base) {
      double[] sum = null;
      long n = 0;
      for (String id : c.chatIds()) {
        float[] v = vectors.get(id);
        if (v == null) continue;
        if (sum == null) sum = new double[v.length];
        for (int j = 0; j < v.length; j++) sum[j] += v[j];
        n++;
      }
      if (sum != null) out.put(c.id(), new Sum(sum, n));
    }
    return new ClusterSums(fingerprint, out);
  }

  /** Each cluster's mean vector, as {@link ClusterUpdate#centroids} makes it. */
  Map<String, float[]> centroids() {
    Map<String, float[]> out = new LinkedHashMap<>();
    sums.forEach(
        (id, s) -> {
          float[] mean = new float[s.sum().length];
          for (int j = 0; j < mean.length; j++) mean[j] = (float) (s.sum()[j] / s.count());
          out.put(id, mean);
        });
    return out;
  }

  /**
   * These sums with the conversations {@code placed} (base cluster id -> new chat ids) added, for
   * the clusters stage {@code newFingerprint} names.
   */
  ClusterSums plus(
      Map<String, List<String>> placed, Map<String, float[]> vectors, String newFingerprint) {
    Map<String, Sum> out = new LinkedHashMap<>();
    sums.forEach((id, s) -> out.put(id, new Sum(s.sum().clone(), s.count())));
    placed.forEach(
        (cluster, ids) -> {
          for (String id : ids) {
            float[] v = vectors.get(id);
            if (v == null) continue;
            Sum s = out.get(cluster);
            double[] sum = s == null ? new double[v.length] : s.sum();
            for (int j = 0; j < v.length; j++) sum[j] += v[j];
            out.put(cluster, new Sum(sum, (s == null ? 0 : s.count()) + 1));
          }
        });
    return new ClusterSums(newFingerprint, out);
  }

  void save(Path root) throws IOException {
    AtomicFiles.write(
        file(root),
        tmp -> {
          try (DataOutputStream out =
              new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16))) {
            out.writeUTF(MAGIC);
            out.writeUTF(fingerprint);
            out.writeInt(sums.size());
            for (Map.Entry<String, Sum> e : sums.entrySet()) {
              out.writeUTF(e.getKey());
              out.writeLong(e.getValue().count());
              out.writeInt(e.getValue().sum().length);
              for (double d : e.getValue().sum()) out.writeDouble(d);
            }
          }
        });
  }

  /**
   * The sums saved for the clusters stage {@code fingerprint} names, or empty: none saved, saved
   * for other clusters (a run stopped between the clusters and the sums), or unreadable.
   */
  static Optional<ClusterSums> load(Path root, String fingerprint) {
    Path f = file(root);
    if (!Files.isRegularFile(f)) return Optional.empty();
    try (DataInputStream in =
        new DataInputStream(new BufferedInputStream(Files.newInputStream(f), 1 << 16))) {
      if (!MAGIC.equals(in.readUTF())) return Optional.empty();
      if (!fingerprint.equals(in.readUTF())) return Optional.empty();
      int n = in.readInt();
      if (n < 0 || n > Files.size(f)) return Optional.empty();
      Map<String, Sum> sums = new LinkedHashMap<>();
      for (int i = 0; i < n; i++) {
        String id = in.readUTF();
        long count = in.readLong();
        int dims = in.readInt();
        // a damaged length must not allocate what the file does not hold
        if (dims < 0 || (long) dims * Double.BYTES > Files.size(f)) return Optional.empty();
        double[] sum = new double[dims];
        for (int j = 0; j < sum.length; j++) sum[j] = in.readDouble();
        sums.put(id, new Sum(sum, count));
      }
      return Optional.of(new ClusterSums(fingerprint, sums));
    } catch (IOException | RuntimeException e) {
      return Optional.empty(); // cut short or damaged: the full read rebuilds it
    }
  }
}
