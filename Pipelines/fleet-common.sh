# Pipelines/fleet-common.sh: what fleet-capture.sh and fleet-analyse.sh share (sourced, not run): their
# options (--sshloginfile, --remote-bin, --help), the ssh login file's checks, the tools needed here, and
# shell quoting for the jobs. The caller defines `me`, `usage` (exit 64) and `fatal` (exit 2) first.

# Reads the leading options into `slf` and `remote_bin` (defaults MCF_SSHLOGINFILE, MCF_REMOTE_BIN) and
# leaves the other arguments in `fleet_args`. HELP_LINES is the range of the script's header `--help` prints.
fleet_options() {
  local help_lines=$1; shift
  slf=${MCF_SSHLOGINFILE:-}
  remote_bin=${MCF_REMOTE_BIN:-}
  while [ $# -gt 0 ]; do
    case $1 in
      --sshloginfile | --slf) [ $# -ge 2 ] || usage "$1 needs a file"; slf=$2; shift 2 ;;
      --remote-bin) [ $# -ge 2 ] || usage "$1 needs a folder"; remote_bin=$2; shift 2 ;;
      -h | --help) sed -n "${help_lines}p" "$0"; exit 0 ;;
      -*) usage "unknown option $1" ;;
      *) break ;;
    esac
  done
  fleet_args=("$@")
}

# Checks the ssh login file and makes its path absolute (the jobs are started from a staging folder).
fleet_login_file() {
  [ -n "$slf" ] || usage "no ssh login file (--sshloginfile FILE or MCF_SSHLOGINFILE)"
  [ "$slf" != .. ] || slf=${PARALLEL_HOME:-$HOME/.parallel}/sshloginfile  # parallel's own shorthand
  [ -r "$slf" ] || usage "cannot read the ssh login file $slf"
  slf=$(cd "$(dirname "$slf")" && pwd)/$(basename "$slf")
}

# fleet_need_tools "APT PACKAGES" TOOL...: every tool must be here.
fleet_need_tools() {
  local packages=$1; shift
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 || fatal "$tool is not installed here (docs/fleet.md: apt-get install $packages)"
  done
}

# Words quoted for the shell that runs a job on a worker, each followed by a space.
q() { [ $# -eq 0 ] || printf '%q ' "$@"; }
