#!/usr/bin/env bash
# blobwatch throughput and memory benchmark. See bench/README.md.
#
# Usage: bench/run.sh [BUILD_DIR]     (default: build-bench, relative to the repository root)
#
# Generates test data into bench/out/ (kept between runs), then measures `blobwatch scan`, the
# parse-only ceiling (blobwatch-ceiling) and what a user would script instead (jq, awk), pinned to
# one core. blobwatch, the ceiling and awk run in BENCH_RUNS interleaved rounds (every command
# once per round, so a slow spell of the machine hits a run and its reference alike) and keep
# their best wall time; jq and the memory run go once. Prints a table and PASS/FAIL per target.
# Always exits 0 once it has measured: it is a measurement, not a test.
#
# Environment (defaults in brackets): BENCH_RUNS [5], BENCH_S3_LINES [1000000],
# BENCH_CT_RECORDS [500000], BENCH_AZ_RECORDS [500000], BENCH_GCS_RECORDS [500000],
# BENCH_PRINCIPALS [1000], BENCH_RSS_PRINCIPALS [100000], BENCH_RSS_LINES [1000000].
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${1:-build-bench}
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac

RUNS=${BENCH_RUNS:-5}
S3_LINES=${BENCH_S3_LINES:-1000000}
CT_RECORDS=${BENCH_CT_RECORDS:-500000}
AZ_RECORDS=${BENCH_AZ_RECORDS:-500000}
GCS_RECORDS=${BENCH_GCS_RECORDS:-500000}
PRINCIPALS=${BENCH_PRINCIPALS:-1000}
RSS_PRINCIPALS=${BENCH_RSS_PRINCIPALS:-100000}
RSS_LINES=${BENCH_RSS_LINES:-1000000}

BLOBWATCH="$BUILD/daemon/blobwatch"
GEN="$BUILD/bench/blobwatch-gen"
CEILING="$BUILD/bench/blobwatch-ceiling"
for exe in "$BLOBWATCH" "$GEN" "$CEILING"; do
  if [[ ! -x "$exe" ]]; then
    echo "run.sh: $exe not found. Build first:" >&2
    echo "  cmake -S . -B ${BUILD#"$ROOT"/} -DCMAKE_BUILD_TYPE=Release -DBLOBWATCH_BUILD_TESTS=OFF" >&2
    echo "  cmake --build ${BUILD#"$ROOT"/} -j" >&2
    exit 2
  fi
done
if [[ ! -x /usr/bin/time ]]; then
  echo "run.sh: /usr/bin/time is missing (Debian package 'time'); run scripts/install-deps.sh" >&2
  exit 2
fi
for tool in jq awk; do
  if ! command -v "$tool" >/dev/null; then
    echo "run.sh: $tool is missing; run scripts/install-deps.sh" >&2
    exit 2
  fi
done

PIN=()
if command -v taskset >/dev/null && taskset -c 0 true 2>/dev/null; then
  PIN=(taskset -c 0)
else
  echo "run.sh: taskset unavailable; running unpinned" >&2
fi

OUT="$ROOT/bench/out"
mkdir -p "$OUT"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/blobwatch-bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
STATE="$TMP/state"

# ---------------------------------------------------------------------------------------------
# Data. Files are named after their parameters and regenerated when the generator is newer.
gen() {  # FORMAT N PRINCIPALS -> prints the path
  local path="$OUT/$1-$2x$3.log"
  if [[ ! -s "$path" || "$GEN" -nt "$path" ]]; then
    "$GEN" "$1" "$2" "$3" "$path.tmp" >&2
    mv "$path.tmp" "$path"
  fi
  echo "$path"
}
S3_FILE=$(gen s3-access "$S3_LINES" "$PRINCIPALS")
CT_FILE=$(gen cloudtrail "$CT_RECORDS" "$PRINCIPALS")
AZ_FILE=$(gen azure-blob "$AZ_RECORDS" "$PRINCIPALS")
GCS_FILE=$(gen gcs-audit "$GCS_RECORDS" "$PRINCIPALS")
RSS_FILE=$(gen s3-access "$RSS_LINES" "$RSS_PRINCIPALS")
for f in "$S3_FILE" "$CT_FILE" "$AZ_FILE" "$GCS_FILE" "$RSS_FILE"; do cat "$f" >/dev/null; done  # warm the page cache

