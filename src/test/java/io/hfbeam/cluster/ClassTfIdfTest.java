package io.hfbeam.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hfbeam.cluster.ClassTfIdf.Label;
import io.hfbeam.cluster.ClassTfIdf.Term;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ClassTfIdfTest {
  @Test
  void weightsAreBertopicsFormula() {
    // A: bread x3, loaf; B: bread, python, code. A = int(7 / 2) = 3 terms a class on average.
    List<List<Term>> top =
        ClassTfIdf.topTerms(
            List.of(List.of("Bread bread, the BREAD loaf!"), List.of("bread", "Python code 42")),
            5);
    double breadIdf = Math.log(1 + 3.0 / 4);
    double rareIdf = Math.log(1 + 3.0 / 1);
    assertEquals(List.of("bread", "loaf"), top.get(0).stream().map(Term::term).toList());
    assertEquals(0.75 * breadIdf, top.get(0).get(0).weight(), 1e-12);
    assertEquals(0.25 * rareIdf, top.get(0).get(1).weight(), 1e-12);
    // ties go alphabetically; stop words ("the") and numbers ("42") are no terms
    assertEquals(List.of("code", "python", "bread"), top.get(1).stream().map(Term::term).toList());
    assertEquals(rareIdf / 3, top.get(1).get(0).weight(), 1e-12);
    assertEquals(breadIdf / 3, top.get(1).get(2).weight(), 1e-12);
  }

  @Test
  void labelsNameSlugAndDescribe() {
    List<Label> labels =
        ClassTfIdf.labels(
            List.of(
                List.of("sourdough bread starter", "sourdough bread flour", "bread crust"),
                List.of("python list sort", "python dict"),
                List.of("the and of", "")));
    assertEquals("Bread, sourdough, crust", labels.get(0).name());
    assertEquals("bread_sourdough_crust", labels.get(0).slug());
    assertTrue(labels.get(0).description().contains("bread, sourdough, crust, flour, starter"));
    assertEquals("python", labels.get(1).terms().get(0).term());
    assertEquals("Unnamed cluster", labels.get(2).name(), "nothing but stop words");
    assertEquals("unnamed", labels.get(2).slug());
  }

  @Test
  void mtBenchCategoriesGetTheirOwnWords() throws Exception {
    MtBenchPurityTest.Questions q = MtBenchPurityTest.read();
    Map<String, List<String>> byCategory = new TreeMap<>();
    for (int i = 0; i < q.texts().size(); i++) {
      byCategory
          .computeIfAbsent(q.categories().get(i), c -> new ArrayList<>())
          .add(q.texts().get(i));
    }
    List<String> names = new ArrayList<>(byCategory.keySet());
    List<List<Term>> top = ClassTfIdf.topTerms(new ArrayList<>(byCategory.values()), 8);
    Map<String, String> expected =
        Map.of(
            "coding",
            "function",
            "extraction",
            "json",
            "writing",
            "blog",
            "stem",
            "photosynthesis");
    expected.forEach(
        (category, word) -> {
          List<String> terms = top.get(names.indexOf(category)).stream().map(Term::term).toList();
          assertTrue(terms.contains(word), category + ": " + terms);
        });
  }
}
