#!/usr/bin/env bash
# Checkpoint tools (issue 15): Kura's JSONL summaries against the migrated checkpoint (Parquet zstd) at 10k and
# 100k synthetic summaries: size on disk, datasets.load_dataset time for each (fresh cache, best of 3), migrate
# rows/s and peak RSS (wall time includes the JVM start), export rows/s, and verify.
# usage: bench/checkpoints.sh   (needs target/hfbeam.jar and the test venv target/pyenv: run
#        CheckpointsPythonTest once to create it)
set -euo pipefail
cd "$(dirname "$0")/.."
py=target/pyenv/bin/python
work=target/bench/checkpoints
mkdir -p "$work"
export HF_HUB_OFFLINE=1 HF_HOME="$work/hf"
export HFBEAM_CDS=off   # the same JVM start for every run

timed() { # label, rows, command...: prints "label | rows | seconds | rows/s | peak RSS MB"
  local label=$1 rows=$2; shift 2
  local t0 t1
  t0=$(date +%s.%N)
  /usr/bin/time -f "%M" -o "$work/rss" "$@" > "$work/last.log" 2>&1 || { echo "FAILED: $label"; cat "$work/last.log"; exit 1; }
  t1=$(date +%s.%N)
  printf "| %s | %'d | %.2f s | %'.0f | %.0f MB |\n" "$label" "$rows" "$(echo "$t1 - $t0" | bc -l)" \
    "$(echo "$rows / ($t1 - $t0)" | bc -l)" "$(echo "$(cat "$work/rss") / 1024" | bc -l)"
}

sizes=()
loads=()
echo "| run | rows | wall time (incl. JVM start) | rows/s | peak RSS |"
echo "| --- | ---: | ---: | ---: | ---: |"
for n in 10000 100000; do
  old="$work/kura-$n"
  [ -f "$old/summaries.jsonl" ] || $py bench/kura_summaries.py $n "$old"
  rm -rf "$work/new-$n" "$work/back-$n"
  timed "migrate ${n} summaries (zstd)" $n bin/hfbeam checkpoints migrate "$old" "$work/new-$n" --compression zstd
  timed "export ${n} summaries" $n bin/hfbeam checkpoints export "$work/new-$n" "$work/back-$n"
  timed "verify ${n} summaries" $n bin/hfbeam checkpoints verify "$old" "$work/new-$n"
  cmp "$old/summaries.jsonl" "$work/back-$n/summaries.jsonl"   # byte for byte
  jsonl=$(stat -c %s "$old/summaries.jsonl")
  pq=$(stat -c %s "$work/new-$n/summaries/data/train-00000-of-00001.parquet")
  sizes+=("$(printf "| %'d | %.2f MB | %.2f MB | %.1f %% |" $n "$(echo "$jsonl / 1000000" | bc -l)" \
    "$(echo "$pq / 1000000" | bc -l)" "$(echo "100 * $pq / $jsonl" | bc -l)")")
  while IFS=$'\t' read -r label secs rows; do
    loads+=("| $(printf "%'d" $n) | $label | $secs s |")
  done < <($py bench/checkpoints_load.py "$old" "$work/new-$n" "$work/cache")
done
echo
echo "| summaries | Kura JSONL | checkpoint Parquet (zstd) | Parquet / JSONL |"
echo "| ---: | ---: | ---: | ---: |"
printf "%s\n" "${sizes[@]}"
echo
echo "| summaries | load | time (best of 3, fresh cache) |"
echo "| ---: | --- | ---: |"
printf "%s\n" "${loads[@]}"
