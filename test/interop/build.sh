#!/usr/bin/env bash
# Builds the Go interop tools the vitest interop test runs (test/interop/README.md).
#
#   test/interop/build.sh          build ./interop (baton-sdk's dotc1z reader/writer) if stale; print its path
#   test/interop/build.sh baton    build the baton CLI (baton-sdk's cmd/baton at the version go.mod pins) if stale; print its path
#   test/interop/build.sh all      both (what .ci/run calls before the tests)
#
# Binaries go to ${BATON_CACHE_DIR:-$HOME/.cache/baton-serverless}/interop/. Each is rebuilt when
# go.mod, go.sum, a .go file or the Go version changes (a stamp of their hashes).
# Exit status: 0 built/cached, 3 no Go toolchain, 4 a module could not be downloaded (the reason
# is on stderr), 1 anything else (a compile error, ...).
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
CACHE_ROOT="${BATON_CACHE_DIR:-${HOME:-/root}/.cache/baton-serverless}"
OUT_DIR="$CACHE_ROOT/interop"
# The baton CLI lives in baton-sdk (cmd/baton): built from the module graph go.mod pins, so the CLI
# and the interop tool read files with the same SDK version.
BATON_PACKAGE=github.com/conductorone/baton-sdk/cmd/baton

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

# build NAME PACKAGE: `go build` PACKAGE inside the module into $OUT_DIR/NAME unless its stamp is current.
build() {
  local name="$1" package="$2" stamp bin="$OUT_DIR/$1"
  stamp="$(
    cd "$HERE"
    printf '%s\n' "$package"
    "$GO_BIN" version
    printf 'CGO_ENABLED=%s\n' "${CGO_ENABLED:-}"
    sha256sum go.mod go.sum ./*.go
  )"
  stamp="$(printf '%s' "$stamp" | sha256sum | cut -c1-64)"
  if [[ -x "$bin" && -f "$bin.stamp" && "$(cat "$bin.stamp")" == "$stamp" ]]; then
    printf '%s\n' "$bin"
    return 0
  fi
  log "building $bin from $package (the first build downloads baton-sdk's modules and compiles SQLite in Go: minutes)"
  local tmp logfile
  tmp="$(mktemp "$OUT_DIR/$name.tmp.XXXXXX")"
  logfile="$(mktemp "$OUT_DIR/build.log.XXXXXX")"
  if ! (cd "$HERE" && "$GO_BIN" build -o "$tmp" "$package") >"$logfile" 2>&1; then
    rm -f "$tmp"
    classify_failure "$logfile" "go build $package (test/interop)"
  fi
  rm -f "$logfile"
  mv -f "$tmp" "$bin"
  printf '%s' "$stamp" >"$bin.stamp"
  printf '%s\n' "$bin"
}

case "${1:-tool}" in
  tool) build interop . ;;
  baton) build baton "$BATON_PACKAGE" ;;
  all) build interop . && build baton "$BATON_PACKAGE" ;;
  *) log "usage: build.sh [tool|baton|all]"; exit 2 ;;
esac
