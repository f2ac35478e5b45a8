#!/usr/bin/env bash
# The browser end-to-end test of `cargo mcp dev`, from a fresh machine:
# installs Chromium (apt) and playwright-core (npm ci), builds cargo-mcp,
# generates a project with a `slow` tool (fixtures/slow.rs) and runs
# dev.test.mjs against it.
#
#   cli/tests/browser/run.sh [REPO_ROOT]
#
# Environment (all optional):
#   CARGO_TARGET_DIR  builds go here (default REPO_ROOT/target, so CI reuses them)
#   ARTIFACTS         screenshots and dev.log (default $CARGO_TARGET_DIR/browser-e2e)
#   PROJECT_DIR       where the project is generated (default a folder in $TMPDIR;
#                     it must not be inside the repo, whose workspace would claim it)
#   CHROMIUM          the browser (default /usr/bin/chromium)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "${1:-$HERE/../../..}" && pwd)
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
ARTIFACTS="${ARTIFACTS:-$CARGO_TARGET_DIR/browser-e2e}"
PROJECT_DIR="${PROJECT_DIR:-${TMPDIR:-/tmp}/cargo-mcp-browser-e2e}"
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
PROJECT="$PROJECT_DIR/inspector-e2e"

log() { printf '\n==> %s\n' "$*"; }

# retry N COMMAND...: runs COMMAND up to N times, waiting longer each time.
retry() {
  local tries=$1 n=1
  shift
  until "$@"; do
    if ((n >= tries)); then
      echo "failed after $tries attempts: $*" >&2
      return 1
    fi
    echo "attempt $n failed, retrying: $*" >&2
    sleep $((n * 10))
    n=$((n + 1))
  done
}

log "Chromium"
if [ ! -x "$CHROMIUM" ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  retry 3 $SUDO apt-get update
  retry 3 $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium
fi
"$CHROMIUM" --version || true

log "playwright-core (npm ci)"
command -v node >/dev/null || { echo "node (20 or newer) is required" >&2; exit 1; }
(cd "$HERE" && retry 3 npm ci --no-audit --no-fund)

log "cargo build -p cargo-mcp-cli"
(cd "$ROOT" && cargo build -p cargo-mcp-cli)
CARGO_MCP="$CARGO_TARGET_DIR/debug/cargo-mcp"

log "generating $PROJECT"
rm -rf "$PROJECT"
mkdir -p "$PROJECT_DIR"
"$CARGO_MCP" mcp new inspector-e2e --path "$PROJECT" --vcs none --runtime-path "$ROOT/runtime" --quiet
(cd "$PROJECT" && "$CARGO_MCP" mcp add-tool slow --quiet \
  --description "Reports progress for about three seconds" \
  --arg "steps:integer?:How many half-second steps")
cp "$HERE/fixtures/slow.rs" "$PROJECT/src/tools/slow.rs"

log "building the project once (the dev command's first build is then quick)"
(cd "$PROJECT" && cargo build)

rm -rf "$ARTIFACTS"
cd "$HERE"
# The same steps with the server over stdio, then over Streamable HTTP.
for transport in stdio http; do
  log "node dev.test.mjs (server over $transport)"
  mkdir -p "$ARTIFACTS/$transport"
  TRANSPORT=$transport CARGO_MCP="$CARGO_MCP" PROJECT="$PROJECT" ARTIFACTS="$ARTIFACTS/$transport" \
    CHROMIUM="$CHROMIUM" node dev.test.mjs
done
