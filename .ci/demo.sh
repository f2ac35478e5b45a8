#!/usr/bin/env bash
# The main job, on a fresh machine: `cargo mcp new demo` makes a server project,
# cargo builds it, and the official MCP Python SDK client lists and calls its
# `hello` tool over stdio, checking every answer (fixtures/expect/demo.json).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
CHECKS=${CHECKS:-$ROOT/../shared/checks}
source .ci/checks-install.sh
retry "the Python SDK client" ensure_py 1
cargo build -p cargo-mcp-cli
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
"$TARGET/debug/cargo-mcp" mcp new demo --path "$WORK/demo" --vcs none --runtime-path "$ROOT/runtime"
(cd "$WORK/demo" && CARGO_TARGET_DIR="$TARGET/demo" cargo build)
"$CHECKS/pyclient_smoke.sh" --expect "$ROOT/fixtures/expect/demo.json" --stdio "$TARGET/demo/debug/demo"
