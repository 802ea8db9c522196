#!/usr/bin/env bash
# Idempotent host setup: Debian packages, Rust pieces, virtme-ng, Linux 7.3 source.
# Every step checks first and does nothing when already satisfied.
source "$(dirname "$0")/common.sh"

DEB_PKGS=(
  clang-19 lld-19 llvm-19 libclang-19-dev   # Rust-for-Linux needs LLVM >= 17; LLVM=-19
  make flex bison bc cpio rsync kmod xz-utils # kernel build (rsync: module variants)
  binutils                                  # readelf: make test checks what the shipped module holds
  libelf-dev libssl-dev dwarves             # objtool, signing, pahole
  qemu-system-x86                           # VM (TCG)
  python3 python3-venv python3-yaml         # virtme-ng venv, kunit.py, ynl cli.py
  iproute2 iputils-ping busybox-static ethtool # guest tools (host root is the guest root; no udev:
                                            # virtme-ng-init skips it, and its coldplug costs ~50 s under TCG)
)

missing=()
for p in "${DEB_PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  log "installing Debian packages: ${missing[*]}"
  [ "$(id -u)" = 0 ] || die "need root to install: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || true
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

command -v rustup >/dev/null || die "rustup not found: install Rust with rustup first"
if ! rustup component list --installed 2>/dev/null | grep -q '^rust-src'; then
  log "rustup component add rust-src"
  rustup component add rust-src
fi

if [ "$(bindgen --version 2>/dev/null | awk '{print $2}')" != "$BINDGEN_VERSION" ]; then
  log "cargo install bindgen-cli@$BINDGEN_VERSION"
  cargo install --locked --quiet "bindgen-cli@$BINDGEN_VERSION"
fi

if [ "$("$VENV/bin/vng" --version 2>/dev/null | awk '{print $NF}')" != "$VIRTME_NG_VERSION" ]; then
  log "virtme-ng $VIRTME_NG_VERSION into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "virtme-ng==$VIRTME_NG_VERSION"
fi

"$(dirname "$0")/fetch-kernel.sh"
# Open vSwitch for bench-forward's openvswitch.ko peer: unpacked in the cache, never installed.
"$(dirname "$0")/fetch-ovs.sh" >/dev/null || log "Open vSwitch not unpacked: make bench-forward will skip its peer"
