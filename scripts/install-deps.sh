#!/usr/bin/env bash
# Installs every Debian 12 package blobwatch needs to build, test and benchmark.
# Idempotent: packages already present are left alone by apt-get.
set -euo pipefail

packages=(
  cmake g++ make pkg-config git ca-certificates
  librdkafka-dev libsimdjson-dev librocksdb-dev prometheus-cpp-dev libspdlog-dev libfmt-dev
  libboost-program-options-dev libgtest-dev libcurl4-openssl-dev libssl-dev libsystemd-dev zlib1g-dev
  kcat jq gzip time python3 python3-jsonschema clang-format prometheus-alertmanager prometheus
  systemd  # systemd-analyze: the unit file tests (verify, security)
  dpkg-dev  # dpkg-shlibdeps: the Depends line of `cpack -G DEB`
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages already installed"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends "${packages[@]}"
