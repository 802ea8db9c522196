# Guest helpers for the per-namespace datapath scenarios (sourced after topo.sh).

# ns_dp NS — a namespace NS with its own datapath: three veth pairs whose "p1".."p3" ends are
# in NS, attached to NS's datapath as ports 1..3, and whose "NS-h1".."NS-h3" ends stay in the
# initial namespace (a sender there reaches NS's datapath without a process inside NS, which
# would keep NS alive), all up, without IPv6. One `ip -batch` per side and one shell in NS.
ns_dp() {
  local ns=$1 i batch="" inner=""
  ip netns add "$ns" || fail "ip netns add $ns"
  for i in 1 2 3; do
    batch+="link add $ns-h$i type veth peer name p$i netns $ns"$'\n'
    batch+="link set $ns-h$i addrgenmode none"$'\n'"link set $ns-h$i up"$'\n'
    inner+="link set p$i addrgenmode none"$'\n'"link set p$i up"$'\n'
  done
  ip -batch - <<<"$batch" || fail "veths of $ns"
  ip -n "$ns" -batch - <<<"$inner"$'link set lo up\n' || fail "links in $ns"
  ip netns exec "$ns" sh -e -c 'for i in 1 2 3; do ofgroupctl add-port p$i --port $i >/dev/null; done' ||
    fail "ports of $ns"
}

# in_ns NS COMMAND... — COMMAND in NS (ip netns exec execs it: one process).
in_ns() {
  local ns=$1
  shift
  ip netns exec "$ns" "$@"
}

# rx_of IFACE — frames IFACE (in the initial namespace) has received.
rx_of() {
  local n
  read -r n <"/sys/class/net/$1/statistics/rx_packets" || fail "no $1"
  echo "$n"
}

# wait_rx IFACE N — wait (up to 30 s) until IFACE has received at least N frames.
wait_rx() {
  local i
  for ((i = 0; i < 300; i++)); do
    [ "$(rx_of "$1")" -ge "$2" ] && return 0
    sleep 0.1
  done
  fail "$1 received $(rx_of "$1") frames, want $2"
}
