#!/usr/bin/env bash
# Guest side of `make bench-forward`: forwarding rate of 60-byte frames from pktgen through each
# path, all on the same veths in one VM run, a warm-up pass before every timed pass.
#   bench-forward.sh OUT FRAMES OVS_ROOT ABLATE_DIR
# OUT: results, one line per measurement (read by scripts/bench-forward-report.py on the host):
#   rate LABEL SENT DELIVERED USEC     frames forwarded per second = DELIVERED / USEC
#   fail LABEL SENT DELIVERED LOST     a failover run
#   note TEXT
# OVS_ROOT: unpacked Debian openvswitch packages ("" or missing: no Open vSwitch peer).
# ABLATE_DIR: holds <variant>/ofgroup.ko for nocount, noclassify, parseonly ("" : no ablations).
#
# Topology, all in the initial namespace: pktgen sends on `src`; its peer `src-dp` is the input of
# every path (ofgroup port 1, OVS port 1, bridge port, tc ingress). Outputs o1-dp..o8-dp (ports
# 2..9) whose peers o1..o8 are the sinks: the frames' destination MAC is nobody's, so each sink's
# stack drops them at once; what a sink's veth counts as received is what the path delivered.
set -u
out=$1 frames=$2 ovs_root=${3:-} ablate_dir=${4:-}
warm=$((frames / 5))
PG=/proc/net/pktgen
KDIR=$OFGROUP_KDIR
: >"$out"

say() { echo "bench-forward: $*"; }
note() { echo "note $*" >>"$out"; say "$*"; }
modload() { modprobe -d "$KDIR/modroot" "$1" || note "modprobe $1 failed"; }

for m in pktgen bridge sch_ingress cls_matchall act_mirred openvswitch; do modload $m; done
sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1

batch="link add src type veth peer name src-dp"$'\n'
for i in 1 2 3 4 5 6 7 8; do batch+="link add o$i type veth peer name o$i-dp"$'\n'; done
for d in src src-dp o{1..8} o{1..8}-dp; do
  batch+="link set $d addrgenmode none"$'\n'"link set $d up"$'\n'
done
ip -batch - <<<"$batch" || { echo "bench-forward: topology failed" >&2; exit 1; }

# rx NAME: frames the veth NAME received (read with a builtin: no process per sample).
rx() { local v; read -r v <"/sys/class/net/$1/statistics/rx_packets"; echo "$v"; }
rxsum() { local s=0 d; for d in "$@"; do s=$((s + $(rx "$d"))); done; echo $s; }

# pg_run COUNT DELAY_NS THREAD... — send COUNT frames from each pktgen THREAD (kpktgend_N, on CPU
# N, device src@N) and wait until all are done. Sets PG_SENT (total) and PG_USEC (the longest).
pg_run() {
  local n=$1 delay=$2 t d line
  shift 2
  echo reset >$PG/pgctrl
  for t in "$@"; do
    d=src@$t
    echo "add_device $d" >$PG/kpktgend_$t
    for line in "count $n" "clone_skb 0" "pkt_size 60" "delay $delay" "dst 10.0.0.2" \
      "src_min 10.0.0.1" "src_max 10.0.0.1" "dst_mac 02:00:00:00:00:99" "src_mac 02:00:00:00:00:01" \
      "udp_src_min 1000" "udp_src_max 1999" "udp_dst_min 9" "udp_dst_max 9"; do
      echo "$line" >$PG/$d
    done
  done
  echo start >$PG/pgctrl
  PG_SENT=0 PG_USEC=0
  for t in "$@"; do
    local res
    res=$(<$PG/src@$t)
    if [[ $res =~ Result:\ OK:\ ([0-9]+)\(c[0-9]+\+d[0-9]+\)\ usec,\ ([0-9]+)\  ]]; then
      PG_SENT=$((PG_SENT + BASH_REMATCH[2]))
      ((BASH_REMATCH[1] > PG_USEC)) && PG_USEC=${BASH_REMATCH[1]}
    else
      note "pktgen src@$t: ${res##*Result: }"
    fi
  done
}

# measure LABEL COPIES SINK... — a warm-up pass, then a timed pass; delivered = frames the SINKs
# received / COPIES (an `all` group delivers each frame COPIES times).
measure() {
  local label=$1 copies=$2 threads=${THREADS:-0}
  shift 2
  # shellcheck disable=SC2086
  pg_run "$warm" 0 $threads
  # Let late frames of the warm-up (OVS executes missed ones after its upcall) land before counting.
  sleep 1
  local before after
  before=$(rxsum "$@")
  # shellcheck disable=SC2086
  pg_run "$frames" 0 $threads
  sleep 0.2
  after=$(rxsum "$@")
  local got=$(((after - before) / copies))
  echo "rate $label $PG_SENT $got $PG_USEC" >>"$out"
  say "$label: sent $PG_SENT, delivered $got in $PG_USEC us: $((PG_USEC ? got * 1000000 / PG_USEC : 0)) frames/s"
}

