package io.hfbeam.cluster;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Class-based TF-IDF, as BERTopic's {@code ClassTfidfTransformer} computes it: the documents of a
 * class are one document; a term's weight in a class is its frequency there (L1-normalised over the
 * class) times {@code log(1 + A / f)}, where A is the average number of terms a class and f the
 * term's frequency over all classes. The top terms name a cluster when no LLM is configured.
 *
 * <p>Terms are scikit-learn's {@code CountVectorizer} tokens (lower case, words of two or more word
 * characters) minus English stop words (BERTopic is usually run with {@code stop_words="english"}).
 */
public final class ClassTfIdf {
  private static final Pattern TOKEN = Pattern.compile("(?U)\\b\\w\\w+\\b");
  // Function words that would otherwise top every class; a short list on purpose: the IDF factor
  // already discounts words common to all clusters.
  private static final Set<String> STOP =
      Set.of(
          "a", "about", "above", "after", "again", "all", "also", "am", "an", "and", "any", "are",
          "as", "at", "be", "because", "been", "before", "being", "below", "between", "both", "but",
          "by", "can", "could", "did", "do", "does", "doing", "down", "during", "each", "few",
          "for", "from", "further", "had", "has", "have", "having", "he", "her", "here", "hers",
          "him", "his", "how", "if", "in", "into", "is", "it", "its", "itself", "just", "me",
          "more", "most", "my", "no", "nor", "not", "now", "of", "off", "on", "once", "only", "or",
          "other", "our", "out", "over", "own", "same", "she", "should", "so", "some", "such",
          "than", "that", "the", "their", "them", "then", "there", "these", "they", "this", "those",
          "through", "to", "too", "under", "until", "up", "very", "was", "we", "were", "what",
          "when", "where", "which", "while", "who", "whom", "why", "will", "with", "would", "you",
          "your", "yours", "i", "s", "t", "don", "ll", "re", "ve", "let", "please", "us", "like",
          "one", "two", "use", "using", "make", "write", "given", "based", "many", "much");

  /** A term and its c-TF-IDF weight. */
  public record Term(String term, double weight) {}

  /** A cluster's name from its terms (no LLM): Kura's name, description and slug fields. */
  public record Label(String name, String description, String slug, List<Term> terms) {}

  private ClassTfIdf() {}

  /**
   * The {@code top} most distinctive terms of each class, best first (ties: alphabetical).
   *
   * @param classes each class's documents
   */
  public static List<List<Term>> topTerms(List<List<String>> classes, int top) {
    // Two passes over the documents, so only one class's counts are held at a time (the
    // documents may be read from disk; every class's map at once grows with the input): the
    // totals over all classes first, then each class's weights.
    Map<String, Long> total = new HashMap<>();
    long allTerms = 0;
    for (List<String> docs : classes) {
      for (Map.Entry<String, Integer> e : counts(docs).entrySet()) {
        total.merge(e.getKey(), (long) e.getValue(), Long::sum);
        allTerms += e.getValue();
      }
    }
    // BERTopic: avg_nr_samples = int(X.sum(axis=1).mean())
    long average = classes.isEmpty() ? 0 : allTerms / classes.size();
    List<List<Term>> result = new ArrayList<>();
    for (List<String> docs : classes) {
      Map<String, Integer> c = counts(docs);
      long classTotal = c.values().stream().mapToLong(Integer::longValue).sum();
      List<Term> terms = new ArrayList<>();
      for (Map.Entry<String, Integer> e : c.entrySet()) {
        double tf = (double) e.getValue() / classTotal;
        double idf = Math.log(1 + (double) average / total.get(e.getKey()));
        terms.add(new Term(e.getKey(), tf * idf));
      }
      terms.sort(
          (a, b) ->
              a.weight() != b.weight()
                  ? Double.compare(b.weight(), a.weight())
                  : a.term().compareTo(b.term()));
      result.add(List.copyOf(terms.subList(0, Math.min(top, terms.size()))));
    }
    return result;
  }

  /** A class's term counts. */
  private static Map<String, Integer> counts(List<String> docs) {
    Map<String, Integer> c = new HashMap<>();
    for (String doc : docs) {
      if (doc == null) continue;
      Matcher m = TOKEN.matcher(doc.toLowerCase(Locale.ROOT));
      while (m.find()) {
        String t = m.group();
        if (STOP.contains(t) || t.chars().allMatch(Character::isDigit)) continue;
        c.merge(t, 1, Integer::sum);
      }
    }
    return c;
  }

  /**
   * A label per class: the name is its three best terms ("Bread, sourdough, loaf"), the slug the
   * same joined by underscores, the description lists the ten best.
   */
  public static List<Label> labels(List<List<String>> classes) {
    List<Label> labels = new ArrayList<>();
    for (List<Term> terms : topTerms(classes, 10)) {
      if (terms.isEmpty()) {
        labels.add(new Label("Unnamed cluster", "No distinctive terms.", "unnamed", terms));
        continue;
      }
      List<String> three =
          terms.subList(0, Math.min(3, terms.size())).stream().map(Term::term).toList();
      String name = String.join(", ", three);
      name = name.substring(0, 1).toUpperCase(Locale.ROOT) + name.substring(1);
      String all = String.join(", ", terms.stream().map(Term::term).toList());
      labels.add(
          new Label(
              name,
              "Conversations whose most distinctive terms are: " + all + ".",
              String.join("_", three),
              terms));
    }
    return labels;
  }
}
