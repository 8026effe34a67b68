"""Writes this folder's Kura-format checkpoint files with ../kura_models.py (pydantic 2.13.5), the
way Kura's JSONL checkpoint manager saves them (model_dump_json() + newline per row). Seeded data
covering kura.md's field tables: nulls, empty lists and strings, mixed metadata types, naive and
zoned datetimes, non-ASCII and control characters, a summary without a score, and a 3-level cluster
hierarchy (root -> meta -> base) with one base cluster of 120 conversations.
Run: target/pyenv/bin/python src/test/resources/conversations/kura-fixture/make_fixture.py
"""
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

here = Path(__file__).resolve().parent
sys.path.insert(0, str(here.parent))
from kura_models import Cluster, Conversation, ConversationSummary, Message, ProjectedCluster  # noqa: E402

IST = timezone(timedelta(hours=5, minutes=30))
ODD = 'tab\there "quotes" \\ back \u0001 ctrl \u2028 sep \u00e9\u00e8 \u2713 \U0001F600 </script>'


def conversations():
    out = [
        Conversation(chat_id="conv-001", created_at=datetime(2025, 5, 29, 22, 11, 46, 173975),
                     messages=[Message(created_at=datetime(2025, 5, 29, 22, 11, 46, 173975), role="user",
                                       content="How do I reverse a list in Python?"),
                               Message(created_at=datetime(2025, 5, 29, 22, 11, 50), role="assistant",
                                       content="Use reversed(xs) or xs[::-1].")],
                     metadata={"model": "alpaca-13b", "winner": True, "question_id": 81, "score": 0.5,
                               "tags": ["python", "lists"], "turns": [1, 2], "weights": [0.25, 1.0],
                               "empty": []}),
        Conversation(chat_id="conv-002", created_at=datetime(2025, 6, 1, 9, 0, tzinfo=timezone.utc),
                     messages=[Message(created_at=datetime(2025, 6, 1, 14, 30, 0, 1, tzinfo=IST), role="user",
                                       content=""),
                               Message(created_at=datetime(2025, 6, 1, 9, 0, 5, tzinfo=timezone.utc),
                                       role="assistant", content=ODD)],
                     metadata={}),
        Conversation(chat_id="conv-003", created_at=datetime(2025, 6, 2, 8, 15),
                     messages=[], metadata={"model": "vicuna-13b", "winner": False, "question_id": 82,
                                            "score": 1e-7, "huge": 1e16, "neg": -0.0}),
        Conversation(chat_id="conv-004", created_at=datetime(2025, 6, 3, 12, 0, 0, 500000),
                     messages=[Message(created_at=datetime(2025, 6, 3, 12, 0, 0, 500000), role="user",
                                       content="Bonjour, \u00e7a va ?\nLigne deux.")],
                     metadata={"question_id": "82b", "lang": "fr"}),
    ]
    return out


def summaries():
    return [
        ConversationSummary(summary="The user asked how to reverse a list in Python.",
                            request="The user's overall request for the assistant is to explain list reversal.",
                            topic=None, languages=["english", "python"], task="The task is to explain code.",
                            concerning_score=1, user_frustration=1, assistant_errors=[], chat_id="conv-001",
                            metadata={"conversation_turns": 2, "model": "alpaca-13b", "winner": True}),
        ConversationSummary(summary="The user sent an empty message and the assistant answered oddly.",
                            request="", topic="", languages=[], task=None, concerning_score=None,
                            user_frustration=4, assistant_errors=["Answered an empty message", ODD],
                            chat_id="conv-002", metadata={}, embedding=None),
        ConversationSummary(summary="Only a summary.", chat_id="conv-003",
                            metadata={"conversation_turns": 0, "nested": {"a": [1, {"b": None}], "c": 2.5}}),
        ConversationSummary(summary="The user greeted the assistant in French.", request=None,
                            languages=["french"], concerning_score=2, user_frustration=5,
                            assistant_errors=None, chat_id="conv-004",
                            metadata={"conversation_turns": 1, "lang": "fr"},
                            embedding=[0.1, -2.0, 2.5e-05, 1e22, 0.0]),
    ]


def cl(id, name, chat_ids, parent):
    return dict(id=id, name=name, description=f"Users asked to {name.lower()}. The assistant helped.",
                slug="_".join(name.lower().split()[:3]), chat_ids=chat_ids, parent_id=parent)


def hierarchy():
    many = [f"conv-{i:03d}" for i in range(5, 125)]  # 120 conversations
    b1 = cl("a1b2c3d4e5f60718293a4b5c6d7e8f90", "Reverse lists in Python", ["conv-001"], "m1")
    b2 = cl("0f1e2d3c4b5a69788796a5b4c3d2e1f0", "Answer empty messages", ["conv-002", "conv-003"], "m1")
    b3 = cl("11112222333344445555666677778888", "Greet users in French", ["conv-004"], "m2")
    b4 = cl("99990000aaaabbbbccccddddeeeeffff", "Order coffee \u2615 drinks", many, "m2")
    b5 = cl("5555aaaa5555aaaa5555aaaa5555aaaa", "Nothing in this cluster", [], "m2")
    m1 = cl("m1", "Help with code and chat", ["conv-001", "conv-002", "conv-003"], "root")
    m2 = cl("m2", "Serve everyday requests", ["conv-004"] + many, "root")
    root = cl("root", "Assist users", ["conv-001", "conv-002", "conv-003", "conv-004"] + many, None)
    return [b1, b2, b3, b4, b5], [m1, m2], root


def main():
    base, metas, root = hierarchy()
    # clusters.jsonl: the base clusters as Kura's base-cluster stage writes them (no parents yet)
    clusters = [Cluster(**{**d, "parent_id": None}) for d in base]
    # meta_clusters.jsonl: the flattened hierarchy, base clusters re-parented
    meta = [Cluster(**d) for d in base + metas + [root]]
    xy = [(0.1, -0.2), (12.5, 3.0), (-7.25e-06, 1e-05), (1e16, -1.5e300), (0.0, -0.0), (1.0, 2.0), (3.5, 4.25), (0.5, 0.5)]
    levels = [2, 2, 2, 2, 2, 1, 1, 0]
    dims = [ProjectedCluster(**d, x_coord=xy[i][0], y_coord=xy[i][1], level=levels[i])
            for i, d in enumerate(base + metas + [root])]
    for name, rows in [("conversations.jsonl", conversations()), ("summaries.jsonl", summaries()),
                       ("clusters.jsonl", clusters), ("meta_clusters.jsonl", meta),
                       ("dimensionality.jsonl", dims)]:
        with open(here / name, "w", encoding="utf-8", newline="") as f:
            for r in rows:
                f.write(r.model_dump_json() + "\n")


if __name__ == "__main__":
    main()
