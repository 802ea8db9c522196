# rmmod with ports attached, groups and flows installed and traffic flowing is clean: no hang,
# the devices stay, and the run's splat and kmemleak checks (after this, the last scenario) cover
# the rest. The module stays unloaded afterwards. The generator must still be sending when rmmod
# returns (the traffic really ran during the unload).
. "$OFGROUP_REPO/qemu/guest/lib/topo.sh"
trap 'kill ${gen:-} 2>/dev/null || true' EXIT
dp_topology
ofgroupctl add-group 'group_id=2,type=select,bucket=actions=output:3'
ofgroupctl add-group 'group_id=1,type=all,bucket=actions=output:2,bucket=actions=group:2'
ofgroupctl add-flow 'in_port=1,actions=group:1'
ofgroupctl add-flow 'in_port=2,actions=output:1'
traffic_bg client c0 --dst-mac 50:54:00:00:00:06 --seconds 120 --count 0 --flows 64  # stopped at exit
wait_traffic s2 s2
start=$SECONDS
timeout 60 rmmod ofgroup || fail "rmmod under traffic failed or hung"
echo "rmmod under traffic took $((SECONDS - start)) s"
kill -0 $gen 2>/dev/null || fail "the generator stopped before rmmod returned"
echo "ok: traffic ran during rmmod"
ip link show c0-dp >/dev/null || fail "the device went with the module"
before=$(rx_count s2 s2)
sleep 1
expect_eq "no frame crosses the datapath after rmmod" $(($(rx_count s2 s2) - before)) 0
