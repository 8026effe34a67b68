#!/usr/bin/env python3
"""The Python side of bench/read.sh (issue 13): makes the datasets with pyarrow, uploads them to the local Hub,
and measures datasets' streaming read and pyarrow's local read.

  read_bench.py gen SIZE_MB DIR        writes DIR/data/train-0000N-of-00012.parquet (skipped when DIR/.complete)
                                       and prints each column's share of the file bytes as JSON
  read_bench.py upload DIR REPO        uploads DIR to the Hub at HF_ENDPOINT (skipped when REPO has the files)
  read_bench.py stream REPO            datasets.load_dataset(REPO, split="train", streaming=True) to the end
  read_bench.py local DIR              pyarrow.parquet.read_table of every file, all columns

The measuring commands print one JSON line: rows, seconds.
"""
import json
import os
import sys
import time

FILES = 12
# rows per row group, the same for both sizes, so a worker holds the same row group either way (about 9 MB):
# the 1 GB dataset has 10 row groups per file, the 100 MB one 1.
GROUP_ROWS = 110_000
# about 80 bytes per row: 1 GB is 12 files x 10 groups x 110k rows
BYTES_PER_ROW = 80


def columns(rng, n):
    """Ten columns of about 8 bytes a row each (random, so compression does not change the shares)."""
    import numpy as np
    import pyarrow as pa

    cols = {}
    cols["id"] = pa.array(rng.integers(-(2**62), 2**62, n, dtype=np.int64))
    for name in ("a", "b", "c", "d", "e"):
        cols[name] = pa.array(rng.standard_normal(n))
    cols["n"] = pa.array(rng.integers(-(2**62), 2**62, n, dtype=np.int64))
    cols["m"] = pa.array(rng.integers(-(2**62), 2**62, n, dtype=np.int64))
    # text: 0-8 random letters (4 on average, plus the 4-byte length in PLAIN encoding), a few much longer
    lengths = rng.integers(0, 9, n, dtype=np.int32)
    long_rows = rng.random(n) < 0.002
    lengths[long_rows] = rng.integers(50, 400, int(long_rows.sum()), dtype=np.int32)
    offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(lengths, out=offsets[1:])
    chars = rng.integers(97, 123, int(offsets[-1]), dtype=np.uint8)
    cols["text"] = pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(chars.tobytes()))
    # tags: 0-3 int32 values
    counts = rng.integers(0, 4, n, dtype=np.int32)
    loffs = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(counts, out=loffs[1:])
    values = pa.array(rng.integers(-(2**31), 2**31 - 1, int(loffs[-1]), dtype=np.int32))
    cols["tags"] = pa.ListArray.from_arrays(pa.array(loffs), values)
    return pa.table(cols)


def gen(size_mb, out):
    import numpy as np
    import pyarrow.parquet as pq

    marker = os.path.join(out, ".complete")
    data = os.path.join(out, "data")
    if not os.path.exists(marker):
        os.makedirs(data, exist_ok=True)
        groups_per_file = max(1, round(size_mb * 1_000_000 / BYTES_PER_ROW / GROUP_ROWS / FILES))
        rng = np.random.default_rng(13)
        for i in range(FILES):
            path = os.path.join(data, f"train-{i:05d}-of-{FILES:05d}.parquet")
            with pq.ParquetWriter(path + ".tmp", columns(rng, 1).schema, use_dictionary=False,
                                  compression="snappy") as w:
                for _ in range(groups_per_file):
                    w.write_table(columns(rng, GROUP_ROWS), row_group_size=GROUP_ROWS)
            os.replace(path + ".tmp", path)
        with open(marker, "w") as f:
            f.write("ok\n")
    print(json.dumps(shares(data)))


def shares(data):
    """Each column's compressed chunk bytes over all files' bytes; the rest is footers and magic."""
    import pyarrow.parquet as pq

    total = 0
    per = {}
    groups = 0
    rows = 0
    for name in sorted(os.listdir(data)):
        path = os.path.join(data, name)
        total += os.path.getsize(path)
        md = pq.ParquetFile(path).metadata
        rows += md.num_rows
        groups += md.num_row_groups
        for g in range(md.num_row_groups):
            rg = md.row_group(g)
            for c in range(rg.num_columns):
                col = rg.column(c)
                top = col.path_in_schema.split(".")[0]
                per[top] = per.get(top, 0) + col.total_compressed_size
    return {"files": len(os.listdir(data)), "row_groups": groups, "rows": rows, "bytes": total,
            "shares": {k: round(v / total, 4) for k, v in per.items()}, "chunk_bytes": per}


def upload(folder, repo):
    from huggingface_hub import HfApi

    api = HfApi()
    api.create_repo(repo, repo_type="dataset", exist_ok=True)
    have = set(api.list_repo_files(repo, repo_type="dataset"))
    want = {"data/" + n for n in os.listdir(os.path.join(folder, "data"))}
    if want <= have:
        print(json.dumps({"uploaded": 0}))
        return
    api.upload_folder(repo_id=repo, repo_type="dataset", folder_path=folder, allow_patterns=["data/*.parquet"])
    print(json.dumps({"uploaded": len(want)}))


def stream(repo):
    import datasets

    t0 = time.perf_counter()
    ds = datasets.load_dataset(repo, split="train", streaming=True)
    rows = 0
    for _ in ds:
        rows += 1
    print(json.dumps({"rows": rows, "seconds": time.perf_counter() - t0}))


def local(folder):
    import pyarrow.parquet as pq

    t0 = time.perf_counter()
    data = os.path.join(folder, "data")
    rows = 0
    for name in sorted(os.listdir(data)):
        rows += pq.read_table(os.path.join(data, name)).num_rows
    print(json.dumps({"rows": rows, "seconds": time.perf_counter() - t0}))


if __name__ == "__main__":
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "gen" and len(sys.argv) == 4:
        gen(float(sys.argv[2]), sys.argv[3])
    elif cmd == "upload" and len(sys.argv) == 4:
        upload(sys.argv[2], sys.argv[3])
    elif cmd == "stream" and len(sys.argv) == 3:
        stream(sys.argv[2])
    elif cmd == "local" and len(sys.argv) == 3:
        local(sys.argv[2])
    else:
        sys.exit(__doc__)
