# A namespace deleted under traffic, with ports, groups and flows installed: its datapath goes
# with it (ports detached, everything freed after RCU), with no splat, no leak (the run's
# kmemleak scan) and no "waiting for dev to become free" (collect.py fails the run on it).
# Frames come from the initial namespace (ofg-d-h1 -> p1 in ofg-d), so no process keeps
# ofg-d alive: `ip netns del` drops its last reference and the kernel tears it down while frames
# still arrive.
. "$OFGROUP_REPO/qemu/guest/lib/topo.sh"
. "$OFGROUP_REPO/qemu/guest/lib/netns.sh"
trap 'kill ${gen:-} 2>/dev/null || true' EXIT
ip netns del ofg-d 2>/dev/null || true
ns_dp ofg-d
in_ns ofg-d sh -e -c "ofgroupctl add-group 'group_id=2,type=select,bucket=actions=output:3'
  ofgroupctl add-group 'group_id=1,type=all,bucket=actions=output:2,bucket=actions=group:2'
  ofgroupctl add-flow 'in_port=1,actions=group:1'
  ofgroupctl add-flow 'priority=10,in_port=2,actions=output:1'"
$PY "$OFGROUP_REPO/qemu/guest/lib/traffic.py" ofg-d-h1 --dst-mac 50:54:00:00:00:99 --seconds 60 \
  --count 0 --flows 64 >/dev/null 2>&1 &
gen=$!
wait_rx ofg-d-h3 1
wait_rx ofg-d-h2 1
ip netns del ofg-d
# The namespace's veths go with it, the initial namespace's ends too: wait for that.
for ((i = 0; i < 300; i++)); do
  [ -e /sys/class/net/ofg-d-h1 ] || [ -e /sys/class/net/ofg-d-h2 ] || [ -e /sys/class/net/ofg-d-h3 ] || break
  sleep 0.1
done
[ ! -e /sys/class/net/ofg-d-h1 ] || fail "ofg-d's devices are still there 30 s after ip netns del"
echo "ok: ofg-d went, its datapath with it"
# The initial namespace's datapath still works.
ofgroupctl dump-dp >/dev/null
