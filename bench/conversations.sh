#!/usr/bin/env bash
# conversations analyze (issue 15): per-stage throughput, wall time, peak RSS and checkpoint size on synthetic
# conversations (bench/conversations_gen.py, seeded, cached under target/bench/conversations), offline defaults
# (local embedder, Kura's k = n / 10 unless K is set).
# Per size N, one JVM per run (`/usr/bin/time -v`: wall, CPU seconds and peak RSS of the whole run):
#   full      every stage built
#   noop      every stage up to date (JVM start + the input survey: the fixed cost)
#   read      conversations/checkpoint.json deleted: read + write conversations only
#   embed     embeddings/checkpoint.json deleted: read + embed
#   cluster   clusters/checkpoint.json deleted: read + cluster + meta clusters + layout
#   sizes     bench/conversations_sizes.py: Parquet vs Kura-style JSONL bytes, load_dataset time per stage
#   flink     the full run again with --runner flink-local (its own output folder)
# A stage's (CPU) time = its run minus the read run (the read stage's: minus the noop run); without the embed run,
# embed = full - cluster run.
# usage: [STEPS="full noop ..."] [K=k] bench/conversations.sh [SIZES]   (default "1000 10000 100000", every step)
#        needs target/hfbeam.jar (mvn -o -q -DskipTests package) and target/pyenv (any Python interop test)
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=${1:-"1000 10000 100000"}
steps=${STEPS:-"full noop read embed cluster sizes flink"}
dir=target/bench/conversations
mkdir -p "$dir"
# a copy of the jar per invocation: a rebuild (or another invocation) during a long run does not change the program
# under a running JVM
jar=$dir/hfbeam-$$.jar
cp target/hfbeam.jar "$jar"
trap 'rm -f "$jar"' EXIT
py=target/pyenv/bin/python
run() { # name N out args...: one timed run
  local name=$1 n=$2 out=$3; shift 3
  /usr/bin/time -v -o "$dir/time-$name-$n.txt" java -jar "$jar" conversations analyze --output "$out" "$@" \
    > "$dir/log-$name-$n.txt" 2>&1 || { echo "FAILED $name $n"; tail -5 "$dir/log-$name-$n.txt"; return 1; }
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$dir/time-$name-$n.txt")
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$dir/time-$name-$n.txt")
  local secs
  secs=$(echo "$wall" | awk -F: '{ if (NF == 3) print $1 * 3600 + $2 * 60 + $3; else print $1 * 60 + $2 }')
  local cpu # user + system seconds: robust to other load on the machine, unlike wall time
  cpu=$(awk -F': ' '/User time/ {u = $2} /System time/ {s = $2} END {print u + s}' "$dir/time-$name-$n.txt")
  echo "RUN name=$name n=$n wall_s=$secs cpu_s=$cpu peak_rss_mb=$rss $(grep -E '^(time:|  (conversations|embeddings|clusters): )' "$dir/log-$name-$n.txt" | tr '\n' ' ')"
}
has() { [[ " $steps " == *" $1 "* ]]; }
for n in $sizes; do
  in=$dir/syn-$n.jsonl
  [ -f "$in" ] || python3 bench/conversations_gen.py "$n" "$in" 0
  out=$dir/out-$n
  k=()
  [ -n "${K:-}" ] && k=(--clusters "$K")
  if has full; then
    rm -rf "$out"
    run full "$n" "$out" --input "$in" "${k[@]}"
  fi
  if has noop; then run noop "$n" "$out" --input "$in" "${k[@]}"; fi
  if has read; then
    rm "$out/conversations/checkpoint.json"
    run read "$n" "$out" --input "$in" "${k[@]}"
  fi
  if has embed; then
    rm "$out/embeddings/checkpoint.json"
    run embed "$n" "$out" --input "$in" "${k[@]}"
  fi
  if has cluster; then
    rm "$out/clusters/checkpoint.json"
    run cluster "$n" "$out" --input "$in" "${k[@]}"
  fi
  echo "INPUT n=$n bytes=$(stat -c %s "$in")"
  if has sizes; then "$py" bench/conversations_sizes.py "$out"; fi
  if has flink; then
    rm -rf "$dir/out-flink-$n"
    run flink "$n" "$dir/out-flink-$n" --input "$in" --runner flink-local "${k[@]}"
  fi
done
