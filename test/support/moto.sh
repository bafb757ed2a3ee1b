#!/usr/bin/env bash
# moto server (S3 + Secrets Manager emulator) for the integration tests and .ci/run.
#
#   test/support/moto.sh install      fetch + unpack into the cache folder if missing, verify it imports
#   test/support/moto.sh start PORT   run moto server on 127.0.0.1:PORT in the foreground (manual use)
#   test/support/moto.sh path         print the folder moto is unpacked into
#
# How: Debian trixie's python3-moto (pure Python) plus its dependencies' bookworm .debs,
# fetched with `apt-get download` against a scratch sources.list / lists / cache (the system's apt
# configuration and package state are not changed, nothing is installed), unpacked with
# `dpkg-deb -x` into ${BATON_CACHE_DIR:-$HOME/.cache/baton-serverless}/moto, and run with Debian's
# /usr/bin/python3 (3.11) with PYTHONPATH pointing into that folder. Python runs with -S (no site):
# only the standard library and the unpacked folder are importable, so a package that happens to be
# installed on this machine cannot hide a missing dependency that a fresh machine would lack.
#
# Needs: Debian bookworm (or a system with apt-get, dpkg-deb and /usr/bin/python3 3.11), network to
# the Debian mirror this machine's apt sources name (debian-mirror.sh; $MOTO_DEBIAN_MIRROR or
# $DEBIAN_MIRROR override it) for the first install only.
set -euo pipefail

CACHE_ROOT="${BATON_CACHE_DIR:-${HOME:-/root}/.cache/baton-serverless}"
MOTO_DIR="$CACHE_ROOT/moto"
PYTHON="${MOTO_PYTHON:-/usr/bin/python3}"
# shellcheck source=debian-mirror.sh
source "$(dirname "${BASH_SOURCE[0]}")/debian-mirror.sh"

# Bump when the package set changes: an install with another stamp is redone.
MOTO_SUITE=trixie
MOTO_PKG=python3-moto
DEP_SUITE=bookworm
DEP_PKGS=(
  python3-boto3 python3-botocore python3-s3transfer python3-jmespath python3-urllib3
  python3-flask python3-flask-cors python3-werkzeug python3-jinja2 python3-markupsafe
  python3-itsdangerous python3-click python3-blinker
  python3-responses python3-requests python3-idna python3-certifi python3-charset-normalizer
  python3-chardet python3-dateutil python3-six python3-antlr4 python3-xmltodict python3-toml
  python3-yaml python3-cryptography python3-cffi-backend
)
STAMP="moto:$MOTO_SUITE:$MOTO_PKG deps:$DEP_SUITE:${DEP_PKGS[*]}"

