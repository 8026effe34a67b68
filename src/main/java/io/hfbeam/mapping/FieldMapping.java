package io.hfbeam.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.hfbeam.hf.Features;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The HF-schema mapping, read from YAML: output fields in order, each taken from a nested path or a
 * template, with a type, a default for missing optional values, an optional cast, and routing of
 * records to splits.
 *
 * <pre>
 * fields:
 *   - {name: source, from: source_document, type: string, default: ""}
 *   - {name: persona, template: "{persona.roll}/{persona.erfarenhet}", type: string, required: true}
 * routes:
 *   - {split: train, when: {file: "qa_passed*.jsonl"}}
 *   - {split: rejected, when: {field: validation.godkand, equals: false}}
 * </pre>
 */
public final class FieldMapping implements Serializable {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{([^{}]+)}");

  /** One output field. {@code defaultJson} is the default value as JSON text (null: no default). */
  public record FieldSpec(
      String name,
      String from,
      String template,
      String type,
      boolean required,
      String defaultJson,
      boolean cast)
      implements Serializable {

    /** Template placeholders, e.g. ["persona.roll", "persona.erfarenhet"]. */
    List<String> placeholders() {
      List<String> out = new ArrayList<>();
      Matcher m = PLACEHOLDER.matcher(template);
      while (m.find()) out.add(m.group(1).trim());
      return out;
    }
  }

  /** Records matching {@code when} go to {@code split}; all conditions must hold. */
  public record Route(
      String split, String fileGlob, String field, String equalsJson, Boolean exists)
      implements Serializable {}

  private final List<FieldSpec> fields;
  private final List<Route> routes;
  private final String defaultSplit;
  private final String featuresJson;
  private final boolean valuesAsText;
  private transient CompiledRoutes compiled;
  private transient FileGlobs fileGlobs;

  /**
   * Which route globs a file name matches; one object, so a reader never pairs a name with
   * another's result.
   */
  private record FileGlobs(String fileName, boolean[] match) {}

  /**
   * The routes' conditions prepared once: file globs, {@code equals} values, field paths split at
   * the dots.
   */
  private record CompiledRoutes(Pattern[] globs, JsonNode[] equalsValues, String[][] fields) {}

  private FieldMapping(
      List<FieldSpec> fields, List<Route> routes, String defaultSplit, Features features) {
    this(fields, routes, defaultSplit, features, false);
  }

  private FieldMapping(
      List<FieldSpec> fields,
      List<Route> routes,
      String defaultSplit,
      Features features,
      boolean valuesAsText) {
    this.valuesAsText = valuesAsText;
    this.fields = List.copyOf(fields);
    this.routes = List.copyOf(routes);
    this.defaultSplit = defaultSplit;
    this.featuresJson = features.toJson();
  }

  public List<FieldSpec> fields() {
    return fields;
  }

  public Features features() {
    return Features.fromJson(featuresJson);
  }

  /** Every split the routes can produce, in route order, then the default split. */
  public List<String> splits() {
    List<String> out = new ArrayList<>();
    for (Route r : routes) if (!out.contains(r.split())) out.add(r.split());
    if (defaultSplit != null && !out.contains(defaultSplit)) out.add(defaultSplit);
    return out;
  }

  /**
   * Copies each declared feature from the field of the same name; for sources that already have the
   * shape.
   */
  public static FieldMapping identity(Features features, boolean cast, String split) {
    return identity(features, cast, split, false);
  }

  /**
   * @param valuesAsText a number or bool where text is wanted is kept as its text: for features
   *     inferred from the data, where a column of mixed numbers and text was made text on purpose
   *     (declared text never takes numbers)
   */
  public static FieldMapping identity(
      Features features, boolean cast, String split, boolean valuesAsText) {
    List<FieldSpec> specs = new ArrayList<>();
    for (String name : features.names()) {
      specs.add(new FieldSpec(name, name, null, null, false, null, cast));
    }
    return new FieldMapping(specs, List.of(), split, features, valuesAsText);
  }

  /** Whether numbers and bools are taken as text where text is wanted (see {@link #identity}). */
  public boolean valuesAsText() {
    return valuesAsText;
  }

