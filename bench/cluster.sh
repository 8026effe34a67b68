#!/usr/bin/env bash
# Embedding throughput and clustering time/memory for the conversations workflow (issue 15), one JVM a figure so
# the peak RSS is the measurement's own. Prints markdown rows for BENCHMARKS.md ("Conversations: embeddings and
# clustering").
# usage: [BIG=1] bench/cluster.sh [embed|kmeans|layout|all]   (needs `mvn -o -q test-compile` first)
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}
cp=$(cat target/bench-classpath.txt 2>/dev/null || true)
if [ -z "$cp" ]; then
  mvn -o -q dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt > /dev/null
  cp=$(cat target/bench-classpath.txt)
fi
cp="target/classes:target/test-classes:$cp"
run() { # args for ClusterBench
  /usr/bin/time -f "%M %e" -o target/bench-rss java -Xmx8g -cp "$cp" io.hfbeam.bench.ClusterBench "$@" 2>&1 \
    | grep RESULT | tr '\n' ' '
  read -r rss wall < target/bench-rss
  printf ' peak_rss=%.0fMB wall=%ss\n' "$(echo "$rss / 1024" | bc -l)" "$wall"
}
if [ "$what" = embed ] || [ "$what" = all ]; then
  for t in 1 2; do run embed 2000 $t; done
fi
if [ "$what" = kmeans ] || [ "$what" = all ]; then
  run kmeans 1000 100 full
  run kmeans 1000 100 minibatch
  run kmeans 2000 200 full
  run kmeans 2000 200 minibatch
  run kmeans 5000 500 full1
  run kmeans 5000 500 minibatch
  run kmeans 10000 1000 minibatch
  run kmeans 100000 1000 minibatch
  if [ "${BIG:-0}" = 1 ]; then run kmeans 100000 10000 minibatch; fi   # Kura's k at 100k: long
fi
if [ "$what" = layout ] || [ "$what" = all ]; then
  for n in 500 1000 2000 5000; do run layout $n umap; done
  for n in 500 2000 5000 10000; do run layout $n pca; done
fi
