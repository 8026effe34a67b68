#!/usr/bin/env bash
# Two builds side by side, alternating, in one sitting: chess-positions on embedded Flink (the 5000-game sample
# 25 times: 8,185,400 positions) and qa-export (the 1 GB corpus of bench/qa-export.sh) on embedded Flink, each
# through its own bin/hfbeam (own class-data archive, warmed first); pgn-extract and jq on the same inputs once.
# usage: bench/compare-builds.sh OLD_CHECKOUT NEW_CHECKOUT WORKDIR [ROUNDS=3]
#   (each checkout needs target/hfbeam.jar; WORKDIR keeps the inputs between runs)
set -euo pipefail
export PATH="$PATH:/usr/games"
old=$(cd "$1" && pwd); new=$(cd "$2" && pwd); work=$3; rounds=${4:-3}
here=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$work" && cd "$work"
sample=$here/samples/pgn/lichess_db_standard_rated_2013-01_truncated_5000.pgn
mkdir -p pgn25
[ -s pgn25/x25.pgn ] || for i in $(seq 25); do cat "$sample"; echo; done > pgn25/x25.pgn
[ -s qa/qa_passed.jsonl ] || python3 "$here/bench/gen_qa_corpus.py" 1024 qa > /dev/null

run() { # label, command... -> "label seconds peakMB"
  local label=$1; shift
  local t0 t1
  t0=$(date +%s.%N)
  /usr/bin/time -f "%M" -o rss "$@" > last.log 2>&1 || { echo "FAILED: $label"; tail -20 last.log; exit 1; }
  t1=$(date +%s.%N)
  printf "%s %.2f %d\n" "$label" "$(echo "$t1 - $t0" | bc -l)" "$(( $(cat rss) / 1024 ))"
}

for b in old new; do # warm each launcher's class-data archive
  dir=${!b}
  rm -rf "warm-$b" && "$dir/bin/hfbeam" chess-positions --data-path "$sample" --output "warm-$b" --runner flink-local > /dev/null 2>&1
done
for r in $(seq "$rounds"); do
  for b in old new; do
    dir=${!b}
    rm -rf "chess-$b" "qa-$b"
    run "chess-8.2M-flink $b" "$dir/bin/hfbeam" chess-positions --data-path pgn25 --output "chess-$b" --runner flink-local
    run "qa-1GB-flink $b" "$dir/bin/hfbeam" qa-export --input qa --output "qa-$b" --format jsonl --runner flink-local
  done
  diff -r chess-old chess-new > /dev/null && cmp qa-old/qa_pairs.jsonl qa-new/qa_pairs.jsonl \
    || { echo "outputs differ"; exit 1; }
done
if command -v pgn-extract > /dev/null; then run "pgn-extract-Wepd-8.2M" sh -c "pgn-extract -s -Wepd -o epd.txt pgn25/x25.pgn"; fi
JQ_MAP='{question, answer, source: (.source_document // ""), persona: "\(.persona.roll)/\(.persona.erfarenhet)", validation_score: .validation.composite_score}'
run "jq-1GB" sh -c "jq -c '$JQ_MAP' qa/qa_passed.jsonl > jq.jsonl && jq -c '$JQ_MAP' qa/qa_rejected.jsonl > jq-rej.jsonl"
echo "outputs of the two builds identical in every round"
