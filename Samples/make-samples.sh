#!/usr/bin/env bash
# Regenerates Samples/kilo-2host/: two memcached processes on 127.0.0.1, filled through the real
# Kilo-era Python stack (CPython 2.7, dogpile.cache 0.5.7, python-memcached 1.57: sha1-mangled keys,
# protocol-0 pickles of dogpile CachedValues), then captured by `collect`. Developers run this; the
# quick start and the tests use the committed output and never need Python 2.
#   usage: Samples/make-samples.sh        (PY2=/path/to/python2.7 to choose the interpreter)
set -euo pipefail
cd "$(dirname "$0")/.."
PY2=${PY2:-$HOME/.pyenv/versions/2.7.18/bin/python}
OUT=Samples/kilo-2host
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

"$PY2" -m pip install -q --disable-pip-version-check --target "$work/lib" \
  "dogpile.cache==0.5.7" "python-memcached==1.57" 2>/dev/null

# Fixed ports keep the sample's file names stable (127.0.0.1_21211.mcdump.gz); any free port otherwise.
. Samples/free-port.sh
servers=()
for i in 1 2; do
  port=$(free_port $((21210 + i)))
  memcached -l 127.0.0.1 -p "$port" -U 0 -m 128 -t 2 $( [ "$(id -u)" = 0 ] && echo -u root ) &
  pids+=($!)
  servers+=("127.0.0.1:$port")
done
sleep 0.5

mkdir -p "$OUT"
KILO_LIB="$work/lib" "$PY2" Samples/fill_kilo.py "${servers[@]}" "$OUT"
swift build -c release --product collect >/dev/null
rm -f "$OUT"/*.mcdump.gz "$OUT"/MANIFEST.json
"$(swift build -c release --show-bin-path)/collect" "${servers[@]}" --out "$OUT" --force
printf '%s\n' "${servers[@]}" > "$OUT/servers.txt"
ls -l "$OUT"
