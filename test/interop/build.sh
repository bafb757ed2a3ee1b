#!/usr/bin/env bash
# Builds the Go interop tools the vitest interop test runs (test/interop/README.md).
#
#   test/interop/build.sh          build ./interop (baton-sdk's dotc1z reader/writer) if stale; print its path
#   test/interop/build.sh baton    `go install` the baton CLI at $BATON_CLI_VERSION; print its path
#
# Binaries go to ${BATON_CACHE_DIR:-$HOME/.cache/baton-serverless}/interop/. The tool is rebuilt
# when go.mod, go.sum, a .go file or the Go version changes (a stamp of their hashes).
# Exit status: 0 built/cached, 3 no Go toolchain, 4 a module could not be downloaded (the reason
# is on stderr), 1 anything else (a compile error, ...).
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
CACHE_ROOT="${BATON_CACHE_DIR:-${HOME:-/root}/.cache/baton-serverless}"
OUT_DIR="$CACHE_ROOT/interop"
# The newest baton CLI release known to us (tag v0.4.3, built on baton-sdk v0.7.27).
BATON_CLI_VERSION="${BATON_CLI_VERSION:-v0.4.3}"

log() { printf 'interop/build.sh: %s\n' "$*" >&2; }

find_go() {
  if [[ -n "${GO:-}" ]]; then [[ -f "$GO" && -x "$GO" ]] && printf '%s' "$GO"; return; fi
  if command -v go >/dev/null; then command -v go; return; fi
  if [[ -x /usr/local/go/bin/go ]]; then printf '/usr/local/go/bin/go'; return; fi
  return 1
}

GO_BIN="$(find_go)" || { log "no Go toolchain: install Go >= 1.25 (go on PATH, /usr/local/go/bin/go, or \$GO)"; exit 3; }
mkdir -p "$OUT_DIR"

# -mod=readonly: a go.sum that does not cover the build is an error, never a silent edit.
export GOFLAGS="-mod=readonly -buildvcs=false"
# DataDog/zstd (pulled in by baton-sdk) is cgo-only; without a C compiler the build would fail late.
if [[ -z "${CGO_ENABLED:-}" ]] && ! command -v cc >/dev/null && ! command -v gcc >/dev/null; then
  export CGO_ENABLED=0
fi

# One builder at a time: vitest workers and .ci/run may race; the loser finds the result.
exec 9>"$OUT_DIR/build.lock"
if command -v flock >/dev/null; then flock 9; fi

classify_failure() {
  local logfile="$1" what="$2" text
  text="$(cat "$logfile")"
  printf '%s\n' "$text" >&2
  rm -f "$logfile"
  if printf '%s' "$text" | grep -qE '403 Forbidden|404 Not Found|not available|dial tcp|no such host|i/o timeout|TLS handshake|connection refused'; then
    log "$what: a module could not be downloaded (see above)"
    exit 4
  fi
  log "$what failed (see above)"
  exit 1
}

build_tool() {
  local stamp bin="$OUT_DIR/interop"
  stamp="$(
    cd "$HERE"
    "$GO_BIN" version
    printf 'CGO_ENABLED=%s\n' "${CGO_ENABLED:-}"
    sha256sum go.mod go.sum ./*.go
  )"
  stamp="$(printf '%s' "$stamp" | sha256sum | cut -c1-64)"
  if [[ -x "$bin" && -f "$bin.stamp" && "$(cat "$bin.stamp")" == "$stamp" ]]; then
    printf '%s\n' "$bin"
    return 0
  fi
  log "building $bin (the first build downloads baton-sdk's modules and compiles SQLite in Go: minutes)"
  local tmp logfile
  tmp="$(mktemp "$OUT_DIR/interop.tmp.XXXXXX")"
  logfile="$(mktemp "$OUT_DIR/build.log.XXXXXX")"
  if ! (cd "$HERE" && "$GO_BIN" build -o "$tmp" .) >"$logfile" 2>&1; then
    rm -f "$tmp"
    classify_failure "$logfile" "go build (test/interop)"
  fi
  rm -f "$logfile"
  mv -f "$tmp" "$bin"
  printf '%s' "$stamp" >"$bin.stamp"
  printf '%s\n' "$bin"
}

install_baton() {
  local dir="$OUT_DIR/baton-$BATON_CLI_VERSION"
  if [[ -x "$dir/baton" ]]; then
    printf '%s\n' "$dir/baton"
    return 0
  fi
  log "installing github.com/conductorone/baton/cmd/baton@$BATON_CLI_VERSION into $dir"
  local logfile
  logfile="$(mktemp "$OUT_DIR/baton.log.XXXXXX")"
  mkdir -p "$dir"
  # Outside the interop module: `go install pkg@version` builds with baton's own go.mod.
  if ! (cd "$OUT_DIR" && GOFLAGS=-buildvcs=false GOBIN="$dir" "$GO_BIN" install "github.com/conductorone/baton/cmd/baton@$BATON_CLI_VERSION") >"$logfile" 2>&1; then
    rmdir "$dir" 2>/dev/null || true
    classify_failure "$logfile" "go install github.com/conductorone/baton/cmd/baton@$BATON_CLI_VERSION"
  fi
  rm -f "$logfile"
  printf '%s\n' "$dir/baton"
}

case "${1:-tool}" in
  tool) build_tool ;;
  baton) install_baton ;;
  baton-version) printf '%s\n' "$BATON_CLI_VERSION" ;;
  *) log "usage: build.sh [tool|baton|baton-version]"; exit 2 ;;
esac
