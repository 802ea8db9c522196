# Guest helpers for datapath scenarios (sourced): veth ports in network namespaces.
#   port_ns NS IFACE IP/LEN MAC   — a namespace NS holding one end of a veth pair (IFACE, with
#                                   IP and MAC); the other end, "$IFACE-dp", stays in the initial
#                                   namespace, up, ready to be attached as a datapath port.
port_ns() {
  local ns=$1 ifc=$2 addr=$3 mac=$4
  ip netns add "$ns" 2>/dev/null || true
  ip link add "$ifc-dp" type veth peer name "$ifc" netns "$ns"
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

# Fail with a message.
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# expect_eq WHAT GOT WANT
expect_eq() {
  [ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"
}
