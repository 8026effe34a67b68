#!/usr/bin/env bash
# Benchmark chess-positions side by side, in one run: the plain-Java loop (same parser, encoder and Parquet
# writer, one thread), pgn-extract -Wepd (C), hfbeam on the DirectRunner and on embedded Flink (parallelism 2).
# Inputs: the 5000-game sample (327,416 positions) and a concatenation of it 10 times (3,274,160 positions).
# usage: bench/chess-positions.sh [x100]   (needs target/hfbeam.jar; installs nothing: apt-get install pgn-extract)
#   x100: also the file 100 times (32,741,600 positions, 374 MB): plain loop, pgn-extract and bin/hfbeam on
#   embedded Flink only (about 3 minutes more)
set -euo pipefail
export PATH="$PATH:/usr/games"   # Debian installs pgn-extract there
cd "$(dirname "$0")/.."
jar=target/hfbeam.jar
work=target/bench/chess
mkdir -p "$work"
small=samples/pgn/lichess_db_standard_rated_2013-01_truncated_5000.pgn
big=$work/lichess_x10.pgn
[ -f "$big" ] || for i in $(seq 10); do cat "$small"; echo; done > "$big"

measure() { # label, positions, command...
  local label=$1 positions=$2; shift 2
  local t0 t1 secs
  t0=$(date +%s.%N)
  /usr/bin/time -f "%M" -o "$work/rss" "$@" > "$work/last.log" 2>&1 || { echo "FAILED: $label"; tail -20 "$work/last.log"; exit 1; }
  t1=$(date +%s.%N)
  secs=$(echo "$t1 - $t0" | bc -l)
  printf "| %s | %'d | %.2f s | %'.0f | %.0f MB |\n" "$label" "$positions" "$secs" "$(echo "$positions / $secs" | bc -l)" \
    "$(echo "$(cat "$work/rss") / 1024" | bc -l)"
}

# bin/hfbeam writes its class-data archive after the first run of a build: do that run now, outside the figures
rm -rf "$work/warmup" && bin/hfbeam chess-positions --data-path "$small" --output "$work/warmup" --runner flink-local > /dev/null 2>&1

echo "| run | positions | wall time (incl. JVM start) | positions/s | peak RSS |"
echo "| --- | ---: | ---: | ---: | ---: |"
for input in "$small" "$big"; do
  if [ "$input" = "$small" ]; then n=327416; tag="0.3M"; else n=3274160; tag="3.3M"; fi
  rm -rf "$work/plain" "$work/direct" "$work/flink"
  measure "plain Java loop, 1 thread ($tag)" $n java -XX:+UseSerialGC -cp "$jar:target/test-classes" io.hfbeam.bench.ChessPlainLoop "$work/plain" "$input"
  if command -v pgn-extract > /dev/null; then
    measure "pgn-extract -Wepd ($tag)" $n sh -c "pgn-extract -s -Wepd -o $work/epd.txt $input"
  fi
  measure "hfbeam direct ($tag)" $n java -jar "$jar" chess-positions --data-path "$input" --output "$work/direct"
  measure "hfbeam flink-local p=2 ($tag)" $n java -jar "$jar" chess-positions --data-path "$input" --output "$work/flink" --runner flink-local
  rm -rf "$work/direct-l" "$work/flink-l"
  measure "bin/hfbeam direct ($tag)" $n bin/hfbeam chess-positions --data-path "$input" --output "$work/direct-l"
  measure "bin/hfbeam flink-local p=2 ($tag)" $n bin/hfbeam chess-positions --data-path "$input" --output "$work/flink-l" --runner flink-local
  for o in flink direct-l flink-l; do
    cmp <(cd "$work/direct" && sha256sum train/* test/* README.md) <(cd "$work/$o" && sha256sum train/* test/* README.md) \
      || { echo "direct and $o outputs differ"; exit 1; }
  done
  bytes=$(cat "$work"/flink/train/*.parquet "$work"/flink/test/*.parquet | wc -c)
  echo "|   Parquet bytes per position ($tag): $(echo "scale=2; $bytes / $n" | bc) | | | | |"
done

if [ "${1:-}" = x100 ]; then
  huge=$work/lichess_x100.pgn
  [ -f "$huge" ] || for i in $(seq 10); do cat "$big"; echo; done > "$huge"
  n=32741600
  rm -rf "$work/plain" "$work/flink-l"
  measure "plain Java loop, 1 thread (32.7M)" $n java -XX:+UseSerialGC -cp "$jar:target/test-classes" io.hfbeam.bench.ChessPlainLoop "$work/plain" "$huge"
  if command -v pgn-extract > /dev/null; then
    measure "pgn-extract -Wepd (32.7M)" $n sh -c "pgn-extract -s -Wepd -o $work/epd.txt $huge"
  fi
  measure "bin/hfbeam flink-local p=2 (32.7M)" $n bin/hfbeam chess-positions --data-path "$huge" --output "$work/flink-l" --runner flink-local
  rm -rf "$work/plain" "$work/flink-l" "$work/epd.txt"
fi
