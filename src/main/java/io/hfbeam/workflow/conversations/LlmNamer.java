package io.hfbeam.workflow.conversations;

import com.fasterxml.jackson.databind.JsonNode;
import io.hfbeam.cluster.ClassTfIdf;
import io.hfbeam.conversations.Cluster;
import io.hfbeam.llm.Answers;
import io.hfbeam.llm.PromptFile;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Cluster names from the LLM, as Kura makes them: the prompt file's {@code describe_cluster} task
 * over the cluster's summaries (at most {@link #POSITIVE}) and, for contrast, up to {@link
 * #CONTRASTIVE} summaries of other clusters (a seeded choice, so a re-run asks the same and the
 * journal answers it). A parent is named from its children's names and descriptions. A cluster
 * whose answers stay invalid keeps its c-TF-IDF name, and the stage's record counts it.
 */
public final class LlmNamer implements ClusterAnalysis.Namer {
  static final int POSITIVE = 25;
  static final int CONTRASTIVE = 10;

  private final ConversationLlm llm;
  private final long seed;
  private final AtomicInteger fallbacks = new AtomicInteger();

  public LlmNamer(ConversationLlm llm, long seed) {
    this.llm = llm;
    this.seed = seed;
  }

  @Override
  public List<ClassTfIdf.Label> nameBase(List<List<String>> texts) throws Exception {
    return name(texts, texts, ClassTfIdf.labels(texts));
  }

  @Override
  public List<ClassTfIdf.Label> nameParents(List<List<Cluster>> children, List<List<String>> texts)
      throws Exception {
    List<List<String>> lines = new ArrayList<>();
    for (List<Cluster> kids : children) {
      List<String> l = new ArrayList<>();
      for (Cluster k : kids) l.add(k.name() + ": " + k.description());
      lines.add(l);
    }
    return name(lines, lines, ClassTfIdf.labels(texts));
  }

  @Override
  public String describe() {
    return "the LLM (" + llm.describe() + ", task " + ConversationLlm.DESCRIBE_CLUSTER + ")";
  }

  /** How many clusters kept their c-TF-IDF name because the LLM's answers failed. */
  public int fallbacks() {
    return fallbacks.get();
  }

  private List<ClassTfIdf.Label> name(
      List<List<String>> positives, List<List<String>> pool, List<ClassTfIdf.Label> fallback)
      throws Exception {
    ConversationLlm.Work work = llm.work();
    PromptFile.Task task = llm.clusterPrompts().task(ConversationLlm.DESCRIBE_CLUSTER);
    List<Future<ClassTfIdf.Label>> asked = new ArrayList<>();
    for (int i = 0; i < positives.size(); i++) {
      Map<String, Object> record =
          Map.of(
              "positive_examples", lines(positives.get(i), POSITIVE),
              "contrastive_examples", contrast(pool, i));
      ClassTfIdf.Label backup = fallback.get(i);
      asked.add(
          work.pool()
              .submit(
                  () -> {
                    Answers.Outcome o =
                        work.answers().answer(task, llm.request(task, record), record);
                    if (!o.ok()) {
                      fallbacks.incrementAndGet();
                      return backup;
                    }
                    JsonNode a = o.validation().parsed();
                    return new ClassTfIdf.Label(
                        a.path("name").asText(),
                        a.path("summary").asText(),
                        a.path("slug").asText(),
                        backup.terms());
                  }));
    }
    List<ClassTfIdf.Label> out = new ArrayList<>();
    for (Future<ClassTfIdf.Label> f : asked) out.add(f.get());
    work.answers().sync();
    return out;
  }

  private static String lines(List<String> items, int max) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < items.size() && i < max; i++) {
      if (b.length() > 0) b.append('\n');
      b.append("- ").append(items.get(i).replace('\n', ' '));
    }
    return b.toString();
  }

  /**
   * Up to {@link #CONTRASTIVE} texts of other clusters, the same ones on every run (a seeded draw
   * of a cluster, then a member; no copy of all texts per cluster).
   */
  private String contrast(List<List<String>> all, int self) {
    long others = 0;
    for (int i = 0; i < all.size(); i++) if (i != self) others += all.get(i).size();
    if (others == 0) return "(none)";
    SplittableRandom r = new SplittableRandom(seed * 31 + self);
    java.util.LinkedHashSet<String> picked = new java.util.LinkedHashSet<>();
    for (int tries = 0;
        picked.size() < Math.min(CONTRASTIVE, others) && tries < 4 * CONTRASTIVE;
        tries++) {
      int c = r.nextInt(all.size());
      if (c == self || all.get(c).isEmpty()) continue;
      picked.add(all.get(c).get(r.nextInt(all.get(c).size())));
    }
    return picked.isEmpty() ? "(none)" : lines(new ArrayList<>(picked), CONTRASTIVE);
  }
}
