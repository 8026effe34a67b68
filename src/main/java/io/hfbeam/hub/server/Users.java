package io.hfbeam.hub.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The accounts of a local Hub, each reached by one or more tokens. Only SHA-256 digests of the
 * tokens are kept, and they are compared in constant time, so neither memory dumps nor timing give
 * a token away.
 */
public final class Users {
  /** An account: its namespace and the organizations whose namespaces it may write to as well. */
  public record User(String name, List<String> orgs) {
    public User {
      orgs = List.copyOf(orgs);
    }

    /** True if this user may write to (and see the private repos of) {@code namespace}. */
    boolean member(String namespace) {
      return name.equals(namespace) || orgs.contains(namespace);
    }
  }

  private record Entry(byte[] digest, User user) {}

  private static final String ALPHABET =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final List<Entry> entries;

  private Users(List<Entry> entries) {
    this.entries = List.copyOf(entries);
  }

  /** No accounts: every read of a public repo works, every write gets 401. */
  public static Users none() {
    return new Users(List.of());
  }

  /** These users plus {@code token} for {@code name}, member of {@code orgs}. */
  public Users with(String token, String name, String... orgs) {
    if (token == null || token.isBlank() || token.chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
      throw new IllegalArgumentException("a token must be a non-empty word without spaces");
    }
    checkNamespace(name, "user");
    for (String org : orgs) checkNamespace(org, "organization");
    byte[] digest = digest(token);
    if (entries.stream().anyMatch(e -> MessageDigest.isEqual(e.digest, digest))) {
      throw new IllegalArgumentException("the same token is given twice");
    }
    List<Entry> all = new ArrayList<>(entries);
    all.add(new Entry(digest, new User(name, Arrays.asList(orgs))));
    return new Users(all);
  }

  /**
   * Reads a tokens file: one {@code TOKEN USER [ORG,ORG...]} per line; blank lines and {@code #}
   * comments are skipped. A bad line is an IllegalArgumentException naming the file and line
   * number, never the token.
   */
  public static Users parse(Path file) throws IOException {
    Users users = none();
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) continue;
      String[] words = line.split("\\s+");
      String where = file + " line " + (i + 1);
      if (words.length < 2 || words.length > 3) {
        throw new IllegalArgumentException(
            where
                + ": expected 'TOKEN USER [ORG,ORG...]', found "
                + words.length
                + " word"
                + (words.length == 1 ? "" : "s"));
      }
      String[] orgs = words.length == 3 ? words[2].split(",", -1) : new String[0];
      try {
        users = users.with(words[0], words[1], orgs);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(where + ": " + e.getMessage());
      }
    }
    if (users.entries.isEmpty()) throw new IllegalArgumentException(file + " holds no tokens");
    return users;
  }

  /** A new random token in the Hub's format ({@code hf_} and 34 letters and digits). */
  public static String newToken() {
    StringBuilder token = new StringBuilder("hf_");
    for (int i = 0; i < 34; i++) token.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
    return token.toString();
  }

  public boolean isEmpty() {
    return entries.isEmpty();
  }

  /**
   * The user of {@code token}; every entry is compared, so the time taken does not depend on which
   * matched.
   */
  Optional<User> authenticate(String token) {
    byte[] digest = digest(token);
    User found = null;
    for (Entry e : entries) {
      if (MessageDigest.isEqual(e.digest, digest)) found = e.user;
    }
    return Optional.ofNullable(found);
  }

  /** The name is not echoed: in a tokens file with columns swapped it could be a token. */
  private static void checkNamespace(String name, String what) {
    if (!Names.validNamespace(name)) {
      throw new IllegalArgumentException(
          "invalid "
              + what
              + " name (letters, digits, '-', '_' and '.' inside, at most "
              + Names.MAX_NAME
              + ")");
    }
  }

  private static byte[] digest(String token) {
    return io.hfbeam.hub.GitOids.digest("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public String toString() {
    return entries.size() + " token(s)";
  }
}
