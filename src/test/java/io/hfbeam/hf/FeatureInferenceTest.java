package io.hfbeam.hf;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class FeatureInferenceTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static FeatureInference infer(String... lines) throws Exception {
    FeatureInference f = new FeatureInference(false);
    for (int i = 0; i < lines.length; i++)
      f.add(JSON.readTree(lines[i]), "a.jsonl line " + (i + 1));
    return f;
  }

  @Test
  void namesTheFirstRecordThatWidenedAColumnAndCountsTheOthers() throws Exception {
    FeatureInference f =
        infer(
            "{\"age\": 1}",
            "{\"age\": \"x\"}",
            "{\"age\": 3}",
            "{\"age\": \"y\"}",
            "{\"age\": null}");
    assertThat(
        f.widenings(),
        contains("column `age`: int64 widened to string by 2 records, the first: a.jsonl line 2"));
  }

  @Test
  void nestedFieldsAndListItemsToo() throws Exception {
    FeatureInference f =
        infer(
            "{\"meta\": {\"n\": [1], \"ok\": true}}",
            "{\"meta\": {\"n\": [2.5], \"extra\": 1}}",
            "{\"meta\": {\"n\": [], \"ok\": \"yes\"}}");
    assertThat(
        f.widenings(),
        contains(
            "column `meta.n[]`: int64 widened to float64 by 1 record: a.jsonl line 2",
            "column `meta.ok`: bool widened to string by 1 record: a.jsonl line 3"));
  }

  @Test
  void emptyListsAndNullsWidenNothing() throws Exception {
    FeatureInference f = infer("{\"n\": [1]}", "{\"n\": []}", "{\"n\": null}", "{\"n\": [2]}");
    assertThat(f.widenings(), empty());
    assertThat(Features.typeText(f.features().get("n")), equalTo("list<int64>"));
  }
}
