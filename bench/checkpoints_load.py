"""Load times of one stage: Kura's JSONL file against the migrated checkpoint, fresh datasets cache
for every load (the first load is what a user waits for; later loads map the cached Arrow).
usage: python bench/checkpoints_load.py OLD_DIR NEW_ROOT CACHE_DIR
Prints one line per way of loading: label, seconds (best of 3), rows.
"""
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src/test/resources/conversations"))
from datasets import load_dataset  # noqa: E402
from kura_models import ConversationSummary  # noqa: E402
import datasets  # noqa: E402

datasets.disable_progress_bars()
old, new, cache = sys.argv[1:4]


def best(label, fn):
    times, rows = [], 0
    for _ in range(3):
        shutil.rmtree(cache, ignore_errors=True)
        t0 = time.perf_counter()
        rows = fn()
        times.append(time.perf_counter() - t0)
    print(f"{label}\t{min(times):.3f}\t{rows}")


best("load_dataset json (Kura summaries.jsonl)",
     lambda: len(load_dataset("json", data_files=f"{old}/summaries.jsonl", split="train", cache_dir=cache)))
best("load_dataset checkpoint (Parquet)",
     lambda: len(load_dataset(new, "summaries", split="train", cache_dir=cache)))


def kura_jsonl():
    # Kura's JSONL checkpoint manager: one model_validate_json per line
    with open(f"{old}/summaries.jsonl", encoding="utf-8") as f:
        return len([ConversationSummary.model_validate_json(line) for line in f if line.strip()])


best("Kura's way: pydantic per JSONL line", kura_jsonl)
