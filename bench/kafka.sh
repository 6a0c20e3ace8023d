#!/usr/bin/env bash
# blobwatch-from-Kafka benchmark. See bench/README.md.
#
# Usage: bench/kafka.sh [BUILD_DIR]     (default: build-bench, relative to the repository root)
#
# Starts the mock Kafka cluster (blobwatch-mock-kafka, built with -DBLOBWATCH_BUILD_TESTS=ON),
# produces generated CloudTrail records into one topic with kcat (one record per message), then
# measures, best of BENCH_RUNS each:
#   kcat       kcat -C -b B -t TOPIC -e -q -o beginning > /dev/null   (wall time: the reference)
#   blobwatch  blobwatch run --config C, a kafka source on TOPIC with a fresh consumer group and
#              state; records/s = N / "data flowed" seconds from its exit line (first to last
#              message: no consumer-group join delay, no idle wait)
# Target: blobwatch >= 80% of kcat's records/s. Always exits 0 once it has measured.
#
# Environment (defaults in brackets): BENCH_RUNS [3], BENCH_KAFKA_RECORDS [120000],
# BENCH_KAFKA_PARTITIONS [64], BENCH_PRINCIPALS [1000], BENCH_KAFKA_EXIT_IDLE_MS [10000],
# BENCH_KAFKA_PROPS [""] (space-separated librdkafka PROP=VALUE added to the source). The mock
# cluster keeps only about 5 MiB per partition: keep RECORDS x ~1.75 KB / PARTITIONS under about
# 4 MiB. run.exit_idle_ms counts from startup, and joining the mock's consumer group takes about
# 3 s, so 1000 stops blobwatch before its first message; the idle wait is not in the figure.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${1:-build-bench}
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac

RUNS=${BENCH_RUNS:-3}
RECORDS=${BENCH_KAFKA_RECORDS:-120000}
PARTITIONS=${BENCH_KAFKA_PARTITIONS:-64}
PRINCIPALS=${BENCH_PRINCIPALS:-1000}
EXIT_IDLE_MS=${BENCH_KAFKA_EXIT_IDLE_MS:-10000}
EXTRA_PROPS=${BENCH_KAFKA_PROPS:-}
TOPIC=cloudtrail

BLOBWATCH="$BUILD/daemon/blobwatch"
GEN="$BUILD/bench/blobwatch-gen"
MOCK="$BUILD/tests/tools/blobwatch-mock-kafka"
for exe in "$BLOBWATCH" "$GEN" "$MOCK"; do
  if [[ ! -x "$exe" ]]; then
    echo "kafka.sh: $exe not found. Build first:" >&2
    echo "  cmake -S . -B ${BUILD#"$ROOT"/} -DCMAKE_BUILD_TYPE=Release -DBLOBWATCH_BUILD_TESTS=ON" >&2
    echo "  cmake --build ${BUILD#"$ROOT"/} -j2 --target blobwatch blobwatch-gen" \
      "blobwatch-mock-kafka" >&2
    exit 2
  fi
done
if ! command -v kcat >/dev/null; then
  echo "kafka.sh: kcat is missing (Debian package 'kcat')" >&2
  exit 2
fi

OUT="$ROOT/bench/out"
mkdir -p "$OUT"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/blobwatch-kafka.XXXXXX")
MOCK_PID=""
cleanup() {
  if [[ -n "$MOCK_PID" ]]; then
    kill -TERM "$MOCK_PID" 2>/dev/null || true
    wait "$MOCK_PID" 2>/dev/null || true
  fi
  rm -rf "$TMP"
}
trap cleanup EXIT

# Data, named after its parameters and regenerated when the generator is newer.
DATA="$OUT/cloudtrail-${RECORDS}x$PRINCIPALS.log"
if [[ ! -s "$DATA" || "$GEN" -nt "$DATA" ]]; then
  "$GEN" cloudtrail "$RECORDS" "$PRINCIPALS" "$DATA.tmp" >&2
  mv "$DATA.tmp" "$DATA"
fi
BYTES=$(stat -c %s "$DATA")
LINES=$(wc -l <"$DATA")
PER_PARTITION=$((BYTES / PARTITIONS))
if ((PER_PARTITION > 4 * 1024 * 1024)); then
  echo "kafka.sh: warning: $PER_PARTITION bytes per partition; the mock cluster keeps ~5 MiB" >&2
fi

# The mock cluster: its first stdout line is the bootstrap address.
"$MOCK" --topic "$TOPIC:$PARTITIONS" >"$TMP/mock.out" 2>"$TMP/mock.err" &
MOCK_PID=$!
BOOTSTRAP=""
for _ in $(seq 100); do
  BOOTSTRAP=$(head -1 "$TMP/mock.out" 2>/dev/null || true)
  [[ -n "$BOOTSTRAP" ]] && break
  sleep 0.1
done
if [[ -z "$BOOTSTRAP" ]]; then
  echo "kafka.sh: the mock cluster did not start:" >&2
  cat "$TMP/mock.err" >&2
  exit 1
fi

