package io.hfbeam.hf;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.hfbeam.mapping.Split;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The human part of the card: ratios as written, no placeholder link, features as a table. */
class ReadableCardTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private static String card() {
    return DatasetCard.builder()
        .title("t")
        .features(FeaturesTest.sample())
        .splits(
            List.of(new DatasetCard.SplitInfo("train", 3, 30, List.of("train/batch_*.parquet"))))
        .build()
        .render();
  }

  @Test
  void ratiosPrintAsWritten() {
    Split.Settings s = Split.Settings.builder().trainRatio(0.95).build();
    assertThat(s.describeRatios(), equalTo("train=0.95, test=0.05"));
    assertThat(
        Split.Settings.builder().trainRatio(0.9).build().describeRatios(),
        equalTo("train=0.9, test=0.1"));
    assertThat(
        Split.Settings.builder().split("a", 1).split("b", 2.5).build().describeRatios(),
        equalTo("a=1, b=2.5"));
  }

  @Test
  void noPlaceholderLinkOrName() {
    assertThat(card(), not(containsString("https://github.com/)")));
    assertThat(card(), not(containsString("](https://github.com")));
    assertThat(card(), not(containsString("<path or owner/name>")));
    assertThat(card(), not(containsString("](")));
  }

  @Test
  void featuresAsAReadableTableAndTheFrontMatterUnchanged() throws Exception {
    String card = card();
    assertThat(card, containsString("| column | type | notes |"));
    assertThat(card, containsString("| `a` | `int8` | 8-bit integer |"));
    assertThat(
        card, containsString("| `label` | `class_label(neg,pos)` | label: 0 = neg, 1 = pos |"));
    assertThat(card, containsString("| `xyz` | `list<float32>[3]` | list of 3 32-bit floats |"));
    assertThat(card, not(containsString("\"_type\"")));
    // the YAML datasets reads is the same as before
    ObjectNode fm = DatasetCard.frontMatter(card);
    assertThat(
        Features.parse(fm.path("dataset_info").path("features")), equalTo(FeaturesTest.sample()));
  }

  @Test
  void featuresPrintAsAFeaturesFileThatReadsBackTheSame() throws Exception {
    Features f = FeaturesTest.sample();
    String yaml = f.toFeaturesFile();
    assertThat(yaml, containsString("a: int8\n"));
    assertThat(Features.parse(YAML.readTree(yaml)), equalTo(f));
    java.util.LinkedHashMap<String, Feature> odd = new java.util.LinkedHashMap<>();
    odd.put("weird: key", new Feature.ClassLabel(List.of("a,b", " c", "d)")));
    odd.put("when", new Feature.Value("timestamp[us]"));
    odd.put(
        "deep",
        new Feature.Sequence(
            new Feature.Sequence(
                new Feature.Struct(
                    new java.util.LinkedHashMap<>(
                        java.util.Map.of("x", new Feature.Value("int8")))),
                2)));
    Features o = Features.of(odd);
    assertThat(o.toFeaturesFile(), Features.parse(YAML.readTree(o.toFeaturesFile())), equalTo(o));
  }
}
