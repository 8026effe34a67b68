#!/usr/bin/env bash
# conversations analyze with an LLM (issue 15's "LLM stages against a test server with fixed latency"): summaries
# and cluster names through io.hfbeam.bench.LatencyOpenAiServer in its own process (loopback; LATENCY_MS (200) per
# answer; a token bucket of RATE (200) requests/s, 429 + Retry-After past it). For each N in SIZES synthetic
# conversations (MT-Bench questions recombined, seeded; cached under target/bench/conversations-llm):
#   java -jar target/hfbeam.jar conversations analyze --input N.jsonl --output OUT --llm openai --concurrency C
#        --runner RUNNER
# Reported: requests (summaries + cluster names), 429s, the server's window (first request in to last answer out),
# requests/s against the ideal min(C / latency, RATE), conversations summarised per second, wall time, peak RSS.
# usage: bench/conversations-llm.sh   (SIZES="1000 10000", C=128, RUNNER=flink-local)
#        needs target/hfbeam.jar and target/test-classes (mvn -q -DskipTests package)
set -euo pipefail
cd "$(dirname "$0")/.."
read -r -a sizes <<< "${SIZES:-1000 10000}"
c=${C:-128}
rate=${RATE:-200}
latency=${LATENCY_MS:-200}
runner=${RUNNER:-flink-local}
jar=target/hfbeam.jar
[ -f "$jar" ] && [ -f target/test-classes/io/hfbeam/bench/LatencyOpenAiServer.class ] \
  || { echo "missing $jar or the test classes: run mvn -q -DskipTests package first" >&2; exit 1; }
work=$PWD/target/bench/conversations-llm
mkdir -p "$work"
export OPENAI_API_KEY=sk-test
unset OPENAI_BASE_URL
py=python3
for n in "${sizes[@]}"; do
  [ -f "$work/conv-$n.jsonl" ] || "$py" - "$n" "$work/conv-$n.jsonl" << 'PYEOF'
import json, random, sys
n, out = int(sys.argv[1]), sys.argv[2]
qs = [json.loads(l) for l in open("src/test/resources/conversations/mt_bench_questions.jsonl")]
rnd = random.Random(42)
with open(out, "w") as f:
    for i in range(n):
        a, b = rnd.choice(qs), rnd.choice(qs)
        msgs = [{"role": "user", "content": a["messages"][0]["content"] + " " + str(i)},
                {"role": "assistant", "content": "Here is an answer."},
                {"role": "user", "content": b["messages"][0]["content"]}]
        f.write(json.dumps({"id": f"c{i}", "messages": msgs, "category": a["metadata"]["category"]}) + "\n")
PYEOF
done
port=$("$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
java -XX:+UseSerialGC -cp "$jar:target/test-classes" io.hfbeam.bench.LatencyOpenAiServer --port "$port" \
  --latency-ms "$latency" --rate-limit "$rate" > "$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 300); do grep -q "listening on" "$work/server.log" && break; sleep 0.2; done
base="http://127.0.0.1:$port"
ideal=$("$py" -c "print(min($c / ($latency / 1000), $rate))")
printf '| conversations | runner | C | requests (summaries + names) | 429s | summaries window | summaries/s (ideal %s) | of ideal | wall | peak RSS | load |\n' "$ideal"
printf '| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n'
for n in "${sizes[@]}"; do
  rm -rf "$work/out-$n"
  sleep 2
  curl -sf "$base/stats?reset=1" > /dev/null
  /usr/bin/time -f "%e %M" -o "$work/time" java -jar "$jar" conversations analyze --input "$work/conv-$n.jsonl" \
    --output "$work/out-$n" --format mapped --chat-id-field id --metadata-fields category --llm openai --api-base "$base/v1" --concurrency "$c" --runner "$runner" \
    > "$work/run-$n.log" 2>&1 || { echo "FAILED n=$n"; tail -20 "$work/run-$n.log"; exit 1; }
  curl -sf "$base/stats" > "$work/stats-$n.json"
  read -r wall rss < "$work/time"
  "$py" - "$n" "$runner" "$c" "$ideal" "$wall" "$rss" "$work/stats-$n.json" "$work/out-$n" << 'PYEOF'
import json, sys
n, runner, c, ideal, wall, rss, stats, out = sys.argv[1:]
s = json.load(open(stats))
summ = json.load(open(f"{out}/summaries/checkpoint.json"))
load = open("/proc/loadavg").read().split()[0]
rps = s["summary_requests"] / s["summary_window_s"]
print(f"| {int(n):,} | {runner} | {c} | {s['summary_requests']:,} + {s['chat_requests'] - s['summary_requests']:,} "
      f"| {s['rate_limited']} | {s['summary_window_s']:.1f} s | {rps:.1f} | {rps / float(ideal):.2f} "
      f"| {float(wall):.1f} s | {int(rss) // 1024} MB | {load} |")
PYEOF
done
