package io.hfbeam.workflow.sft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PairMappingTest {
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  static PairMapping parse(String yaml) throws Exception {
    return PairMapping.parse(YAML.readTree(yaml), "p.yaml");
  }

  @Test
  void theShippedMappingSkipsUnflaggedRowsAndRowsWithoutACorrection() throws Exception {
    PairMapping m =
        PairMapping.parse(
            YAML.readTree(Path.of("config/sft-pairing-medec.yaml").toFile()), "medec");
    Map<String, Object> row = new HashMap<>();
    row.put("Error Flag", "1");
    row.put("Corrected Text", "fixed");
    assertNull(m.skipReason(row));
    row.put("Error Flag", "0");
    assertEquals("Error Flag is not 1", m.skipReason(row));
    row.put("Error Flag", "1");
    row.put("Corrected Text", "NA");
    assertTrue(m.skipReason(row).startsWith("Corrected Text is blank"));
    assertEquals("Text ID", m.column("id"));
    assertEquals("paraphrase_correct", m.correctTask());
  }

  @Test
  void faultsNameTheFileAndTheKey() {
    assertMessage("p.yaml: pair: required", "skip: []");
    assertMessage("p.yaml: pair.correct: required", "pair: {id: a, incorrect: b}");
    assertMessage(
        "p.yaml: pair.colour: unknown role", "pair: {id: a, incorrect: b, correct: c, colour: d}");
    assertMessage(
        "p.yaml: colour: unknown key", "colour: 1\npair: {id: a, incorrect: b, correct: c}");
    assertMessage(
        "p.yaml: skip[0]: needs exactly one of",
        "pair: {id: a, incorrect: b, correct: c}\nskip: [{column: x}]");
    assertMessage(
        "p.yaml: example.user:",
        "pair: {id: a, incorrect: b, correct: c}\nexample: {user: \"{{unclosed\"}");
  }

  private static void assertMessage(String start, String yaml) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse(yaml));
    assertTrue(e.getMessage().startsWith(start), e.getMessage());
  }

  @Test
  void theCombinedOrderPutsEitherSideFirstAboutHalfTheTime() {
    int incorrectFirst = 0;
    for (int i = 0; i < 1000; i++) if (SftExamples.incorrectFirst(0, "ms-" + i)) incorrectFirst++;
    assertTrue(incorrectFirst > 430 && incorrectFirst < 570, "" + incorrectFirst);
    assertEquals(SftExamples.incorrectFirst(7, "a"), SftExamples.incorrectFirst(7, "a"));
  }
}