# failover LABEL — a constant stream (one frame per 50 us, 4 s at most) through a fast_failover
# group whose first bucket watches o1-dp; after 1/8 of it the carrier of o1-dp drops (its peer
# goes down). Lost = sent - delivered at o1 and o2; afterwards o1 comes back up.
failover() {
  local label=$1 n=${OFGROUP_FAILOVER_FRAMES:-80000} before after
  before=$(rxsum o1 o2)
  pg_run "$n" 50000 0 &
  local pid=$!
  # Wait until a third of the stream went through, then drop the carrier.
  local i
  for ((i = 0; i < 600; i++)); do
    (($(rxsum o1 o2) - before >= n / 8)) && break
    sleep 0.05
  done
  ip link set o1 down
  wait $pid
  local res
  res=$(<$PG/src@0)
  [[ $res =~ Result:\ OK:\ [0-9]+\(c[0-9]+\+d[0-9]+\)\ usec,\ ([0-9]+)\  ]] && PG_SENT=${BASH_REMATCH[1]}
  sleep 1
  after=$(rxsum o1 o2)
  local got=$((after - before))
  echo "fail $label $PG_SENT $got $((PG_SENT - got))" >>"$out"
  say "$label failover: sent $PG_SENT, delivered $got, lost $((PG_SENT - got))"
  ip link set o1 up
  sleep 1
}

outs() { local i s=""; for ((i = 1; i <= $1; i++)); do s+=" o$i"; done; echo $s; }

# --- floor and kernel peers ---
measure floor 1 src-dp

tc qdisc add dev src-dp ingress
tc filter add dev src-dp ingress matchall action mirred egress redirect dev o1-dp
measure tc-mirred 1 o1
tc qdisc del dev src-dp ingress

ip link add br0 type bridge stp_state 0
for d in src-dp o1-dp o2-dp; do ip link set $d master br0; done
ip link set br0 up
measure bridge-flood-2 2 o1 o2
ip link del br0

# --- ofgroup ---
ofg_groups() {
  local b8="" i
  for i in 1 2 3 4 5 6 7 8; do b8+=",bucket=bucket_id:$i,actions=output:$((i + 1))"; done
  ofgroupctl add-groups - <<EOF
add group_id=1,type=indirect,bucket=actions=output:2
add group_id=2,type=select,bucket=bucket_id:0,actions=output:2
add group_id=3,type=select$b8
add group_id=4,type=all,bucket=actions=output:2,bucket=actions=output:3
add group_id=5,type=ff,bucket=watch_port:2,actions=output:2,bucket=watch_port:3,actions=output:3
EOF
}
ofg_ports() {
  local i
  ofgroupctl add-port src-dp --port 1 >/dev/null
  for i in 1 2 3 4 5 6 7 8; do ofgroupctl add-port o$i-dp --port $((i + 1)) >/dev/null; done
}
flow() { ofgroupctl add-flow "priority=10,in_port=1,actions=$1"; }

# ofg_paths PREFIX [all] — the ofgroup paths (the short list: output and select 8).
ofg_paths() {
  local p=$1
  flow output:2 && measure "$p-output" 1 o1
  flow group:3 && measure "$p-select-8" 1 $(outs 8)
  [ "${2:-}" = all ] || return 0
  flow group:1 && measure "$p-indirect" 1 o1
  flow group:2 && measure "$p-select-1" 1 o1
  flow group:4 && measure "$p-all-2" 2 o1 o2
  flow group:5 && measure "$p-ff" 1 o1
}

ofg_ports && ofg_groups || note "ofgroup setup failed"
ofg_paths ofgroup all

# Two pktgen threads on two CPUs through the select group, against one thread just before.
flow group:3
THREADS=0 measure scale-1cpu 1 $(outs 8)
THREADS="0 1" measure scale-2cpu 1 $(outs 8)

flow group:5
failover ofgroup

# --- ablations: compile-time variants of the module, loaded in turn ---
if [ -n "$ablate_dir" ]; then
  for v in nocount noclassify parseonly full; do
    ko=$ablate_dir/$v/ofgroup.ko
    [ $v = full ] && ko=$OFGROUP_REPO/ofgroup.ko
    [ -f "$ko" ] || { note "no $ko: ablation $v skipped"; continue; }
    rmmod ofgroup || { note "rmmod failed"; break; }
    insmod "$ko" || { note "insmod $ko failed"; break; }
    ofg_ports && ofg_groups || note "ofgroup setup failed ($v)"
    if [ $v = parseonly ]; then
      # Parse, key, drop: src-dp's veth counts what entered its stack (the rx_handler's input).
      flow output:2 && measure "ablate-parseonly" 1 src-dp
    else
      ofg_paths "ablate-$v"
    fi
    ofgroupctl del-flows
    ofgroupctl del-groups
  done
