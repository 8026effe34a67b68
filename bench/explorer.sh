#!/usr/bin/env bash
# Benchmark the conversation explorer (issue 16) on synthetic checkpoint sets of about 1k, 10k and 100k
# conversations (bench data: io.hfbeam.bench.ExplorerBenchData, the 580 real conversations repeated with
# distinct texts, summaries, base clusters of ~70, Parquet row groups of ~1 MiB).
# For each set: server start (footers + the small index), the first view (the page's three API calls:
# overview, tree, map, plus the page and its two assets), a cluster page, a conversation, and searches
# (a common phrase: the first page stops the scan early; a word that is nowhere: a full scan), then the
# server's peak RSS (VmHWM) after all of it.
# usage: bench/explorer.sh [sizes...]   (default 1000 10000 100000; needs target/hfbeam.jar and
#        target/test-classes: mvn -q -DskipTests package)
#   HEAP=256m: the server's -Xmx (default 1g); RG_BYTES=134217728: row groups of that size instead of ~1 MiB
set -euo pipefail
cd "$(dirname "$0")/.."
jar=target/hfbeam.jar
work=target/bench/explorer
mkdir -p "$work"
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000 100000)
port=18716

t() { curl -s -o /dev/null -w "%{time_total}\n" "$1"; }            # seconds for one request
ms() { echo "$1 * 1000" | bc -l | xargs printf '%.0f'; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "| conversations | index build (server start) | first view, cold | first view, warm (median of 5) | cluster page | conversation | search, common phrase (page 1) | search, absent word (full scan) | peak RSS |"
echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for n in "${sizes[@]}"; do
  port=$((port + 1))  # a fresh port per set: the previous server's socket may linger
  dir=$work/n$n${RG_BYTES:+-rg$RG_BYTES}
  [ -f "$dir/dimensionality/checkpoint.json" ] || java -Xmx8g -cp "$jar:target/test-classes" io.hfbeam.bench.ExplorerBenchData "$dir" "$n" ${RG_BYTES:-} > "$work/gen-$n.log" 2>&1
  log=$work/serve-$n.log
  java -Xmx${HEAP:-1g} -jar "$jar" conversations serve --checkpoints "$dir" --port $port > "$log" 2>&1 &
  pid=$!
  trap 'kill $pid 2>/dev/null || true' EXIT
  for _ in $(seq 1200); do grep -q "Conversation explorer at" "$log" && break; kill -0 $pid 2>/dev/null || { cat "$log"; exit 1; }; sleep 0.1; done
  base=http://127.0.0.1:$port
  indexed=$(grep -o 'indexed in [0-9]* ms' "$log" | grep -o '[0-9]*')
  conversations=$(curl -s "$base/api/overview" > "$work/overview-$n.json"; python3 -c "import json;print(json.load(open('$work/overview-$n.json'))['conversations'])")
  first() { local s=0; for u in / /app.js /app.css /api/overview /api/tree /api/map; do s=$(echo "$s + $(t "$base$u")" | bc -l); done; echo "$s"; }
  # cold: a fresh server's first page (the overview above warmed only the JIT for one call)
  cold=$(first)
  warm=$(for _ in 1 2 3 4 5; do first; done | median)
  root=$(curl -s "$base/api/tree" | python3 -c "import json,sys;n=json.load(sys.stdin)['nodes'];print(max((x for x in n if x['parent_id'] is None),key=lambda x:x['count'])['id'])")
  leaf=$(curl -s "$base/api/map" | python3 -c "import json,sys;p=json.load(sys.stdin)['points'];print([x for x in p if x['leaf']][-1]['id'])")
  cluster=$(for o in 0 20 40 60 80; do t "$base/api/cluster?id=$leaf&offset=$o&limit=20"; done | median)
  chat=$(curl -s "$base/api/cluster?id=$leaf&offset=0&limit=20" | python3 -c "import json,sys;print(json.load(sys.stdin)['conversations']['items'][-1]['chat_id'])")
  conv=$(t "$base/api/conversation?id=$chat")
  common=$(t "$base/api/search?q=your+drink")
  absent=$(t "$base/api/search?q=zyxwvutsrq")
  curl -s "$base/api/search?q=zyxwvutsrq" > "$work/search-absent-$n.json"
  scanned=$(python3 -c "import json;print(json.load(open('$work/search-absent-$n.json'))['rows_scanned'])")
  rss=$(awk '/VmHWM/ {print $2}' /proc/$pid/status)
  kill $pid; wait $pid 2>/dev/null || true
  printf "| %'d | %s ms | %s ms | %s ms | %s ms | %s ms | %s ms | %s ms (%'d rows) | %.0f MB |\n" "$conversations" "$indexed" \
    "$(ms "$cold")" "$(ms "$warm")" "$(ms "$cluster")" "$(ms "$conv")" "$(ms "$common")" "$(ms "$absent")" "$scanned" \
    "$(echo "$rss / 1024" | bc -l)"
done
