#!/usr/bin/env bash
# Every test: the workspace's own tests, then the official checks from ../shared/checks
# against the example servers, over stdio, Streamable HTTP and legacy SSE. Each check
# ends with "N passed, N failed" and exits non-zero on any failure, which stops this
# script.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
CHECKS=${CHECKS:-$ROOT/../shared/checks}

source .ci/checks-install.sh   # retry, ensure_*, free_port, CHECKS_STATE
echo "== installing the official checks' tools into $CHECKS_STATE"
retry "the checks' node tools" ensure_node
retry "the checks' node-next tools" ensure_node_next
retry "the Python SDK 1.x client" ensure_py 1
retry "the Python SDK 2.x client" ensure_py 2

cargo test --workspace

cargo build -p mcp-runtime --examples
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
EX=$TARGET/debug/examples
FIXTURE=$CHECKS/expect/conformance-fixture.json

echo "== official conformance suite (legacy era) over stdio"
timeout 900 "$CHECKS/conformance.sh" --stdio "$EX/conformance"
echo "== official conformance suite 0.2 (2026-07-28 and 2025-11-25) over stdio"
timeout 900 "$CHECKS/conformance-next.sh" --era both --stdio "$EX/conformance"

P=$(free_port)
echo "== official conformance suite, every scenario, over Streamable HTTP"
timeout 900 "$CHECKS/conformance.sh" --suite all --start "$EX/conformance --transport http --port $P" "http://localhost:$P/mcp"
P=$(free_port)
echo "== official conformance suite 0.2 (both eras) over Streamable HTTP"
timeout 900 "$CHECKS/conformance-next.sh" --era both --start "$EX/conformance --transport http --port $P" "http://localhost:$P/mcp"

for sdk in 1 2; do
  echo "== official Python SDK client $sdk.x: stdio, Streamable HTTP, SSE"
  timeout 600 "$CHECKS/pyclient_smoke.sh" --sdk "$sdk" --expect "$FIXTURE" --stdio "$EX/conformance"
  P=$(free_port)
  timeout 600 "$CHECKS/pyclient_smoke.sh" --sdk "$sdk" --expect "$FIXTURE" --http "http://127.0.0.1:$P/mcp" --start "$EX/conformance --transport http --port $P"
  P=$(free_port)
  timeout 600 "$CHECKS/pyclient_smoke.sh" --sdk "$sdk" --expect "$FIXTURE" --sse "http://127.0.0.1:$P/sse" --start "$EX/conformance --transport sse --port $P"
  echo "== official Python SDK client $sdk.x on the FAQ example (exact values), stdio and HTTP"
  timeout 600 "$CHECKS/pyclient_smoke.sh" --sdk "$sdk" --expect "$ROOT/fixtures/expect/faq.json" --stdio "$EX/faq"
  P=$(free_port)
  timeout 600 "$CHECKS/pyclient_smoke.sh" --sdk "$sdk" --expect "$ROOT/fixtures/expect/faq.json" --http "http://127.0.0.1:$P/mcp" --start "$EX/faq --transport http --port $P"
done

echo "== MCP Inspector CLI: stdio, Streamable HTTP, SSE"
timeout 600 "$CHECKS/inspector_smoke.sh" --tool echo --tool-args-json '{"text":"hi"}' --expect-text "hi" -- "$EX/conformance"
for transport in http sse; do
  P=$(free_port)
  path=$([ "$transport" = http ] && echo mcp || echo sse)
  "$EX/conformance" --transport "$transport" --port "$P" 2>/dev/null &
  SERVER=$!
  for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$P") 2>/dev/null && break; sleep 0.1; done
  status=0
  timeout 600 "$CHECKS/inspector_smoke.sh" --tool echo --tool-args-json '{"text":"hi"}' --expect-text "hi" "http://localhost:$P/$path" || status=$?
  kill "$SERVER" 2>/dev/null || true
  wait "$SERVER" 2>/dev/null || true
  [ "$status" = 0 ] || exit "$status"
done

echo "== official TypeScript SDK client (@modelcontextprotocol/sdk, npm) on the FAQ example over Streamable HTTP"
TS_CLIENT=$ROOT/runtime/tests/ts-client
retry "the TypeScript client" bash -c "cd '$TS_CLIENT' && npm ci --no-audit --no-fund"
# NODE: the checks' Node 22, from ensure_node above.
P=$(free_port)
"$EX/faq" --transport http --port "$P" 2>/dev/null &
SERVER=$!
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$P") 2>/dev/null && break; sleep 0.1; done
status=0
(cd "$TS_CLIENT" && timeout 120 "$NODE" client.mjs "http://127.0.0.1:$P/mcp") || status=$?
kill "$SERVER" 2>/dev/null || true
wait "$SERVER" 2>/dev/null || true
[ "$status" = 0 ] || exit "$status"

