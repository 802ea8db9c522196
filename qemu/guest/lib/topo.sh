# Guest helpers for datapath scenarios (sourced): veth ports in network namespaces, counters.
# IPv6 is disabled on every interface made here so that no stray router solicitation or MLD
# report lands in a counter a scenario asserts exactly.

# port_ns NS IFACE IP/LEN MAC — a namespace NS holding one end of a veth pair (IFACE, with IP
# and MAC); the other end, "$IFACE-dp", stays in the initial namespace, up, ready to be attached
# as a datapath port.
port_ns() {
  local ns=$1 ifc=$2 addr=$3 mac=$4
  ip link del "$ifc-dp" 2>/dev/null || true
  ip netns add "$ns" 2>/dev/null || true
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip link add "$ifc-dp" type veth peer name "$ifc" netns "$ns"
  sysctl -qw "net.ipv6.conf.$ifc-dp.disable_ipv6=1"
  ip -n "$ns" link set "$ifc" address "$mac"
  ip -n "$ns" addr add "$addr" dev "$ifc"
  ip -n "$ns" link set "$ifc" up
  ip -n "$ns" link set lo up
  ip link set "$ifc-dp" up
}

# rx_count NS IFACE — frames IFACE in NS has received.
rx_count() {
  ip netns exec "$1" cat "/sys/class/net/$2/statistics/rx_packets"
}

# traffic NS IFACE ARGS... — raw UDP frames from IFACE in NS (see qemu/guest/lib/traffic.py).
traffic() {
  local ns=$1
  shift
  ip netns exec "$ns" python3 "$OFGROUP_REPO/qemu/guest/lib/traffic.py" "$@"
}

# group_field GROUP FIELD — one counter of `ofgroupctl dump-group-stats GROUP`: packet_count,
# byte_count, ref_count, or bucketN:packet_count / bucketN:byte_count.
group_field() {
  local line
  line=$(ofgroupctl dump-group-stats "group_id=$1")
  case $2 in
    bucket*) echo "$line" | grep -o "$2=[0-9]*" | head -n1 | cut -d= -f2 ;;
    *) echo "$line" | sed 's/,bucket.*//' | grep -o "$2=[0-9]*" | cut -d= -f2 ;;
  esac
}

# dp_field FIELD — hit / missed / lost from `ofgroupctl dump-dp`.
dp_field() {
  ofgroupctl dump-dp | grep -o "$1:[0-9]*" | cut -d: -f2
}

# Fail with a message.
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# expect_eq WHAT GOT WANT
expect_eq() {
  [ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"
  echo "ok: $1 = $3"
}

# cleanup_dp — remove flows, groups, veth pairs and namespaces a scenario made. Deleting a veth
# end deletes its peer at once (a deleted namespace would take its ends away asynchronously).
cleanup_dp() {
  ofgroupctl del-flows 2>/dev/null || true
  ofgroupctl del-groups 2>/dev/null || true
  ip -o link show type veth | sed -n 's/^[0-9]*: \([^@:]*\).*/\1/p' | while read -r d; do
    ip link del "$d" 2>/dev/null || true
  done
  for ns in $(ip netns list | cut -d' ' -f1); do ip netns del "$ns" || true; done
}

# dp_baseline — remember the datapath counters, so dp_delta can report what this scenario added
# (they are datapath-wide and survive earlier scenarios).
dp_baseline() {
  base_lost=$(dp_field lost) base_missed=$(dp_field missed)
}

# dp_delta FIELD — lost / missed since dp_baseline.
dp_delta() {
  local base_var="base_$1"
  echo $(($(dp_field "$1") - ${!base_var}))
}
