# shellcheck shell=bash
# Sourced by .ci/test.sh and .ci/demo.sh: installs the official checks' tools (npm and PyPI)
# up front, with retries, so a flaky registry fetch is retried instead of failing a check
# halfway, and a real failure prints npm's own log instead of one line.
# Defines `retry WHAT CMD...`; callers then run e.g. `retry "the Python client" ensure_py 1`.

# npm's own retry knobs, read from the environment by every npm below.
export npm_config_fetch_retries=${npm_config_fetch_retries:-5}
export npm_config_fetch_retry_mintimeout=${npm_config_fetch_retry_mintimeout:-2000}
export npm_config_fetch_retry_maxtimeout=${npm_config_fetch_retry_maxtimeout:-60000}

# Installs go to a folder of our own, never into ../shared/checks (which may be a
# read-only or shared mount); ensure.sh copies the package files there.
export CHECKS_STATE=${CHECKS_STATE:-${XDG_CACHE_HOME:-$HOME/.cache}/mcp-checks}
# shellcheck source=/dev/null
source "$CHECKS/lib/ensure.sh"   # defines ensure_*, free_port

# retry WHAT CMD...: run CMD up to 3 times; on the last failure show npm's newest debug log.
retry() {
  local what=$1 attempt
  shift
  for attempt in 1 2 3; do
    "$@" && return 0
    echo "[ci] installing $what failed (attempt $attempt of 3)" >&2
    sleep $((attempt * 10))
  done
  local log
  log=$(ls -t "${HOME:-/root}"/.npm/_logs/*.log 2>/dev/null | head -1 || true)
  if [ -n "$log" ]; then
    echo "[ci] npm $(npm --version 2>/dev/null), node $(node --version 2>/dev/null); tail of $log:" >&2
    grep -E 'error|verbose (stack|cwd|os|node|npm)|http fetch' "$log" | tail -40 >&2 || tail -40 "$log" >&2
  fi
  echo "[ci] could not install $what; see above" >&2
  return 1
}

