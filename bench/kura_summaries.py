"""Seeded synthetic Kura summaries (summaries.jsonl as Kura's JSONL checkpoint manager writes it:
one ConversationSummary.model_dump_json() per line, models from
src/test/resources/conversations/kura_models.py). Text is drawn word by word from a vocabulary, so
rows differ the way real ones do (no duplicate rows for a columnar format to collapse).
usage: python bench/kura_summaries.py N OUT_DIR   (writes OUT_DIR/summaries.jsonl; seed 15)
"""
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src/test/resources/conversations"))
from kura_models import ConversationSummary  # noqa: E402

WORDS = ("user assistant asked explain write code python function error list data model train test "
         "deploy server request response query database table index join filter sort group summary "
         "coffee order latte size milk sugar price recipe travel blog post city hotel flight budget "
         "essay poem story character plot math equation proof integral matrix vector probability "
         "question answer help fix bug debug refactor api endpoint token rate limit cache memory").split()
LANGS = ["english", "python", "javascript", "french", "spanish", "sql", "german", "rust", "java"]
MODELS = ["gpt-4", "claude-v1", "vicuna-13b", "alpaca-13b", "llama-13b"]


def sentence(rng, lo, hi):
    words = [rng.choice(WORDS) for _ in range(rng.randint(lo, hi))]
    return " ".join(words).capitalize() + "."


def main(n, out):
    rng = random.Random(15)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "summaries.jsonl", "w", encoding="utf-8", newline="") as f:
        for i in range(n):
            s = ConversationSummary(
                summary=sentence(rng, 12, 30) + " " + sentence(rng, 8, 20),
                request="The user's overall request for the assistant is to " + sentence(rng, 5, 15).lower(),
                topic=None if rng.random() < 0.95 else sentence(rng, 2, 4),
                languages=rng.sample(LANGS, rng.randint(1, 3)),
                task="The task is to " + sentence(rng, 4, 12).lower(),
                concerning_score=rng.randint(1, 5) if rng.random() < 0.98 else None,
                user_frustration=rng.randint(1, 5),
                assistant_errors=[sentence(rng, 4, 10) for _ in range(rng.choice([0, 0, 0, 1, 2]))],
                chat_id=f"{rng.randint(80, 160)}_{rng.choice(MODELS)}_{i}",
                metadata={"conversation_turns": rng.choice([2, 4, 6]), "model": rng.choice(MODELS),
                          "winner": rng.random() < 0.5, "question_id": rng.randint(81, 160)},
            )
            f.write(s.model_dump_json() + "\n")


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
