# One datapath per network namespace. Two namespaces hold the same group id with different
# buckets and carry traffic at the same time: each one's counters count its own frames only, and
# the initial namespace's table sees neither. A monitor in one namespace hears nothing of the
# other's changes. The kernel's own YNL client drives a namespace's datapath (10-netlink-ynl).
# The namespaces stay populated for 90-dp-rmmod-under-traffic (rmmod with several of them).
. "$OFGROUP_REPO/qemu/guest/lib/topo.sh"
. "$OFGROUP_REPO/qemu/guest/lib/netns.sh"
trap 'kill ${mon:-} 2>/dev/null || true' EXIT
sysctl -qw net.core.devconf_inherit_init_net=1 net.ipv6.conf.default.disable_ipv6=1 \
  net.ipv6.conf.all.disable_ipv6=1
for ns in ofg-a ofg-b; do ip netns del "$ns" 2>/dev/null || true; done
ns_dp ofg-a
ns_dp ofg-b
# Same group 1 in both, different types and buckets; port numbers name each namespace's own.
in_ns ofg-a sh -e -c "ofgroupctl add-group 'group_id=1,type=select,bucket=bucket_id:7,actions=output:2'
  ofgroupctl add-flow 'in_port=1,actions=group:1'"
in_ns ofg-b sh -e -c "ofgroupctl add-group 'group_id=1,type=all,bucket=bucket_id:0,actions=output:3,bucket=bucket_id:1,actions=output:2'
  ofgroupctl add-flow 'in_port=1,actions=group:1'"
before_init=$(ofgroupctl dump-groups)
# 20 frames into ofg-a and 30 into ofg-b, both at once.
$PY "$OFGROUP_REPO/qemu/guest/lib/traffic.py" ofg-a-h1 --dst-mac 50:54:00:00:00:99 --count 20 --flows 4 >/dev/null &
ga=$!
$PY "$OFGROUP_REPO/qemu/guest/lib/traffic.py" ofg-b-h1 --dst-mac 50:54:00:00:00:99 --count 30 --flows 4 >/dev/null
wait $ga
wait_rx ofg-a-h2 20
wait_rx ofg-b-h3 30
wait_rx ofg-b-h2 30
sa=$(in_ns ofg-a ofgroupctl dump-group-stats group_id=1)
sb=$(in_ns ofg-b ofgroupctl dump-group-stats group_id=1)
echo "ofg-a: $sa"
echo "ofg-b: $sb"
[[ $sa == *"packet_count=20,"*"bucket0:packet_count=20,"* ]] || fail "ofg-a counted other frames: $sa"
[[ $sa != *bucket1* ]] || fail "ofg-a has ofg-b's buckets: $sa"
[[ $sb == *"packet_count=30,"*"bucket0:packet_count=30,"*"bucket1:packet_count=30,"* ]] ||
  fail "ofg-b counted other frames: $sb"
expect_eq "frames ofg-a's group sent to ofg-b's ports" "$(rx_of ofg-a-h3)" 0
expect_eq "the initial namespace's groups" "$(ofgroupctl dump-groups)" "$before_init"
expect_eq "ofg-a's ports" "$(in_ns ofg-a ofgroupctl dump-ports | grep -c '^ *port [123]: p[123] ')" 3

# A device of another namespace (here the initial one's) is not found.
refused "no device 'ofg-a-h1'" in_ns ofg-a ofgroupctl add-port ofg-a-h1

# Monitors: one in ofg-a; a change in ofg-b and one in the initial namespace, then one in ofg-a.
# The monitor stops after one notification: it must be ofg-a's.
# (ip netns exec itself, not in_ns: $! must be the monitor, not a subshell running a function)
ip netns exec ofg-a ofgroupctl monitor --count 1 >/run/ofg-mon.txt &
mon=$!
wait_listening "$mon"
in_ns ofg-b ofgroupctl add-group 'group_id=2,type=all,bucket=actions=output:1'
ofgroupctl add-group 'group_id=4242,type=all,bucket=actions=output:1'
in_ns ofg-a ofgroupctl add-group 'group_id=3,type=indirect,bucket=actions=output:3'
timeout 30 tail --pid="$mon" -f /dev/null || fail "the monitor in ofg-a heard nothing"
expect_eq "what ofg-a's monitor heard" "$(cat /run/ofg-mon.txt)" \
  "group-change group_id=3,type=indirect,bucket=bucket_id:0,actions=output:3"
ofgroupctl del-groups group_id=4242
echo "ok: two namespaces, two datapaths"