log() { printf 'moto.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

site_dir() { printf '%s/usr/lib/python3/dist-packages' "$MOTO_DIR"; }

verify() {
  local dir="$1"
  PYTHONPATH="$dir/usr/lib/python3/dist-packages" PYTHONDONTWRITEBYTECODE=1 "$PYTHON" -S -c '
import moto, moto.server, moto.s3, moto.secretsmanager, cryptography.hazmat.primitives.hashes
from moto.server import main  # noqa: F401
print(moto.__version__)
'
}

is_installed() {
  [[ -f "$MOTO_DIR/.stamp" ]] && [[ "$(cat "$MOTO_DIR/.stamp")" == "$STAMP" ]]
}

install() {
  [[ -x "$PYTHON" ]] || die "$PYTHON not found: moto needs Debian's python3 (apt-get install python3-minimal)"
  command -v apt-get >/dev/null || die "apt-get not found (moto.sh needs a Debian system)"
  command -v dpkg-deb >/dev/null || die "dpkg-deb not found (moto.sh needs a Debian system)"
  mkdir -p "$CACHE_ROOT"

  # One installer at a time (tests and .ci/run may race); the loser finds it installed.
  exec 9>"$CACHE_ROOT/moto.lock"
  if command -v flock >/dev/null; then flock 9; fi

  local version
  if is_installed && version="$(verify "$MOTO_DIR" 2>/dev/null)"; then
    log "already installed in $MOTO_DIR (moto $version)"
    return 0
  fi
  log "installing moto into $MOTO_DIR"

  local mirror
  mirror="${MOTO_DEBIAN_MIRROR:-$(debian_mirror)}" || die "cannot tell which Debian mirror to use (see above)"

  local scratch
  scratch="$(mktemp -d "$CACHE_ROOT/moto.tmp.XXXXXX")"
  # shellcheck disable=SC2064
  trap "rm -rf '$scratch'" EXIT
  mkdir -p "$scratch/apt/lists/partial" "$scratch/apt/cache/archives/partial" \
    "$scratch/apt/sources.list.d" "$scratch/apt/preferences.d" "$scratch/debs" "$scratch/root"
  cat >"$scratch/apt/sources.list" <<EOF
deb $mirror $MOTO_SUITE main
deb $mirror $DEP_SUITE main
EOF
  # apt drops privileges to _apt for downloads when run as root: let it write the scratch dirs.
  if [[ "$(id -u)" == 0 ]] && id _apt >/dev/null 2>&1; then
    chown -R _apt "$scratch/apt" "$scratch/debs"
    chmod 755 "$scratch"
  fi
  local apt_opts=(
    -q
    -o "Dir::Etc::SourceList=$scratch/apt/sources.list"
    -o "Dir::Etc::SourceParts=$scratch/apt/sources.list.d"
    -o "Dir::Etc::Preferences=$scratch/apt/preferences"
    -o "Dir::Etc::PreferencesParts=$scratch/apt/preferences.d"
    -o "Dir::State::Lists=$scratch/apt/lists"
    -o "Dir::Cache=$scratch/apt/cache"
    -o "APT::Update::Post-Invoke-Success::="
    -o "Acquire::Languages=none"
  )
  apt-get "${apt_opts[@]}" update >"$scratch/update.log" 2>&1 ||
    { cat "$scratch/update.log" >&2; die "apt-get update (scratch lists for $MOTO_SUITE + $DEP_SUITE) failed"; }

  local want=("$MOTO_PKG/$MOTO_SUITE")
  local p
  for p in "${DEP_PKGS[@]}"; do want+=("$p/$DEP_SUITE"); done
  (cd "$scratch/debs" && apt-get "${apt_opts[@]}" download "${want[@]}") >"$scratch/download.log" 2>&1 ||
    { cat "$scratch/download.log" >&2; die "apt-get download failed"; }

  local deb n=0
  for deb in "$scratch"/debs/*.deb; do
    dpkg-deb -x "$deb" "$scratch/root"
    n=$((n + 1))
  done
  [[ "$n" -eq "${#want[@]}" ]] || die "expected ${#want[@]} .debs, got $n"
  ( cd "$scratch/debs" && ls ) >"$scratch/root/.debs"

  # Byte-compile once so every start does not recompile (the folder is read-only in use).
  "$PYTHON" -S -m compileall -q -j 0 "$scratch/root/usr/lib/python3/dist-packages" >/dev/null 2>&1 || true
  version="$(verify "$scratch/root")" || die "unpacked moto does not import with $PYTHON (see above)"
  printf '%s' "$STAMP" >"$scratch/root/.stamp"

  rm -rf "$MOTO_DIR.old"
  [[ -e "$MOTO_DIR" ]] && mv "$MOTO_DIR" "$MOTO_DIR.old"
  mv "$scratch/root" "$MOTO_DIR"
  rm -rf "$MOTO_DIR.old"
  log "installed moto $version ($n packages) in $MOTO_DIR"
}

# This script's current parent pid, from /proc (field 4 of stat, after the "(comm)" field).
parent_pid() {
  local stat
  stat="$(cat /proc/$$/stat 2>/dev/null)" || { echo "$PPID"; return; }
  stat="${stat##*) }"
  set -- $stat
  echo "$2"
}

start() {
  local port="${1:-}"
  [[ "$port" =~ ^[0-9]+$ ]] || die "usage: moto.sh start PORT"
  is_installed || die "moto is not installed in $MOTO_DIR: run test/support/moto.sh install"
  local cmd=("$PYTHON" -S -m moto.server -H 127.0.0.1 -p "$port")
  if [[ -z "${MOTO_PARENT_PID:-}" ]]; then
    PYTHONPATH="$(site_dir)" PYTHONDONTWRITEBYTECODE=1 exec "${cmd[@]}"
  fi
  # MOTO_PARENT_PID (set by test/support/moto.ts): stop the server when that process is gone, so a
  # test runner killed with SIGKILL leaves no server behind. SIGTERM/SIGINT stop it too.
  PYTHONPATH="$(site_dir)" PYTHONDONTWRITEBYTECODE=1 "${cmd[@]}" &
  local pid=$!
  trap 'kill "$pid" 2>/dev/null; wait "$pid"; exit 0' TERM INT
  while kill -0 "$pid" 2>/dev/null; do
    # Reparented (to init or a subreaper) = the parent died; kill -0 alone would miss an unreaped zombie.
    if [[ "$(parent_pid)" != "$MOTO_PARENT_PID" ]] || ! kill -0 "$MOTO_PARENT_PID" 2>/dev/null; then
      kill "$pid" 2>/dev/null
      break
    fi
    sleep 1 &
    wait $! || true
  done
  wait "$pid"
}

case "${1:-}" in
  install) install ;;
  start) shift; start "$@" ;;
  path) printf '%s\n' "$MOTO_DIR" ;;
  *) die "usage: moto.sh install | start PORT | path" ;;
esac