# ---------------------------------------------------------------------------------------------
# measure NAME STDOUT CMD...: runs CMD once, pinned, with a fresh state directory at $STATE.
# Keeps, per NAME over the rounds, the best wall seconds in BEST[NAME], the largest peak RSS in
# RSS[NAME], and the stdout and stderr of the best run in $TMP/NAME.out and $TMP/NAME.err (""
# STDOUT keeps stdout, otherwise it goes to STDOUT). A failed run marks NAME failed for good.
declare -A BEST RSS FAILED
measure() {
  local name=$1 sink=$2
  shift 2
  [[ -n "${FAILED[$name]:-}" ]] && return 0
  rm -rf "$STATE"
  mkdir -p "$STATE"
  local out="$TMP/run.out" t0 t1 wall rss status=0
  if [[ -n "$sink" ]]; then out=$sink; fi
  t0=$(date +%s.%N)
  "${PIN[@]}" /usr/bin/time -f '%M' -o "$TMP/run.rss" "$@" >"$out" 2>"$TMP/run.err" || status=$?
  t1=$(date +%s.%N)
  rm -rf "$STATE"
  if [[ $status -ne 0 ]]; then
    echo "run.sh: $name failed (exit $status):" >&2
    tail -5 "$TMP/run.err" >&2
    FAILED[$name]=1
    BEST[$name]=""
    return 0
  fi
  wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", b - a }')
  rss=$(tail -1 "$TMP/run.rss")
  if ((rss > ${RSS[$name]:-0})); then RSS[$name]=$rss; fi
  if [[ -z "${BEST[$name]:-}" ]] || awk -v w="$wall" -v b="${BEST[$name]}" 'BEGIN { exit !(w < b) }'; then
    BEST[$name]=$wall
    cp "$TMP/run.err" "$TMP/$name.err"
    if [[ -z "$sink" ]]; then cp "$TMP/run.out" "$TMP/$name.out"; fi
  fi
  return 0
}

# Extracts "key":NUMBER from the last line of a file.
jsonNumber() { tail -1 "$2" | grep -o "\"$1\":[0-9.]*" | head -1 | cut -d: -f2; }

# run KEY RECORDS-SOURCE STDOUT CMD...: one measurement of KEY in this round; the records count
# comes from blobwatch's summary, the ceiling's output, or is given.
declare -A SEC REC RECSRC
run() {
  local key=$1 recsrc=$2 sink=$3
  shift 3
  RECSRC[$key]=$recsrc
  measure "$key" "$sink" "$@"
}
# After the rounds: seconds and records of each KEY.
settle() {
  local key
  for key in "${!RECSRC[@]}"; do
    SEC[$key]=${BEST[$key]:-}
    case "${RECSRC[$key]}" in
      blobwatch) REC[$key]=$( [[ -n "${SEC[$key]}" ]] && jsonNumber events "$TMP/$key.err" || echo "") ;;
      ceiling) REC[$key]=$( [[ -n "${SEC[$key]}" ]] && jsonNumber records "$TMP/$key.out" || echo "") ;;
      *) REC[$key]=${RECSRC[$key]} ;;
    esac
  done
}

S3_LINES_REAL=$(wc -l <"$S3_FILE")
CT_LINES_REAL=$(wc -l <"$CT_FILE")
S3_BYTES=$(stat -c %s "$S3_FILE")
CT_BYTES=$(stat -c %s "$CT_FILE")
AZ_LINES_REAL=$(wc -l <"$AZ_FILE")
GCS_LINES_REAL=$(wc -l <"$GCS_FILE")
AZ_BYTES=$(stat -c %s "$AZ_FILE")
GCS_BYTES=$(stat -c %s "$GCS_FILE")
AWK_NAME=$(basename "$(readlink -f "$(command -v awk)")")

# Rounds: every command once per round, so that a slow spell of this (shared, noisy) machine hits
# a blobwatch run and its reference alike; each keeps its best round.
for ((round = 1; round <= RUNS; round++)); do
  echo "run.sh: round $round of $RUNS ..." >&2
  run bw_s3 blobwatch /dev/null "$BLOBWATCH" scan --state-dir "$STATE" "$S3_FILE"
  run ceil_s3 ceiling "" "$CEILING" s3-access "$S3_FILE"
  run awk_s3 "$S3_LINES_REAL" /dev/null awk '$10 == 200' "$S3_FILE"
  run bw_ct blobwatch /dev/null "$BLOBWATCH" scan --state-dir "$STATE" "$CT_FILE"
  run ceil_ct ceiling "" "$CEILING" cloudtrail "$CT_FILE"
  run bw_az blobwatch /dev/null "$BLOBWATCH" scan --state-dir "$STATE" "$AZ_FILE"
  run ceil_az ceiling "" "$CEILING" azure-blob "$AZ_FILE"
  run bw_gcs blobwatch /dev/null "$BLOBWATCH" scan --state-dir "$STATE" "$GCS_FILE"
  run ceil_gcs ceiling "" "$CEILING" gcs-audit "$GCS_FILE"
