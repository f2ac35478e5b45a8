#!/usr/bin/env bash
# Every test: the workspace's own tests, then the official checks from ../shared/checks
# against the example servers. Each check ends with "N passed, N failed" and exits
# non-zero on any failure, which stops this script.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
CHECKS=${CHECKS:-$ROOT/../shared/checks}

cargo test --workspace

cargo build -p mcp-runtime --examples
EX=$ROOT/target/debug/examples

echo "== official conformance suite (legacy era) over stdio"
timeout 900 "$CHECKS/conformance.sh" --stdio "$EX/conformance"
echo "== official conformance suite 0.2 (2026-07-28 and 2025-11-25) over stdio"
timeout 900 "$CHECKS/conformance-next.sh" --era both --stdio "$EX/conformance"
echo "== official Python SDK client (1.x and 2.x) over stdio"
timeout 600 "$CHECKS/pyclient_smoke.sh" --expect "$CHECKS/expect/conformance-fixture.json" --stdio "$EX/conformance"
timeout 600 "$CHECKS/pyclient_smoke.sh" --sdk 2 --expect "$CHECKS/expect/conformance-fixture.json" --stdio "$EX/conformance"
echo "== official Python SDK client (1.x and 2.x) on the FAQ example over stdio (exact values)"
timeout 600 "$CHECKS/pyclient_smoke.sh" --expect "$ROOT/fixtures/expect/faq.json" --stdio "$EX/faq"
timeout 600 "$CHECKS/pyclient_smoke.sh" --sdk 2 --expect "$ROOT/fixtures/expect/faq.json" --stdio "$EX/faq"
