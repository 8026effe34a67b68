#!/usr/bin/env bash
# Watch-mode latency (issue 5): chess-positions --watch on embedded Flink publishing to a local Hub; PGN files land
# in the watched directory at random intervals; for each file, the time from its landing (atomic rename) until the
# Hub's card counts its positions, i.e. until its rows are in a published commit. Prints p50/p95/max against the
# commit interval (goal: p95 <= 2 x commit interval) and the job JVM's peak RSS.
# usage: bench/watch.sh [commit_interval_s=10] [files=12] [games_per_file=250]
#        (needs target/hfbeam.jar from `mvn -q -DskipTests package`; python3 for the statistics)
set -euo pipefail
cd "$(dirname "$0")/.."
T=${1:-10}; N=${2:-12}; G=${3:-250}
jar=$(pwd)/target/hfbeam.jar
[ -f "$jar" ] || { echo "missing $jar: run mvn -q -DskipTests package first" >&2; exit 1; }
work=$(pwd)/target/bench/watch
rm -rf "$work"; mkdir -p "$work/games" "$work/in"

# input: N files of G games each, cut from the sample at game starts; positions per file from a bounded run
python3 - "$work/games" "$N" "$G" <<'EOF'
import re, sys
out, n, g = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
text = open('samples/pgn/lichess_db_standard_rated_2013-01_truncated_5000.pgn').read()
games = re.split(r'\n(?=\[Event )', text)
assert n * g <= len(games), f"only {len(games)} games"
for i in range(n):
    open(f'{out}/part{i:03d}.pgn', 'w').write('\n'.join(games[i * g:(i + 1) * g]) + '\n')
EOF
: > "$work/rows.txt"
for f in "$work"/games/*.pgn; do
  r=$(java -jar "$jar" chess-positions --data-path "$f" --output "$work/count" --runner direct | awk '/^write/{gsub(",","",$2); print $2}')
  echo "$(basename "$f") $r" >> "$work/rows.txt"
done

# a local Hub
java -jar "$jar" hub serve --port 0 --data "$work/hub" > "$work/hub.log" 2>&1 &
hub_pid=$!
job_pid=
poll_pid=
cleanup() { for p in $poll_pid $job_pid $hub_pid; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
until grep -q '^Local Hub at' "$work/hub.log"; do sleep 0.2; done
export HF_ENDPOINT=$(sed -n 's/^Local Hub at \([^ ]*\).*/\1/p' "$work/hub.log")
export HF_TOKEN=hf_bench_fake_token_000000 HF_HOME=$work/hf

java -jar "$jar" chess-positions --data-path "$work/in" --output "$work/out" --watch --poll-interval 1 \
  --commit-interval "$T" --runner flink-local --repo alice/watched > "$work/job.log" 2>&1 &
job_pid=$!

# the Hub's card, polled: "epoch_seconds rows" whenever the count changes; and the job's RSS
( set +e +o pipefail; last=-1; peak=0
  while kill -0 $job_pid 2>/dev/null; do
    rows=$(curl -sf "$HF_ENDPOINT/datasets/alice/watched/resolve/main/README.md" 2>/dev/null \
      | awk '/num_examples:/{s+=$2} END{print s+0}')
    [ "$rows" != "$last" ] && { echo "$(date +%s.%N) $rows" >> "$work/card.txt"; last=$rows; }
    rss=$(ps -o rss= -p $job_pid 2>/dev/null | tr -d ' ')
    [ -n "$rss" ] && [ "$rss" -gt "$peak" ] && { peak=$rss; echo "$peak" > "$work/peak_rss_kb"; }
    sleep 0.2
  done ) &
poll_pid=$!

until grep -q "watching for new files" "$work/job.log"; do sleep 0.5; done
sleep 15 # the embedded cluster starting and the first poll
: > "$work/landed.txt"
for f in "$work"/games/*.pgn; do
  name=$(basename "$f")
  cp "$f" "$work/in/.$name.tmp"
  mv "$work/in/.$name.tmp" "$work/in/$name"
  echo "$(date +%s.%N) $name" >> "$work/landed.txt"
  sleep "$(python3 -c "import random; print(round(random.uniform(0.2, 1.0) * $T, 2))")"
done
total=$(awk '{s+=$2} END{print s}' "$work/rows.txt")
deadline=$((SECONDS + 20 * T + 60))
until [ "$(tail -1 "$work/card.txt" 2>/dev/null | awk '{print $2}')" = "$total" ]; do
  (( SECONDS < deadline )) || { echo "the Hub never counted all $total rows; see $work/job.log" >&2; exit 1; }
  sleep 1
done
commits=$(curl -sf "$HF_ENDPOINT/api/datasets/alice/watched/commits/main" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')

python3 - "$work" "$T" "$commits" <<'EOF'
import sys
work, T, commits = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
rows = dict(l.split() for l in open(f'{work}/rows.txt'))
landed = [(float(t), n) for t, n in (l.split() for l in open(f'{work}/landed.txt'))]
card = [(float(t), int(r)) for t, r in (l.split() for l in open(f'{work}/card.txt'))]
lat, cum = [], 0
for t, name in landed:
    cum += int(rows[name])
    seen = next(ct for ct, r in card if r >= cum)
    lat.append(seen - t)
s = sorted(lat)
def pct(p): return s[max(0, -(-len(s) * p // 100) - 1)]
peak = int(open(f'{work}/peak_rss_kb').read()) / 1024
print(f"files {len(lat)}, positions {cum:,}, commit interval {T:g} s, Hub commits {commits}")
print(f"latency landing -> rows in a published commit: p50 {pct(50):.1f} s, p95 {pct(95):.1f} s, max {s[-1]:.1f} s "
      f"(p95 = {pct(95) / T:.2f} x the commit interval; goal <= 2)")
print(f"job JVM (embedded Flink) peak RSS: {peak:.0f} MB")
print("per file (s):", " ".join(f"{x:.1f}" for x in lat))
EOF
