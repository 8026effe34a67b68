package io.hfbeam.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hfbeam.cluster.Hierarchy.Node;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class HierarchyTest {
  /** 40 base clusters of 3 chats each, their centroids in 8 families of 5. */
  private static List<List<String>> chats() {
    List<List<String>> ids = new ArrayList<>();
    for (int c = 0; c < 40; c++) ids.add(List.of("c" + c + "-b", "c" + c + "-a", "c" + c + "-c"));
    return ids;
  }

  private static float[][] centroids() {
    return new Blobs(40, 8, 16, 0.05, 11).points;
  }

  @Test
  void roundsGatherRootsUntilFewEnoughAndParentsHoldTheirChildrensChats() {
    Hierarchy h = Hierarchy.build(chats(), centroids(), 5, 2, 10, 3);
    List<Node> nodes = h.nodes();
    assertTrue(h.roots().size() <= 5, "roots: " + h.roots().size());
    assertTrue(h.rounds() >= 2, "40 -> 20 -> 10 -> 5 takes rounds: " + h.rounds());
    for (int i = 0; i < 40; i++) {
      assertEquals(0, nodes.get(i).level());
      assertEquals(List.of(), nodes.get(i).children());
      assertEquals(List.of("c" + i + "-a", "c" + i + "-b", "c" + i + "-c"), nodes.get(i).chatIds());
    }
    for (Node n : nodes) {
      assertEquals(n.id(), nodes.indexOf(n));
      if (n.children().isEmpty()) continue;
      assertTrue(n.children().size() >= 2, "no one-child parents");
      TreeSet<String> union = new TreeSet<>();
      for (int c : n.children()) {
        Node child = nodes.get(c);
        assertEquals(n.id(), child.parent());
        assertTrue(n.level() > child.level());
        union.addAll(child.chatIds());
      }
      assertEquals(List.copyOf(union), n.chatIds());
    }
    // every chat sits in exactly one root
    int inRoots = h.roots().stream().mapToInt(Node::size).sum();
    assertEquals(120, inRoots);
    // a parent of members of one family: family members share their base cluster index mod 8
    Node firstParent = nodes.get(40);
    int family = firstParent.children().get(0) % 8;
    for (int c : firstParent.children()) assertEquals(family, c % 8, "children of " + firstParent);
  }

  @Test
  void theSameInputGivesTheSameTree() {
    List<Node> a = Hierarchy.build(chats(), centroids(), 3, 2, 10, 3).nodes();
    List<Node> b = Hierarchy.build(chats(), centroids(), 3, 2, 10, 3).nodes();
    assertEquals(a.size(), b.size());
    for (int i = 0; i < a.size(); i++) {
      assertEquals(a.get(i).parent(), b.get(i).parent());
      assertEquals(a.get(i).children(), b.get(i).children());
    }
  }

  @Test
  void theRoundCapAndTheTrivialCasesEndIt() {
    Hierarchy capped = Hierarchy.build(chats(), centroids(), 1, 2, 1, 3);
    assertEquals(1, capped.rounds());
    assertTrue(capped.roots().size() > 1, "one round cannot reach one root");
    // down to a single root: each round strictly shrinks the roots, so it always ends
    Hierarchy one = Hierarchy.build(chats(), centroids(), 1, 2, 100, 3);
    assertEquals(1, one.roots().size());
    assertEquals(120, one.roots().get(0).size());
    assertTrue(one.rounds() < 40);
    // identical centroids still end (all in one parent)
    float[][] same = new float[6][];
    for (int i = 0; i < 6; i++) same[i] = new float[] {1, 1};
    assertEquals(1, Hierarchy.build(chats().subList(0, 6), same, 1, 2, 10, 3).roots().size());
    assertEquals(0, Hierarchy.build(List.of(), new float[0][], 10, 2, 10, 3).nodes().size());
    assertEquals(
        2,
        Hierarchy.build(chats().subList(0, 2), new float[][] {{0}, {1}}, 10, 2, 10, 3)
            .roots()
            .size());
    assertThrows(
        IllegalArgumentException.class,
        () -> Hierarchy.build(chats(), new float[3][], 10, 2, 10, 3));
  }
}
