package io.hfbeam.llm;

import java.net.InetAddress;
import java.security.Permission;
import java.util.List;

/**
 * Run in a child JVM by {@link LocalEmbeddingsTest}: proves the model loads only on first use and
 * that loading opens no connection. A security manager refuses every connect and DNS lookup (the
 * JDK's only hook that sees them all); the child runs with no proxy settings at all.
 */
public final class LocalEmbeddingsProbe {
  public static void main(String[] args) throws Exception {
    System.setSecurityManager(
        new SecurityManager() {
          @Override
          public void checkConnect(String host, int port) {
            throw new SecurityException("network: " + host + ":" + port);
          }

          @Override
          public void checkConnect(String host, int port, Object context) {
            checkConnect(host, port);
          }

          @Override
          public void checkPermission(Permission perm) {}

          @Override
          public void checkPermission(Permission perm, Object context) {}
        });
    try (LocalEmbeddings embedder = new LocalEmbeddings()) {
      System.out.println("loaded before use: " + LocalEmbeddings.loaded());
      embedder.embed(List.of());
      System.out.println("loaded after an empty call: " + LocalEmbeddings.loaded());
      float[] v = embedder.embed(List.of("a question about the weather")).vectors()[0];
      System.out.println("loaded after use: " + LocalEmbeddings.loaded() + " dims " + v.length);
    }
    // the refusal itself works: a lookup here must fail
    try {
      InetAddress.getByName("repo.maven.apache.org");
      System.out.println("network refusal NOT active");
    } catch (SecurityException e) {
      System.out.println("network refusal active");
    }
  }
}
