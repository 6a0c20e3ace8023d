#!/usr/bin/env bash
# `cpack -G DEB` builds a package with the binary, unit, default config (a conffile), dashboards and
# docs, and nothing else; dpkg installs it into a temporary root, where `blobwatch --version`
# runs. Usage: deb_package_test.sh CPACK BUILD_DIR SOURCE_DIR VERSION
# Exit 77 (skipped) where cpack, dpkg or dpkg-deb is not installed.
set -euo pipefail
cpack=$1
build=$2
src=$3
version=$4

for tool in "$cpack" dpkg dpkg-deb dpkg-query; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "SKIP: $tool not installed (cpack: Debian package cmake; dpkg, dpkg-deb: dpkg)"
    exit 77
  fi
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The package, built from this build directory into $work/out.
if ! out=$(cd "$build" && "$cpack" -G DEB -B "$work/out" 2>&1); then
  echo "cpack -G DEB failed:"
  echo "$out"
  exit 1
fi
shopt -s nullglob
debs=("$work/out"/*.deb)
if [ "${#debs[@]}" -ne 1 ]; then
  echo "expected one .deb in the cpack output, found ${#debs[@]}:"
  echo "$out"
  exit 1
fi
deb=${debs[0]}
echo "package: $(basename "$deb")"
[ "$(basename "$deb")" = "blobwatch_${version}_$(dpkg --print-architecture).deb" ] \
  || { echo "unexpected file name"; exit 1; }

# Control fields.
field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = blobwatch ] || { echo "Package: $(field Package)"; exit 1; }
[ "$(field Version)" = "$version" ] || { echo "Version: $(field Version)"; exit 1; }
[ "$(field Architecture)" = "$(dpkg --print-architecture)" ] || { echo "Architecture: $(field Architecture)"; exit 1; }
for f in Maintainer Description Section; do
  [ -n "$(field "$f")" ] || { echo "empty control field: $f"; exit 1; }
done
depends=$(field Depends)
echo "Depends: $depends"
# dpkg-shlibdeps: the shared libraries blobwatch links, as versioned Debian packages.
for p in libc6 'libstdc++6' librocksdb libcurl4 libssl3 libsystemd0 librdkafka libboost-program-options \
         libprometheus-cpp-pull; do
  grep -qF "$p" <<<"$depends" || { echo "Depends lacks $p"; exit 1; }
done
# A conffile, so that dpkg keeps local changes to it across upgrades.
dpkg-deb -e "$deb" "$work/control"
[ "$(cat "$work/control/conffiles")" = /etc/blobwatch/blobwatch.conf ] \
  || { echo "conffiles:"; cat "$work/control/conffiles" 2>/dev/null || true; exit 1; }

# Exactly these files (directories aside): nothing from the tests, fuzzers, bench tools or libraries.
expected=(
  /etc/blobwatch/blobwatch.conf
  /lib/systemd/system/blobwatch.service
  /usr/bin/blobwatch
  /usr/share/doc/blobwatch/README.md
  /usr/share/doc/blobwatch/copyright
)
for f in "$src"/dashboards/*.json "$src"/dashboards/*.yml "$src"/dashboards/*.yaml; do
  expected+=("/usr/share/blobwatch/dashboards/$(basename "$f")")
done
grep -q '/usr/share/blobwatch/dashboards/.*\.json$' <(printf '%s\n' "${expected[@]}") \
  || { echo "no Grafana dashboard in $src/dashboards"; exit 1; }
grep -q '/usr/share/blobwatch/dashboards/.*\.ya\?ml$' <(printf '%s\n' "${expected[@]}") \
  || { echo "no Prometheus rules in $src/dashboards"; exit 1; }
contents=$(dpkg-deb -c "$deb")  # (grep -q on a pipe would end dpkg-deb by SIGPIPE under pipefail)
listed=$(awk '$1 !~ /^d/ { print $6 }' <<<"$contents" | sed 's#^\./#/#' | sort)
want=$(printf '%s\n' "${expected[@]}" | sort)
if [ "$listed" != "$want" ]; then
  echo "package contents differ from the expected list:"
  diff <(echo "$want") <(echo "$listed") || true
  exit 1
fi
grep -q '^-rwxr-xr-x root/root .* \./usr/bin/blobwatch$' <<<"$contents" \
  || { echo "/usr/bin/blobwatch is not an executable owned by root:"; echo "$contents"; exit 1; }
echo "contents: ${#expected[@]} files, as expected"

# Install into a temporary root with its own dpkg database.
root=$work/root
admin=$root/var/lib/dpkg
mkdir -p "$admin/info" "$admin/updates" "$admin/triggers"
: > "$admin/status"
: > "$admin/available"
if ! out=$(dpkg --root="$root" --log="$work/dpkg.log" --force-not-root --force-depends \
                --force-script-chrootless -i "$deb" 2>&1); then
  echo "dpkg -i failed:"
  echo "$out"
  exit 1
fi
status=$(dpkg-query --admindir="$admin" -W -f='${Status} ${Version}' blobwatch)
[ "$status" = "install ok installed $version" ] || { echo "dpkg-query: $status"; exit 1; }
conffiles=$(dpkg-query --admindir="$admin" -W -f='${Conffiles}' blobwatch)
grep -q '^ /etc/blobwatch/blobwatch.conf [0-9a-f]\{32\}$' <<<"$conffiles" \
  || { echo "blobwatch.conf is not a registered conffile"; exit 1; }

for f in "${expected[@]}"; do
  [ -f "$root$f" ] || { echo "not installed: $f"; exit 1; }
done
[ -x "$root/usr/bin/blobwatch" ] || { echo "/usr/bin/blobwatch is not executable"; exit 1; }
cmp "$root/etc/blobwatch/blobwatch.conf" "$src/systemd/blobwatch.conf" \
  || { echo "installed blobwatch.conf differs from systemd/blobwatch.conf"; exit 1; }
cmp "$root/lib/systemd/system/blobwatch.service" "$src/systemd/blobwatch.service" \
  || { echo "installed blobwatch.service differs from systemd/blobwatch.service"; exit 1; }
for f in "$src"/dashboards/*.json "$src"/dashboards/*.yml "$src"/dashboards/*.yaml; do
  cmp "$root/usr/share/blobwatch/dashboards/$(basename "$f")" "$f" \
    || { echo "installed $(basename "$f") differs from dashboards/"; exit 1; }
done
cmp "$root/usr/share/doc/blobwatch/copyright" "$src/LICENSE" || { echo "copyright is not LICENSE"; exit 1; }

got=$("$root/usr/bin/blobwatch" --version)
[ "$got" = "blobwatch $version" ] || { echo "blobwatch --version printed: $got"; exit 1; }
echo "installed: $got"
