#!/usr/bin/env bash
# Benchmark qa-export side by side with jq (the same mapping) and cat (the I/O limit), in one run.
# usage: bench/qa-export.sh [SIZE_MB ...]   (default: 100 1024). Needs target/hfbeam.jar (mvn -DskipTests package).
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("${@:-100 1024}")
[ $# -eq 0 ] && sizes=(100 1024)
jar=target/hfbeam.jar
work=target/bench/qa
mkdir -p "$work"
JQ_MAP='{question, answer, source: (.source_document // ""), persona: "\(.persona.roll)/\(.persona.erfarenhet)", validation_score: .validation.composite_score}'

measure() { # label, bytes, records, command...
  local label=$1 bytes=$2 records=$3; shift 3
  local t0 t1 secs rss
  t0=$(date +%s.%N)
  /usr/bin/time -f "%M" -o "$work/rss" "$@" > "$work/last.log" 2>&1 || { echo "FAILED: $label"; tail -20 "$work/last.log"; exit 1; }
  t1=$(date +%s.%N)
  secs=$(echo "$t1 - $t0" | bc -l)
  rss=$(cat "$work/rss")
  printf "| %s | %s MB | %.1f s | %'.0f records/s | %.1f MB/s | %.0f MB |\n" "$label" "$((bytes / 1000000))" "$secs" \
    "$(echo "$records / $secs" | bc -l)" "$(echo "$bytes / $secs / 1000000" | bc -l)" "$(echo "$rss / 1024" | bc -l)"
}

# bin/hfbeam writes its class-data archive after the first run of a build: do that run now, outside the figures
rm -rf "$work/warmup" && bin/hfbeam qa-export --input samples/qa --output "$work/warmup" --runner flink-local > /dev/null 2>&1

echo "| tool | input | time | records/s | MB/s | peak RSS |"
echo "| --- | ---: | ---: | ---: | ---: | ---: |"
for mb in "${sizes[@]}"; do
  in="$work/in-$mb"
  [ -f "$in/qa_passed.jsonl" ] || python3 bench/gen_qa_corpus.py "$mb" "$in" > /dev/null
  bytes=$(cat "$in"/*.jsonl | wc -c)
  records=$(cat "$in"/*.jsonl | wc -l)
  measure "cat ($mb MB)" "$bytes" "$records" sh -c "cat $in/*.jsonl > /dev/null"
  measure "jq -c ($mb MB)" "$bytes" "$records" sh -c "jq -c '$JQ_MAP' $in/qa_passed.jsonl > $work/jq.jsonl && jq -c '$JQ_MAP' $in/qa_rejected.jsonl > $work/jq-rej.jsonl"
  measure "hfbeam direct ($mb MB)" "$bytes" "$records" java -jar "$jar" qa-export --input "$in" --output "$work/out-direct" --format jsonl --runner direct
  measure "hfbeam flink-local p=2 ($mb MB)" "$bytes" "$records" java -jar "$jar" qa-export --input "$in" --output "$work/out-flink" --format jsonl --runner flink-local
  measure "plain Java loop, 1 thread ($mb MB)" "$bytes" "$records" java -XX:+UseSerialGC -cp "$jar:target/test-classes" io.hfbeam.bench.QaPlainLoop config/qa-export-mapping.yaml "$work/out-plain" "$in/qa_passed.jsonl" "$in/qa_rejected.jsonl"
  measure "bin/hfbeam direct ($mb MB)" "$bytes" "$records" bin/hfbeam qa-export --input "$in" --output "$work/out-direct-l" --format jsonl --runner direct
  measure "bin/hfbeam flink-local p=2 ($mb MB)" "$bytes" "$records" bin/hfbeam qa-export --input "$in" --output "$work/out-flink-l" --format jsonl --runner flink-local
  for o in out-flink out-direct-l out-flink-l; do
    cmp "$work/out-direct/qa_pairs.jsonl" "$work/$o/qa_pairs.jsonl" || { echo "direct and $o outputs differ"; exit 1; }
  done
  cmp "$work/out-direct/qa_pairs.jsonl" "$work/out-plain/train.jsonl" || { echo "direct and plain loop outputs differ"; exit 1; }
done