fi

# --- Open vSwitch: its own userspace driving openvswitch.ko, same flow and groups ---
ovs_run() {
  [ -n "$ovs_root" ] && [ -x "$ovs_root/usr/lib/openvswitch-switch/ovs-vswitchd" ] ||
    { note "no Open vSwitch unpacked: OVS peer skipped"; return; }
  for i in 1 2 3 4 5 6 7 8; do ofgroupctl del-port $((i + 1)) >/dev/null; done
  ofgroupctl del-port 1 >/dev/null
  export LD_LIBRARY_PATH=$ovs_root/usr/lib/x86_64-linux-gnu
  local t
  t=$(mktemp -d /tmp/ovs.XXXXXX)
  export OVS_RUNDIR=$t OVS_LOGDIR=$t OVS_DBDIR=$t OVS_SYSCONFDIR=$t
  export OVS_PKGDATADIR=$ovs_root/usr/share/openvswitch OVS_BINDIR=$ovs_root/usr/bin
  local bin=$ovs_root/usr/bin db=unix:$t/db.sock
  vsctl() { "$bin/ovs-vsctl" -vconsole:off --db="$db" --timeout=60 "$@"; }
  ofctl() { "$bin/ovs-ofctl" -vconsole:off -O OpenFlow15 "$@"; }
  "$bin/ovsdb-tool" create "$t/conf.db" "$ovs_root/usr/share/openvswitch/vswitch.ovsschema" &&
    "$ovs_root/usr/sbin/ovsdb-server" "$t/conf.db" --remote="punix:$t/db.sock" -vconsole:off \
      --pidfile="$t/ovsdb-server.pid" --log-file="$t/ovsdb-server.log" --detach --no-chdir &&
    vsctl --no-wait init &&
    "$ovs_root/usr/lib/openvswitch-switch/ovs-vswitchd" "$db" --pidfile="$t/ovs-vswitchd.pid" \
      --log-file="$t/ovs-vswitchd.log" --detach --no-chdir -vconsole:off ||
    { note "Open vSwitch did not start"; ovs_logs "$t"; return; }
  local cmd=(add-br br0 -- set bridge br0 fail-mode=secure protocols=OpenFlow15
    -- add-port br0 src-dp -- set Interface src-dp ofport_request=1)
  for i in 1 2 3 4 5 6 7 8; do cmd+=(-- add-port br0 o$i-dp -- set Interface o$i-dp ofport_request=$((i + 1))); done
  vsctl "${cmd[@]}" || { note "ovs-vsctl add-br failed"; ovs_logs "$t"; return; }
  local b8="" i
  for i in 1 2 3 4 5 6 7 8; do b8+=",bucket=bucket_id:$i,actions=output:$((i + 1))"; done
  ofctl add-group br0 "group_id=1,type=indirect,bucket=actions=output:2" &&
    ofctl add-group br0 "group_id=3,type=select$b8" &&
    ofctl add-group br0 "group_id=4,type=all,bucket=actions=output:2,bucket=actions=output:3" &&
    ofctl add-group br0 "group_id=5,type=ff,bucket=watch_port:2,actions=output:2,bucket=watch_port:3,actions=output:3" ||
    { note "ovs-ofctl add-group failed"; ovs_logs "$t"; return; }
  oflow() { ofctl del-flows br0 && ofctl add-flow br0 "priority=10,in_port=1,actions=$1"; }
  oflow output:2 && measure ovs-output 1 o1
  oflow group:3 && measure ovs-select-8 1 $(outs 8)
  oflow group:4 && measure ovs-all-2 2 o1 o2
  oflow group:5 && measure ovs-ff 1 o1
  failover ovs
  "$bin/ovs-appctl" -t ovs-vswitchd dpctl/show 2>&1 | sed 's/^/bench-forward: ovs: /'
  ovs_logs "$t"
  vsctl del-br br0
  "$bin/ovs-appctl" -t ovs-vswitchd exit
  "$bin/ovs-appctl" -t ovsdb-server exit
}
ovs_logs() { grep -hE '\|(ERR|WARN|EMER)\|' "$1"/*.log | head -n 20 | sed 's/^/bench-forward: ovs log: /'; }
ovs_run
exit 0