echo "== soak: 200 clients opening and abandoning legacy sessions for 60 s, memory must stay flat"
cargo test -p mcp-runtime --test http_soak -- --ignored --nocapture

echo "== load: 200 slow or idle connections and a non-reading SSE client for 30 s (a normal client answered throughout, RSS under 2x); 320 silent sockets under a 300 fd limit"
cargo test -p mcp-runtime --test http_load -- --ignored --nocapture

echo "== auth: the FAQ example with MCP_AUTH_* serves protected resource metadata and refuses calls without a token"
P=$(free_port)
MCP_AUTH_RESOURCE_URL="http://127.0.0.1:$P/mcp" MCP_AUTH_ISSUER_URL="http://127.0.0.1:9/" \
  MCP_AUTH_JWKS_URL="http://127.0.0.1:9/jwks" MCP_AUTH_REQUIRED_SCOPES=read \
  "$EX/faq" --transport http --port "$P" 2>/dev/null &
SERVER=$!
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$P") 2>/dev/null && break; sleep 0.1; done
passed=0; failed=0
check() { if eval "$2"; then passed=$((passed + 1)); echo "PASS $1"; else failed=$((failed + 1)); echo "FAIL $1"; fi; }
META=$(curl -s "http://127.0.0.1:$P/.well-known/oauth-protected-resource/mcp")
check "metadata names the resource" '[[ "$META" == *"\"resource\":\"http://127.0.0.1:$P/mcp\""* ]]'
check "metadata names the authorization server" '[[ "$META" == *"http://127.0.0.1:9/"* ]]'
HDRS=$(curl -s -D - -o /dev/null -X POST "http://127.0.0.1:$P/mcp" -H 'content-type: application/json' \
  -H 'accept: application/json, text/event-stream' \
  -d '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"ci","version":"1"}}}')
check "no token: 401" '[[ "$HDRS" == "HTTP/1.1 401"* ]]'
check "no token: WWW-Authenticate names the metadata" '[[ "${HDRS,,}" == *"www-authenticate: bearer"*"resource_metadata=\"http://127.0.0.1:$P/.well-known/oauth-protected-resource/mcp\""* ]]'
BAD=$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$P/mcp" -H 'authorization: Bearer not-a-jwt' -H 'content-type: application/json' -d '{}')
check "malformed token: 401" '[ "$BAD" = 401 ]'
check "custom route /health stays public" '[ "$(curl -s -o /dev/null -w "%{http_code}" "http://127.0.0.1:$P/health")" = 200 ]'
kill "$SERVER" 2>/dev/null || true
wait "$SERVER" 2>/dev/null || true
echo "auth: $passed passed, $failed failed"
[ "$failed" = 0 ]

echo "== OAuth: the official Python SDK client's OAuth flow (registration, PKCE, token, step-up) against the oauth_dev example"
KEYS=$(mktemp -d)
for sdk in 1 2; do
  retry "the Python SDK $sdk.x client" ensure_py "$sdk"
  P=$(free_port)
  MCP_AUTH_DEV_KEY_FILE="$KEYS/dev-$sdk.key" "$EX/oauth_dev" --transport http --port "$P" 2>/dev/null &
  SERVER=$!
  for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$P") 2>/dev/null && break; sleep 0.1; done
  status=0
  timeout 180 "$PY" "$ROOT/runtime/tests/oauth/oauth_flow.py" "http://127.0.0.1:$P/mcp" || status=$?
  kill "$SERVER" 2>/dev/null || true
  wait "$SERVER" 2>/dev/null || true
  [ "$status" = 0 ] || exit "$status"
done
rm -rf "$KEYS"

echo "== cargo mcp dev in a browser: Playwright (npm) drives Debian's chromium against the built-in inspector"
# run.sh installs chromium (apt) and playwright-core (npm ci) when missing; screenshots go to
# $TARGET/browser-e2e as test artifacts.
CARGO_TARGET_DIR=$TARGET ARTIFACTS=$TARGET/browser-e2e timeout 1800 bash cli/tests/browser/run.sh "$ROOT"

echo "== cargo package: both crates pack, and each unpacked .crate builds on its own"
CARGO_TARGET_DIR=$TARGET bash .ci/package.sh

echo "== OpenAPI: GitHub's REST API (1,223 operations) imports whole and the project compiles without warnings"
GH=$(mktemp -d)
"$TARGET/debug/cargo-mcp" mcp new github-api --path "$GH/github-api" --vcs none --runtime-path "$ROOT/runtime" \
  --from-openapi "$ROOT/../shared/fixtures/openapi/github/api.github.com.json" --max-tools 2000 --quiet
(cd "$GH/github-api" && CARGO_TARGET_DIR="$TARGET/github-check" RUSTFLAGS="-D warnings" timeout 1800 cargo check --quiet)
rm -rf "$GH"
echo "github: the generated project checks clean"
