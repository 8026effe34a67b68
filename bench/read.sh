#!/usr/bin/env bash
# Benchmark reading Hugging Face datasets (issue 13), side by side in one run, ROUNDS rounds (medians reported):
#   hf-beam   HuggingFaceIO.read().from("hf://datasets/...") + a count, all columns, embedded Flink p=2 and the
#             DirectRunner (io.hfbeam.bench.ReadBench, a JVM per run, the bin/hfbeam launcher's JVM flags)
#   datasets  load_dataset(repo, split="train", streaming=True) iterated to the end
#   pyarrow   pyarrow.parquet.read_table of the same files from local disk
# against a local Hub server in its own process (`hfbeam hub serve`), on pyarrow-written datasets of 10 columns
# (bench/read_bench.py gen; cached under target/bench/read, with the Hub's copy). Also the bytes the Hub sends when
# hf-beam reads one column of ten (a counting proxy in ReadBench), and peak RSS per size.
# usage: bench/read.sh [SIZE_MB ...]   (default: 100 1024; ROUNDS=3, SLOW_ROUNDS=ROUNDS: rounds of datasets
#        streaming and of the plain loop)
#        needs target/hfbeam.jar and target/test-classes (mvn -q -DskipTests package; builds nothing)
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ $# -eq 0 ] && sizes=(100 1024)
rounds=${ROUNDS:-3}
slow_rounds=${SLOW_ROUNDS:-$rounds}
jar=target/hfbeam.jar
[ -f "$jar" ] && [ -f target/test-classes/io/hfbeam/bench/ReadBench.class ] \
  || { echo "missing $jar or the test classes: run mvn -q -DskipTests package first" >&2; exit 1; }
work=$PWD/target/bench/read
mkdir -p "$work"

# the same Python environment as the interop tests (src/test/java/io/hfbeam/testing/PythonEnv.java)
py=target/pyenv/bin/python
if [ ! -f target/pyenv/.complete ]; then
  python3 -m venv target/pyenv
  "$py" -m pip install -q --retries 0 datasets pyarrow huggingface_hub
  touch target/pyenv/.complete
fi

# JVM flags: bin/hfbeam's (Serial GC, C2 for hot code only) and Flink's --add-opens (pom.xml's surefire argLine)
opens=$(sed -n 's:.*<flink.jvm.opens>\(.*\)</flink.jvm.opens>.*:\1:p' pom.xml)
# shellcheck disable=SC2206
jvm=(java -XX:+UseSerialGC -XX:Tier4InvocationThreshold=50000 -XX:Tier4MinInvocationThreshold=6000
  -XX:Tier4CompileThreshold=60000 -XX:Tier4BackEdgeThreshold=400000 $opens -cp "$jar:target/test-classes")

for mb in "${sizes[@]}"; do
  "$py" bench/read_bench.py gen "$mb" "$work/ds-$mb" > "$work/shape-$mb.json"
done

# the local Hub, in its own process, with a fixed bench user; a second port for the counting proxy
read -r port pport < <("$py" -c 'import socket
ss=[socket.socket() for _ in range(2)]
[s.bind(("127.0.0.1", 0)) for s in ss]
print(*[s.getsockname()[1] for s in ss])')
token=hf_"readbench0123456789abcdefghijklmnop"  # split: a fake token, not a secret
printf '%s bench\n' "$token" > "$work/tokens" && chmod 600 "$work/tokens"
java -cp "$jar" io.hfbeam.cli.Main hub serve --port "$port" --data "$work/hub" --tokens "$work/tokens" \
  --allowed-host "127.0.0.1:$pport" > "$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q "Local Hub at" "$work/server.log" && break; sleep 0.2; done
grep -q "Local Hub at" "$work/server.log" || { echo "the Hub did not start:"; cat "$work/server.log"; exit 1; }
export HF_ENDPOINT=http://127.0.0.1:$port HF_TOKEN=$token HF_HUB_DISABLE_XET=1 HF_HOME=$work/hf-home \
  HF_HUB_DISABLE_TELEMETRY=1 HF_DATASETS_DISABLE_PROGRESS_BARS=1 HF_HUB_DISABLE_PROGRESS_BARS=1
for mb in "${sizes[@]}"; do
  "$py" bench/read_bench.py upload "$work/ds-$mb" "bench/read-$mb" > /dev/null
done

results=$work/results.tsv
: > "$results"
measure() { # label, size, round, expected rows, command...
  local label=$1 mb=$2 round=$3 want=$4; shift 4
  local out="$work/last.out"
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" > "$out" 2> "$work/last.err" \
    || { echo "FAILED: $label ($mb MB)"; tail -30 "$work/last.err"; exit 1; }
  local rows inner wall rss
  rows=$("$py" -c 'import json,sys; print(json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])["rows"])' "$out")
  inner=$("$py" -c 'import json,sys; print(json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])["seconds"])' "$out")
  [ "$rows" = "$want" ] || { echo "$label ($mb MB) read $rows rows, the dataset has $want"; exit 1; }
  read -r wall rss < "$work/time"
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$mb" "$round" "$wall" "$inner" "$rss" >> "$results"
  echo "round $round: $label ($mb MB): $wall s, ${rss} KB" >&2
}

for r in $(seq "$rounds"); do
  for mb in "${sizes[@]}"; do
    want=$("$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))["rows"])' "$work/shape-$mb.json")
    runs=(flink direct datasets pyarrow plain)
    # rotate the order each round, so that no tool always runs first (cold caches) or after the same one
    for i in 0 1 2 3 4; do
      run=${runs[$(((i + r) % 5))]}
      # datasets streaming takes about 9 minutes for 1 GB: SLOW_ROUNDS limits its rounds (and the plain loop's)
      if [ "$r" -gt "$slow_rounds" ] && { [ "$run" = datasets ] || [ "$run" = plain ]; }; then continue; fi
      case $run in
        flink) measure "hf-beam, embedded Flink p=2" "$mb" "$r" "$want" \
          "${jvm[@]}" io.hfbeam.bench.ReadBench read flink-local "hf://datasets/bench/read-$mb" ;;
        direct) measure "hf-beam, DirectRunner" "$mb" "$r" "$want" \
          "${jvm[@]}" io.hfbeam.bench.ReadBench read direct "hf://datasets/bench/read-$mb" ;;
        datasets) measure "datasets streaming" "$mb" "$r" "$want" \
          "$py" bench/read_bench.py stream "bench/read-$mb" ;;
        pyarrow) measure "pyarrow, local files" "$mb" "$r" "$want" \
          "$py" bench/read_bench.py local "$work/ds-$mb" ;;
        plain) measure "hf-beam read path without Beam, 1 thread" "$mb" "$r" "$want" \
          "${jvm[@]}" io.hfbeam.bench.ReadBench plain "hf://datasets/bench/read-$mb" ;;
      esac
    done
  done
