#!/usr/bin/env bash
# Reproduces docs/benchmarks.md's tables and charts: every JMH benchmark with 1 and 2 threads, twice
# (the machine is noisy: both runs are reported), the hit-ratio simulation, then tables and PNG charts.
# Usage: benchmarks/run.sh [OUTPUT_DIR]   (default docs/benchmarks; about 40 minutes on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-docs/benchmarks}
mvn -B -q -DskipTests -pl benchmarks -am package
jar=benchmarks/target/benchmarks.jar
mkdir -p "$out"
bash .ci/memcached-servers start   # the memcached benchmarks use 127.0.0.1:11311-11313
for run in 1 2; do
  for threads in 1 2; do
    java -jar "$jar" 'ReadWriteBenchmark|ExpiryStatisticsBenchmark|StoreByValueBenchmark|BulkBenchmark|MemcachedBenchmark' \
      -t "$threads" -rf json -rff "$out/run$run-threads$threads.json"
  done
done
java -jar "$jar" AppEngineBenchmark -t 1 -rf json -rff "$out/appengine.json"   # App Engine's local service, in process
java -cp "$jar" dev.larder.benchmarks.HitRatio "$out/hit-ratio.csv"
java -cp "$jar" dev.larder.benchmarks.MemcachedBenchmark | tee "$out/round-trips.txt"
java -cp "$jar" dev.larder.benchmarks.OutageBenchmark 5 | tee "$out/outage.md"   # its own servers, 11381-11384
java -cp "$jar" dev.larder.benchmarks.Report "$out" "$out/hit-ratio.csv" "$out"/run*.json > "$out/tables.md"
echo "Tables: $out/tables.md; charts: $out/*.png"
