#!/usr/bin/env python3
"""Generate an internal-format QA corpus of about N MB for benchmarks, from the shipped sample.

usage: gen_qa_corpus.py SIZE_MB OUT_DIR
Writes OUT_DIR/qa_passed.jsonl (~SIZE_MB) and OUT_DIR/qa_rejected.jsonl (~SIZE_MB/20), records varied by id,
question suffix and score so that no two lines are equal. Deterministic.
"""
import json
import os
import random
import sys

size_mb, out = float(sys.argv[1]), sys.argv[2]
here = os.path.dirname(os.path.abspath(__file__))
sample = os.path.join(here, "..", "samples", "qa")
os.makedirs(out, exist_ok=True)
rng = random.Random(7)
for name, share in (("qa_passed.jsonl", 1.0), ("qa_rejected.jsonl", 0.05)):
    base = [json.loads(l) for l in open(os.path.join(sample, name), encoding="utf-8") if l.strip()]
    target = int(size_mb * share * 1024 * 1024)
    written, i = 0, 0
    with open(os.path.join(out, name), "w", encoding="utf-8") as f:
        while written < target:
            r = dict(base[i % len(base)])
            r["id"] = f"qa-{i:09d}"
            r["question"] = r["question"] + f" ({i})"
            r["validation"] = dict(r["validation"], composite_score=round(rng.random(), 3))
            line = json.dumps(r, ensure_ascii=False) + "\n"
            f.write(line)
            written += len(line.encode("utf-8"))
            i += 1
    print(f"{name}: {i} records, {written / 1e6:.1f} MB")
