#!/usr/bin/env bash
# chess-positions on the standalone Flink session cluster (runners/flink-cluster, parallelism 2) against the
# DirectRunner and embedded Flink, on the 5000-game sample (327,416 positions) and 10 copies of it (3,274,160).
# Starts a fresh cluster (stops one that runs), checks the outputs are byte-identical, prints a markdown table,
# the Flink job durations (from the REST API) and the JobManager/TaskManager RSS, and stops the cluster.
# usage: bench/flink-cluster.sh   (needs target/hfbeam.jar)
set -euo pipefail
cd "$(dirname "$0")/.."
jar=target/hfbeam.jar
work=target/bench/flink-cluster
mkdir -p "$work" target/bench/chess
small=samples/pgn/lichess_db_standard_rated_2013-01_truncated_5000.pgn
big=target/bench/chess/lichess_x10.pgn
[ -f "$big" ] || for i in $(seq 10); do cat "$small"; echo; done > "$big"
cw=${FLINK_CLUSTER_WORK:-runners/flink-cluster/work}
rest=${FLINK_REST_PORT:-8081}

runners/flink-cluster/stop > /dev/null
runners/flink-cluster/start > /dev/null
trap 'runners/flink-cluster/stop > /dev/null' EXIT
jm=$(cat "$cw/jobmanager.pid"); tm=$(cat "$cw/taskmanager.pid")
rss() { echo $(( $(ps -o rss= -p "$1") / 1024 )); }
th() { python3 -c "print(f'{float($1):,.0f}')"; }   # thousands separators whatever the locale
echo "idle cluster: JobManager $(rss "$jm") MB, TaskManager $(rss "$tm") MB RSS"

echo "| run | positions | wall time (incl. JVM start) | positions/s | peak RSS |"
echo "| --- | ---: | ---: | ---: | ---: |"
for input in "$small" "$big"; do
  if [ "$input" = "$small" ]; then n=327416; tag="0.3M"; else n=3274160; tag="3.3M"; fi
  for runner in direct flink-local flink-cluster; do
    rm -rf "$work/$runner"
    mj=0; mt=0
    t0=$(date +%s.%N)
    /usr/bin/time -f "%M" -o "$work/rss" java -jar "$jar" chess-positions --data-path "$input" --output "$work/$runner" \
      --runner "$runner" > "$work/last.log" 2>&1 &
    pid=$!
    while kill -0 $pid 2>/dev/null; do
      r=$(ps -o rss= -p "$jm"); (( r > mj )) && mj=$r
      r=$(ps -o rss= -p "$tm"); (( r > mt )) && mt=$r
      sleep 1
    done
    wait $pid || { echo "FAILED: $runner $tag"; tail -20 "$work/last.log"; exit 1; }
    t1=$(date +%s.%N)
    secs=$(echo "$t1 - $t0" | bc -l)
    if [ "$runner" = flink-cluster ]; then
      mem="client $(( $(cat "$work/rss") / 1024 )) MB; JM $((mj / 1024)) MB, TM $((mt / 1024)) MB"
    else
      mem="$(( $(cat "$work/rss") / 1024 )) MB"
    fi
    printf "| hfbeam %s (%s) | %s | %.2f s | %s | %s |\n" "$runner" "$tag" "$(th "$n")" "$secs" \
      "$(th "$(echo "$n / $secs" | bc -l)")" "$mem"
  done
  for runner in flink-local flink-cluster; do
    cmp <(cd "$work/direct" && find . -type f | sort | xargs sha256sum) \
        <(cd "$work/$runner" && find . -type f | sort | xargs sha256sum) \
      || { echo "direct and $runner outputs differ"; exit 1; }
  done
done
echo "outputs byte-identical on the three runners"
echo "Flink job durations on the cluster (REST /jobs/overview, submission and jar upload excluded):"
curl -s "localhost:$rest/jobs/overview" | python3 -c '
import json, sys
for j in sorted(json.load(sys.stdin)["jobs"], key=lambda j: j["start-time"]):
    print("  %s %s %.1f s" % (j["name"], j["state"], j["duration"] / 1000))'
echo "load average: $(cut -d" " -f1-3 /proc/loadavg) (2 cores)"
