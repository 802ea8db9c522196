# ofgroupctl monitor inside a namespace of its own: it announces every change of that
# namespace's datapath — ports, groups, flows — in ovs-ofctl monitor's manner, and nothing else
# (40-netns checks that another namespace's changes do not reach it).
. "$OFGROUP_REPO/qemu/guest/lib/topo.sh"
trap 'kill ${mon:-} 2>/dev/null || true' EXIT
ns=ofg-m
ip netns del $ns 2>/dev/null || true
ip netns add $ns
ip -n $ns -batch - <<'EOB'
link add p1 type veth peer name h1
link set p1 addrgenmode none
link set h1 addrgenmode none
link set p1 up
link set h1 up
EOB
ip netns exec $ns ofgroupctl monitor --count 7 >/run/ofg-mon43.txt &
mon=$!
wait_listening "$mon"
ip netns exec $ns sh -e -c "
  ofgroupctl add-port p1 --port 1 >/dev/null
  ofgroupctl add-group 'group_id=1,type=indirect,bucket=actions=output:1'
  ofgroupctl add-flow 'priority=10,in_port=1,actions=group:1'
  ofgroupctl mod-flows 'in_port=1,actions=output:1'
  ofgroupctl del-flows --strict 'priority=10,in_port=1'
  ofgroupctl del-port 1
  ofgroupctl del-groups group_id=1"
timeout 30 tail --pid="$mon" -f /dev/null || fail "the monitor did not hear 7 changes: $(cat /run/ofg-mon43.txt)"
out=$(cat /run/ofg-mon43.txt)
echo "$out"
want="port-status ADD: 1(p1): ifindex=* up
group-change group_id=1,type=indirect,bucket=bucket_id:0,actions=output:1
flow-change event=ADDED priority=10,in_port=1 actions=group:1
flow-change event=MODIFIED flows=1 in_port=1 actions=output:1
flow-del event=DELETED flows=1 strict priority=10,in_port=1
port-status DELETE: 1(p1): ifindex=*
group-del group_id=1"
# shellcheck disable=SC2053 # a glob on purpose (the ifindex)
[[ $out == $want ]] || fail "monitor output differs from: $want"
ip netns del $ns
echo "ok: monitor of a namespace's datapath"
