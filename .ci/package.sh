#!/usr/bin/env bash
# Both crates as crates.io would get them: `cargo package` each, unpack the .crate into
# a folder outside this workspace and build it there with nothing but the registry.
# Catches anything a crate reaches outside itself for (templates, assets, a path
# dependency) and metadata `cargo publish` would refuse.
# CI runs in a clean clone; locally, `ALLOW_DIRTY=1 .ci/package.sh` packs uncommitted work.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
DIRTY=()
[ "${ALLOW_DIRTY:-0}" = 1 ] && DIRTY=(--allow-dirty)
UNPACKED=$(mktemp -d)
# The unpacked CLI builds a `cargo-mcp` binary into the shared target folder; keep the
# workspace's (later steps run it, and it finds this checkout's runtime).
BIN=$TARGET/debug/cargo-mcp
SAVED=$UNPACKED/cargo-mcp.saved
[ -f "$BIN" ] && cp -p "$BIN" "$SAVED"
# (rm first: $BIN is a hard link into target/debug/deps, which must stay as built.)
restore() { if [ -f "$SAVED" ]; then rm -f "$BIN"; cp -p "$SAVED" "$BIN"; fi; rm -rf "$UNPACKED"; }
trap restore EXIT

for pkg in mcp-runtime cargo-mcp-cli; do
  version=$(cargo pkgid -p "$pkg" | sed 's/.*[@#]//')
  echo "== cargo package -p $pkg: $pkg-$version.crate"
  # --no-verify: the build below is the verification, outside the workspace.
  CARGO_TARGET_DIR=$TARGET cargo package -p "$pkg" --no-verify --quiet ${DIRTY[@]+"${DIRTY[@]}"}
  cargo package -p "$pkg" --list ${DIRTY[@]+"${DIRTY[@]}"} | sed 's/^/  /'
  tar -xzf "$TARGET/package/$pkg-$version.crate" -C "$UNPACKED"
  echo "== cargo build of the unpacked $pkg-$version (outside the workspace, its packed Cargo.lock)"
  # The workspace's dev profile (debug info), so registry dependencies already built are reused.
  (cd "$UNPACKED/$pkg-$version" && CARGO_TARGET_DIR=$TARGET CARGO_PROFILE_DEV_DEBUG=line-tables-only \
    cargo build --locked)
done
echo "== the unpacked CLI, which is no checkout, makes projects that take mcp-runtime from crates.io"
"$BIN" mcp new probe --path "$UNPACKED/probe" --vcs none --quiet
grep -x 'mcp-runtime = "[0-9.]*"' "$UNPACKED/probe/Cargo.toml"
echo "package: both crates pack and build on their own"
