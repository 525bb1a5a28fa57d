#!/usr/bin/env bash
# Capture a fleet from several machines at once (GNU parallel over ssh): one `collect` per memcached host,
# run by whichever worker of the ssh login file has a free slot; every dump and manifest comes back here into
# DIR, with one MANIFEST.json for the whole capture (servers in the clients' order), servers.txt and SHA256SUMS.
#   usage: Pipelines/fleet-capture.sh [--sshloginfile FILE] [--remote-bin DIR] DIR HOST:PORT[:WEIGHT]... [-- COLLECT_OPTION...]
#          Pipelines/fleet-capture.sh [--sshloginfile FILE] [--remote-bin DIR] DIR --servers-file F [-- COLLECT_OPTION...]
#   FILE is parallel's ssh login file, one worker a line ("4/ssh -i ~/.ssh/jump root@jump1", ":" for this machine;
#   default $MCF_SSHLOGINFILE). Workers need collect in the --remote-bin folder (default $MCF_REMOTE_BIN, else
#   this machine's bin folder), perl and rsync; this machine parallel, ssh, rsync and jq (docs/fleet.md).
# Exit status, as collect's: 0 every host complete; 3 some host partial or failed (each named on stderr and in
# MANIFEST.json); 2 nothing captured, or DIR already holds a capture (see collect's --force); 64 usage error.
set -euo pipefail
me=fleet-capture.sh
usage() { [ $# -eq 0 ] || echo "$me: error: $*" >&2; sed -n '5,11p' "$0" >&2; exit 64; }
fatal() { echo "$me: error: $*" >&2; exit 2; }
here=$(cd "$(dirname "$0")/.." && pwd)
command_line=("$0" "$@")

. "$here/Pipelines/fleet-common.sh"
fleet_options 2,11 "$@"
set -- ${fleet_args[@]+"${fleet_args[@]}"}
[ $# -ge 2 ] || usage "a folder and at least one server are needed"
dir=$1; shift
servers=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do
  case $1 in
    --servers-file)
      [ $# -ge 2 ] || usage "--servers-file needs a file"
      [ -r "$2" ] || usage "cannot read $2"
      # collect's format: one or more servers a line, comma- or space-separated, # comments.
      while read -r s; do servers+=("$s"); done < <(sed 's/#.*//' "$2" | tr ', \t\r' '\n\n\n\n' | grep -v '^$' || true)
      shift 2 ;;
    -*) usage "collect options go after -- (got $1)" ;;
    *) servers+=("$1"); shift ;;
  esac
done
[ $# -eq 0 ] || shift
collect_options=("$@")
[ ${#servers[@]} -gt 0 ] || usage "no servers given"
fleet_login_file
for s in "${collect_options[@]+"${collect_options[@]}"}"; do
  case $s in --out | --out=* | --servers-file* | --keystone-conf*) usage "$s is set by $me, not passed to collect" ;; esac
done
if [ "$(printf '%s\n' "${servers[@]}" | sort | uniq -d | head -1)" != "" ]; then
  usage "server $(printf '%s\n' "${servers[@]}" | sort | uniq -d | head -1) is given twice"
fi
fleet_need_tools "parallel openssh-client rsync jq" parallel ssh rsync jq sha256sum

local_bin=${MCF_BIN:-$(c=$(command -v collect 2>/dev/null) && dirname "$c" || echo "$here/.build/release")}
remote_bin=${remote_bin:-$local_bin}
force=false
for s in "${collect_options[@]+"${collect_options[@]}"}"; do [ "$s" = --force ] && force=true; done
[ -d "$dir" ] || { mkdir -p "$dir" && chmod 700 "$dir"; } || fatal "cannot create $dir"
if ! $force && { [ -e "$dir/MANIFEST.json" ] || compgen -G "$dir/*.mcdump.gz" >/dev/null; }; then
  fatal "refusing to overwrite the capture in $dir (use -- --force)"
fi

# The jobs' files come back into a staging folder inside DIR (renames, not copies, afterwards). On the workers
# each job runs in one folder under /tmp named for this run (--workdir); --cleanup removes what came back, and
# the folder with it once empty.
stage=$(mktemp -d "$dir/.fleet-capture.XXXXXX")
captured=false
# Interrupted (or failed here) before the manifest was written: what came back stays, and the folder is named.
trap 'if $captured; then rm -rf "$stage"; else echo "$me: stopped early: what came back is in $stage" >&2; fi' EXIT
run=mcf-fleet-$(hostname 2>/dev/null | tr -c 'A-Za-z0-9.\n-' _ || echo here)-$$-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
workdir=${MCF_REMOTE_TMP:-/tmp}/$run
started=$(date +%s.%N)

# One job per host (job number {#} = the host's place in the list): collect into {#}.d, then its dump and
# manifest renamed to {#}.mcdump.gz and {#}.manifest.json for --return (empty files where collect wrote none,
# so that nothing is missing for rsync). The job's exit status is collect's.
job="$(q "$remote_bin/collect") {} $(q ${collect_options[@]+"${collect_options[@]}"})--out {#}.d; s=\$?;"
job+=" if [ -f {#}.d/MANIFEST.json ]; then mv {#}.d/MANIFEST.json {#}.manifest.json; else : > {#}.manifest.json; fi;"
job+=" for f in {#}.d/*.mcdump.gz; do if [ -f \"\$f\" ]; then mv \"\$f\" {#}.mcdump.gz; fi; done;"
job+=" [ -f {#}.mcdump.gz ] || : > {#}.mcdump.gz; rm -rf {#}.d; exit \$s"
echo "$me: ${#servers[@]} hosts on the workers of $slf (collect in $remote_bin, work folder $workdir)" >&2
pstatus=0
stopped=""  # a SIGINT or SIGTERM here (parallel stops its jobs at once): the hosts not back yet are `interrupted`
trap 'stopped="interrupted by SIGINT"' INT
trap 'stopped="interrupted by SIGTERM"' TERM
(cd "$stage" && parallel --sshloginfile "$slf" --workdir "$workdir" --joblog joblog --tagstring '{}' \
  --return '{#}.manifest.json' --return '{#}.mcdump.gz' --cleanup "$job" ::: "${servers[@]}") || pstatus=$?
finished=$(date +%s.%N)
[ "$pstatus" -le 100 ] || echo "$me: error: parallel exited $pstatus (see its message above)" >&2

# Per host, in the clients' order: its manifest entry (with the worker that ran it), its dump renamed to the
# name collect gave it and checked against the sha256 the worker computed. A job on ":" ran here, in the local
# work folder, and nothing was returned: its files are taken from there.
entries=()
files=()
collect_version=null
options=null
for i in "${!servers[@]}"; do
  n=$((i + 1)); spec=${servers[$i]}
  for f in "$n.manifest.json" "$n.mcdump.gz"; do
    if [ ! -e "$stage/$f" ] && [ -e "$workdir/$f" ]; then mv "$workdir/$f" "$stage/$f"; fi
  done
  worker=$(awk -F'\t' -v n="$n" '$1 == n { h = $2 } END { print h }' "$stage/joblog" 2>/dev/null || true)
  exitval=$(awk -F'\t' -v n="$n" '$1 == n { e = $7 } END { print e }' "$stage/joblog" 2>/dev/null || true)
  case $exitval in '' | *[!0-9]*) exitval=null ;; esac
  extra=$(jq -nc --arg w "$worker" --argjson e "$exitval" '{worker: (if $w == "" then null else $w end), collect_exit_status: $e}')
  if [ -s "$stage/$n.manifest.json" ] && entry=$(jq -ce --argjson x "$extra" '.servers[0] + $x' "$stage/$n.manifest.json" 2>/dev/null); then
    [ "$collect_version" != null ] || collect_version=$(jq -c '.tool_version' "$stage/$n.manifest.json")
    [ "$options" != null ] || options=$(jq -c '.options' "$stage/$n.manifest.json")
    file=$(jq -r '.file // ""' <<<"$entry")
    if [ -n "$file" ]; then
      problem=""
      if [ ! -s "$stage/$n.mcdump.gz" ]; then
        problem="its dump did not come back from the worker"
      elif [ -e "$dir/$file" ] && printf '%s\n' "${files[@]+"${files[@]}"}" | grep -qxF -- "$file"; then
        problem="its dump's name $file is another host's too"
      else
        want=$(jq -r '.sha256 // ""' <<<"$entry")
        got=$(sha256sum "$stage/$n.mcdump.gz" | cut -d' ' -f1)
        [ "$want" = "$got" ] || problem="its dump changed on the way back (sha256 $got here, $want on the worker)"
      fi
      if [ -n "$problem" ]; then
        entry=$(jq -c --arg p "$problem" '. + {status: "failed", file: null, reason: $p}' <<<"$entry")
      else
        mv "$stage/$n.mcdump.gz" "$dir/$file" && chmod 600 "$dir/$file"
        files+=("$file")
      fi
    fi
  else
    reason="no manifest came back from the worker (job exit status ${exitval/null/unknown})"
    st=failed
    if [ -n "$stopped" ]; then st=interrupted; reason="$reason: the run was $stopped"; fi
    entry=$(jq -nc --arg a "$spec" --arg s "$st" --arg r "$reason" --argjson x "$extra" '{address: $a, status: $s, file: null, reason: $r, notes: [], errors: []} + $x')
  fi
  entries+=("$entry")
done
rmdir "$workdir" 2>/dev/null || true

# One manifest for the capture, written by jq (keys sorted, two-space indent, like collect's), then servers.txt.
printf '%s\n' "${command_line[@]}" | jq -R . | jq -s -c . >"$stage/command_line.json"
printf '%s\n' "${entries[@]}" | jq -S -s --arg dir "$dir" --arg slf "$slf" --argjson started "$started" \
  --argjson finished "$finished" --argjson version "$collect_version" --argjson options "$options" --arg stopped "$stopped" \
  --slurpfile cl "$stage/command_line.json" '
  . as $servers
  | ($servers | all(.status == "complete")) as $complete
  | ($servers | any(.file != null)) as $dumps
  | ($servers | any(.status == "interrupted")) as $interrupted
  | {manifest_version: 1, tool: "fleet-capture", collect_version: $version, command_line: $cl[0],
     output_directory: $dir, sshloginfile: $slf, started_local: $started, finished_local: $finished,
     options: $options,
     stop_reason: (if $stopped == "" then null else $stopped end),
     status: (if $complete then "complete" elif $interrupted then "interrupted" elif $dumps then "partial" else "failed" end),
     complete: $complete,
     exit_status: (if $complete then 0 elif $dumps or $interrupted then 3 else 2 end),
     workers: ($servers | map(.worker // empty) | unique),
     servers: $servers}' >"$stage/MANIFEST.json"
chmod 600 "$stage/MANIFEST.json"
mv "$stage/MANIFEST.json" "$dir/MANIFEST.json"
printf '%s\n' "${servers[@]}" >"$dir/servers.txt"
status=$(jq '.exit_status' "$dir/MANIFEST.json")
captured=true

jq -r '.servers[] | select(.status != "complete")
  | "\(.address): \(.status): \(.reason // "unknown reason") (worker: \(.worker // "none"))"' "$dir/MANIFEST.json" |
  while IFS= read -r line; do echo "$me: error: $line" >&2; done
echo "$me: $(jq '[.servers[] | select(.status == "complete")] | length' "$dir/MANIFEST.json") of ${#servers[@]} hosts complete → $dir/MANIFEST.json" >&2
# Checksums of whatever was written, also after a partial capture (exit 3), as Pipelines/capture.sh does.
if [ "$status" -eq 0 ] || [ "$status" -eq 3 ]; then
  (cd "$dir" && sha256sum -- ${files[@]+"${files[@]}"} MANIFEST.json servers.txt >SHA256SUMS) && echo "checksums: $dir/SHA256SUMS" >&2
fi
exit "$status"
