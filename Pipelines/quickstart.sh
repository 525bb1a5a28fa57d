#!/usr/bin/env bash
# Quick start: build the stages (release) and run the whole analysis on the committed samples, all
# captured by collect: Samples/kilo-2host (two memcached hosts filled the way Keystone Kilo did),
# Samples/apps-3host (three hosts shared by a Django site, a Rails shop, a WordPress object cache and a
# Laravel pool), and one sample per ecosystem (Samples/django-2host, rails-2host, php-2host). Prints the
# first two text reports and the explanation of the others; out/quickstart*/ hold each one's text,
# Markdown, HTML, JSON and records.
set -euo pipefail
cd "$(dirname "$0")/.."
# The C libraries the build links: zlib and ISA-L (igzip), from Debian's packages.
need_apt=()
for pkg in zlib1g-dev libisal-dev; do dpkg -s "$pkg" >/dev/null 2>&1 || need_apt+=("$pkg"); done
if [ ${#need_apt[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi
echo "building (release)…" >&2
for p in decode attribute report; do swift build -c release --product "$p" >&2; done
export MCF_BIN=$(swift build -c release --show-bin-path)
status=0
Pipelines/analyse.sh Samples/kilo-2host Samples/kilo-2host/users.json out/quickstart || status=$?
Pipelines/analyse.sh Samples/apps-3host - out/quickstart-apps || status=$?
for eco in django rails php; do
  Pipelines/analyse.sh Samples/$eco-2host - out/quickstart-$eco || status=$?
done
echo "=== Samples/kilo-2host (Keystone, with its user list) ==="
cat out/quickstart/report.txt
echo
echo "=== Samples/apps-3host (Django, Rails, WordPress, Laravel; no user list) ==="
cat out/quickstart-apps/report.txt
for eco in django rails php; do
  echo
  echo "=== Samples/$eco-2host: the explanation (whole report in out/quickstart-$eco/report.txt) ==="
  sed -n '2,/^$/p' out/quickstart-$eco/report.txt
done
echo "(also: out/quickstart*/report.md, report.html, report.json, records.ndjson)" >&2
exit $status
