# Deleting a group deletes exactly the flows that use it (the seed's semantics) and traffic
# through it stops; deleting it again is a no-op. Flows naming a missing group are refused
# (BAD_OUT_GROUP) and ref_count counts the flows.
. "$OFGROUP_REPO/qemu/guest/lib/topo.sh"
dp_topology
ofgroupctl add-group 'group_id=1,type=indirect,bucket=actions=output:2'
ofgroupctl add-group 'group_id=2,type=indirect,bucket=actions=output:2'
out=$(ofgroupctl add-flow 'udp,actions=group:3' 2>&1) && fail "flow to a missing group accepted"
echo "$out" | grep -q 'BAD_OUT_GROUP' || fail "refusal: $out"
ofgroupctl add-flow 'priority=10,udp,tp_dst=1,actions=group:1'
ofgroupctl add-flow 'priority=10,udp,tp_dst=2,actions=group:1'
ofgroupctl add-flow 'priority=10,udp,tp_dst=3,actions=group:2'
ofgroupctl add-flow 'priority=5,ip,actions=output:2,group:1'
expect_eq "ref_count of group 1" "$(group_field 1 ref_count)" 3
expect_eq "ref_count of group 2" "$(group_field 2 ref_count)" 1
before=$(rx_count s1 s1)
traffic client c0 --dst-mac 50:54:00:00:00:06 --dport 1 --count 5 >/dev/null
settle
expect_eq "traffic through group 1" $(($(rx_count s1 s1) - before)) 5
ofgroupctl del-groups group_id=1
expect_eq "flows left" "$(ofgroupctl dump-flows --no-stats)" " priority=10,udp,tp_dst=3 actions=group:2"
# port_missed N — port N's rx missed count. (Port 1's, not the datapath's: s1's late replies to
# the first round - ICMP port unreachable, ARP - enter port 2 and miss too.)
port_missed() {
  [[ $(ofgroupctl dump-ports "$1") =~ rx\ pkts=[0-9]+,\ bytes=[0-9]+,\ missed=([0-9]+) ]] ||
    fail "dump-ports $1"
  echo "${BASH_REMATCH[1]}"
}
before=$(rx_count s1 s1)
missed0=$(port_missed 1)
traffic client c0 --dst-mac 50:54:00:00:00:06 --dport 1 --count 5 >/dev/null
settle
expect_eq "traffic through group 1 stopped" $(($(rx_count s1 s1) - before)) 0
expect_eq "and misses are counted on port 1" $(($(port_missed 1) - missed0)) 5
ofgroupctl del-groups group_id=1
expect_eq "deleting again changes nothing" "$(ofgroupctl dump-flows --no-stats)" " priority=10,udp,tp_dst=3 actions=group:2"
expect_eq "group 2 still counts its flow" "$(group_field 2 ref_count)" 1
# ref_count counts flows: a flow naming the group twice counts once.
ofgroupctl add-flow 'priority=10,udp,tp_dst=4,actions=group:2,group:2'
expect_eq "a flow naming group 2 twice counts once" "$(group_field 2 ref_count)" 2
