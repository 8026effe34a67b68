#!/usr/bin/env bash
# Benchmark sft-generate's request throughput (issue 14), side by side in one run, ROUNDS rounds (medians reported),
# against io.hfbeam.bench.LatencyOpenAiServer in its own process (loopback; 200 ms latency; a token bucket of
# RATE requests/s answering 429 + Retry-After past it, OpenAI's x-ratelimit-* headers on every answer):
#   hf-beam    java -jar target/hfbeam.jar sft-generate --concurrency C --runner R, for each R in RUNNERS (the
#              workflow as a user runs it; skipped, and said so, while the jar has no sft-generate command)
#   client     io.hfbeam.bench.SftClientBench: io.hfbeam.llm.OpenAiClient alone, C threads calling chat()
#   async      bench/sft_async.py: the official openai client's AsyncOpenAI + asyncio.Semaphore(C)
#   seed       bench/sft_seed.py: the seed's way, sync OpenAI, one request at a time (C = 1 only)
# for C in 1 8 32 128, one paraphrase_correct request per pair (the same requests everywhere: the shipped prompt
# file's system prompt and user template over the pair's columns), against the ideal min(C / latency, RATE).
# Pairs per point: about 20 s at the ideal rate (100, 800, 3200, 4000). Rates are pairs validated / the server's
# window (first request in to last answer out: the same clock for every tool, no process start); 429s and max in
# flight are the server's counts. Memory: peak RSS of hf-beam sft-generate on 10k and 100k pairs, C = 128, against
# a second server with no latency and no rate limit.
# Inputs: synthetic MEDEC-like CSVs (bench/sft_gen.py; the MEDEC MS CSV's columns, ~1 KB texts), cached under
# target/bench/sft.
# usage: bench/sft.sh          (ROUNDS=3, RATE=200, LATENCY_MS=200, RUNNERS="direct flink-local", MEMORY=1: also
#                               the 10k/100k memory runs, on the first of RUNNERS)
#        needs target/hfbeam.jar and target/test-classes (mvn -q -DskipTests package; builds nothing)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${ROUNDS:-3}
rate=${RATE:-200}
latency=${LATENCY_MS:-200}
memory=${MEMORY:-1}
read -r -a runners <<< "${RUNNERS:-direct flink-local}"
jar=target/hfbeam.jar
[ -f "$jar" ] && [ -f target/test-classes/io/hfbeam/bench/SftClientBench.class ] \
  && [ -f target/test-classes/io/hfbeam/bench/LatencyOpenAiServer.class ] \
  || { echo "missing $jar or the test classes: run mvn -q -DskipTests package first" >&2; exit 1; }
work=$PWD/target/bench/sft
mkdir -p "$work"
prompts=config/prompts/medec-safe-augmentation.json
model=gpt-4o-mini
export OPENAI_API_KEY=sk-test
unset OPENAI_BASE_URL

# the same virtual environment as bench/read.sh and the interop tests, plus the openai client
py=target/pyenv/bin/python
[ -x "$py" ] || python3 -m venv target/pyenv
"$py" -c 'import openai' 2>/dev/null || "$py" -m pip install -q --retries 0 openai

points=(1 8 32 128)
declare -A npairs=([1]=100 [8]=800 [32]=3200 [128]=4000)
sizes=(100 800 3200 4000)
[ "$memory" = 1 ] && sizes+=(10000 100000)
for n in "${sizes[@]}"; do
  [ -f "$work/pairs-$n.csv" ] || python3 bench/sft_gen.py "$n" "$work/pairs-$n.csv"
done

has_sft=0
java -jar "$jar" sft-generate --help > /dev/null 2>&1 && has_sft=1
[ "$has_sft" = 1 ] || echo "note: $jar has no sft-generate command yet: the hf-beam rows are skipped" >&2

