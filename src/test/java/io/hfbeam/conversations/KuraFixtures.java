package io.hfbeam.conversations;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Kura-format fixtures from kura.md's field tables: nulls, empty lists and strings, mixed metadata
 * types, naive and zoned times, hostile characters, and a 3-level cluster hierarchy. {@link
 * #PYTHON} builds the same objects with Kura's pydantic models, independently.
 */
public final class KuraFixtures {
  private KuraFixtures() {}

  static final String HOSTILE =
      "Line1\nLine2\t\"quoted\" \\ back \u0001 ctrl \u007f del \u2028 ls \u00e9 \u2713 \ud83d\ude00 </script>";

  static List<Conversation> conversations() {
    LinkedHashMap<String, JsonValue> md = new LinkedHashMap<>();
    md.put("model", JsonValue.of("alpaca-13b"));
    md.put("winner", JsonValue.of(true));
    md.put("question_id", JsonValue.of(81));
    md.put("score", JsonValue.of(1.0));
    md.put("ratio", JsonValue.of(0.30000000000000004));
    md.put("tiny", JsonValue.of(2.5e-05));
    md.put("tinier", JsonValue.of(1e-7));
    md.put("huge", JsonValue.of(1e16));
    md.put("big_int", new JsonValue.Int(new BigInteger("123456789012345678901234567890")));
    md.put("tags", JsonValue.ofStrings(List.of("a", "b")));
    md.put("ids", new JsonValue.Arr(List.of(JsonValue.of(1), JsonValue.of(2), JsonValue.of(3))));
    md.put(
        "weights",
        new JsonValue.Arr(List.of(JsonValue.of(0.5), JsonValue.of(1.0), JsonValue.of(1e-5))));
    md.put("empty", new JsonValue.Arr(List.of()));
    md.put("neg", JsonValue.of(-0.0));
    md.put("text", JsonValue.of(HOSTILE));
    Conversation c1 =
        new Conversation(
            "c-1",
            KuraTime.parse("2025-05-29T22:11:46.173975"),
            List.of(
                new Message(
                    KuraTime.parse("2025-05-29T22:11:46.173975"), Role.USER, "Hello, w\u00f6rld"),
                new Message(KuraTime.parse("2025-05-29T22:11:47"), Role.ASSISTANT, HOSTILE)),
            new JsonValue.Obj(md));
    Conversation c2 =
        new Conversation(
            "c-2",
            KuraTime.parse("2025-06-01T09:00:00Z"),
            List.of(new Message(KuraTime.parse("2025-06-01T14:30:00.000001+05:30"), Role.USER, "")),
            JsonValue.Obj.EMPTY);
    Conversation c3 =
        new Conversation(
            "c-3",
            KuraTime.parse("2025-06-01T09:00:00.500000-08:00"),
            List.of(
                new Message(KuraTime.parse("2025-06-01T09:00:00.5-08:00"), Role.USER, "q"),
                new Message(KuraTime.parse("2025-06-01T09:00:01-08:00"), Role.ASSISTANT, "a")),
            new JsonValue.Obj(java.util.Map.of("only", JsonValue.of(""))));
    return List.of(c1, c2, c3);
  }

  static List<ConversationSummary> summaries() {
    LinkedHashMap<String, JsonValue> md = new LinkedHashMap<>();
    md.put("conversation_turns", JsonValue.of(2));
    LinkedHashMap<String, JsonValue> inner = new LinkedHashMap<>();
    inner.put("b", JsonValue.Null.INSTANCE);
    md.put(
        "nested",
        new JsonValue.Obj(
            java.util.Map.of(
                "a", new JsonValue.Arr(List.of(JsonValue.of(1), new JsonValue.Obj(inner))))));
    md.put("f", JsonValue.of(1.5));
    ConversationSummary full =
        new ConversationSummary(
            "The user asked for a travel blog post.",
            "The user's overall request for the assistant is to write a post",
            "creative writing",
            List.of("english", "python"),
            "The task is to write",
            1,
            5,
            List.of("Did not start sentences with A", HOSTILE),
            "c-1",
            new JsonValue.Obj(md),
            List.of(0.1, -2.0, 1e-7, 3.0, 2.5e-05, 1e22, 123456.789));
    ConversationSummary minimal =
        new ConversationSummary(
            "Only a summary.",
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            "c-2",
            JsonValue.Obj.EMPTY,
            null);
    ConversationSummary empties =
        new ConversationSummary(
            "",
            "",
            null,
            List.of(),
            null,
            3,
            null,
            List.of(),
            "c-3",
            new JsonValue.Obj(java.util.Map.of("conversation_turns", JsonValue.of(2))),
            List.of());
    return List.of(full, minimal, empties);
  }

  /** A 3-level hierarchy: root R; M1, M2 under it; B1, B2 under M1; B3 and an empty B4 under M2. */
  static List<Cluster> clusters() {
    Cluster b1 = cluster("b1", "Write travel posts", List.of("c-1"), "m1");
    Cluster b2 = cluster("b2", "Fix Python code", List.of("c-2", "c-3"), "m1");
    Cluster b3 = cluster("b3", "Order coffee \u2615", List.of("c-4"), "m2");
    Cluster b4 = cluster("b4", "Nothing here", List.of(), "m2");
    Cluster m1 = cluster("m1", "Help with writing and code", List.of("c-1", "c-2", "c-3"), "r");
    Cluster m2 = cluster("m2", "Order food and drinks", List.of("c-4"), "r");
    Cluster r = cluster("r", "Assist users", List.of("c-1", "c-2", "c-3", "c-4"), null);
    return List.of(b1, b2, b3, b4, m1, m2, r);
  }

  static List<ProjectedCluster> projected() {
    List<ProjectedCluster> out = new ArrayList<>();
    double[][] xy = {
      {0.1, -0.2},
      {12.5, 3.0},
      {-7.25e-06, 1e-5},
      {0.0, -0.0},
      {1.0, 2.0},
      {1e16, -1.5e300},
      {0.5, 0.5}
    };
    long[] level = {2, 2, 2, 2, 1, 1, 0};
    List<Cluster> cs = clusters();
    for (int i = 0; i < cs.size(); i++) {
      out.add(new ProjectedCluster(cs.get(i), xy[i][0], xy[i][1], level[i]));
    }
    return out;
  }

  private static Cluster cluster(String id, String name, List<String> chatIds, String parent) {
    String hex = (id + "00000000000000000000000000000000").substring(0, 32);
    return new Cluster(
        hex,
        name,
        "Users asked to " + name.toLowerCase() + ". The assistant helped.",
        name.toLowerCase().replaceAll("[^a-z]+", "_"),
        chatIds,
        parent == null ? null : (parent + "00000000000000000000000000000000").substring(0, 32));
  }

  /** The same objects, built with Kura's pydantic models (copied from kura/types at 0.5.2). */
  public static final String PYTHON =
      """
      from pydantic import BaseModel, Field, computed_field
      from datetime import datetime, timezone, timedelta
      from typing import Literal, Union, Optional
      import re

      metadata_dict = dict[str, Union[str, int, float, bool, list[str], list[int], list[float]]]

      class Message(BaseModel):
          created_at: datetime
          role: Literal["user", "assistant"]
          content: str

      class Conversation(BaseModel):
          chat_id: str
          created_at: datetime
          messages: list[Message]
          metadata: metadata_dict

      class GeneratedSummary(BaseModel):
          summary: str
          request: Optional[str] = None
          topic: Optional[str] = None
          languages: Optional[list[str]] = None
          task: Optional[str] = None
          concerning_score: Optional[int] = Field(None, ge=1, le=5)
          user_frustration: Optional[int] = Field(None, ge=1, le=5)
          assistant_errors: Optional[list[str]] = None

      class ConversationSummary(GeneratedSummary):
          chat_id: str
          metadata: dict
          embedding: Optional[list[float]] = None

      class Cluster(BaseModel):
          id: str
          name: str
          description: str
          slug: str
          chat_ids: list[str]
          parent_id: Union[str, None]

          @computed_field
          def count(self) -> int:
              return len(self.chat_ids)

      class ProjectedCluster(Cluster):
          x_coord: float
          y_coord: float
          level: int

      HOSTILE = "Line1\\nLine2\\t\\"quoted\\" \\\\ back \\u0001 ctrl \\u007f del \\u2028 ls \\u00e9 \\u2713 \\U0001F600 </script>"

      def conversations():
          md = {"model": "alpaca-13b", "winner": True, "question_id": 81, "score": 1.0,
                "ratio": 0.30000000000000004, "tiny": 2.5e-05, "tinier": 1e-7, "huge": 1e16,
                "big_int": 123456789012345678901234567890, "tags": ["a", "b"], "ids": [1, 2, 3],
                "weights": [0.5, 1.0, 1e-5], "empty": [], "neg": -0.0, "text": HOSTILE}
          c1 = Conversation(chat_id="c-1", created_at=datetime(2025, 5, 29, 22, 11, 46, 173975),
              messages=[Message(created_at=datetime(2025, 5, 29, 22, 11, 46, 173975), role="user", content="Hello, w\\u00f6rld"),
                        Message(created_at=datetime(2025, 5, 29, 22, 11, 47), role="assistant", content=HOSTILE)],
              metadata=md)
          ist = timezone(timedelta(hours=5, minutes=30))
          c2 = Conversation(chat_id="c-2", created_at=datetime(2025, 6, 1, 9, 0, tzinfo=timezone.utc),
              messages=[Message(created_at=datetime(2025, 6, 1, 14, 30, 0, 1, tzinfo=ist), role="user", content="")],
              metadata={})
          pst = timezone(timedelta(hours=-8))
          c3 = Conversation(chat_id="c-3", created_at=datetime(2025, 6, 1, 9, 0, 0, 500000, tzinfo=pst),
              messages=[Message(created_at=datetime(2025, 6, 1, 9, 0, 0, 500000, tzinfo=pst), role="user", content="q"),
                        Message(created_at=datetime(2025, 6, 1, 9, 0, 1, tzinfo=pst), role="assistant", content="a")],
              metadata={"only": ""})
          return [c1, c2, c3]

      def summaries():
          full = ConversationSummary(summary="The user asked for a travel blog post.",
              request="The user's overall request for the assistant is to write a post",
              topic="creative writing", languages=["english", "python"], task="The task is to write",
              concerning_score=1, user_frustration=5,
              assistant_errors=["Did not start sentences with A", HOSTILE], chat_id="c-1",
              metadata={"conversation_turns": 2, "nested": {"a": [1, {"b": None}]}, "f": 1.5},
              embedding=[0.1, -2.0, 1e-7, 3.0, 2.5e-05, 1e22, 123456.789])
          minimal = ConversationSummary(summary="Only a summary.", chat_id="c-2", metadata={})
          empties = ConversationSummary(summary="", request="", languages=[], concerning_score=3,
              assistant_errors=[], chat_id="c-3", metadata={"conversation_turns": 2}, embedding=[])
          return [full, minimal, empties]

      def cl(id, name, chat_ids, parent):
          pad = "00000000000000000000000000000000"
          return dict(id=(id + pad)[:32], name=name,
              description="Users asked to " + name.lower() + ". The assistant helped.",
              slug=re.sub("[^a-z]+", "_", name.lower()), chat_ids=chat_ids,
              parent_id=None if parent is None else (parent + pad)[:32])

      def cluster_dicts():
          return [cl("b1", "Write travel posts", ["c-1"], "m1"),
                  cl("b2", "Fix Python code", ["c-2", "c-3"], "m1"),
                  cl("b3", "Order coffee \\u2615", ["c-4"], "m2"),
                  cl("b4", "Nothing here", [], "m2"),
                  cl("m1", "Help with writing and code", ["c-1", "c-2", "c-3"], "r"),
                  cl("m2", "Order food and drinks", ["c-4"], "r"),
                  cl("r", "Assist users", ["c-1", "c-2", "c-3", "c-4"], None)]

      def clusters():
          return [Cluster(**d) for d in cluster_dicts()]

      def projected():
          xy = [(0.1, -0.2), (12.5, 3.0), (-7.25e-06, 1e-5), (0.0, -0.0), (1.0, 2.0), (1e16, -1.5e300), (0.5, 0.5)]
          level = [2, 2, 2, 2, 1, 1, 0]
          return [ProjectedCluster(**d, x_coord=xy[i][0], y_coord=xy[i][1], level=level[i])
                  for i, d in enumerate(cluster_dicts())]
      """;
}
