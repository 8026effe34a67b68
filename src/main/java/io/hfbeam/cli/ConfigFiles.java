package io.hfbeam.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds and reads the YAML files the CLI uses (pipelines/, runners/, config/): a path on disk
 * first, else the copy bundled in the jar, so the commands work from any directory.
 */
public final class ConfigFiles {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private ConfigFiles() {}

  public static ObjectNode readYaml(String pathOrResource) {
    try (InputStream in = open(pathOrResource)) {
      JsonNode n = YAML.readTree(in);
      if (n == null || n.isNull() || n.isMissingNode())
        return JsonNodeFactory.instance.objectNode();
      if (!n.isObject())
        throw new IllegalArgumentException(pathOrResource + ": expected a YAML mapping at the top");
      return (ObjectNode) n;
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "cannot read " + io.hfbeam.format.YamlErrors.describe(pathOrResource, e));
    }
  }

  public static boolean exists(String pathOrResource) {
    return Files.isRegularFile(Path.of(pathOrResource))
        || ConfigFiles.class.getClassLoader().getResource(pathOrResource) != null;
  }

  /**
   * A file on disk as a path; a bundled resource is copied to a temp file so that code wanting a
   * Path can use it.
   */
  public static Path materialize(String pathOrResource) {
    Path p = Path.of(pathOrResource);
    if (Files.isRegularFile(p)) return p;
    try (InputStream in = open(pathOrResource)) {
      Path tmp = Files.createTempFile("hfbeam-", "-" + p.getFileName());
      tmp.toFile().deleteOnExit();
      Files.copy(in, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      return tmp;
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + pathOrResource + ": " + e.getMessage());
    }
  }

  static InputStream open(String pathOrResource) throws IOException {
    Path p = Path.of(pathOrResource);
    if (Files.isRegularFile(p)) return Files.newInputStream(p);
    InputStream in =
        ConfigFiles.class.getClassLoader().getResourceAsStream(pathOrResource.replace('\\', '/'));
    if (in == null) throw new IllegalArgumentException("file not found: " + pathOrResource);
    return in;
  }

  /** The sha256 hex of a file's (or bundled resource's) bytes: what a fingerprint records. */
  public static String sha256(String pathOrResource) {
    try (InputStream in = open(pathOrResource)) {
      java.security.MessageDigest d = java.security.MessageDigest.getInstance("SHA-256");
      d.update(in.readAllBytes());
      return java.util.HexFormat.of().formatHex(d.digest());
    } catch (IOException | java.security.NoSuchAlgorithmException e) {
      throw new IllegalArgumentException("cannot read " + pathOrResource + ": " + e.getMessage());
    }
  }
}
