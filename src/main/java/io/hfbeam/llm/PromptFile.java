package io.hfbeam.llm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Serializable;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A JSON prompt file: named tasks, each a system prompt, a user template over the record's fields,
 * model parameters, an answer schema and checks on the answer.
 *
 * <pre>{"tasks": {"NAME": {"system": "...", "user": "... {{Field}} {{Other|default}} ...",
 *   "temperature": 0.7, "max_tokens": 600, "seed": 1, "dedent": false,
 *   "schema": {...JSON Schema subset...},
 *   "checks": [{"check": "not_contains_field", "path": "/paraphrase", "field": "Error Sentence"},
 *              {"check": "max_chars", "path": "/paraphrase", "value": 6000}]}}}</pre>
 *
 * {@code system} may be left out: the request is then the user message alone. {@code dedent} passes
 * each message through Python's {@code textwrap.dedent} after rendering, as instructor does to
 * Kura's prompts ({@link Dedent}). Checks on the answer's value at {@code path}:
 *
 * <ul>
 *   <li>strings: {@code min_chars}, {@code max_chars} ({@code value}); {@code not_contains_field},
 *       {@code differs_from_field} ({@code field}); {@code matches} (a whole-string regular
 *       expression, {@code pattern}); {@code one_of_field} (one of the list in the record's {@code
 *       field}, else, with {@code fuzzy_ratio}, within that thefuzz ratio of one: Kura's label
 *       rule)
 *   <li>numbers: {@code int_range} ({@code min} and/or {@code max}, inclusive; null passes: the
 *       schema says whether null is allowed)
 *   <li>arrays: {@code min_items} ({@code value})
 * </ul>
 *
 * Range and length rules are checks, not schema keywords, because OpenAI's strict structured output
 * rejects those keywords. Every fault is one line naming the file and the JSON pointer of the
 * faulty part.
 */
public final class PromptFile implements Serializable {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private static final Set<String> TASK_KEYS =
      Set.of("system", "user", "temperature", "max_tokens", "seed", "dedent", "schema", "checks");

  private final String file;
  private final Map<String, Task> tasks;

  private PromptFile(String file, Map<String, Task> tasks) {
    this.file = file;
    this.tasks = tasks;
  }

  /** Loads a prompt file and checks that every field it reads is one of {@code columns}. */
  public static PromptFile load(Path path, Collection<String> columns) {
    return load(path).checkFields(columns);
  }

  /** Loads a prompt file without knowing the input's columns (check them later). */
  public static PromptFile load(Path path) {
    String text;
    try {
      text = Files.readString(path);
    } catch (IOException e) {
      throw new PromptFileException(path.toString(), "", "cannot read: " + e);
    }
    return parse(text, path.toString());
  }

