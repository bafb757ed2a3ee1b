# shellcheck shell=bash
# Sourced by moto.sh and arm64.sh: the Debian mirror this machine's apt already uses, so the repo
# names no mirror host and a machine behind its own mirror (or a snapshot) keeps using it.
#
#   debian_mirror   prints the base URI (e.g. http://<host>/debian) or fails with a message
#
# Read: /etc/apt/sources.list, /etc/apt/sources.list.d/*.list (one-line format) and
# /etc/apt/sources.list.d/*.sources (deb822). The chosen entry is a `deb` source (not deb-src) for
# this system's own codename (VERSION_CODENAME of /etc/os-release) with the `main` component,
# which excludes security/updates entries and third-party repositories. $DEBIAN_MIRROR overrides.
# $APT_ETC (default /etc/apt) and $OS_RELEASE exist so the parsing can be tested on sample files.

debian_mirror() {
  if [[ -n "${DEBIAN_MIRROR:-}" ]]; then
    printf '%s\n' "${DEBIAN_MIRROR%/}"
    return 0
  fi
  local etc="${APT_ETC:-/etc/apt}" os_release="${OS_RELEASE:-/etc/os-release}" codename=""
  if [[ -r "$os_release" ]]; then
    codename="$(sed -n 's/^VERSION_CODENAME=//p' "$os_release" | tr -d '"' | head -n1)"
  fi
  if [[ -z "$codename" ]]; then
    printf 'debian-mirror: no VERSION_CODENAME in %s; set DEBIAN_MIRROR=<base URI of a Debian mirror>\n' "$os_release" >&2
    return 1
  fi

  local files=() f
  [[ -r "$etc/sources.list" ]] && files+=("$etc/sources.list")
  for f in "$etc"/sources.list.d/*.list "$etc"/sources.list.d/*.sources; do
    [[ -r "$f" ]] && files+=("$f")
  done

  local uri=""
  for f in "${files[@]}"; do
    if [[ "$f" == *.sources ]]; then
      uri="$(_deb822_mirror "$f" "$codename")"
    else
      uri="$(_one_line_mirror "$f" "$codename")"
    fi
    [[ -n "$uri" ]] && break
  done
  if [[ -z "$uri" ]]; then
    printf 'debian-mirror: no `deb` source for suite %s with component main in %s; set DEBIAN_MIRROR=<base URI of a Debian mirror>\n' \
      "$codename" "${files[*]:-$etc (no source files)}" >&2
    return 1
  fi
  printf '%s\n' "${uri%/}"
}

# `deb [opt=val ...] URI SUITE COMPONENT...`; http(s) only (apt-get download needs a network URI).
_one_line_mirror() {
  awk -v want="$1" -v codename="$2" '
    { sub(/#.*/, "") }
    $1 != "deb" { next }
    {
      i = 2
      if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
      uri = $i; suite = $(i + 1); main = 0
      for (j = i + 2; j <= NF; j++) if ($j == "main") main = 1
      if (suite == codename && main && uri ~ /^https?:\/\//) { print uri; exit }
    }' "$1" 2>/dev/null
}

# deb822 paragraphs: Types / URIs / Suites / Components / Enabled; blank lines separate them.
_deb822_mirror() {
  awk -v codename="$2" '
    function flush() {
      if (types ~ /(^| )deb( |$)/ && enabled != "no" && (" " suites " ") ~ (" " codename " ") && (" " comps " ") ~ / main /) {
        n = split(uris, u, " ")
        for (k = 1; k <= n; k++) if (u[k] ~ /^https?:\/\//) { print u[k]; found = 1; exit }
      }
      types = uris = suites = comps = enabled = ""
    }
    /^[ \t]*#/ { next }
    /^[ \t]*$/ { flush(); next }
    {
      line = $0
      key = tolower(line); sub(/:.*/, "", key)
      val = line; sub(/^[^:]*:[ \t]*/, "", val); gsub(/[ \t]+/, " ", val)
      if (key == "types") types = val
      else if (key == "uris") uris = val
      else if (key == "suites") suites = val
      else if (key == "components") comps = val
      else if (key == "enabled") enabled = tolower(val)
    }
    END { if (!found) flush() }' "$1" 2>/dev/null
}
