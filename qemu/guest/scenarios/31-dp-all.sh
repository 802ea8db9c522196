# An `all` group with two buckets: both outputs get every packet (the first on a clone, the
# last on the frame itself) and both bucket counters equal the group's.
. "$OFGROUP_REPO/qemu/guest/lib/topo.sh"
dp_topology
dp_baseline
ofgroupctl add-group 'group_id=1,type=all,bucket=actions=output:2,bucket=actions=output:3'
ofgroupctl add-flow 'in_port=1,actions=group:1'
b1=$(rx_count s1 s1) b2=$(rx_count s2 s2)
expect_eq "frames sent" "$(traffic client c0 --dst-mac ff:ff:ff:ff:ff:ff --count 50 --flows 7)" 50
settle
expect_eq "s1 received" $(($(rx_count s1 s1) - b1)) 50
expect_eq "s2 received" $(($(rx_count s2 s2) - b2)) 50
expect_eq "group packets" "$(group_field 1 packet_count)" 50
expect_eq "bucket0 packets" "$(group_field 1 bucket0:packet_count)" 50
expect_eq "bucket1 packets" "$(group_field 1 bucket1:packet_count)" 50
expect_eq "group bytes" "$(group_field 1 byte_count)" 3000
expect_eq "lost" "$(dp_delta lost)" 0
