package io.hfbeam.llm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Per-model token prices (USD per 1M input and output tokens) from a YAML file such as {@code
 * config/llm-prices.yaml}. A model that is not listed has an unknown cost, which callers state
 * rather than guess. A dated model name ({@code gpt-4o-mini-2024-07-18}) takes its base name's
 * price.
 */
public final class Prices {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private final String asOf;
  private final Map<String, Price> models;

  private Prices(String asOf, Map<String, Price> models) {
    this.asOf = asOf;
    this.models = Map.copyOf(models);
  }

  /** USD per 1M tokens. */
  public record Price(double inputPerMillion, double outputPerMillion) {
    public double cost(long promptTokens, long completionTokens) {
      return (promptTokens * inputPerMillion + completionTokens * outputPerMillion) / 1e6;
    }
  }

  public static Prices none() {
    return new Prices("", Map.of());
  }

  public static Prices load(Path file) throws IOException {
    try {
      return parse(Files.readString(file));
    } catch (IllegalArgumentException e) {
      throw new IOException(file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Reads {@code as_of: DATE} and {@code models: {NAME: {input: USD, output: USD}}} (per 1M
   * tokens). Throws IllegalArgumentException with one line for anything else.
   */
  public static Prices parse(String yaml) {
    JsonNode root;
    try {
      root = YAML.readTree(yaml);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "not YAML: " + e.getOriginalMessage().replaceAll("\\s+", " ").trim());
    }
    if (root == null || !root.isObject() || !root.path("models").isObject()) {
      throw new IllegalArgumentException("expected a map with 'as_of' and 'models'");
    }
    Map<String, Price> models = new LinkedHashMap<>();
    Iterator<Map.Entry<String, JsonNode>> fields = root.path("models").fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> entry = fields.next();
      JsonNode value = entry.getValue();
      models.put(
          entry.getKey(),
          new Price(price(value, "input", entry.getKey()), price(value, "output", entry.getKey())));
    }
    return new Prices(root.path("as_of").asText(""), models);
  }

  private static double price(JsonNode model, String field, String name) {
    JsonNode value = model.path(field);
    if (value.isMissingNode() && field.equals("output")) {
      return 0; // embedding models have input prices only
    }
    if (!value.isNumber() || value.asDouble() < 0 || !Double.isFinite(value.asDouble())) {
      throw new IllegalArgumentException(
          "model '"
              + name
              + "': '"
              + field
              + "' must be a non-negative number (USD per 1M tokens)");
    }
    return value.asDouble();
  }

  /** The date the prices were copied, as the file says. */
  public String asOf() {
    return asOf;
  }

  public Optional<Price> price(String model) {
    if (model == null) {
      return Optional.empty();
    }
    Price price = models.get(model);
    if (price == null) {
      price = models.get(model.replaceFirst("-\\d{4}-\\d{2}-\\d{2}$", ""));
    }
    return Optional.ofNullable(price);
  }

  /** The cost in USD, or empty when the model's price is unknown. */
  public OptionalDouble cost(String model, long promptTokens, long completionTokens) {
    return price(model)
        .map(p -> OptionalDouble.of(p.cost(promptTokens, completionTokens)))
        .orElse(OptionalDouble.empty());
  }
}
