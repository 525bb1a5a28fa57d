#!/usr/bin/env bash
# Analyse a capture on several machines at once (GNU parallel over ssh): decode | attribute | report --format json
# --partial for each dump on whichever worker of the ssh login file has a free slot, the partials and attribute's facts
# brought back (the dumps whose owners other dumps name are attributed again with every dump's facts), then report
# --merge here into text, Markdown, HTML and JSON: the bytes Pipelines/analyse.sh writes (docs/fleet.md, "When").
#   usage: Pipelines/fleet-analyse.sh [--sshloginfile FILE] [--remote-bin DIR] CAPTURE_DIR USERS_FILE OUT_DIR [SERVERS]
#   The arguments are analyse.sh's: CAPTURE_DIR holds *.mcdump.gz; USERS_FILE is the user list, or `-` for none;
#   SERVERS is the clients' ordered list "h:p,h:p" (default: CAPTURE_DIR/servers.txt, one per line). FILE is parallel's
#   ssh login file (default $MCF_SSHLOGINFILE); workers need decode, attribute and report in the --remote-bin folder
#   (default $MCF_REMOTE_BIN, else this machine's bin folder), perl and rsync; here report, parallel, ssh and rsync.
# Writes OUT_DIR/report.txt, report.md, report.html, report.json and report.partial (merged), OUT_DIR/partials/
# <dump>.partial (one per dump, as its worker made it) and fleet-joblog.tsv (parallel's: which worker ran which
# dump; fleet-joblog-pass2.tsv for a second pass); no records.ndjson (the records stay on the workers).
# Exit status: 0 success; 3 finished, but a stage said some input is incomplete or unverified (as analyse.sh); 2 a
# dump's stages failed or its partial did not come back (named on stderr, left out of the reports); 64 usage error.
set -euo pipefail
me=fleet-analyse.sh
usage() { [ $# -eq 0 ] || echo "$me: error: $*" >&2; sed -n '6,10p' "$0" >&2; exit 64; }
fatal() { echo "$me: error: $*" >&2; exit 2; }
here=$(cd "$(dirname "$0")/.." && pwd)

. "$here/Pipelines/fleet-common.sh"
fleet_options 2,15 "$@"
set -- ${fleet_args[@]+"${fleet_args[@]}"}
[ $# -ge 3 ] && [ $# -le 4 ] || usage "CAPTURE_DIR USERS_FILE OUT_DIR [SERVERS] are needed"
cap=$1; users=$2; out=$3
[ -d "$cap" ] || usage "$cap is not a folder"
if [ $# -eq 4 ]; then servers=$4; else
  [ -r "$cap/servers.txt" ] || usage "no SERVERS given and no $cap/servers.txt"
  servers=$(paste -sd, "$cap/servers.txt")
fi
[ "$users" = - ] || [ -r "$users" ] || usage "cannot read the user list $users"
fleet_login_file
fleet_need_tools "parallel openssh-client rsync" parallel ssh rsync
local_bin=${MCF_BIN:-$(r=$(command -v report 2>/dev/null) && dirname "$r" || echo "$here/.build/release")}
remote_bin=${remote_bin:-$local_bin}
[ -x "$local_bin/report" ] || fatal "no report in $local_bin (set MCF_BIN, or build: swift build -c release)"

# The dumps in the order analyse.sh reads them (the shell's sorted glob), as absolute paths with /./ before the
# name: parallel then transfers each into the job's work folder (and --cleanup removes that copy, never the file here).
cap_abs=$(cd "$cap" && pwd)
dumps=()
for d in "$cap_abs"/*.mcdump.gz; do [ -f "$d" ] && dumps+=("$cap_abs/./${d##*/}"); done
[ ${#dumps[@]} -gt 0 ] || fatal "no *.mcdump.gz in $cap"
mkdir -p "$out/partials"
rm -f "$out"/partials/*.partial  # an earlier run's, so that the folder holds this run's partials only
stage=$(mktemp -d "$out/.fleet-analyse.XXXXXX")
trap 'rm -rf "$stage"' EXIT
run=mcf-fleet-$(hostname 2>/dev/null | tr -c 'A-Za-z0-9.\n-' _ || echo here)-$$-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
workdir=${MCF_REMOTE_TMP:-/tmp}/$run

# One job per dump (job number {#}): the three stages in a pipe, each writing its exit status to P{#}.status, the
# partial to P{#}.partial, and in the first pass attribute's facts to {#}.facts (P: the pass's prefix); all come back
# (--return). A job on ":" runs here and reads the files where they are.
basefile=()
job_files="f={/}; [ -f \"\$f\" ] || f={};"
user_args=""
if [ "$users" != - ]; then
  # The user list goes to every worker once (--basefile), beside the jobs; here it is read where it is.
  users_abs=$(cd "$(dirname "$users")" && pwd)/$(basename "$users")
  basefile=(--basefile "$(dirname "$users_abs")/./$(basename "$users_abs")")
  job_files+=" u=$(q "$(basename "$users_abs")"); [ -f \"\$u\" ] || u=$(q "$users_abs");"
  user_args="--users \"\$u\" "
fi
# job PREFIX ATTRIBUTE_ARGS: the job's shell command (ATTRIBUTE_ARGS already quoted, each word followed by a space).
job() {
  local j=$job_files
  j+=" ( ( $(q "$remote_bin/decode")\"\$f\"; echo decode \$? >&3 )"
  j+=" | ( $(q "$remote_bin/attribute")$user_args$2--servers $(q "$servers")--redact; echo attribute \$? >&3 )"
  j+=" | ( $(q "$remote_bin/report")--format json --partial --servers $(q "$servers")> $1{#}.partial; echo report \$? >&3 )"
  j+=" ) 3> $1{#}.status"
  printf '%s' "$j"
}
# pass PREFIX JOB RETURNED_SUFFIXES EXTRA_BASEFILE DUMP...: one parallel run over those dumps, into $stage.
pass() {
  local prefix=$1 job=$2 returned=$3 extra=$4 r pstatus=0; shift 4
  local returns=() extra_base=()
  for r in $returned; do returns+=(--return "$prefix{#}.$r"); done
  [ -z "$extra" ] || extra_base=(--basefile "$extra")
  (cd "$stage" && parallel --sshloginfile "$slf" --workdir "$workdir" --joblog "${prefix}joblog" --tagstring '{/}' \
    ${basefile[@]+"${basefile[@]}"} ${extra_base[@]+"${extra_base[@]}"} --transferfile '{}' "${returns[@]}" --cleanup \
    "$job" ::: "$@") || pstatus=$?
  [ "$pstatus" -le 100 ] || echo "$me: error: parallel exited $pstatus (see its message above)" >&2
}
# check PREFIX N SUFFIXES: the files of job N of that pass (taken from the work folder for a job on ":"), the worker
# that ran it (`worker`) and what went wrong (`problems`, empty when every stage finished with 0 or 3 and every file
# came back).
check() {
  local prefix=$1 n=$2 suffix f
  for suffix in $3; do
    f=$prefix$n.$suffix
    if [ ! -e "$stage/$f" ] && [ -e "$workdir/$f" ]; then mv "$workdir/$f" "$stage/$f"; fi
  done
  worker=$(awk -F'\t' -v n="$n" '$1 == n { h = $2 } END { print h }' "$stage/${prefix}joblog" 2>/dev/null || true)
  problems=$(awk '$2 != 0 && $2 != 3 { printf "%s%s exited %s", sep, $1, $2; sep = ", " }' "$stage/$prefix$n.status" 2>/dev/null || true)
  stages=$(awk 'END { print NR }' "$stage/$prefix$n.status" 2>/dev/null || echo 0)
  if [ -z "$problems" ] && [ "$stages" -ne 3 ]; then problems="its stages' statuses did not come back"; fi
  if [ -z "$problems" ] && [ ! -s "$stage/$prefix$n.partial" ]; then problems="its partial did not come back"; fi
  if [ -z "$problems" ] && [[ " $3 " == *" facts "* ]] && [ ! -s "$stage/$prefix$n.facts" ]; then
    problems="its facts did not come back"
  fi
}

# First pass: every dump, each alone; attribute also writes the dump's facts (--facts-out).
echo "$me: ${#dumps[@]} dumps on the workers of $slf (stages in $remote_bin, work folder $workdir)" >&2
pass "" "$(job "" "--facts-out {#}.facts ")" "partial status facts" "" "${dumps[@]}"
[ ! -f "$stage/joblog" ] || cp "$stage/joblog" "$out/fleet-joblog.tsv"  # which worker ran which dump, bytes each way
rm -f "$out/fleet-joblog-pass2.tsv"
# Per dump, in order: its stages' statuses; a partial is merged when every stage finished (0, or 3: finished with
# something incomplete or unverified, which analyse.sh reports too).
status=0
good=()
for i in "${!dumps[@]}"; do
  n=$((i + 1)); name=${dumps[$i]##*/}
  check "" "$n" "partial status facts"
  if [ -n "$problems" ]; then
    echo "$me: error: $name: $problems (worker: ${worker:-none}); left out of the reports" >&2
    status=2
    continue
  fi
  good+=("$i")
done

# Second pass (docs/fleet.md, "Owners that only another host's records name"): a dump whose attribute held records
# that other dumps' facts decide or could change (`sensitive` in its facts' header) is attributed again with the
# facts of every dump merged, when some other dump has facts to give (users outside the export, token lists).
sensitive() { sed -n '1s/.*"sensitive":\([0-9]*\).*/\1/p' "$1"; }
has_facts() { [ "$(awk 'END { print NR }' "$1")" -gt 1 ]; }
again=()
for i in ${good[@]+"${good[@]}"}; do
  [ "$(sensitive "$stage/$((i + 1)).facts")" -gt 0 ] 2>/dev/null || continue
  for j in "${good[@]}"; do
    if [ "$j" != "$i" ] && has_facts "$stage/$((j + 1)).facts"; then again+=("$i"); break; fi
  done
done
if [ ${#again[@]} -gt 0 ]; then
  all=$run.facts
  for i in "${good[@]}"; do cat "$stage/$((i + 1)).facts"; done >"$stage/$all"
  stage_abs=$(cd "$stage" && pwd)
  echo "$me: ${#again[@]} dump(s) hold records whose owner other dumps' records name: attributed again with the facts of ${#good[@]} dumps" >&2
  again_dumps=()
  for i in "${again[@]}"; do again_dumps+=("${dumps[$i]}"); done
  facts_args="--facts \"\$a\" "
  pass r "$(printf 'a=%s; [ -f "$a" ] || a=%s; %s' "$(q "$all")" "$(q "$stage_abs/$all")" "$(job r "$facts_args")")" \
    "partial status" "$stage_abs/./$all" "${again_dumps[@]}"
  [ ! -f "$stage/rjoblog" ] || cp "$stage/rjoblog" "$out/fleet-joblog-pass2.tsv"
  for k in "${!again[@]}"; do
    i=${again[$k]}; n=$((i + 1)); name=${dumps[$i]##*/}
    check r $((k + 1)) "partial status"
    if [ -n "$problems" ]; then
      echo "$me: error: $name: $problems (worker: ${worker:-none}; second pass); left out of the reports" >&2
      status=2
      rm -f "$stage/$n.partial"
      continue
    fi
    mv "$stage/r$((k + 1)).partial" "$stage/$n.partial"
    mv "$stage/r$((k + 1)).status" "$stage/$n.status"
  done
fi

partials=()
for i in ${good[@]+"${good[@]}"}; do
  n=$((i + 1)); name=${dumps[$i]##*/}
  [ -s "$stage/$n.partial" ] || continue  # its second pass failed (named above)
  if grep -q ' 3$' "$stage/$n.status"; then
    echo "$me: warning: $name: $(awk '$2 == 3 { printf "%s%s", sep, $1; sep = ", " }' "$stage/$n.status") said not everything is complete or verified (exit 3; see its messages above)" >&2
    [ $status -ne 0 ] || status=3
  fi
  p=$out/partials/${name%.mcdump.gz}.partial
  mv "$stage/$n.partial" "$p"
  partials+=("$p")
done
rmdir "$workdir" 2>/dev/null || true
[ ${#partials[@]} -gt 0 ] || fatal "no dump's partial came back; no report"

# The merge, in dump order, into every format (as analyse.sh renders its one partial).
merge_status=0
"$local_bin/report" --merge --partial --format json "${partials[@]}" >"$out/report.partial" || merge_status=$?
for f in text markdown html json; do
  ext=$f; [ $f = text ] && ext=txt; [ $f = markdown ] && ext=md
  "$local_bin/report" --merge --format "$f" "${partials[@]}" >"$out/report.$ext" || merge_status=$?
done
if [ $merge_status -eq 3 ]; then
  [ $status -ne 0 ] || status=3
elif [ $merge_status -ne 0 ]; then
  echo "$me: error: report --merge exited $merge_status" >&2
  status=2
fi
echo "$me: ${#partials[@]} of ${#dumps[@]} dumps merged → $out/report.{txt,md,html,json}" >&2
exit $status
