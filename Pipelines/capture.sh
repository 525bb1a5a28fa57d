#!/usr/bin/env bash
# Capture during an incident (run on a jump host that reaches every memcached host):
# every host's stats, item metadata and raw values into DIR/*.mcdump.gz + DIR/MANIFEST.json,
# then checksums you can verify after copying the folder to a laptop (sha256sum -c DIR/SHA256SUMS).
#   usage: Pipelines/capture.sh DIR HOST:PORT[:WEIGHT]...        (servers in the clients' order)
#          Pipelines/capture.sh DIR --keystone-conf /etc/keystone/keystone.conf
# Extra collect options can be given after the servers (e.g. --rate 20000 --bandwidth 50).
set -uo pipefail
if [ $# -lt 2 ]; then sed -n '2,7p' "$0" >&2; exit 64; fi
dir=$1; shift
here=$(cd "$(dirname "$0")/.." && pwd)
collect=${COLLECT:-$(command -v collect || echo "$here/.build/release/collect")}
[ -x "$collect" ] || { (cd "$here" && swift build -c release --product collect >&2) || exit 2; }

"$collect" "$@" --out "$dir"
status=$?
# Checksums of whatever was written, also after a partial capture (exit 3).
if [ $status -eq 0 ] || [ $status -eq 3 ]; then
  (cd "$dir" && sha256sum -- *.mcdump.gz MANIFEST.json > SHA256SUMS) && echo "checksums: $dir/SHA256SUMS" >&2
fi
exit $status
