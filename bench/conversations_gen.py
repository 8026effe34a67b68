#!/usr/bin/env python3
"""Synthetic conversations for bench/conversations.sh (issue 15), in Kura's conversation JSONL form.

Seeded and deterministic: the same N and SEED give the same bytes. Each conversation takes a topic (one of the 8
MT-Bench categories or a Taskmaster coffee order) and recombines sentences of that topic's real texts (the test
fixtures under src/test/resources/conversations) into 2 to 8 alternating user/assistant turns, so the clusters
have something to find. Metadata carries the value types Kura allows (str, int, float, bool).
usage: conversations_gen.py N OUT [SEED]
"""
import json
import random
import re
import sys
from datetime import datetime, timedelta

RES = "src/test/resources/conversations/"


def sentences(text):
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if len(s.strip()) > 2]


def pools():
    user, assistant = {}, {}
    for name, topic_of in (("mt_bench_questions.jsonl", lambda m: m["category"]),
                           ("taskmaster_coffee.jsonl", lambda m: "coffee")):
        with open(RES + name, encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                c = json.loads(line)
                t = topic_of(c["metadata"])
                for m in c["messages"]:
                    pool = user if m["role"] == "user" else assistant
                    pool.setdefault(t, []).extend(sentences(m["content"]))
    for t in user:  # MT-Bench has no assistant turns: answers reuse the topic's own sentences
        assistant.setdefault(t, user[t])
    return user, assistant


def main():
    n, out = int(sys.argv[1]), sys.argv[2]
    rnd = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 0)
    user, assistant = pools()
    topics = sorted(user)
    start = datetime(2025, 6, 1, 9, 0, 0)
    with open(out, "w", encoding="utf-8") as f:
        for i in range(n):
            topic = rnd.choice(topics)
            t = start + timedelta(seconds=37 * i)
            messages = []
            for turn in range(rnd.randint(1, 4) * 2):
                pool = (user if turn % 2 == 0 else assistant)[topic]
                text = " ".join(rnd.choice(pool) for _ in range(rnd.randint(1, 3)))
                role = "user" if turn % 2 == 0 else "assistant"
                messages.append({"created_at": (t + timedelta(seconds=turn)).isoformat(),
                                 "role": role, "content": text})
            row = {"chat_id": f"syn-{i:07d}", "created_at": t.isoformat(), "messages": messages,
                   "metadata": {"topic": topic, "index": i, "score": round(rnd.random(), 4),
                                "flagged": rnd.random() < 0.1}}
            f.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
