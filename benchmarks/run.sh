#!/usr/bin/env bash
# Runs the benchmarks in rounds and regenerates docs/benchmarks.md (its targets table, tables, charts).
#
#   benchmarks/run.sh                    every benchmark and peer, 3 rounds (about 90 minutes on 2 cores)
#   benchmarks/run.sh --focused [GROUP…]  only the cells a target is judged on, shorter iterations
#                                         (readwrite, expiry, byvalue, memcached, hitratio; default all:
#                                         about 25 minutes; one group: 2 to 5, memcached 11)
#
# A round runs every cell once, each peer in its own fork, one after the other; a cell's result is the
# median of its rounds, and a target's ratio is taken within each round (peers a few minutes apart, under
# the same noise) and reported as the median of the rounds with its range. ROUNDS=5 for more rounds.
# Results go to OUTPUT (default docs/benchmarks; --focused: benchmarks/target/focused), and the page
# regenerated is PAGE (default docs/benchmarks.md; --focused: OUTPUT/benchmarks.md, a copy, so that a
# focused run changes the docs only when asked to). The page says which run produced it.
set -euo pipefail
cd "$(dirname "$0")/.."
focused=false
if [[ ${1:-} == --focused ]]; then
  focused=true
  shift
fi
groups=("$@")
if [[ ${#groups[@]} -eq 0 ]]; then
  groups=(readwrite expiry byvalue memcached hitratio)
  $focused || groups+=(appengine)
fi
rounds=${ROUNDS:-3}
if $focused; then
  out=${OUTPUT:-benchmarks/target/focused}
  page=${PAGE:-$out/benchmarks.md}
else
  out=${OUTPUT:-docs/benchmarks}
  page=${PAGE:-docs/benchmarks.md}
fi

mvn -B -q -DskipTests -pl benchmarks -am package
jar=benchmarks/target/benchmarks.jar
mkdir -p "$out"
rm -f "$out"/round*.json
bash .ci/memcached-servers start   # the memcached benchmarks use 127.0.0.1:11311-11313
# Emptied first: the tests share these servers, and a full one evicts the benchmark's keys (measured:
# 100,000 test items and 90,000 evictions a server after a mutation run; the setup check then fails
# Larder's forks with "lost key104", and the rounds that remain compare different conditions).
for port in 11311 11312 11313; do
  (exec 3<>"/dev/tcp/127.0.0.1/$port" && printf 'flush_all\r\nquit\r\n' >&3 && timeout 5 cat <&3 >/dev/null) \
    || { echo "cannot empty memcached on 127.0.0.1:$port" >&2; exit 1; }
done

# The focused mode's JMH iterations: warm-up, then measurement. The memcached clients need longer (see
# below), so their group sets its own.
focused_iterations=(-wi 2 -w 1 -i 2 -r 1)

# jmh ROUND NAME THREADS ARGS…: one JMH run, one fork per peer, its JSON named for the report.
jmh() {
  local round=$1 name=$2 threads=$3
  shift 3
  local short=()
  $focused && short=("${focused_iterations[@]}")
  java -jar "$jar" "$@" -f 1 -t "$threads" "${short[@]}" -rf json -rff "$out/round$round-$name-t$threads.json"
}

for round in $(seq "$rounds"); do
  for group in "${groups[@]}"; do
    case $group in
      readwrite)
        for t in 1 2; do
          if $focused; then
            jmh "$round" readwrite "$t" 'ReadWriteBenchmark' -p cache=larder,caffeine,caffeine-core
          else
            jmh "$round" readwrite "$t" 'ReadWriteBenchmark|BulkBenchmark|BoundedBenchmark'
          fi
        done ;;
      expiry)
        for t in 1 2; do
          if $focused; then
            jmh "$round" expiry "$t" 'ExpiryStatisticsBenchmark' -p cache=larder,cache2k
          else
            jmh "$round" expiry "$t" 'ExpiryStatisticsBenchmark'
          fi
        done ;;
      byvalue)
        for t in 1 2; do
          if $focused; then
            # The best copying peer of the full runs was one of these three (Ehcache on 2026-12-02).
            jmh "$round" byvalue "$t" 'StoreByValueBenchmark' -p cache=larder,cache2k,caffeine,ehcache
            jmh "$round" byvalue-reference "$t" 'ReadWriteBenchmark.get$' -p cache=larder
          else
            jmh "$round" byvalue "$t" 'StoreByValueBenchmark'
          fi
        done ;;
      memcached)
        # Both clients' getAll(100) climbs for about 7 s from a cold fork (MemcachedBenchmark's javadoc):
        # 2 s of warm-up measured the climb, so these forks warm up 10 s, as the full run's do.
        for t in 1 4; do
          if $focused; then
            focused_iterations=(-wi 5 -w 2 -i 2 -r 2)
            jmh "$round" memcached "$t" 'MemcachedBenchmark' -p servers=3 -p client=larder,spymemcached
            focused_iterations=(-wi 2 -w 1 -i 2 -r 1)
          else
            jmh "$round" memcached "$t" 'MemcachedBenchmark'
          fi
        done ;;
      appengine)
        jmh "$round" appengine 1 'AppEngineBenchmark' ;;   # App Engine's local service, in process
      hitratio)
        # A fixed trace, eviction on the caller's thread: once, not per round (Caffeine seeds its frequency
        # sketch at random, so Larder's and Caffeine's ratios move by about 0.2 points from run to run).
        [[ $round == 1 ]] && java -cp "$jar" dev.larder.benchmarks.HitRatio "$out/hit-ratio.csv" ;;
      *) echo "unknown group $group (readwrite, expiry, byvalue, memcached, hitratio, appengine)" >&2; exit 2 ;;
    esac
  done
done

if ! $focused; then
  java -cp "$jar" dev.larder.benchmarks.EntryFootprint | tee "$out/footprint.md"
  java -cp "$jar" dev.larder.benchmarks.MemcachedBenchmark | tee "$out/round-trips.txt"
  java -cp "$jar" dev.larder.benchmarks.StampedeBenchmark 8 | tee "$out/stampede.md"
  java -cp "$jar" dev.larder.benchmarks.OutageBenchmark 5 | tee "$out/outage.md"   # its own servers, 11381-11384
fi
if $focused && [[ -z ${PAGE:-} ]]; then
  cp docs/benchmarks.md "$page"   # the copy a focused run fills
fi
mode=full
$focused && mode="--focused ${groups[*]}"
printf 'Generated on %s by `benchmarks/run.sh %s`: %s rounds, %s, %s CPUs.\n' "$(date -u +%Y-%m-%d)" \
  "${mode#full}" "$rounds" "$(java -version 2>&1 | head -1)" "$(nproc)" | sed 's/run.sh `/run.sh`/' > "$out/run.md"
java -cp "$jar" dev.larder.benchmarks.Report "$out" "$page"
echo "Targets above; tables: $out/tables.md; charts: $out/*.png; page: $page"
