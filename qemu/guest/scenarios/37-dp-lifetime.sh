# Lifetime under traffic: deleting a port's device detaches the port (no "waiting for dev to
# become free" hang); detach and reattach work while frames flow; a device another master owns
# is refused. The generator must still be running after each change made under traffic.
. "$OFGROUP_REPO/qemu/guest/lib/topo.sh"
trap 'kill ${gen:-} 2>/dev/null || true' EXIT
dp_topology
ofgroupctl add-group 'group_id=1,type=all,bucket=actions=output:2,bucket=actions=output:3'
ofgroupctl add-flow 'in_port=1,actions=group:1'
traffic_bg client c0 --dst-mac 50:54:00:00:00:06 --seconds 120 --count 0 --flows 64  # stopped at exit
wait_traffic s2 s2
# Delete port 3's device under traffic: the notifier detaches the port.
timeout 20 ip link del s2-dp || fail "deleting a port's device hung"
kill -0 $gen 2>/dev/null || fail "the generator stopped before the device was deleted"
ofgroupctl dump-ports 3 >/dev/null 2>&1 && fail "port 3 still attached after its device went"
expect_eq "ports" "$(dp_field ports)" 3
# Detach and reattach port 2 under traffic.
ofgroupctl del-port 2
ofgroupctl add-port s1-dp --port 2 >/dev/null
wait_traffic s1 s1 # fails after 30 s without a frame
kill -0 $gen 2>/dev/null || fail "the generator stopped before the reattach was checked"
echo "ok: traffic ran through the device deletion and the reattach"
# A port's device moved to another netns leaves the datapath (it lives in the initial netns).
ip netns add elsewhere
ip link set s1-dp netns elsewhere
ofgroupctl dump-ports 2 >/dev/null 2>&1 && fail "port 2 still attached after its device left the netns"
ip netns del elsewhere
# A device another master owns is refused.
ip link add br-x type bridge
ip link add v-x type veth peer name v-y
ip link set v-x master br-x
out=$(ofgroupctl add-port v-x 2>&1) && fail "attached a bridge port"
echo "$out" | grep -q busy || fail "refusal: $out"
ip link del v-x
ip link del br-x
