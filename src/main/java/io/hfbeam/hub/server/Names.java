package io.hfbeam.hub.server;

import java.util.regex.Pattern;

/**
 * The Hub's rules for names, applied to every value that came from a request after
 * percent-decoding: repo ids as huggingface_hub's validate_repo_id checks them, and paths inside a
 * repo.
 */
final class Names {
  static final int MAX_NAME = 96;

  /** Longer paths are no use in a dataset and only make the tree and commit files grow. */
  static final int MAX_PATH = 1000;

  static final int MAX_REVISION = 256;

  /**
   * Word characters, '-' and '.', starting and ending with a word character (validate_repo_id's
   * \b...\b).
   */
  private static final Pattern NAME =
      Pattern.compile("[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?");

  private Names() {}

  static boolean validNamespace(String name) {
    return name != null
        && name.length() <= MAX_NAME
        && NAME.matcher(name).matches()
        && !name.contains("--")
        && !name.contains("..");
  }

  /** {@code namespace/name}, or 400. */
  static String repoId(String namespace, String name) {
    if (!validNamespace(namespace) || !validNamespace(name) || name.endsWith(".git")) {
      throw HubError.badRequest(
          "Invalid repo id '"
              + show(namespace)
              + "/"
              + show(name)
              + "': names are letters, "
              + "digits, '-', '_' and '.' (not first or last, no '--' or '..'), at most "
              + MAX_NAME
              + " characters");
    }
    return namespace + "/" + name;
  }

  /** An id already joined, e.g. from the store: the same rules. */
  static String repoId(String id) {
    int slash = id.indexOf('/');
    if (slash < 0)
      throw HubError.badRequest("Invalid repo id '" + show(id) + "': expected namespace/name");
    return repoId(id.substring(0, slash), id.substring(slash + 1));
  }

  /**
   * A file or folder path in a repo, or 400 saying what is wrong: relative, '/'-separated, no
   * empty, '.', '..' or '.git' segment, no backslash or control character, at most {@link
   * #MAX_PATH} characters.
   */
  static String path(String path) {
    String problem = pathProblem(path);
    if (problem != null) throw HubError.badRequest("Invalid path '" + show(path) + "': " + problem);
    return path;
  }

  private static String pathProblem(String path) {
    if (path.isEmpty()) return "empty";
    if (path.length() > MAX_PATH) return "longer than " + MAX_PATH + " characters";
    if (path.startsWith("/")) return "starts with '/'";
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c < 0x20 || c == 0x7f) return "contains a control character";
      if (c == '\\') return "contains a backslash";
    }
    for (String segment : path.split("/", -1)) {
      if (segment.isEmpty()) return "has an empty segment ('//' or a trailing '/')";
      if (segment.equals(".") || segment.equals("..")) return "has a '" + segment + "' segment";
      if (segment.equals(".git")) return "has a '.git' segment";
    }
    return null;
  }

  /**
   * A branch name or commit id: the same characters as paths ("refs/pr/1" has slashes), shorter.
   */
  static String revision(String rev) {
    if (rev.length() > MAX_REVISION || pathProblem(rev) != null) {
      throw HubError.badRequest("Invalid revision '" + show(rev) + "'");
    }
    return rev;
  }

  /** For messages and headers: control characters escaped, cut to 100 characters. */
  static String show(String value) {
    if (value == null) return "null";
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < value.length() && out.length() < 100; i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c == 0x7f) out.append(String.format("\\x%02x", (int) c));
      else out.append(c);
    }
    return value.length() > 100 ? out + "..." : out.toString();
  }
}
