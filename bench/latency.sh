#!/usr/bin/env bash
# blobwatch event-to-webhook latency benchmark. See bench/README.md.
#
# Usage: bench/latency.sh [BUILD_DIR]     (default: build-bench, relative to the repository root)
#
# Builds nothing. Needs BUILD_DIR/daemon/blobwatch, BUILD_DIR/bench/blobwatch-loadgen and
# BUILD_DIR/tests/tools/blobwatch-test-receiver (configure with -DBLOBWATCH_BUILD_TESTS=ON).
# For each state.batch_interval_ms in BENCH_LAT_INTERVALS it starts the receiver and
# `blobwatch run` (a file source on a fresh log, a webhook sink to the receiver), appends
# S3 access-log lines with blobwatch-loadgen at BENCH_LAT_RATE events/s for BENCH_LAT_SECONDS,
# every BENCH_LAT_ALERT_EVERY-th line raising one anonymous_read alert, waits for the last alert,
# stops everything and joins the receiver's log (received_ns) with the generator's marks
# (write time of each alert line). Prints alerts sent and received, latency p50/p90/p99/max,
# the achieved event rate and PASS/FAIL for p99 < 1 s. Always exits 0 once it has measured.
#
# Environment (defaults in brackets): BENCH_LAT_RATE [10000], BENCH_LAT_SECONDS [30],
# BENCH_LAT_ALERT_EVERY [100], BENCH_LAT_INTERVALS ["default 100"] ("default": the key is not
# set, blobwatch's own default applies), BENCH_LAT_WAIT_S [30] (how long to wait for the last
# alert after the generator finished), BENCH_LAT_TARGET_MS [1000], BENCH_LAT_KEEP [0] (1 keeps
# the temporary directory with the logs, marks and receiver log, and prints its name).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${1:-build-bench}
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac

RATE=${BENCH_LAT_RATE:-10000}
DURATION=${BENCH_LAT_SECONDS:-30}
ALERT_EVERY=${BENCH_LAT_ALERT_EVERY:-100}
INTERVALS=${BENCH_LAT_INTERVALS:-default 100}
WAIT_S=${BENCH_LAT_WAIT_S:-30}
TARGET_MS=${BENCH_LAT_TARGET_MS:-1000}

BLOBWATCH="$BUILD/daemon/blobwatch"
LOADGEN="$BUILD/bench/blobwatch-loadgen"
RECEIVER="$BUILD/tests/tools/blobwatch-test-receiver"
for exe in "$BLOBWATCH" "$LOADGEN" "$RECEIVER"; do
  if [[ ! -x "$exe" ]]; then
    echo "latency.sh: $exe not found. Build first:" >&2
    echo "  cmake -S . -B ${BUILD#"$ROOT"/} -DCMAKE_BUILD_TYPE=Release -DBLOBWATCH_BUILD_TESTS=ON" >&2
    echo "  cmake --build ${BUILD#"$ROOT"/} -j2 --target blobwatch blobwatch-loadgen" \
      "blobwatch-test-receiver" >&2
    exit 2
  fi
done
PYTHON=/usr/bin/python3
[[ -x "$PYTHON" ]] || PYTHON=$(command -v python3 || true)
if [[ -z "$PYTHON" ]]; then
  echo "latency.sh: python3 is missing" >&2
  exit 2
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/blobwatch-latency.XXXXXX")
cleanup() {  # stops what this script started and still runs (its own background jobs)
  local pid
  for pid in $(jobs -p); do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [[ "${BENCH_LAT_KEEP:-0}" == 1 ]]; then
    echo "latency.sh: kept $TMP" >&2
  else
    rm -rf "$TMP"
  fi
}
trap cleanup EXIT

# The default batch interval, as blobwatch itself reports it.
DEFAULT_INTERVAL=$("$BLOBWATCH" --help 2>&1 | grep -o 'state.batch_interval_ms arg (=[0-9]*)' |
  grep -o '[0-9]*)' | tr -d ')' || true)

