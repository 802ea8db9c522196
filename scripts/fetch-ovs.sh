#!/usr/bin/env bash
# Unpack Open vSwitch (Debian 12's openvswitch-switch, openvswitch-common and libxdp1) into the cache
# for `make bench-forward`, which runs ovsdb-server and ovs-vswitchd inside the VM as its
# openvswitch.ko peer. `apt-get download` + `dpkg-deb -x`: nothing is installed on the host, no
# service starts. Prints the unpacked root; does nothing when it is already there.
source "$(dirname "$0")/common.sh"

OVS="$CACHE/ovs"
ROOT="$OVS/root"
if [ -x "$ROOT/usr/lib/openvswitch-switch/ovs-vswitchd" ]; then echo "$ROOT"; exit 0; fi
PKGS=(openvswitch-switch openvswitch-common libxdp1)
mkdir -p "$OVS/debs"
log "fetching ${PKGS[*]} (unpacked into $ROOT, not installed)"
get() { (cd "$OVS/debs" && apt-get download -qq -o APT::Sandbox::User=root "${PKGS[@]}"); }
get || { apt-get update -qq || true; get; } || die "apt-get download ${PKGS[*]} failed"
tmp=$(mktemp -d "$OVS/unpack.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
for p in "${PKGS[@]}"; do
  deb=$(ls -t "$OVS"/debs/"${p}"_*.deb | head -n1)
  dpkg-deb -x "$deb" "$tmp"
done
rm -rf "$ROOT"
mv "$tmp" "$ROOT"
trap - EXIT
echo "$ROOT"
