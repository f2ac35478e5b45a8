#!/usr/bin/env bash
# The main job, on a fresh machine: build the FAQ example server and have the
# official MCP Python SDK client list and call its tools, read its resources,
# and check every answer (stdio).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
CHECKS=${CHECKS:-$ROOT/../shared/checks}
cargo build -p mcp-runtime --example faq
"$CHECKS/pyclient_smoke.sh" --expect "$ROOT/fixtures/expect/faq.json" --stdio "$ROOT/target/debug/examples/faq"