  /** Parses a prompt file's text; {@code file} names it in messages. */
  public static PromptFile parse(String text, String file) {
    JsonNode root;
    try {
      root = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      var loc = e.getLocation();
      throw new PromptFileException(
          file,
          loc == null ? 0 : loc.getLineNr(),
          loc == null ? 0 : loc.getColumnNr(),
          "not valid JSON: "
              + e.getOriginalMessage()
                  .replaceAll(
                      "(?s)\\[Source: .*?; line: (\\d+), column: (\\d+)\\]", "line $1, column $2"));
    }
    if (root == null || !root.isObject()) {
      throw new PromptFileException(file, "", "the file must be a JSON object with \"tasks\"");
    }
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!k.equals("tasks") && !k.equals("description")) {
        throw new PromptFileException(
            file,
            "/" + SchemaSubset.esc(k),
            "unknown key '" + k + "', expected tasks, description");
      }
    }
    JsonNode tasksNode = root.get("tasks");
    if (tasksNode == null || !tasksNode.isObject() || tasksNode.isEmpty()) {
      throw new PromptFileException(file, "/tasks", "must be an object with at least one task");
    }
    Map<String, Task> tasks = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = tasksNode.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String at = "/tasks/" + SchemaSubset.esc(e.getKey());
      tasks.put(e.getKey(), Task.parse(file, at, e.getKey(), e.getValue()));
    }
    return new PromptFile(file, Map.copyOf(tasks));
  }

  /**
   * Checks every field the tasks read (templates and checks) against the input's columns. A field
   * with a default in every use is still required: a typo must not pass silently.
   */
  public PromptFile checkFields(Collection<String> columns) {
    Set<String> known = Set.copyOf(columns);
    for (Task t : orderedTasks()) {
      for (String f : t.user.fields()) {
        if (!known.contains(f)) {
          throw new PromptFileException(
              file, t.at + "/user", "unknown field '" + f + "', the input has " + columns);
        }
      }
      for (int i = 0; i < t.checks.size(); i++) {
        String f = t.checks.get(i).field();
        if (f != null && !known.contains(f)) {
          throw new PromptFileException(
              file,
              t.at + "/checks/" + i + "/field",
              "unknown field '" + f + "', the input has " + columns);
        }
      }
    }
    return this;
  }

  private List<Task> orderedTasks() {
    List<Task> out = new ArrayList<>(tasks.values());
    out.sort((a, b) -> a.name.compareTo(b.name));
    return out;
  }

  public String file() {
    return file;
  }

  public Set<String> taskNames() {
    return tasks.keySet();
  }

  /** A task by name; an unknown name is a one-line error naming the ones there are. */
  public Task task(String name) {
    Task t = tasks.get(name);
    if (t == null) {
      throw new PromptFileException(
          file, "/tasks", "no task '" + name + "', the file has " + orderedNames());
    }
    return t;
  }

  private List<String> orderedNames() {
    return orderedTasks().stream().map(Task::name).toList();
  }

  @Override
  public String toString() {
    return "PromptFile[" + file + ", tasks=" + orderedNames() + "]";
  }

  /** What checking an answer found. */
  public record Validation(boolean ok, JsonNode parsed, List<String> reasons) {
    public Validation {
      reasons = List.copyOf(reasons);
    }
  }

  /**
   * A check on the answer, applied to the value at {@code path} (a JSON pointer).
   *
   * @param value the count of min_chars, max_chars and min_items; the fuzzy ratio of one_of_field
   * @param min the lower bound of int_range, or null
   * @param max the upper bound of int_range, or null
   * @param pattern the regular expression of matches
   */
  public record Check(
      String kind, String path, String field, Integer value, Long min, Long max, String pattern)
      implements Serializable {}

  /** One named task. Immutable and serializable so a Beam DoFn can carry it. */
  public static final class Task implements Serializable {
    private final String name;
    private final String at;
    private final String system;
    private final boolean dedent;
    private final Template user;
    private final Double temperature;
    private final Integer maxTokens;
    private final Long seed;
    private final String schemaText;
    private final List<Check> checks;
    private transient JsonNode schema;

    private Task(
        String name,
        String at,
        String system,
        boolean dedent,
        Template user,
        Double temperature,
        Integer maxTokens,
        Long seed,
        String schemaText,
        List<Check> checks) {
      this.name = name;
      this.at = at;
      this.system = system == null || !dedent ? system : Dedent.apply(system);
      this.dedent = dedent;
      this.user = user;
      this.temperature = temperature;
      this.maxTokens = maxTokens;
      this.seed = seed;
      this.schemaText = schemaText;
      this.checks = List.copyOf(checks);
    }

    static Task parse(String file, String at, String name, JsonNode n) {
      if (!n.isObject()) {
        throw new PromptFileException(file, at, "a task must be an object");
      }
      for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
        String k = it.next();
        if (!TASK_KEYS.contains(k)) {
          throw new PromptFileException(
              file, at + "/" + SchemaSubset.esc(k), "unknown task key '" + k + "'");
        }
      }
      String system = n.has("system") ? text(file, at, n, "system") : null;
      boolean dedent = false;
      if (n.has("dedent")) {
        if (!n.get("dedent").isBoolean()) {
          throw new PromptFileException(file, at + "/dedent", "must be true or false");
        }
        dedent = n.get("dedent").asBoolean();
      }
      String userText = text(file, at, n, "user");
      Template user;
      try {
        user = Template.parse(userText);
      } catch (IllegalArgumentException e) {
        throw new PromptFileException(file, at + "/user", e.getMessage());
      }
      Double temperature = null;
      if (n.has("temperature")) {
        JsonNode t = n.get("temperature");
        if (!t.isNumber() || t.asDouble() < 0 || t.asDouble() > 2) {
          throw new PromptFileException(file, at + "/temperature", "must be a number in [0, 2]");
        }
        temperature = t.asDouble();
      }
      Integer maxTokens = null;
      if (n.has("max_tokens")) {
        JsonNode t = n.get("max_tokens");
        if (!t.isIntegralNumber() || !t.canConvertToInt() || t.asInt() < 1) {
          throw new PromptFileException(file, at + "/max_tokens", "must be a positive integer");
        }
        maxTokens = t.asInt();
      }
      Long seed = null;
      if (n.has("seed")) {
        JsonNode t = n.get("seed");
        if (!t.isIntegralNumber() || !t.canConvertToLong()) {
          throw new PromptFileException(file, at + "/seed", "must be an integer");
        }
        seed = t.asLong();
      }
      JsonNode schema = n.get("schema");
      if (schema == null) {
        throw new PromptFileException(file, at, "missing \"schema\" (the answer's JSON schema)");
      }
      String[] bad = SchemaSubset.checkSchema(schema, at + "/schema");
      if (bad != null) {
        throw new PromptFileException(file, bad[0], bad[1]);
      }
      List<Check> checks = new ArrayList<>();
      JsonNode cs = n.get("checks");
      if (cs != null) {
        if (!cs.isArray()) {
          throw new PromptFileException(file, at + "/checks", "must be an array");
        }
        for (int i = 0; i < cs.size(); i++) {
          checks.add(parseCheck(file, at + "/checks/" + i, cs.get(i)));
        }
      }
      return new Task(
          name, at, system, dedent, user, temperature, maxTokens, seed, schema.toString(), checks);
    }

    private static Check parseCheck(String file, String at, JsonNode c) {
      if (!c.isObject()) {
        throw new PromptFileException(file, at, "a check must be an object");
      }
      String kind = text(file, at, c, "check");
      String path = text(file, at, c, "path");
      if (!path.isEmpty() && !path.startsWith("/")) {
        throw new PromptFileException(file, at + "/path", "must be a JSON pointer like /field");
      }
      Set<String> keys =
          switch (kind) {
            case "not_contains_field", "differs_from_field" -> Set.of("field");
            case "max_chars", "min_chars", "min_items" -> Set.of("value");
            case "int_range" -> Set.of("min", "max");
            case "matches" -> Set.of("pattern");
            case "one_of_field" -> Set.of("field", "fuzzy_ratio");
            default ->
                throw new PromptFileException(
                    file,
                    at + "/check",
                    "unknown check '"
                        + kind
                        + "', expected not_contains_field, differs_from_field, max_chars,"
                        + " min_chars, matches, one_of_field, int_range or min_items");
          };
      for (Iterator<String> it = c.fieldNames(); it.hasNext(); ) {
        String k = it.next();
        if (!k.equals("check") && !k.equals("path") && !keys.contains(k)) {
          throw new PromptFileException(
              file,
              at + "/" + SchemaSubset.esc(k),
              "unknown key '" + k + "' for a " + kind + " check");
        }
      }
      switch (kind) {
        case "not_contains_field", "differs_from_field" -> {
          return new Check(kind, path, text(file, at, c, "field"), null, null, null, null);
        }
        case "one_of_field" -> {
          Integer ratio = null;
          JsonNode r = c.get("fuzzy_ratio");
          if (r != null) {
            if (!r.isIntegralNumber() || !r.canConvertToInt() || r.asInt() < 1 || r.asInt() > 100) {
              throw new PromptFileException(
                  file, at + "/fuzzy_ratio", "must be an integer from 1 to 100");
            }
            ratio = r.asInt();
          }
          return new Check(kind, path, text(file, at, c, "field"), ratio, null, null, null);
        }
        case "int_range" -> {
          Long min = bound(file, at, c, "min");
          Long max = bound(file, at, c, "max");
          if (min == null && max == null) {
            throw new PromptFileException(file, at, "needs \"min\", \"max\" or both");
          }
          if (min != null && max != null && min > max) {
            throw new PromptFileException(file, at + "/min", "is larger than max");
          }
          return new Check(kind, path, null, null, min, max, null);
        }
        case "matches" -> {
          String pattern = text(file, at, c, "pattern");
          try {
            Pattern.compile(pattern);
          } catch (PatternSyntaxException e) {
            throw new PromptFileException(
                file, at + "/pattern", "not a regular expression: " + e.getDescription());
          }
          return new Check(kind, path, null, null, null, null, pattern);
        }
        default -> {
          JsonNode v = c.get("value");
          if (v == null || !v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 0) {
            throw new PromptFileException(file, at + "/value", "must be a non-negative integer");
          }
          return new Check(kind, path, null, v.asInt(), null, null, null);
        }
      }
    }

    private static Long bound(String file, String at, JsonNode c, String key) {
      JsonNode v = c.get(key);
      if (v == null) return null;
      if (!v.isIntegralNumber() || !v.canConvertToLong()) {
        throw new PromptFileException(file, at + "/" + key, "must be an integer");
      }
      return v.asLong();
    }

    private static String text(String file, String at, JsonNode n, String key) {
      JsonNode v = n.get(key);
      if (v == null) {
        throw new PromptFileException(file, at, "missing \"" + key + "\"");
      }
      if (!v.isTextual() || v.asText().isBlank() && !key.equals("path")) {
        throw new PromptFileException(file, at + "/" + key, "must be a non-empty string");
      }
      return v.asText();
    }

    public String name() {
      return name;
    }

    /** The system prompt as sent (dedented when the task says so), or null when there is none. */
    public String system() {
      return system;
    }

    public boolean dedent() {
      return dedent;
    }

    public Template user() {
      return user;
    }

    public List<Check> checks() {
      return checks;
    }

    /** The answer schema as JSON text (what goes into {@link ChatRequest#jsonSchema()}). */
    public String schemaJson() {
      return schemaText;
    }

    private JsonNode schema() {
      if (schema == null) {
        try {
          schema = JSON.readTree(schemaText);
        } catch (JsonProcessingException e) {
          throw new IllegalStateException("schema was valid at load", e);
        }
      }
      return schema;
    }

    /**
     * The request for one record: the system prompt (if any) and the rendered user message, the
     * task's parameters.
     */
    public ChatRequest request(Map<String, ?> record, String model) {
      String text = user.render(record);
      ChatMessage userMessage = ChatMessage.user(dedent ? Dedent.apply(text) : text);
      List<ChatMessage> messages =
          system == null ? List.of(userMessage) : List.of(ChatMessage.system(system), userMessage);
      return new ChatRequest(model, messages, temperature, maxTokens, seed, schemaText);
    }

    /**
     * Checks an answer: JSON, the schema, then the checks. The record is needed by the field checks
     * (the error sentence the answer must not repeat, for example).
     */
    public Validation validate(String answer, Map<String, ?> record) {
      JsonNode parsed;
      try {
        parsed = answer == null ? null : JSON.readTree(answer);
      } catch (JsonProcessingException e) {
        return new Validation(
            false,
            null,
            List.of("answer is not JSON: " + PromptFileException.oneLine(e.getOriginalMessage())));
      }
      if (parsed == null || parsed.isMissingNode()) {
        return new Validation(false, null, List.of("answer is empty"));
      }
      List<String> reasons = new ArrayList<>(SchemaSubset.validate(schema(), parsed));
      for (Check c : checks) {
        JsonNode target = c.path().isEmpty() ? parsed : parsed.at(c.path());
        String where = c.path().isEmpty() ? "/" : c.path();
        if (c.kind().equals("int_range")) {
          intRange(c, target, where, reasons);
          continue;
        }
        if (c.kind().equals("min_items")) {
          if (target.isArray()) {
            if (target.size() < c.value()) {
              reasons.add("min_items: " + where + " has " + target.size() + " < " + c.value());
            }
          } else if (reasons.isEmpty()) {
            reasons.add("min_items: " + where + " is not an array");
          }
          continue;
        }
        if (!target.isTextual()) {
          if (reasons.isEmpty()) {
            reasons.add(c.kind() + ": " + c.path() + " is not a string");
          }
          continue; // the schema already said why
        }
        String s = target.asText();
        switch (c.kind()) {
          case "max_chars" -> {
            if (s.length() > c.value()) {
              reasons.add("max_chars: " + where + " has " + s.length() + " > " + c.value());
            }
          }
          case "min_chars" -> {
            if (s.length() < c.value()) {
              reasons.add("min_chars: " + where + " has " + s.length() + " < " + c.value());
            }
          }
          case "not_contains_field" -> {
            String needle = normalize(fieldText(record, c.field()));
            // An empty field is contained in everything; it forbids nothing.
            if (!needle.isEmpty() && normalize(s).contains(needle)) {
              reasons.add("not_contains_field: " + where + " repeats '" + c.field() + "'");
            }
          }
          case "differs_from_field" -> {
            if (normalize(s).equals(normalize(fieldText(record, c.field())))) {
              reasons.add("differs_from_field: " + where + " is the same as '" + c.field() + "'");
            }
          }
          case "matches" -> {
            if (!Pattern.compile(c.pattern()).matcher(s).matches()) {
              reasons.add(
                  "matches: " + where + " " + quote(s) + " does not match " + quote(c.pattern()));
            }
          }
          case "one_of_field" -> oneOf(c, s, where, record, reasons);
          default -> throw new IllegalStateException(c.kind());
        }
      }
      return new Validation(reasons.isEmpty(), parsed, reasons);
    }

    private static void intRange(Check c, JsonNode target, String where, List<String> reasons) {
      if (target.isMissingNode() || target.isNull()) return; // the schema decides
      if (!target.isNumber()) {
        if (reasons.isEmpty()) reasons.add("int_range: " + where + " is not a number");
        return;
      }
      BigDecimal v = target.decimalValue();
      if (c.min() != null && v.compareTo(BigDecimal.valueOf(c.min())) < 0) {
        reasons.add("int_range: " + where + " is " + target + ", less than " + c.min());
      } else if (c.max() != null && v.compareTo(BigDecimal.valueOf(c.max())) > 0) {
        reasons.add("int_range: " + where + " is " + target + ", more than " + c.max());
      }
    }

    private static void oneOf(
        Check c, String s, String where, Map<String, ?> record, List<String> reasons) {
      List<String> choices = choices(record.get(c.field()));
      if (choices == null) {
        reasons.add("one_of_field: the record's '" + c.field() + "' is not a list of strings");
        return;
      }
      if (choices.contains(s)) return;
      if (c.value() != null) {
        try {
          if (Fuzz.choose(s, choices, c.value()).isPresent()) return;
        } catch (IllegalArgumentException e) {
          // too many distinct characters to compare: not one of them
        }
      }
      reasons.add(
          "one_of_field: "
              + where
              + " "
              + quote(s)
              + " is not one of '"
              + c.field()
              + "'"
              + (c.value() == null ? "" : " (nor within fuzzy ratio " + c.value() + " of one)"));
    }

    private static List<String> choices(Object v) {
      List<String> out = new ArrayList<>();
      if (v instanceof Collection<?> col) {
        for (Object o : col) {
          if (!(o instanceof String str)) return null;
          out.add(str);
        }
        return out;
      }
      if (v instanceof JsonNode n && n.isArray()) {
        for (JsonNode e : n) {
          if (!e.isTextual()) return null;
          out.add(e.asText());
        }
        return out;
      }
      return null;
    }

    /** A value in a one-line message: JSON-quoted (newlines escaped), cut to 80 characters. */
    private static String quote(String s) {
      String q = JSON.getNodeFactory().textNode(s).toString();
      return q.length() <= 80 ? q : q.substring(0, 76) + "...\"";
    }

    private static String fieldText(Map<String, ?> record, String field) {
      Object v = record.get(field);
      return v == null ? "" : v.toString();
    }

    /** Case- and whitespace-insensitive form, so a re-spaced or re-cased copy still counts. */
    static String normalize(String s) {
      return s.toLowerCase(Locale.ROOT).replaceAll("\\s+", " ").trim();
    }

    @Override
    public String toString() {
      return "Task[" + name + "]";
    }
  }
}