done

# one column of ten: what the Hub sends (deterministic, so once per size)
for mb in "${sizes[@]}"; do
  "${jvm[@]}" io.hfbeam.bench.ReadBench bytes "hf://datasets/bench/read-$mb" "$HF_ENDPOINT" "$pport" a \
    > "$work/bytes-$mb.json" 2> "$work/last.err" || { echo "FAILED: bytes ($mb MB)"; tail -30 "$work/last.err"; exit 1; }
done

"$py" - "$work" "$rounds" "${sizes[@]}" << 'EOF'
import json, statistics, sys
work, rounds, sizes = sys.argv[1], sys.argv[2], sys.argv[3:]
rows = [l.rstrip("\n").split("\t") for l in open(f"{work}/results.tsv")]
med = {}
print("| run | dataset | rounds | wall time (incl. start), median | range | in-process time | MB/s | rows/s | peak RSS |")
print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
for mb in sizes:
    shape = json.load(open(f"{work}/shape-{mb}.json"))
    for label in ["hf-beam, embedded Flink p=2", "hf-beam, DirectRunner", "hf-beam read path without Beam, 1 thread",
                  "datasets streaming", "pyarrow, local files"]:
        got = [r for r in rows if r[0] == label and r[1] == mb]
        wall = statistics.median(float(r[3]) for r in got)
        inner = statistics.median(float(r[4]) for r in got)
        rss = statistics.median(int(r[5]) for r in got) / 1024
        med[(label, mb)] = (wall, rss)
        lo, hi = min(float(r[3]) for r in got), max(float(r[3]) for r in got)
        print(f"| {label} | {shape['bytes'] / 1e6:,.0f} MB, {shape['rows']:,} rows, {shape['files']} files,"
              f" {shape['row_groups']} row groups | {len(got)} | {wall:.1f} s | {lo:.1f}-{hi:.1f} s | {inner:.1f} s |"
              f" {shape['bytes'] / 1e6 / wall:.1f} | {shape['rows'] / wall:,.0f} | {rss:,.0f} MB |")
print()
for mb in sizes:
    f, d, a = (med[(l, mb)][0] for l in ["hf-beam, embedded Flink p=2", "datasets streaming", "pyarrow, local files"])
    print(f"- {mb} MB: hf-beam Flink is {d / f:.2f}x as fast as datasets streaming (goal >= 2x);"
          f" it takes {f / a:.2f}x pyarrow's local read (goal <= 1.5x)")
if len(sizes) > 1:
    for l in ["hf-beam, embedded Flink p=2", "hf-beam, DirectRunner"]:
        lo, hi = med[(l, sizes[0])][1], med[(l, sizes[-1])][1]
        print(f"- peak RSS {l}, {sizes[0]} MB -> {sizes[-1]} MB: {lo:,.0f} -> {hi:,.0f} MB ({hi / lo:.2f}x; goal <= 1.1x)")
for mb in sizes:
    b = json.load(open(f"{work}/bytes-{mb}.json"))
    shape = json.load(open(f"{work}/shape-{mb}.json"))
    col = b["column"]
    print(f"- {mb} MB, one column ('{col}', {shape['shares'][col] * 100:.1f}% of the file bytes): the Hub sent"
          f" {b['bytes_column']:,} bytes = {b['bytes_column'] / shape['bytes'] * 100:.1f}% of the files' {shape['bytes']:,};"
          f" all columns: {b['bytes_all']:,} = {b['bytes_all'] / shape['bytes'] * 100:.1f}%")
EOF
