#!/usr/bin/env bash
# Benchmark Hugging Face Hub publishing (issue 4) against a local Hub started in the same JVM on loopback:
# commits per 1,000 files published through HubPublish (50 files per commit), bytes and commits of an unchanged
# re-run, upload throughput of HubClient.createCommit next to a plain loopback HTTP PUT of the same bytes
# (measured side by side, alternating, several repetitions), and a publish with 20% of requests failing.
# usage: bench/hub.sh [small_files=1000] [small_kb=10] [big_files=20] [big_mb=25] [reps=3]
#        (needs target/hfbeam.jar from `mvn -q -DskipTests package`; builds nothing)
set -euo pipefail
cd "$(dirname "$0")/.."
jar=target/hfbeam.jar
[ -f "$jar" ] || { echo "missing $jar: run mvn -q -DskipTests package first" >&2; exit 1; }
work=target/bench/hub
mkdir -p target/bench
log=target/bench/hub.log
java -cp "$jar:target/test-classes" io.hfbeam.bench.HubBench "$work" "$@" 2> "$log" \
  || { echo "FAILED (see $log)" >&2; tail -30 "$log" >&2; exit 1; }
