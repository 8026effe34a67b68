#!/usr/bin/env bash
# conversations analyze --watch (issue 15 point 4): one increment of 100 conversations into a set of N (default 1k
# and 10k), 3 increments per size: wall seconds, bytes the JVM read (rchar) and Parquet files of the set opened per
# increment, by stage (an strace of openat, cut by the marker files the bench opens around each increment).
# The set is made once per N (bench/conversations_gen.py, offline embedder) and cached under target/bench/watch/.
# usage: bench/watch-increment.sh [SIZES]   (comma separated, default 1000,10000)
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=${1:-1000,10000}
dir=target/bench/watch
mkdir -p "$dir"
log=$dir/strace-$$.log
trap 'rm -f "$log"' EXIT
strace -f --seccomp-bpf -e trace=openat -e signal=none -o "$log" \
  mvn -o -q test -Dtest=WatchIncrementBenchTest -Dbench=true -Dbench.sizes="$sizes" \
  -Dsurefire.failIfNoSpecifiedTests=false > "$dir/bench.log" 2>&1 || { tail -30 "$dir/bench.log"; exit 1; }
grep '^BENCH' "$dir/bench.log"
python3 - "$log" <<'PY'
import re, sys
from collections import Counter
cur = None
opens = {}
for line in open(sys.argv[1], errors="replace"):
    m = re.search(r'openat\([^"]*"([^"]+)"', line)
    if not m or "ENOENT" in line:
        continue
    path = m.group(1)
    mk = re.search(r"/MARK-(\d+)-(\d+)-(start|end)$", path)
    if mk:
        key = (int(mk.group(1)), int(mk.group(2)) + 1)
        cur = key if mk.group(3) == "start" else None
        if cur:
            opens[cur] = (Counter(), {})
        continue
    # the set's Parquet files (not the increment's scratch under .hfbeam/)
    sm = re.search(r"/out-\d+/([a-z_]+)/data/[^/]+\.parquet$", path)
    if cur and sm:
        opens[cur][0][sm.group(1)] += 1
        opens[cur][1].setdefault(sm.group(1), set()).add(path)
for (n, k), (c, files) in sorted(opens.items()):
    distinct = {s: len(f) for s, f in sorted(files.items())}
    print(f"OPENS n={n} increment={k} set_parquet_opens={sum(c.values())} by_stage={dict(sorted(c.items()))}"
          f" distinct_files={sum(distinct.values())} {distinct}")
PY
