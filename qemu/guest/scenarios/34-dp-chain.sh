# Chaining: an `all` group whose buckets output to port 2 and run a select group; the select
# group's counters and the all group's both count every frame, and both outputs get it.
. "$OFGROUP_REPO/qemu/guest/lib/topo.sh"
dp_topology
dp_baseline
ofgroupctl add-group 'group_id=20,type=select,bucket=actions=output:3'
ofgroupctl add-group 'group_id=10,type=all,bucket=actions=output:2,bucket=actions=group:20'
ofgroupctl add-flow 'in_port=1,actions=group:10'
b1=$(rx_count s1 s1) b2=$(rx_count s2 s2)
traffic client c0 --dst-mac 50:54:00:00:00:06 --count 30 --flows 30 >/dev/null
settle
expect_eq "all group" "$(group_field 10 packet_count)" 30
expect_eq "all bucket 1 (group:20)" "$(group_field 10 bucket1:packet_count)" 30
expect_eq "chained select group" "$(group_field 20 packet_count)" 30
expect_eq "s1 (output:2)" $(($(rx_count s1 s1) - b1)) 30
expect_eq "s2 (through group 20)" $(($(rx_count s2 s2) - b2)) 30
# A loop is refused at install; the table is unchanged.
out=$(ofgroupctl mod-group 'group_id=20,type=select,bucket=actions=group:10' 2>&1) && fail "loop accepted"
echo "$out" | grep -q LOOP || fail "loop refusal: $out"
expect_eq "lost" "$(dp_delta lost)" 0