cp=(java -XX:+UseSerialGC -cp "$jar:target/test-classes")
free_port() { "$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
servers=()
trap 'for p in "${servers[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT
start_server() { # name, latency ms, rate (0: none) -> sets base_<name>
  local name=$1 port
  port=$(free_port)
  "${cp[@]}" io.hfbeam.bench.LatencyOpenAiServer --port "$port" --latency-ms "$2" --rate-limit "$3" \
    > "$work/server-$name.log" 2>&1 &
  servers+=($!)
  for _ in $(seq 300); do grep -q "listening on" "$work/server-$name.log" && break; sleep 0.2; done
  grep -q "listening on" "$work/server-$name.log" || { echo "the server did not start:"; cat "$work/server-$name.log"; exit 1; }
  printf -v "base_$name" '%s' "http://127.0.0.1:$port/v1"
}
start_server paced "$latency" "$rate"
start_server fast 0 0
stats() { curl -sf "${1%/v1}/stats$2"; }

results=$work/results.tsv
: > "$results"
measure() { # tool, concurrency, round, pairs wanted, command...
  local tool=$1 c=$2 round=$3 want=$4; shift 4
  sleep 2 # a full bucket for everyone
  stats "$base_paced" "?reset=1" > /dev/null
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" > "$work/last.out" 2> "$work/last.err" \
    || { echo "FAILED: $tool c=$c"; tail -30 "$work/last.err"; exit 1; }
  stats "$base_paced" "" > "$work/server.json"
  local wall rss load
  read -r wall rss < "$work/time"
  load=$(cut -d' ' -f1 /proc/loadavg)
  "$py" - "$tool" "$c" "$round" "$want" "$wall" "$rss" "$work" "$load" >> "$results" << 'EOF'
import json, sys
tool, c, rnd, want, wall, rss, work, load = sys.argv[1:]
server = json.load(open(f"{work}/server.json"))
if tool.startswith("hf-beam"):
    st = json.load(open(f"{work}/out/generation_stats.json"))
    # the workflow's names for pairs done and failed (issue 14: pairs done/failed/skipped)
    done = next(st[k] for k in ("pairs_done", "correct_generated", "done") if k in st)
    failed = next((st[k] for k in ("pairs_failed", "failed") if k in st), 0)
else:
    out = json.loads(open(f"{work}/last.out").read().strip().splitlines()[-1])
    done, failed = out["pairs"], out["failed"]
print("\t".join(map(str, [tool, c, rnd, want, done, failed, server["chat_requests"], server["rate_limited"],
                          server["max_in_flight"], server["window_s"], wall, int(rss), server["late_ms_mean"],
                          server["late_ms_max"], load])))
EOF
  echo "round $round: $tool c=$c: $(tail -1 "$results" | cut -f5-)" >&2
}

# the workflow as a user runs it; a fresh output each time (its response journal would answer a re-run)
sft=(java -jar "$jar" sft-generate --prompt-file "$prompts" --model "$model" --output "$work/out")

for r in $(seq "$rounds"); do
  for c in "${points[@]}"; do
    n=${npairs[$c]}
    csv=$work/pairs-$n.csv
    runs=(client async)
    [ "$has_sft" = 1 ] && runs+=("${runners[@]/#/hf-beam-}")
    [ "$c" = 1 ] && runs+=(seed)
    # rotate the order each round, so that no tool always runs first or after the same one
    for i in $(seq 0 $((${#runs[@]} - 1))); do
      run=${runs[$(((i + r) % ${#runs[@]}))]}
      case $run in
        hf-beam-*) rm -rf "$work/out"
          measure "$run" "$c" "$r" "$n" "${sft[@]}" --runner "${run#hf-beam-}" --input "$csv" --concurrency "$c" \
            --api-base "$base_paced" ;;
        client) measure client "$c" "$r" "$n" \
          "${cp[@]}" io.hfbeam.bench.SftClientBench "$csv" "$prompts" "$n" "$c" "$base_paced" "$model" ;;
        async) measure async "$c" "$r" "$n" "$py" bench/sft_async.py "$csv" "$prompts" "$n" "$c" "$base_paced" "$model" ;;
        seed) measure seed "$c" "$r" "$n" "$py" bench/sft_seed.py "$csv" "$prompts" "$n" "$base_paced" "$model" ;;
      esac
    done
  done
done

# memory: hf-beam on 10k and 100k pairs, no latency, no rate limit
mem=$work/memory.tsv
: > "$mem"
if [ "$memory" = 1 ] && [ "$has_sft" = 1 ]; then
  for n in 10000 100000; do
    stats "$base_fast" "?reset=1" > /dev/null
    rm -rf "$work/out"
    /usr/bin/time -f "%e %M" -o "$work/time" "${sft[@]}" --runner "${runners[0]}" --input "$work/pairs-$n.csv" \
      --concurrency 128 \
      --api-base "$base_fast" > "$work/mem-$n.out" 2> "$work/mem-$n.err" \
      || { echo "FAILED: memory $n"; tail -30 "$work/mem-$n.err"; exit 1; }
    read -r wall rss < "$work/time"
    printf '%s\t%s\t%s\t%s\n' "$n" "$wall" "$rss" "$(stats "$base_fast" "" | tr -d '\n')" >> "$mem"
    echo "memory: $n pairs: $wall s, $rss KB" >&2
  done
fi

"$py" - "$results" "$mem" "$rate" "$latency" "${runners[@]}" << 'EOF'
import json, statistics, sys
results, mem, rate, latency = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4]) / 1000
runners = sys.argv[5:]
rows = [l.rstrip("\n").split("\t") for l in open(results)]
names = {f"hf-beam-{r}": f"hf-beam sft-generate, {r} (java -jar)" for r in runners}
names.update({"client": "hf-beam OpenAiClient alone (SftClientBench)",
              "async": "openai AsyncOpenAI + Semaphore", "seed": "seed: openai sync, one at a time"})
tools = [f"hf-beam-{r}" for r in runners] + ["client", "async", "seed"]
loads = [float(r[14]) for r in rows]
print(f"load average (1 min) after each run: {min(loads):.1f}-{max(loads):.1f}, median {statistics.median(loads):.1f}")
print()
print("| concurrency | ideal pairs/s | run | pairs | rounds | pairs/s, median (range) | of ideal | failed pairs |"
      " requests | 429s | max in flight | wall time (incl. start), median | server late, mean / max |")
print("| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
med = {}
for c in sorted({int(r[1]) for r in rows}):
    ideal = min(c / latency, rate)
    for tool in tools:
        got = [r for r in rows if r[0] == tool and int(r[1]) == c]
        if not got:
            continue
        rates = [int(r[4]) / float(r[9]) for r in got]
        m = statistics.median(rates)
        failed = sum(int(r[5]) for r in got)
        req = sum(int(r[6]) for r in got)
        n429 = sum(int(r[7]) for r in got)
        med[(tool, c)] = (m, failed, n429 / req if req else 0)
        print(f"| {c} | {ideal:.0f} | {names[tool]} | {got[0][3]} | {len(got)} | {m:.1f} ({min(rates):.1f}-{max(rates):.1f})"
              f" | {m / ideal:.2f} | {failed} | {req} | {n429} ({n429 / req * 100:.1f}%) |"
              f" {max(int(r[8]) for r in got)} | {statistics.median(float(r[10]) for r in got):.1f} s |"
              f" {statistics.mean(float(r[12]) for r in got):.1f} / {max(float(r[13]) for r in got):.0f} ms |")
print()
for tool in tools[:-2]:
    for c in sorted({k[1] for k in med if k[0] == tool}):
        m, failed, share = med[(tool, c)]
        ideal = min(c / latency, rate)
        ok = m >= 0.95 * ideal and failed == 0 and share <= 0.01
        vs = med.get(("async", c))
        eq = f"; {m / vs[0]:.2f}x AsyncOpenAI ({'at least equal' if m >= vs[0] else 'below'})" if vs else ""
        print(f"- {names[tool]}, c={c}: {m / ideal:.2f} of ideal, {failed} failed, {share * 100:.1f}% 429s:"
              f" goal {'met' if ok else 'MISSED'}{eq}")
mrows = [l.rstrip("\n").split("\t") for l in open(mem)]
for n, wall, rss, st in mrows:
    print(f"- memory: {int(n):,} pairs, c=128, no latency/limit: {float(wall):.1f} s, peak RSS {int(rss) / 1024:,.0f} MB")
if len(mrows) == 2:
    a, b = int(mrows[0][2]), int(mrows[1][2])
    print(f"- peak RSS 10k -> 100k: {b / a:.2f}x")
EOF
