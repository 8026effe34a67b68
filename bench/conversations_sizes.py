"""For bench/conversations.sh: each stage of a checkpoint set, its Parquet bytes, the bytes of the same rows as
Kura-style JSONL (one compact JSON object a row, datetimes ISO-8601, as pydantic's model_dump_json writes them),
and the time of datasets.load_dataset(ROOT, STAGE, split="train") in a fresh cache.
usage: python conversations_sizes.py ROOT"""
import json
import os
import sys
import tempfile
import time
from datetime import datetime

import datasets

root = sys.argv[1]
datasets.disable_progress_bars()
for stage in ["conversations", "embeddings", "clusters", "meta_clusters", "dimensionality"]:
    data = os.path.join(root, stage, "data")
    if not os.path.isdir(data):
        continue
    parquet = sum(os.path.getsize(os.path.join(data, f)) for f in os.listdir(data))
    with tempfile.TemporaryDirectory() as cache:
        t = time.time()
        if os.path.isfile(os.path.join(root, "README.md")):
            ds = datasets.load_dataset(root, stage, split="train", cache_dir=cache)
        else:  # a run stopped before its root card: the stage is a dataset of its own
            ds = datasets.load_dataset(os.path.join(root, stage), split="train", cache_dir=cache)
        load = time.time() - t
        with tempfile.NamedTemporaryFile("w", suffix=".jsonl", encoding="utf-8", delete=False) as f:
            for row in ds:
                f.write(json.dumps(row, ensure_ascii=False, separators=(",", ":"),
                                   default=lambda v: v.isoformat() if isinstance(v, datetime) else str(v)) + "\n")
        jsonl = os.path.getsize(f.name)
        os.unlink(f.name)
    print(f"SIZE stage={stage} rows={len(ds)} parquet={parquet} jsonl={jsonl} ratio={parquet / jsonl:.3f} "
          f"load_s={load:.2f}", flush=True)
