#!/usr/bin/env bash
# Fuzzes PHPValues (PHP serialize, igbinary, msgpack, JSON, FastLZ, php-memcached payloads) for a
# bounded time. Tries libFuzzer first (swift build -sanitize=fuzzer, product php-fuzz built with
# -DLIBFUZZER); if that cannot build here, runs the seeded random mutator. Seeds: serialize() and
# igbinary_serialize() output of Tests/Fixtures/php/generate.php (needs php with igbinary), plus a few
# msgpack, JSON and FastLZ inputs. Reports executions and crashes.
# usage: Benchmarks/fuzz-php.sh [SECONDS=60]
set -uo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-60}
SEEDS=$(mktemp -d)
trap 'rm -rf "$SEEDS"' EXIT
if command -v php >/dev/null 2>&1; then
  php Tests/Fixtures/php/generate.php --count 60 > "$SEEDS/cases.jsonl" || echo "generate.php failed; using the built-in seeds only"
fi
python3 - "$SEEDS" <<'PYEOF'
import base64, json, os, sys
d = sys.argv[1]
path = os.path.join(d, 'cases.jsonl')
if os.path.exists(path):
    for i, line in enumerate(open(path)):
        c = json.loads(line)
        open(os.path.join(d, 'ser-%03d' % i), 'wb').write(base64.b64decode(c['ser']))
        open(os.path.join(d, 'igb-%03d' % i), 'wb').write(base64.b64decode(c['igb']))
    os.remove(path)
extra = {
    'msgpack-map': bytes([0x82, 0xa1, 0x61, 0x01, 0xa1, 0x62, 0x92, 0xc3, 0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0]),
    'msgpack-ext': bytes([0x92, 0xd6, 0xff, 0, 0, 0, 1, 0xc4, 0x02, 0x68, 0x69]),
    'json': b'{"a":[1,2.5,-0,1e2,true,null],"b":"x\\u00e9\\ud83d\\ude00"}',
    'fastlz-l1': bytes([5, 0, 0x01, 0x61, 0x62, 0x20, 0x00]),
    'fastlz-l2': bytes([0xd0, 0x07, 0x21, 0x61, 0x62, 0xe0, 0xff, 0x05, 0x00]),
    'payload-fastlz': bytes([0x50, 5, 0, 0, 0, 0x01, 0x61, 0x62, 0x20, 0x00]),
}
for name, data in extra.items():
    open(os.path.join(d, name), 'wb').write(data)
PYEOF
find "$SEEDS" -size +100k -delete

. Benchmarks/fuzz-run.sh
run_fuzz php-fuzz "$SECS" 65536 "$SEEDS" "$SEEDS" "$SECS" 1