done
# jq is 30x slower than blobwatch: one run each is plenty for a 10x target.
run jq_ct "$CT_LINES_REAL" /dev/null \
  jq -c 'select(.eventName == "GetObject" and .userIdentity.type == "IAMUser")' "$CT_FILE"
run jq_az "$AZ_LINES_REAL" /dev/null \
  jq -c 'select(.operationName == "GetBlob" and .identity.type == "OAuth")' "$AZ_FILE"
run jq_gcs "$GCS_LINES_REAL" /dev/null \
  jq -c 'select(.protoPayload.methodName == "storage.objects.get" and .severity == "INFO")' \
  "$GCS_FILE"
run bw_rss blobwatch /dev/null "$BLOBWATCH" scan --state-dir "$STATE" "$RSS_FILE"
settle
RSS_SEEN=$(jsonNumber principals "$TMP/bw_rss.err" 2>/dev/null || echo "?")

# ---------------------------------------------------------------------------------------------
# Report.
calc() { awk "BEGIN { $1 }"; }
rate() {  # KEY -> records/s
  [[ -n "${SEC[$1]}" && -n "${REC[$1]}" ]] || { echo ""; return; }
  calc "printf \"%.0f\", ${REC[$1]} / ${SEC[$1]}"
}
mbps() {  # KEY BYTES -> MB/s
  [[ -n "${SEC[$1]}" ]] || { echo ""; return; }
  calc "printf \"%.1f\", $2 / 1e6 / ${SEC[$1]}"
}
ratio() {  # A B -> A/B
  [[ -n "$1" && -n "$2" ]] || { echo "n/a"; return; }
  calc "printf \"%.2f\", $1 / $2"
}
rssMb() { calc "printf \"%.1f\", $1 * 1024 / 1e6"; }
row() {  # LABEL KEY BYTES
  local r m
  r=$(rate "$2")
  m=$(mbps "$2" "$3")
  if [[ -z "$r" ]]; then
    printf '  %-44s %10s\n' "$1" "failed"
    return
  fi
  printf '  %-44s %10s %9.3f %12s %9s %9s\n' "$1" "${REC[$2]}" "${SEC[$2]}" "$r" "$m" \
    "$(rssMb "${RSS[$2]:-0}")"
}

bwS3=$(rate bw_s3)
ceilS3=$(rate ceil_s3)
awkS3=$(rate awk_s3)
bwCt=$(rate bw_ct)
ceilCt=$(rate ceil_ct)
jqCt=$(rate jq_ct)
bwAz=$(rate bw_az)
ceilAz=$(rate ceil_az)
jqAz=$(rate jq_az)
bwGcs=$(rate bw_gcs)
ceilGcs=$(rate ceil_gcs)
jqGcs=$(rate jq_gcs)
kernel=$(head -1 "$TMP/ceil_ct.out" 2>/dev/null | grep -o 'simdjson [a-z0-9]* kernel, stage 1 [a-z0-9]*' |
  sed 's/^simdjson //' ||
  echo "?")

echo
echo "blobwatch benchmark  ($(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | \
  sed 's/^ *//'); ${PIN[*]:-unpinned}; best of $RUNS interleaved rounds, jq and
  the memory run once; MB = 10^6 bytes)"
echo "simdjson in the ceiling and in blobwatch's parsers alike: ${kernel:-?} (On-Demand is compiled
  in for the build's -march; stage 1 is picked for the CPU at run time)"
echo
printf '  %-44s %10s %9s %12s %9s %9s\n' "" "records" "best s" "records/s" "MB/s" "RSS MB"
echo "S3 server access logs: $(basename "$S3_FILE") ($S3_LINES_REAL lines, $PRINCIPALS principals," \
  "$(calc "printf \"%.0f\", $S3_BYTES / 1e6") MB)"
