package io.hfbeam.hub;

import java.io.Serializable;

/** A repository on the Hub: its type and {@code namespace/name}. */
public record RepoId(Type type, String id) implements Serializable {
  /** Repo types and how each appears in URLs and cache folder names. */
  public enum Type {
    MODEL("models", ""),
    DATASET("datasets", "datasets/"),
    SPACE("spaces", "spaces/");

    final String plural;
    final String urlPrefix;

    Type(String plural, String urlPrefix) {
      this.plural = plural;
      this.urlPrefix = urlPrefix;
    }

    /**
     * "model", "dataset", "space": the create-repo body and huggingface_hub's {@code repo_type}.
     */
    public String apiName() {
      return plural.substring(0, plural.length() - 1);
    }

    public static Type parse(String name) {
      for (Type t : values())
        if (t.apiName().equalsIgnoreCase(name) || t.plural.equalsIgnoreCase(name)) return t;
      throw new IllegalArgumentException(
          "unknown repo type '" + name + "' (use model, dataset or space)");
    }
  }

  public RepoId {
    if (id == null || !id.matches("[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*")) {
      throw new IllegalArgumentException("repo id must look like owner/name, got '" + id + "'");
    }
  }

  public static RepoId dataset(String id) {
    return new RepoId(Type.DATASET, id);
  }

  public static RepoId model(String id) {
    return new RepoId(Type.MODEL, id);
  }

  public String namespace() {
    return id.substring(0, id.indexOf('/'));
  }

  public String name() {
    return id.substring(id.indexOf('/') + 1);
  }

  /** {@code datasets--owner--name}, the folder huggingface_hub uses in its cache. */
  public String cacheFolderName() {
    return type.plural + "--" + id.replace("/", "--");
  }

  @Override
  public String toString() {
    return type.urlPrefix + id;
  }
}