# stopPid PID: SIGTERM, then wait for it (SIGKILL after 15 s).
stopPid() {
  local pid=$1 i
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 150; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# Distinct alert request ids the receiver accepted so far.
receivedCount() {
  grep '"status":200' "$1" 2>/dev/null | grep -o 'LG[0-9]\{14\}' | sort -u | wc -l
}

declare -A P99 VERDICT
measureOne() {  # INTERVAL ("default" or milliseconds)
  local interval=$1 dir="$TMP/run-$1"
  mkdir -p "$dir/logs"
  printf 'latency-bench-secret-%s\n' "$RANDOM$RANDOM" >"$dir/secret"
  : >"$dir/logs/access.log"
  : >"$dir/received.ndjson"

  "$RECEIVER" --secret-file "$dir/secret" --log "$dir/received.ndjson" >"$dir/receiver.out" \
    2>"$dir/receiver.err" &
  local rpid=$!
  local i port=""
  for ((i = 0; i < 100; i++)); do
    port=$(head -1 "$dir/receiver.out" 2>/dev/null || true)
    [[ -n "$port" ]] && break
    sleep 0.05
  done
  if [[ -z "$port" ]]; then
    echo "latency.sh: the receiver did not start" >&2
    cat "$dir/receiver.err" >&2
    return 0
  fi

  local setting="" label
  if [[ "$interval" == default ]]; then
    label="state.batch_interval_ms = ${DEFAULT_INTERVAL:-?} (the default; not set in the config)"
  else
    setting="batch_interval_ms = $interval"
    label="state.batch_interval_ms = $interval (set in the config)"
  fi
  cat >"$dir/blobwatch.conf" <<EOF
[state]
dir = $dir/state
$setting
[source.s3]
type = file
paths = $dir/logs/access.log
[sink.bench]
type = webhook
url = http://127.0.0.1:$port/alerts
secret_file = $dir/secret
EOF
  "$BLOBWATCH" run --config "$dir/blobwatch.conf" >"$dir/blobwatch.out" 2>"$dir/blobwatch.err" &
  local bpid=$!
  for ((i = 0; i < 200; i++)); do
    grep -q 'running with' "$dir/blobwatch.err" 2>/dev/null && break
    if ! kill -0 "$bpid" 2>/dev/null; then
      echo "latency.sh: blobwatch run failed:" >&2
      cat "$dir/blobwatch.err" >&2
      stopPid "$rpid"
      return 0
    fi
    sleep 0.05
  done

  echo "latency.sh: $label: generating $RATE events/s for $DURATION s ..." >&2
  "$LOADGEN" --rate "$RATE" --seconds "$DURATION" --alert-every "$ALERT_EVERY" \
    --out "$dir/logs/access.log" --marks "$dir/marks.txt" >"$dir/loadgen.out"
  local sent waited=0 t0
  sent=$(wc -l <"$dir/marks.txt")
  t0=$(date +%s.%N)
  while (($(receivedCount "$dir/received.ndjson") < sent)); do
    if awk -v a="$t0" -v b="$(date +%s.%N)" -v w="$WAIT_S" 'BEGIN { exit !(b - a > w) }'; then
      echo "latency.sh: gave up waiting for the last alerts after $WAIT_S s" >&2
      break
    fi
    sleep 0.1
  done
  waited=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
  stopPid "$bpid"
  stopPid "$rpid"

  echo
  echo "$label"
  echo "  load generator: $(cat "$dir/loadgen.out")"
  echo "  $(grep 'blobwatch: stopped after' "$dir/blobwatch.err" || echo 'blobwatch: no stop line')"
  echo "  waited $waited s after the generator finished"
  local problems
  problems=$(grep -v 'running with\|stopped after' "$dir/blobwatch.err" | head -5 || true)
  [[ -n "$problems" ]] && echo "  blobwatch stderr: $problems"
  local result
  result=$("$PYTHON" - "$dir/marks.txt" "$dir/received.ndjson" "$dir/loadgen.out" "$TARGET_MS" <<'PY'
import json, math, sys

marks_path, received_path, loadgen_path, target_ms = sys.argv[1:5]
target_ms = float(target_ms)
written = {}
with open(marks_path) as f:
    for line in f:
        rid, ns = line.split()
        written[rid] = int(ns)
received = {}  # request id -> first received_ns of an accepted request
requests = bad_signatures = other_alerts = duplicates = 0
with open(received_path) as f:
    for line in f:
        if not line.strip():
            continue
        rec = json.loads(line)
        requests += 1
        if not rec.get("signature_ok"):
            bad_signatures += 1
            continue
        if rec.get("status") != 200:
            continue
        body = rec["body"]
        for alert in body if isinstance(body, list) else [body]:
            ids = [i for i in alert.get("request_ids", []) if i in written]
            if alert.get("detector") != "anonymous_read" or not ids:
                other_alerts += 1
                continue
            for rid in ids:
                if rid in received:
                    duplicates += 1
                else:
                    received[rid] = rec["received_ns"]
lat = sorted((received[r] - written[r]) / 1e6 for r in received)

def pct(p):
    return lat[max(0, math.ceil(p / 100 * len(lat)) - 1)] if lat else float("nan")

sent, got = len(written), len(received)
print(f"  alerts sent {sent}, received {got}" + (" (all)" if got == sent else f" ({sent - got} MISSING)")
      + f"; {requests} requests, {bad_signatures} bad signatures, {duplicates} duplicates,"
      + f" {other_alerts} other alerts")
if lat:
    print(f"  latency (write+flush of the line -> request read by the receiver), ms:"
          f" min {lat[0]:.1f}  p50 {pct(50):.1f}  p90 {pct(90):.1f}  p99 {pct(99):.1f}"
          f"  max {lat[-1]:.1f}")
stats = dict(kv.split("=") for kv in open(loadgen_path).read().split())
print(f"  achieved event rate: {float(stats['rate']):.1f} events/s"
      f" ({stats['lines']} lines in {stats['seconds']} s; generator at most"
      f" {stats['max_lag_ms']} ms late for a tick)")
ok = bool(lat) and got == sent and pct(99) < target_ms
print(f"  {'PASS' if ok else 'FAIL'}  p99 < {target_ms:.0f} ms with every alert delivered:"
      f" p99 {pct(99):.1f} ms, {got}/{sent} received")
print(f"P99={pct(99):.1f} VERDICT={'PASS' if ok else 'FAIL'}")
PY
  ) || result="  join failed"
  grep -v '^P99=' <<<"$result"
  P99[$interval]=$(grep -o '^P99=[0-9.na]*' <<<"$result" | cut -d= -f2 || true)
  VERDICT[$interval]=$(grep -o 'VERDICT=[A-Z]*' <<<"$result" | cut -d= -f2 || true)
  [[ -n "${VERDICT[$interval]}" ]] || VERDICT[$interval]=FAIL
}

echo "blobwatch event-to-webhook latency  ($(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo |
  cut -d: -f2 | sed 's/^ *//'); $RATE events/s for $DURATION s, one alert every $ALERT_EVERY" \
  "events; webhook sink with batch = 1, file source with default rescan; unpinned)"
for interval in $INTERVALS; do
  measureOne "$interval"
done

echo
echo "Target: p99 event-to-webhook latency < $TARGET_MS ms at $RATE events/s sustained"
for interval in $INTERVALS; do
  name=$([[ $interval == default ]] && echo "${DEFAULT_INTERVAL:-?} (default)" || echo "$interval")
  printf '  %s  state.batch_interval_ms = %s: p99 %s ms\n' "${VERDICT[$interval]:-FAIL}" "$name" \
    "${P99[$interval]:-n/a}"
done
exit 0
