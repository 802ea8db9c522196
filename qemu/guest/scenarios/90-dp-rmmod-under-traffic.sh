# rmmod with ports attached, groups and flows installed and traffic flowing is clean: no hang,
# the devices stay, and the run's splat and kmemleak checks (after this, the last scenario) cover
# the rest. The module stays unloaded afterwards. The generator must still be sending when rmmod
# returns (the traffic really ran during the unload). Two more namespaces have datapaths of
# their own, populated (those 40-netns left, or made here), one of them under traffic too:
# unloading tears down every namespace's datapath.
. "$OFGROUP_REPO/qemu/guest/lib/topo.sh"
. "$OFGROUP_REPO/qemu/guest/lib/netns.sh"
trap 'kill ${gen:-} ${gen2:-} 2>/dev/null || true' EXIT
dp_topology
for ns in ofg-a ofg-b; do
  if [[ $(in_ns "$ns" ofgroupctl dump-dp 2>/dev/null) != *"ports: 3"* ]]; then
    ip netns del "$ns" 2>/dev/null || true
    ns_dp "$ns"
    in_ns "$ns" sh -e -c "ofgroupctl add-group 'group_id=1,type=all,bucket=actions=output:2,bucket=actions=output:3'
      ofgroupctl add-flow 'in_port=1,actions=group:1'"
  fi
done
$PY "$OFGROUP_REPO/qemu/guest/lib/traffic.py" ofg-a-h1 --dst-mac 50:54:00:00:00:99 --seconds 120 \
  --count 0 --flows 16 >/dev/null 2>&1 &
gen2=$!
wait_rx ofg-a-h2 "$(($(rx_of ofg-a-h2) + 1))"
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
ip -n ofg-b link show p1 >/dev/null || fail "ofg-b's device went with the module"
ip -n ofg-b link show p1 >/dev/null || fail "ofg-b's device went with the module"
before=$(rx_count s2 s2)
sleep 1
expect_eq "no frame crosses the datapath after rmmod" $(($(rx_count s2 s2) - before)) 0
