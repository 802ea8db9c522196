# A container's root: an unprivileged user (nobody) in its own user + network namespace
# (`unshare -Urn`) has CAP_NET_ADMIN over that namespace only. There it builds a datapath (a
# veth pair as ports, a group, a flow) and forwards frames through it with ofgroupctl as is;
# in the initial namespace (a user namespace of its own, but no network namespace of its own)
# every change is refused with EPERM and a clear message, and reads work.
. "$OFGROUP_REPO/qemu/guest/lib/topo.sh"
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all -- "$@"; }
# ofgroupctl's own path (boot.sh's tmpfs copy is in a directory only root may enter).
ctl=$OFGROUP_REPO/rust/target/release/ofgroupctl
out=$(as_nobody unshare -Urn bash -e -c '
  ctl=$1 py=$2 traffic=$3
  ip link add p1 type veth peer name h1
  ip link add p2 type veth peer name h2
  for d in p1 p2 h1 h2; do ip link set $d addrgenmode none; ip link set $d up; done
  $ctl add-port p1 --port 1 >/dev/null
  $ctl add-port p2 --port 2 >/dev/null
  $ctl add-group "group_id=1,type=select,bucket=bucket_id:5,actions=output:2"
  $ctl add-flow "in_port=1,actions=group:1"
  $py "$traffic" h1 --dst-mac 50:54:00:00:00:99 --count 10 >/dev/null
  # /sys/class/net shows the namespace that mounted sysfs; /proc/net is our own.
  for ((i = 0; i < 100; i++)); do
    while read -r dev _ n _; do [ "$dev" = h2: ] && break; done </proc/net/dev
    [ "$n" -ge 10 ] && break
    sleep 0.1
  done
  echo "h2 received $n"
  $ctl dump-group-stats group_id=1
' _ "$ctl" "$PY" "$OFGROUP_REPO/qemu/guest/lib/traffic.py" 2>&1) || fail "nobody's own datapath: $out"
echo "$out"
[[ $out == *"h2 received 10"* ]] || fail "frames not forwarded in nobody's namespace: $out"
[[ $out == *"packet_count=10,"*"bucket0:packet_count=10,"* ]] || fail "counters: $out"
echo "ok: nobody built and ran a datapath in its own namespace"

# The initial namespace: owned by the initial user namespace, where nobody has no capability.
ofgroupctl del-groups group_id=77 2>/dev/null || true
before=$(ofgroupctl dump-groups)
refused "Error: Operation not permitted" as_nobody unshare -Ur "$ctl" add-group 'group_id=77,type=all,bucket=actions=output:1'
refused "Error: Operation not permitted" as_nobody unshare -Ur "$ctl" del-groups
refused "Error: Operation not permitted" as_nobody "$ctl" add-port lo
expect_eq "the initial namespace's groups" "$(ofgroupctl dump-groups)" "$before"
as_nobody unshare -Ur "$ctl" dump-groups >/dev/null || fail "reading the initial namespace's groups"
echo "ok: refused in the initial namespace, reads allowed"