echo "kafka.sh: producing $LINES records to $TOPIC ($PARTITIONS partitions) at $BOOTSTRAP ..." >&2
# sticky.partitioning.linger.ms=0: each keyless message to a random partition (the default
# sticky partitioner fills one partition per batch, past what the mock cluster keeps).
kcat -P -b "$BOOTSTRAP" -t "$TOPIC" -X sticky.partitioning.linger.ms=0 -X linger.ms=20 <"$DATA"
# Check that the cluster kept every message (it drops the oldest past ~5 MiB per partition).
STORED=$(kcat -C -b "$BOOTSTRAP" -t "$TOPIC" -e -q -o beginning | wc -l)
if ((STORED != LINES)); then
  echo "kafka.sh: warning: the topic holds $STORED of $LINES records" >&2
fi

calc() { awk "BEGIN { $1 }"; }
better() { calc "exit !($1 < $2)"; }  # A B: A is smaller

# (1) kcat: wall time of consuming the whole topic.
KCAT_BEST=""
for ((i = 0; i < RUNS; i++)); do
  t0=$(date +%s.%N)
  kcat -C -b "$BOOTSTRAP" -t "$TOPIC" -e -q -o beginning >/dev/null
  t1=$(date +%s.%N)
  wall=$(calc "printf \"%.6f\", $t1 - $t0")
  echo "kafka.sh: kcat run $((i + 1)): $wall s" >&2
  if [[ -z "$KCAT_BEST" ]] || better "$wall" "$KCAT_BEST"; then KCAT_BEST=$wall; fi
done

# (2) blobwatch run: a fresh state and consumer group per run.
BW_BEST=""
BW_EVENTS=""
BW_LINE=""
for ((i = 0; i < RUNS; i++)); do
  dir="$TMP/run$i"
  mkdir -p "$dir/state"
  cat >"$dir/blobwatch.ini" <<EOF
[state]
dir = $dir/state

[alerts]
file = $dir/alerts.ndjson

[run]
exit_idle_ms = $EXIT_IDLE_MS

[source.k]
type = kafka
format = cloudtrail
topics = $TOPIC
kafka.bootstrap.servers = $BOOTSTRAP
kafka.group.id = bench-$$-$i-$(date +%s%N)
kafka.session.timeout.ms = 6000
EOF
  for prop in $EXTRA_PROPS; do echo "kafka.${prop%%=*} = ${prop#*=}" >>"$dir/blobwatch.ini"; done
  status=0
  "$BLOBWATCH" run --config "$dir/blobwatch.ini" >"$dir/stdout" 2>"$dir/stderr" || status=$?
  line=$(grep 'blobwatch: stopped after' "$dir/stderr" | tail -1 || true)
  if [[ $status -ne 0 || -z "$line" ]]; then
    echo "kafka.sh: blobwatch run $((i + 1)) failed (exit $status):" >&2
    tail -5 "$dir/stderr" >&2
    continue
  fi
  events=$(sed -E 's/.*stopped after ([0-9]+) events.*/\1/' <<<"$line")
  flowed=$(sed -E 's/.*data flowed ([0-9.]+) s.*/\1/' <<<"$line")
  echo "kafka.sh: blobwatch run $((i + 1)): $line" >&2
  if calc "exit !($flowed > 0)" &&
    { [[ -z "$BW_BEST" ]] || better "$flowed" "$BW_BEST"; }; then
    BW_BEST=$flowed
    BW_EVENTS=$events
    BW_LINE=$line
  fi
done

# Report.
echo
echo "blobwatch from Kafka  ($(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 |
  sed 's/^ *//'); mock cluster, $PARTITIONS partitions; best of $RUNS runs)"
echo "Data: $(basename "$DATA") ($LINES CloudTrail records, $(calc "printf \"%.0f\", $BYTES / 1e6")" \
  "MB; $STORED messages in topic $TOPIC)"
echo
printf '  %-52s %10s %9s %12s\n' "" "records" "best s" "records/s"
kcatRate=$(calc "printf \"%.0f\", $STORED / $KCAT_BEST")
printf '  %-52s %10s %9.3f %12s\n' "kcat -C -e -o beginning > /dev/null (wall)" "$STORED" \
  "$KCAT_BEST" "$kcatRate"
bwRate=""
if [[ -n "$BW_BEST" ]]; then
  bwRate=$(calc "printf \"%.0f\", $BW_EVENTS / $BW_BEST")
  printf '  %-52s %10s %9.3f %12s\n' "blobwatch run, kafka source (data flowed)" "$BW_EVENTS" \
    "$BW_BEST" "$bwRate"
  echo "  best run: $BW_LINE"
else
  printf '  %-52s %10s\n' "blobwatch run, kafka source (data flowed)" "failed"
fi
ratio="n/a"
[[ -n "$bwRate" ]] && ratio=$(calc "printf \"%.2f\", $bwRate / $kcatRate")
printf '  %-52s %10s\n' "blobwatch / kcat (records/s)" "$ratio"

echo
echo "Targets"
verdict="FAIL"
if [[ $ratio != n/a ]] && calc "exit !($ratio >= 0.8)"; then verdict="PASS"; fi
if [[ -n "$BW_EVENTS" && "$BW_EVENTS" != "$STORED" ]]; then
  echo "  note: blobwatch counted $BW_EVENTS events of $STORED messages"
fi
printf '  %s  %s\n' "$verdict" \
  "blobwatch from Kafka >= 80% of kcat's records/s: ${bwRate:-n/a} vs $kcatRate = $ratio"
exit 0
