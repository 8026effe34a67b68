package io.hfbeam.hub;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;

/**
 * Where huggingface_hub looks for things, computed from an environment map (System.getenv in
 * production, a plain map in tests): endpoint, token, token file and cache folder, with the same
 * precedence as Python.
 */
public final class HubEnvironment {
  public static final String DEFAULT_ENDPOINT = "https://huggingface.co";

  private final Map<String, String> env;

  public HubEnvironment(Map<String, String> env) {
    this.env = Map.copyOf(env);
  }

  public static HubEnvironment system() {
    return new HubEnvironment(System.getenv());
  }

  public String endpoint() {
    String value = get("HF_ENDPOINT").orElse(DEFAULT_ENDPOINT);
    return value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
  }

  /** HF_TOKEN, then HUGGING_FACE_HUB_TOKEN, then the token file; empty when none holds a token. */
  public Optional<String> token() throws IOException {
    Optional<String> fromEnv =
        get("HF_TOKEN")
            .map(HubEnvironment::clean)
            .filter(t -> !t.isEmpty())
            .or(
                () ->
                    get("HUGGING_FACE_HUB_TOKEN")
                        .map(HubEnvironment::clean)
                        .filter(t -> !t.isEmpty()));
    if (fromEnv.isPresent()) return fromEnv;
    Path file = tokenPath();
    if (!Files.isRegularFile(file)) return Optional.empty();
    String token = clean(Files.readString(file, StandardCharsets.UTF_8));
    return token.isEmpty() ? Optional.empty() : Optional.of(token);
  }

  /** HF_TOKEN_PATH, else $HF_HOME/token. */
  public Path tokenPath() {
    return get("HF_TOKEN_PATH").map(Path::of).orElse(hfHome().resolve("token"));
  }

  /** Writes the token where huggingface_hub reads it: one line, mode 0600, in a 0700 folder. */
  public Path storeToken(String token) throws IOException {
    Path file = tokenPath();
    Path dir = file.toAbsolutePath().getParent();
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(dir);
      trySetPermissions(dir, "rwx------");
    }
    Path tmp = Files.createTempFile(dir, "token", ".tmp");
    trySetPermissions(tmp, "rw-------");
    Files.writeString(tmp, clean(token), StandardCharsets.UTF_8);
    Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    return file;
  }

  /** $HF_HOME, else $XDG_CACHE_HOME/huggingface, else ~/.cache/huggingface. */
  public Path hfHome() {
    return get("HF_HOME")
        .map(Path::of)
        .or(() -> get("XDG_CACHE_HOME").map(x -> Path.of(x, "huggingface")))
        .orElse(Path.of(System.getProperty("user.home"), ".cache", "huggingface"));
  }

  /** HF_HUB_CACHE, else HUGGINGFACE_HUB_CACHE, else $HF_HOME/hub. */
  public Path hubCache() {
    return get("HF_HUB_CACHE")
        .or(() -> get("HUGGINGFACE_HUB_CACHE"))
        .map(Path::of)
        .orElse(hfHome().resolve("hub"));
  }

  public boolean offline() {
    return get("HF_HUB_OFFLINE")
        .map(v -> v.equals("1") || v.equalsIgnoreCase("true"))
        .orElse(false);
  }

  /** Values are used as given, except a leading "~/", which Python's expanduser also resolves. */
  private Optional<String> get(String name) {
    return Optional.ofNullable(env.get(name))
        .filter(v -> !v.isBlank())
        .map(v -> v.startsWith("~/") ? System.getProperty("user.home") + v.substring(1) : v);
  }

  /** As huggingface_hub: drop every CR and LF, then trim. */
  static String clean(String token) {
    return token.replace("\r", "").replace("\n", "").trim();
  }

  private static void trySetPermissions(Path path, String perms) {
    try {
      Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(perms));
    } catch (UnsupportedOperationException | IOException e) {
      // Not a POSIX file system (Windows): the user profile's ACLs protect the file instead.
    }
  }
}