  public static FieldMapping load(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      return parse(YAML.readTree(in), file.toString());
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "cannot read mapping " + io.hfbeam.format.YamlErrors.describe(file.toString(), e));
    }
  }

  public static FieldMapping parse(JsonNode root, String where) {
    if (root == null || !root.has("fields") || !root.get("fields").isArray()) {
      throw new IllegalArgumentException(where + ": a mapping needs a 'fields' list");
    }
    List<FieldSpec> specs = new ArrayList<>();
    for (JsonNode f : root.get("fields")) {
      String name = text(f, "name", where);
      String template = f.hasNonNull("template") ? f.get("template").asText() : null;
      String from =
          f.hasNonNull("from") ? f.get("from").asText() : (template == null ? name : null);
      JsonNode typeNode = f.get("type");
      String type =
          typeNode == null
              ? "string"
              : typeNode.isTextual() ? typeNode.asText() : typeNode.toString();
      String def = f.has("default") ? f.get("default").toString() : null;
      specs.add(
          new FieldSpec(
              name,
              from,
              template,
              type,
              f.path("required").asBoolean(false),
              def,
              f.path("cast").asBoolean(false)));
    }
    List<Route> routes = new ArrayList<>();
    for (JsonNode r : root.path("routes")) {
      JsonNode when = r.path("when");
      for (Iterator<String> it = when.fieldNames(); it.hasNext(); ) {
        String k = it.next();
        if (!List.of("file", "field", "equals", "exists").contains(k)) {
          throw new IllegalArgumentException(
              where + ": unknown route condition '" + k + "' (use file, field, equals, exists)");
        }
      }
      routes.add(
          new Route(
              text(r, "split", where),
              when.hasNonNull("file") ? when.get("file").asText() : null,
              when.hasNonNull("field") ? when.get("field").asText() : null,
              when.has("equals") ? when.get("equals").toString() : null,
              when.has("exists") ? when.get("exists").asBoolean() : null));
    }
    String defaultSplit =
        root.hasNonNull("default_split")
            ? root.get("default_split").asText()
            : routes.isEmpty() ? "train" : null;
    ObjectNode types = JsonNodeFactory.instance.objectNode();
    for (JsonNode f : root.get("fields")) {
      types.set(
          f.get("name").asText(),
          f.hasNonNull("type") ? f.get("type") : JsonNodeFactory.instance.textNode("string"));
    }
    try {
      return new FieldMapping(specs, routes, defaultSplit, Features.parse(types));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + ": " + e.getMessage());
    }
  }

  private static String text(JsonNode node, String key, String where) {
    if (!node.hasNonNull(key))
      throw new IllegalArgumentException(where + ": missing '" + key + "' in " + node);
    return node.get(key).asText();
  }

  /** Follows a dotted path through nested objects; MissingNode when any step is absent. */
  static JsonNode path(JsonNode root, String dotted) {
    return path(root, steps(dotted));
  }

  /** {@link #path(JsonNode, String)} with the path already split at its dots. */
  static JsonNode path(JsonNode root, String[] steps) {
    JsonNode n = root;
    for (String part : steps) {
      n = n.path(part);
      if (n.isMissingNode()) return n;
    }
    return n;
  }

  static String[] steps(String dotted) {
    return dotted.split("\\.");
  }

  /** Every dotted path a record is read at: fields, template placeholders and route conditions. */
  public List<String> paths() {
    List<String> out = new ArrayList<>();
    for (FieldSpec f : fields) {
      if (f.template() != null) out.addAll(f.placeholders());
      else out.add(f.from());
    }
    for (Route r : routes) if (r.field() != null) out.add(r.field());
    return out;
  }

  static JsonNode parseDefault(String json) {
    try {
      return json == null ? null : JSON.readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException(e);
    }
  }

  /** The split for a record, or null when no route matches and there is no default. */
  String route(JsonNode record, String fileName) {
    CompiledRoutes c = compiled;
    if (c == null) {
      compiled =
          c =
              new CompiledRoutes(
                  routes.stream()
                      .map(r -> r.fileGlob() == null ? null : globToRegex(r.fileGlob()))
                      .toArray(Pattern[]::new),
                  routes.stream().map(r -> parseDefault(r.equalsJson())).toArray(JsonNode[]::new),
                  routes.stream()
                      .map(r -> r.field() == null ? null : steps(r.field()))
                      .toArray(String[][]::new));
    }
    Pattern[] globs = c.globs();
    JsonNode[] equalsValues = c.equalsValues();
    String[][] routeFields = c.fields();
    FileGlobs fg = fileGlobs;
    if (fg == null
        || !java.util.Objects.equals(fg.fileName(), fileName)) { // records come file by file
      boolean[] match = new boolean[routes.size()];
      for (int i = 0; i < match.length; i++)
        match[i] = globs[i] == null || globs[i].matcher(fileName).matches();
      fileGlobs = fg = new FileGlobs(fileName, match);
    }
    for (int i = 0; i < routes.size(); i++) {
      Route r = routes.get(i);
      if (!fg.match()[i]) continue;
      if (routeFields[i] != null) {
        JsonNode v = path(record, routeFields[i]);
        if (r.exists() != null && r.exists() == (v.isMissingNode() || v.isNull())) continue;
        if (equalsValues[i] != null && !equalsValues[i].equals(v)) continue;
      }
      return r.split();
    }
    return defaultSplit;
  }

  static Pattern globToRegex(String glob) {
    StringBuilder sb = new StringBuilder();
    for (char c : glob.toCharArray()) {
      switch (c) {
        case '*' -> sb.append("[^/]*");
        case '?' -> sb.append("[^/]");
        default -> sb.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(sb.toString());
  }
}
