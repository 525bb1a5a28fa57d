#!/usr/bin/env bash
# Regenerates the samples of other ecosystems, each captured by `collect` from memcached processes on
# 127.0.0.1 filled through the applications' real clients:
#   apps-3host    three hosts shared by all of them (the quick start's main example of a mixed cluster);
#   django-2host  a Django 5.2 site and a plain pymemcache service (Python, from .venv);
#   rails-2host   a Rails shop: Dalli 3.0 + ActiveSupport 6.1's MemCacheStore (Debian);
#   php-2host     a WordPress object cache and a Laravel-style pool: php-memcached 3.2 with igbinary (Debian).
# Developers run this (after Tests/run has installed the clients); the quick start uses the committed output.
#   usage: Samples/make-apps.sh [apps|django|rails|php]...   (none: all four; COLLECT=path/to/collect
#          to use a built collect)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${MCF_PYTHON:-.venv/bin/python}
pids=()
cleanup() { for p in ${pids[@]+"${pids[@]}"}; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
. Samples/free-port.sh

[ $# -gt 0 ] || set -- apps django rails php
for sample in "$@"; do
  case $sample in
    apps | django | rails | php) ;;
    *) echo "make-apps.sh: no sample \"$sample\" (apps, django, rails, php)" >&2; exit 64 ;;
  esac
done

# COLLECT=path/to/collect skips the release build.
if [ -z "${COLLECT:-}" ]; then
  swift build -c release --product collect >/dev/null
  COLLECT="$(swift build -c release --show-bin-path)/collect"
fi

fill_python() { "$PY" Samples/apps/fill_python.py "$@"; }
fill_ruby() { ruby Samples/apps/fill_ruby.rb "$@"; }
fill_php() { php Samples/apps/fill_php.php "$@"; }

# make_sample OUT HOSTS FIRST_PORT FILLER...: start HOSTS memcached processes, run the fillers, collect,
# stop the processes (by pid).
make_sample() {
  local out=$1 hosts=$2 first=$3; shift 3
  local servers=() mine=() i port
  for ((i = 0; i < hosts; i++)); do
    port=$(free_port $((first + i)))
    memcached -l 127.0.0.1 -p "$port" -U 0 -m 64 -t 2 $( [ "$(id -u)" = 0 ] && echo -u root ) &
    pids+=($!); mine+=($!)
    servers+=("127.0.0.1:$port")
  done
  sleep 0.5
  for filler in "$@"; do "$filler" "${servers[@]}"; done
  mkdir -p "$out"
  rm -f "$out"/*.mcdump.gz "$out"/MANIFEST.json
  "$COLLECT" "${servers[@]}" --out "$out" --force
  printf '%s\n' "${servers[@]}" > "$out/servers.txt"
  kill "${mine[@]}" 2>/dev/null || true
  ls -l "$out"
}

for sample in "$@"; do
  case $sample in
    apps) make_sample Samples/apps-3host 3 21311 fill_python fill_ruby fill_php ;;
    django) make_sample Samples/django-2host 2 21321 fill_python ;;
    rails) make_sample Samples/rails-2host 2 21331 fill_ruby ;;
    php) make_sample Samples/php-2host 2 21341 fill_php ;;
  esac
done
