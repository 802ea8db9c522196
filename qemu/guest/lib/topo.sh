# Guest helpers for the datapath scenarios (sourced). Every process costs about a second under
# TCG, so the topology is built once with a few `ip -batch` calls and reused by the scenarios that
# follow, and counters are parsed with bash builtins rather than grep/sed/cut.

# The system Python: a version manager's shim on PATH costs seconds per start under emulation.
PY=/usr/bin/python3

# The standard topology: namespace, interface (its peer "$IFACE-dp" stays in the initial
# namespace and becomes the port), address, MAC, port number.
TOPO=(
  "client c0 10.0.0.1/24 50:54:00:00:00:05 1"
  "s1 s1 10.0.0.2/24 50:54:00:00:00:06 2"
  "s2 s2 10.0.0.3/24 50:54:00:00:00:07 3"
  "s10 s10 10.0.0.10/24 50:54:00:00:00:0a 10"
)

# dp_topology — make sure the standard topology exists, with every "-dp" end up and attached as
# its port, and that no flow or group is left from an earlier scenario. IPv6 is off everywhere
# (new namespaces inherit it), so no stray router solicitation lands in a counter.
dp_topology() {
  sysctl -qw net.core.devconf_inherit_init_net=1 net.ipv6.conf.default.disable_ipv6=1 \
    net.ipv6.conf.all.disable_ipv6=1
  ofgroupctl del-flows
  ofgroupctl del-groups
  local links ports batch="" t ns ifc addr mac no
  links=$(ip -o link show)
  ports=$(ofgroupctl dump-ports)
  for t in "${TOPO[@]}"; do
    read -r ns ifc addr mac no <<<"$t"
    if [[ $links != *" $ifc-dp@"* ]]; then
      ip netns del "$ns" 2>/dev/null || true
      port_ns "$ns" "$ifc" "$addr" "$mac" || fail "making $ifc in $ns"
    fi
    batch+="link set $ifc-dp addrgenmode none"$'\n'"link set $ifc-dp up"$'\n'
  done
  ip -batch - <<<"$batch"
  for t in "${TOPO[@]}"; do
    read -r ns ifc addr mac no <<<"$t"
    ip -n "$ns" link set "$ifc" up
    if [[ $ports != *"port $no: $ifc-dp "* ]]; then
      ofgroupctl del-port "$no" 2>/dev/null || true
      [ "$(ofgroupctl add-port "$ifc-dp" --port "$no")" = "$no" ] || fail "attach $ifc-dp as port $no"
    fi
  done
}

# port_ns NS IFACE IP/LEN MAC — a namespace NS (made if missing) holding one end of a veth pair
# (IFACE, with IP and MAC, no IPv6 link-local); the other end, "$IFACE-dp", stays in the initial
# namespace, up, ready to be attached as a datapath port.
port_ns() {
  local ns=$1 ifc=$2 addr=$3 mac=$4
  if ip netns add "$ns" 2>/dev/null; then
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
      net.ipv6.conf.default.disable_ipv6=1
  fi
  ip link add "$ifc-dp" type veth peer name "$ifc" netns "$ns" || return
  ip -n "$ns" -batch - <<EOB || return
link set $ifc addrgenmode none
link set $ifc address $mac
addr add $addr dev $ifc
link set $ifc up
link set lo up
EOB
  ip -batch - <<EOB
link set $ifc-dp addrgenmode none
link set $ifc-dp up
EOB
}

# rx_count NS IFACE — frames IFACE in NS has received.
rx_count() {
  ip netns exec "$1" cat "/sys/class/net/$2/statistics/rx_packets"
}

# wait_traffic NS IFACE — wait (up to 30 s) until IFACE in NS receives frames.
wait_traffic() {
  local before now i
  before=$(rx_count "$1" "$2")
  for i in $(seq 30); do
    sleep 1
    now=$(rx_count "$1" "$2")
    [ "$now" -gt "$before" ] && return 0
  done
  fail "no traffic reached $2 in $1"
}

# traffic NS IFACE ARGS... — raw UDP frames from IFACE in NS (see qemu/guest/lib/traffic.py).
traffic() {
  local ns=$1
  shift
  ip netns exec "$ns" "$PY" "$OFGROUP_REPO/qemu/guest/lib/traffic.py" "$@"
}

# group_field GROUP FIELD — one counter of `ofgroupctl dump-group-stats GROUP`: packet_count,
# byte_count, ref_count, or bucketN:packet_count / bucketN:byte_count.
group_field() {
  local line
  line=$(ofgroupctl dump-group-stats "group_id=$1")
  case $2 in
    bucket*) line=${line#*"$2="} ;;
    *) line=${line%%,bucket*} line=${line#*",$2="} ;;
  esac
  echo "${line%%[!0-9]*}"
}

# dp_field FIELD — hit / missed / lost / flows / ports from `ofgroupctl dump-dp`.
dp_field() {
  local out
  out=$(ofgroupctl dump-dp)
  if [[ $out =~ $1[:\ ]+([0-9]+) ]]; then echo "${BASH_REMATCH[1]}"; fi
}

# Fail with a message.
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# refused WANT-IN-MESSAGE COMMAND... — COMMAND must exit 2 with WANT in its message (the
# kernel's extack, as ofgroupctl prints it). Commands are named by their first two words: the
# rest (a long group or flow) is in the message when it fails.
refused() {
  local want=$1 out rc
  shift
  out=$("$@" 2>&1) && fail "accepted: $*"
  rc=$?
  [ "$rc" = 2 ] || fail "${*:1:2}: exit $rc, want 2 ($out)"
  [[ $out == *"$want"* ]] || fail "${*:1:2}: message '$out' lacks '$want'"
  echo "ok: refused: ${*:1:2} -> $out"
}

# expect_eq WHAT GOT WANT
expect_eq() {
  [ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"
  echo "ok: $1 = $3"
}

# dp_baseline — remember the datapath counters, so dp_delta can report what this scenario added
# (they are datapath-wide and survive earlier scenarios).
dp_baseline() {
  local out
  out=$(ofgroupctl dump-dp)
  [[ $out =~ missed:([0-9]+)\ lost:([0-9]+) ]] || fail "dump-dp: $out"
  base_missed=${BASH_REMATCH[1]} base_lost=${BASH_REMATCH[2]}
}

# dp_delta FIELD — lost / missed since dp_baseline.
dp_delta() {
  local base_var="base_$1"
  echo $(($(dp_field "$1") - ${!base_var}))
}
