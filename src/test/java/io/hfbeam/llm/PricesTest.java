package io.hfbeam.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class PricesTest {
  @Test
  void theShippedFileLoadsWithADate() throws Exception {
    Prices prices = Prices.load(Path.of("config/llm-prices.yaml"));
    assertTrue(prices.asOf().matches("\\d{4}-\\d{2}-\\d{2}"), prices.asOf());
    assertTrue(prices.price("gpt-4o-mini").isPresent());
    assertEquals(0, prices.price("text-embedding-3-small").get().outputPerMillion());
  }

  @Test
  void costIsPerMillionTokensAndDatedNamesTakeTheBasePrice() {
    Prices prices = Prices.parse("as_of: 2025-01-01\nmodels:\n  m: {input: 2.0, output: 8.0}\n");
    assertEquals(2.0 * 0.5 + 8.0 * 0.25, prices.cost("m", 500_000, 250_000).getAsDouble(), 1e-12);
    assertEquals(prices.cost("m", 10, 10), prices.cost("m-2024-07-18", 10, 10));
    assertFalse(prices.cost("unknown", 10, 10).isPresent());
    assertFalse(Prices.none().cost("m", 1, 1).isPresent());
  }

  @Test
  void badFilesFailWithOneLine() {
    IllegalArgumentException negative =
        assertThrows(
            IllegalArgumentException.class,
            () -> Prices.parse("models:\n  m: {input: -1, output: 1}\n"));
    assertTrue(negative.getMessage().contains("model 'm': 'input'"), negative.getMessage());
    assertThrows(
        IllegalArgumentException.class, () -> Prices.parse("models:\n  m: {input: cheap}\n"));
    assertThrows(IllegalArgumentException.class, () -> Prices.parse("- a list"));
    IllegalArgumentException notYaml =
        assertThrows(IllegalArgumentException.class, () -> Prices.parse("models: {m: [unclosed"));
    assertFalse(notYaml.getMessage().contains("\n"), notYaml.getMessage());
  }
}