row "blobwatch scan (all detectors)" bw_s3 "$S3_BYTES"
row "ceiling: bare tokenizer, fields 1-17" ceil_s3 "$S3_BYTES"
row "$AWK_NAME '\$10 == 200'" awk_s3 "$S3_BYTES"
printf '  %-44s %10s\n' "blobwatch / ceiling (records/s)" "$(ratio "$bwS3" "$ceilS3")"
printf '  %-44s %10s\n' "blobwatch / $AWK_NAME (records/s)" "$(ratio "$bwS3" "$awkS3")"
# jsonSection TITLE FILE RECORDS BYTES SUFFIX JQ-LABEL BW CEIL JQ: one JSON format's rows (keys
# bw_SUFFIX, ceil_SUFFIX, jq_SUFFIX) and its two ratios.
jsonSection() {
  local mb
  mb=$(calc "printf \"%.0f\", $4 / 1e6")
  echo "$1: $(basename "$2") ($3 records, $PRINCIPALS principals, $mb MB)"
  row "blobwatch scan (all detectors)" "bw_$5" "$4"
  row "ceiling: On-Demand, same fields" "ceil_$5" "$4"
  row "$6" "jq_$5" "$4"
  printf '  %-44s %10s\n' "blobwatch / ceiling (records/s)" "$(ratio "$7" "$8")"
  printf '  %-44s %10s\n' "blobwatch / jq (records/s)" "$(ratio "$7" "$9")"
}
jsonSection "CloudTrail S3 data events" "$CT_FILE" "$CT_LINES_REAL" "$CT_BYTES" ct \
  "jq -c 'select(GetObject and IAMUser)'" "$bwCt" "$ceilCt" "$jqCt"
jsonSection "Azure Monitor resource logs (blob)" "$AZ_FILE" "$AZ_LINES_REAL" "$AZ_BYTES" az \
  "jq -c 'select(GetBlob and OAuth)'" "$bwAz" "$ceilAz" "$jqAz"
jsonSection "GCS Cloud Audit Logs" "$GCS_FILE" "$GCS_LINES_REAL" "$GCS_BYTES" gcs \
  "jq -c 'select(objects.get and INFO)'" "$bwGcs" "$ceilGcs" "$jqGcs"
echo "Memory: $(basename "$RSS_FILE") ($RSS_LINES lines, $RSS_PRINCIPALS principals generated)"
row "blobwatch scan, $RSS_SEEN principals in state" bw_rss "$(stat -c %s "$RSS_FILE")"
for k in bw_s3 bw_ct bw_az bw_gcs bw_rss; do
  [[ -f "$TMP/$k.err" ]] && echo "  $k summary: $(tail -1 "$TMP/$k.err")"
done

echo
echo "Targets"
verdict() {  # CONDITION-EXPR TEXT
  local v="FAIL"
  if [[ "$1" == "n/a" ]]; then
    v="FAIL"
  elif calc "exit !($1)"; then
    v="PASS"
  fi
  printf '  %s  %s\n' "$v" "$2"
}
ctVsCeil=$(ratio "$bwCt" "$ceilCt")
ctVsJq=$(ratio "$bwCt" "$jqCt")
rssMbBw=$( [[ -n "${SEC[bw_rss]}" ]] && rssMb "${RSS[bw_rss]}" || echo "n/a")
verdict "$( [[ $ctVsCeil == n/a ]] && echo n/a || echo "$ctVsCeil >= 0.5")" \
  "CloudTrail scan >= 50% of the ceiling's records/s: ${bwCt:-n/a} vs ${ceilCt:-n/a} = $ctVsCeil"
verdict "$( [[ $ctVsJq == n/a ]] && echo n/a || echo "$ctVsJq >= 10")" \
  "CloudTrail scan >= 10x jq: ${bwCt:-n/a} vs ${jqCt:-n/a} records/s = ${ctVsJq}x"
for cloud in "Azure blob:$bwAz:$ceilAz:$jqAz" "GCS audit:$bwGcs:$ceilGcs:$jqGcs"; do
  IFS=: read -r label bw ceil jqr <<<"$cloud"
  vsCeil=$(ratio "$bw" "$ceil")
  vsJq=$(ratio "$bw" "$jqr")
  verdict "$( [[ $vsCeil == n/a ]] && echo n/a || echo "$vsCeil >= 0.5")" \
    "$label scan >= 50% of the ceiling's records/s: ${bw:-n/a} vs ${ceil:-n/a} = $vsCeil"
  verdict "$( [[ $vsJq == n/a ]] && echo n/a || echo "$vsJq >= 10")" \
    "$label scan >= 10x jq: ${bw:-n/a} vs ${jqr:-n/a} records/s = ${vsJq}x"
done
verdict "$( [[ -z $bwS3 ]] && echo n/a || echo "$bwS3 >= 1000000")" \
  "S3 access logs >= 1,000,000 lines/s: ${bwS3:-n/a} lines/s"
verdict "$( [[ $rssMbBw == n/a ]] && echo n/a || echo "$rssMbBw < 300")" \
  "peak RSS < 300 MB with $RSS_PRINCIPALS principals: $rssMbBw MB"
exit 0
