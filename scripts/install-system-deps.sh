#!/usr/bin/env bash
# Installs the system packages the tests need, on Debian/Ubuntu as root with apt; run by `pnpm test` and .ci/run.
#   chromium              the browser tests (headless, through playwright-core; CHROMIUM_PATH may name another one)
#   libvulkan1 + Mesa's   the WebGPU tests in Node: Dawn needs a Vulkan adapter, lavapipe is one in software; Dawn
#   mesa-vulkan-drivers   refuses Mesa 22's, so Debian 12 takes it from bookworm-backports (the configured mirror)
#   ffmpeg                video decoding and encoding for tests and scripts (scripts/make-fixtures.mjs)
#   postgresql            a throwaway PostgreSQL 15 (pg_virtualenv) for the gallery store test without pgvector
# Does nothing (and runs no apt-get update) when all are present. Where it cannot install (not root, no apt, another
# OS) it stops with one message naming what to install.
set -euo pipefail

MIN_MESA=24 # Dawn refuses the lavapipe of bookworm's Mesa 22.3; 25.0 (bookworm-backports) is what CI runs. 24 is assumed.
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
apt_quiet=(-qq -o DPkg::Lock::Timeout=300)

mesa_version() { dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null || true; }
have_lavapipe() {
  compgen -G '/usr/share/vulkan/icd.d/lvp_icd*.json' >/dev/null || return 1
  # Without dpkg (another distribution) the driver file is all there is to check.
  command -v dpkg-query >/dev/null || return 0
  local v
  v=$(mesa_version)
  [ -n "$v" ] && dpkg --compare-versions "$v" ge "$MIN_MESA"
}
have_vulkan_loader() { compgen -G '/usr/lib/*/libvulkan.so.1' >/dev/null || compgen -G '/usr/lib*/libvulkan.so.1' >/dev/null; }

missing=() # what a person should install, in words
packages=() # the apt packages for it
check() {
  missing=()
  packages=()
  [ -x "$CHROMIUM" ] || { missing+=("Chromium ($CHROMIUM)"); packages+=(chromium); }
  command -v ffmpeg >/dev/null || { missing+=("ffmpeg"); packages+=(ffmpeg); }
  have_vulkan_loader || { missing+=("the Vulkan loader (libvulkan1)"); packages+=(libvulkan1); }
  have_lavapipe || { missing+=("Mesa >= $MIN_MESA's lavapipe Vulkan driver (mesa-vulkan-drivers)"); packages+=(mesa-vulkan-drivers); }
  { command -v pg_virtualenv >/dev/null && compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null; } || { missing+=("PostgreSQL (pg_virtualenv and a server)"); packages+=(postgresql); }
}

# One message, then exit 1.
give_up() {
  local list="" item
  for item in "${missing[@]}"; do list="${list:+$list, }$item"; done
  local backports=""
  [[ " ${packages[*]} " != *" mesa-vulkan-drivers "* ]] || backports=" (on Debian 12: apt-get install -t bookworm-backports mesa-vulkan-drivers)"
  echo "install-system-deps: the tests need ${list}; $1. Install them with your package manager (Debian/Ubuntu: apt-get install ${packages[*]}${backports}); CHROMIUM_PATH may name a Chromium installed elsewhere." >&2
  exit 1
}

check
if [ ${#missing[@]} -eq 0 ]; then
  mesa=$(mesa_version)
  echo "install-system-deps: Chromium, ffmpeg, PostgreSQL, the Vulkan loader and lavapipe${mesa:+ (Mesa $mesa)} are installed"
  exit 0
fi

[ "$(uname -s)" = Linux ] || give_up "this script installs them only on Linux, with apt"
command -v apt-get >/dev/null && command -v dpkg-query >/dev/null || give_up "this script installs them only with apt (Debian/Ubuntu)"
[ "$(id -u)" -eq 0 ] || give_up "installing them needs root: sudo bash scripts/install-system-deps.sh"

# shellcheck disable=SC1091
. /etc/os-release
export DEBIAN_FRONTEND=noninteractive
apt-get update "${apt_quiet[@]}"

candidate() { apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ {print $2}'; }

# Debian's own backports have a new enough Mesa when the release's is too old (Debian 12). The suite is added with
# the mirror this machine already uses.
mesa_target=()
if [[ " ${packages[*]} " == *" mesa-vulkan-drivers "* ]]; then
  mesa=$(candidate mesa-vulkan-drivers)
  if [ "${ID:-}" = debian ] && [ -n "${VERSION_CODENAME:-}" ] && { [ -z "$mesa" ] || [ "$mesa" = '(none)' ] || dpkg --compare-versions "$mesa" lt "$MIN_MESA"; }; then
    backports="${VERSION_CODENAME}-backports"
    if ! grep -rqsE "^[^#]*[[:space:]]${backports}([[:space:]]|\$)" /etc/apt/sources.list /etc/apt/sources.list.d/; then
      uri=$(grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}' | grep -v security | head -1 || true)
      [ -n "$uri" ] || uri=$(grep -hs '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list | sed 's/\[[^]]*\]//' | awk '{print $2}' | grep -v security | head -1 || true)
      [ -n "$uri" ] || give_up "no Debian mirror is configured in /etc/apt to add $backports from"
      echo "deb $uri $backports main" > /etc/apt/sources.list.d/facerec-backports.list
      apt-get update "${apt_quiet[@]}"
    fi
    mesa_target=(-t "$backports")
  fi
fi

if [[ " ${packages[*]} " == *" chromium "* ]] && { [ -z "$(candidate chromium)" ] || [ "$(candidate chromium)" = '(none)' ]; }; then
  give_up "apt has no chromium package here (Ubuntu ships Chromium as a snap)"
fi

others=()
for p in "${packages[@]}"; do [ "$p" = mesa-vulkan-drivers ] || others+=("$p"); done
if [ ${#others[@]} -gt 0 ]; then apt-get install -y "${apt_quiet[@]}" "${others[@]}" >/dev/null; fi
if [[ " ${packages[*]} " == *" mesa-vulkan-drivers "* ]]; then
  apt-get install -y "${apt_quiet[@]}" "${mesa_target[@]}" mesa-vulkan-drivers >/dev/null
fi

installed="${packages[*]}"
check
[ ${#missing[@]} -eq 0 ] || give_up "apt-get install did not provide them"
echo "install-system-deps: installed ${installed}; Mesa $(mesa_version)"
