#!/usr/bin/env bash
# Regenerates Samples/apps-3host/: three memcached processes on 127.0.0.1 shared by the applications
# of other ecosystems, each writing through its real client — a Django 5.2 site and a plain pymemcache
# service (Python, from .venv), a Rails shop (Dalli + ActiveSupport 6.1, Debian), a WordPress object
# cache and a Laravel-style pool (php-memcached 3.2 with igbinary, Debian) — then captured by `collect`.
# Developers run this (after Tests/run has installed the clients); the quick start uses the committed output.
#   usage: Samples/make-apps.sh         (COLLECT=path/to/collect to use a built collect)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=Samples/apps-3host
PY=${MCF_PYTHON:-.venv/bin/python}
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

. Samples/free-port.sh
servers=()
for i in 1 2 3; do
  port=$(free_port $((21310 + i)))
  memcached -l 127.0.0.1 -p "$port" -U 0 -m 64 -t 2 $( [ "$(id -u)" = 0 ] && echo -u root ) &
  pids+=($!)
  servers+=("127.0.0.1:$port")
done
sleep 0.5

"$PY" Samples/apps/fill_python.py "${servers[@]}"
ruby Samples/apps/fill_ruby.rb "${servers[@]}"
php Samples/apps/fill_php.php "${servers[@]}"

# COLLECT=path/to/collect skips the release build.
if [ -z "${COLLECT:-}" ]; then
  swift build -c release --product collect >/dev/null
  COLLECT="$(swift build -c release --show-bin-path)/collect"
fi
mkdir -p "$OUT"
rm -f "$OUT"/*.mcdump.gz "$OUT"/MANIFEST.json
"$COLLECT" "${servers[@]}" --out "$OUT" --force
printf '%s\n' "${servers[@]}" > "$OUT/servers.txt"
ls -l "$OUT"
