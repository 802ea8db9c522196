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
# (new namespaces inherit it), so no stray router solicitation lands in a counter. What is already
# right is read from /proc and /sys with bash builtins and left alone: when the topology is there
# (every scenario after the first) this costs three ofgroupctl calls, not a dozen processes.
dp_topology() {
  local v want=1 t ns ifc addr mac no ports batch="" up=() missing=()
  for v in /proc/sys/net/core/devconf_inherit_init_net /proc/sys/net/ipv6/conf/{default,all}/disable_ipv6; do
    read -r v <"$v"
    [ "$v" = 1 ] || want=0
  done
  if [ $want = 0 ]; then
    sysctl -qw net.core.devconf_inherit_init_net=1 net.ipv6.conf.default.disable_ipv6=1 \
      net.ipv6.conf.all.disable_ipv6=1
  fi
  ofgroupctl del-flows
  ofgroupctl del-groups
  for t in "${TOPO[@]}"; do
    read -r ns ifc addr mac no <<<"$t"
    if [ ! -e "/sys/class/net/$ifc-dp" ]; then
      [ ! -e "/run/netns/$ns" ] || ip netns del "$ns" || true
      missing+=("$ns $ifc $addr $mac")
    fi
  done
  ((${#missing[@]} == 0)) || ports_ns "${missing[@]}" || fail "making ${missing[*]}"
  for t in "${TOPO[@]}"; do
    read -r ns ifc addr mac no <<<"$t"
    # "up" only when this end is up and has carrier, i.e. its peer in $ns is up too.
    read -r v <"/sys/class/net/$ifc-dp/operstate"
    if [ "$v" != up ]; then
      batch+="link set $ifc-dp up"$'\n'
      up+=("$ns $ifc")
    fi
  done
  [ -z "$batch" ] || ip -batch - <<<"$batch"
  for t in "${up[@]}"; do
    read -r ns ifc <<<"$t"
    ip -n "$ns" link set "$ifc" up
  done
  ports=$(ofgroupctl dump-ports)
  for t in "${TOPO[@]}"; do
    read -r ns ifc addr mac no <<<"$t"
    if [[ $ports != *"port $no: $ifc-dp "* ]]; then
      ofgroupctl del-port "$no" 2>/dev/null || true
      [ "$(ofgroupctl add-port "$ifc-dp" --port "$no")" = "$no" ] || fail "attach $ifc-dp as port $no"
    fi
  done
}

# ports_ns "NS IFACE IP/LEN MAC"... — for each, a namespace NS (made if missing; it inherits the
# initial namespace's IPv6 settings where net.core.devconf_inherit_init_net says so) holding one end
# of a veth pair, IFACE, with IP and MAC and no IPv6 link-local; the other end, "$IFACE-dp", stays
# in the initial namespace, up, ready to be attached as a datapath port. One `ip -batch` in the
# initial namespace and one per namespace, whatever the number of ports.
ports_ns() {
  local t ns ifc addr mac outer="" nss=()
  local -A inner=()
  for t in "$@"; do
    read -r ns ifc addr mac <<<"$t"
    if [ ! -e "/run/netns/$ns" ] && [ -z "${inner[$ns]+x}" ]; then outer+="netns add $ns"$'\n'; fi
    [ -n "${inner[$ns]+x}" ] || nss+=("$ns")
    outer+="link add $ifc-dp type veth peer name $ifc netns $ns"$'\n'
    outer+="link set $ifc-dp addrgenmode none"$'\n'"link set $ifc-dp up"$'\n'
    inner[$ns]+="link set $ifc addrgenmode none"$'\n'"link set $ifc address $mac"$'\n'
    inner[$ns]+="addr add $addr dev $ifc"$'\n'"link set $ifc up"$'\n'
  done
  ip -batch - <<<"$outer" || return
  for ns in "${nss[@]}"; do
    ip -n "$ns" -batch - <<<"${inner[$ns]}link set lo up" || return
  done
}

# rx_count NS IFACE — frames IFACE in NS has received. IFACE is a veth whose peer "$IFACE-dp" is
# in the initial namespace, and a veth's rx_packets is its peer's tx_packets (veth_get_stats64):
# read there with a builtin, it costs no `ip netns exec` and no process (seconds under TCG).
rx_count() {
  local n
  read -r n <"/sys/class/net/$2-dp/statistics/tx_packets" || fail "no $2-dp"
  echo "$n"
}

# wait_traffic NS IFACE — wait (up to 30 s) until IFACE in NS receives frames.
wait_traffic() {
  local before i
  before=$(rx_count "$1" "$2")
  for ((i = 0; i < 150; i++)); do
    sleep 0.2
    [ "$(rx_count "$1" "$2")" -gt "$before" ] && return 0
  done
  fail "no traffic reached $2 in $1"
}

# settle — wait until the datapath has forwarded what was sent (instead of a fixed `sleep 1`):
# until the frames sent by the "-dp" ends stop changing between two looks 0.1 s apart (at most
# 3 s). Frames a traffic generator handed to its veth are in the datapath's backlog by then.
settle() {
  local last="" now t i n
  for ((i = 0; i < 30; i++)); do
    now=""
    for t in "${TOPO[@]}"; do
      read -r _ t _ <<<"$t"
      n=0
      [ ! -e "/sys/class/net/$t-dp" ] || read -r n <"/sys/class/net/$t-dp/statistics/tx_packets"
      now+="$n "
    done
    [ "$now" = "$last" ] && return 0
    last=$now
    sleep 0.1
  done
}

# traffic NS IFACE ARGS... — raw UDP frames from IFACE in NS (see qemu/guest/lib/traffic.py).
traffic() {
  local ns=$1
  shift
  ip netns exec "$ns" "$PY" "$OFGROUP_REPO/qemu/guest/lib/traffic.py" "$@"
}

# traffic_bg NS IFACE ARGS... — traffic (as above) in the background; $gen holds the pid of the
# generator itself (ip netns exec execs it), so `kill -0 $gen` tells whether it still sends and
# `kill $gen` stops it — not just a subshell around it.
traffic_bg() {
  local ns=$1
  shift
  ip netns exec "$ns" "$PY" "$OFGROUP_REPO/qemu/guest/lib/traffic.py" "$@" >/dev/null &
  gen=$!
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

# wait_listening PID — wait (up to 30 s) until process PID, an `ofgroupctl monitor`, sleeps in
# recvfrom: it has joined the monitor group, its last step before it waits for notifications.
# (/proc/net/netlink cannot tell: its Groups column shows the first 32 multicast groups only, and
# generic netlink gives a new family's group a higher id.) 45 is recvfrom on x86_64.
wait_listening() {
  local i nr
  for ((i = 0; i < 300; i++)); do
    read -r nr _ <"/proc/$1/syscall" 2>/dev/null || fail "process $1 ended before it listened"
    [ "$nr" = 45 ] && return 0
    sleep 0.1
  done
  fail "process $1 never waited for notifications"
}

# Fail with a message.
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# refused [--exit N] [--like] WANT COMMAND... — COMMAND must exit 2 (or N) with WANT in its
# output (the kernel's extack, as ofgroupctl prints it on stderr); with --like, WANT is a glob the
# whole output must match ([[ ]] matches extended globs: write "*(" as "*[(]"). Commands are named by their first two words: the rest (a long group or
# flow) is in the message when it fails. Prints one "ok:" line.
refused() {
  local code=2 like=0 want out rc
  while :; do
    case $1 in
      --exit) code=$2; shift 2 ;;
      --like) like=1; shift ;;
      *) break ;;
    esac
  done
  want=$1
  shift
  out=$("$@" 2>&1) && fail "accepted: $*"
  rc=$?
  [ "$rc" = "$code" ] || fail "${*:1:2}: exit $rc, want $code ($out)"
  if [ $like = 1 ]; then
    # shellcheck disable=SC2053 # a glob on purpose
    [[ $out == $want ]] || fail "${*:1:2}: message '$out' does not match '$want'"
  else
    [[ $out == *"$want"* ]] || fail "${*:1:2}: message '$out' lacks '$want'"
  fi
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
