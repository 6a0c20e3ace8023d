#!/usr/bin/env bash
# systemd/blobwatch.service: `systemd-analyze verify` accepts it and `systemd-analyze security`
# rates its exposure 2.0 or lower. Usage: systemd_unit_test.sh UNIT BLOBWATCH_BINARY
# Exit 77 (skipped) where systemd-analyze is not installed.
set -euo pipefail
unit=$1
binary=$2

if ! command -v systemd-analyze >/dev/null 2>&1; then
  echo "SKIP: systemd-analyze not installed (Debian package systemd)"
  exit 77
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# verify needs ExecStart's binary to exist: point a copy of the unit at the built one.
sed "s#^ExecStart=/usr/bin/blobwatch #ExecStart=$binary #" "$unit" > "$work/blobwatch.service"
grep -q "^ExecStart=$binary run " "$work/blobwatch.service"
if ! out=$(systemd-analyze verify --man=no "$work/blobwatch.service" 2>&1); then
  echo "systemd-analyze verify failed:"
  echo "$out"
  exit 1
fi
if grep -q "blobwatch.service" <<<"$out"; then
  echo "systemd-analyze verify warns about the unit:"
  echo "$out"
  exit 1
fi
echo "verify: ok"

# The directives the service relies on.
for d in Type=notify NotifyAccess=main WatchdogSec=30s Restart=on-failure RestartSec=5s \
         StateDirectory=blobwatch ConfigurationDirectory=blobwatch LogsDirectory=blobwatch \
         'ExecReload=/bin/kill -HUP $MAINPID' \
         LoadCredential=webhook-secret:/etc/blobwatch/webhook-secret TimeoutStopSec=15s; do
  grep -qxF "$d" "$unit" || { echo "missing: $d"; exit 1; }
done
grep -qxF "ExecStart=/usr/bin/blobwatch run --config /etc/blobwatch/blobwatch.conf --state.dir=/var/lib/blobwatch" "$unit" \
  || { echo "unexpected ExecStart"; exit 1; }

report=$(systemd-analyze security --offline=yes --no-pager "$work/blobwatch.service" 2>&1)
line=$(grep "Overall exposure level" <<<"$report" || true)
if [ -z "$line" ]; then
  echo "no exposure level in:"
  echo "$report"
  exit 1
fi
echo "$line"
score=$(sed -E 's/.*: ([0-9]+\.[0-9]+).*/\1/' <<<"$line")
if ! awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }'; then
  echo "exposure $score is above 2.0:"
  echo "$report"
  exit 1
fi
echo "security: exposure $score <= 2.0"
