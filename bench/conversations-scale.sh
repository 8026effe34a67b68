#!/usr/bin/env bash
# conversations analyze at 10k and 100k conversations: does memory grow with the input? (issue 15, "Scale")
# The synthetic sets of bench/conversations.sh (bench/conversations_gen.py, one JSONL file each), every stage built,
# one JVM a run (java -Xmx3g or $XMX, /usr/bin/time -v, a GC log). The embeddings come from io.hfbeam.bench.LatencyOpenAiServer's
# /v1/embeddings in its own process (hashed bag-of-words vectors, 384 floats, answered at once) through
# `--embeddings openai`, so a run measures everything but the embedding model (the offline model embeds about 22
# conversations per CPU-second at any size: bench/conversations.sh). Reported per run: wall, CPU seconds, peak RSS,
# and the largest heap left after a young or full collection (live data plus old garbage not yet collected).
# EMBED=local embeds with the offline model instead (the default of `conversations analyze`; about 22 conversations per
# CPU-second, so 100k takes over an hour on 2 cores).
# usage: [SIZES="10000 100000"] [RUNNERS="flink-batch"] [K=k] [XMX=3g] [EMBED=local] bench/conversations-scale.sh
#        needs target/hfbeam.jar and target/test-classes (mvn -o -q -DskipTests package)
set -euo pipefail
cd "$(dirname "$0")/.."
read -r -a sizes <<< "${SIZES:-10000 100000}"
read -r -a runners <<< "${RUNNERS:-flink-batch}"
dir=target/bench/conversations
mkdir -p "$dir"
jar=$dir/hfbeam-scale-$$.jar
cp target/hfbeam.jar "$jar"
log=$dir/scale-server-$$.log
java -cp target/test-classes:"$jar" io.hfbeam.bench.LatencyOpenAiServer --port 0 --latency-ms 0 > "$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -f "$jar"' EXIT
for _ in $(seq 100); do grep -q listening "$log" && break; sleep 0.2; done
base=$(grep -o 'http://[^ ]*/v1' "$log")
export OPENAI_API_KEY=sk-bench
embed=(--embeddings openai --embedding-model hash-384 --api-base "$base")
tag=
if [ "${EMBED:-}" = local ]; then embed=(); tag=-local; fi
k=()
[ -n "${K:-}" ] && k=(--clusters "$K")
for n in "${sizes[@]}"; do
  in=$dir/syn-$n.jsonl
  [ -f "$in" ] || python3 bench/conversations_gen.py "$n" "$in" 0
  for runner in "${runners[@]}"; do
    out=$dir/scale-$runner-$n${XMX:+-$XMX}$tag
    rm -rf "$out" "$out.checkpoints" "$out.gc"*
    /usr/bin/time -v -o "$out.time" java -Xmx"${XMX:-3g}" -Xlog:gc:file="$out.gc"::filecount=0 -jar "$jar" conversations analyze \
      --input "$in" --output "$out" --runner "$runner" "${embed[@]}" "${k[@]}" > "$out.log" 2>&1 || { echo "FAILED $runner $n"; tail -5 "$out.log"; exit 1; }
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$out.time")
    cpu=$(awk -F': ' '/User time/ {u = $2} /System time/ {s = $2} END {print u + s}' "$out.time")
    rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$out.time")
    live=$(awk '/Pause (Young|Full)/ {split($0, a, "->"); split(a[2], b, "M"); if (b[1] + 0 > m) m = b[1] + 0} END {print m}' "$out.gc")
    rows=$(grep -E '^  (conversations|embeddings|clusters|meta_clusters) ' "$out.log" | awk '{printf "%s=%s ", $1, $2}')
    echo "RUN runner=$runner n=$n xmx=${XMX:-3g}${tag:+ embed=local} wall=$wall cpu_s=$cpu peak_rss_mb=$rss max_live_after_gc_mb=$live $rows"
  done
done
