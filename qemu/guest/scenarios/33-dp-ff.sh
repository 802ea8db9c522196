# fast_failover: the first bucket's watch_port goes down => the next packet takes bucket 2; back
# up => bucket 1 again; both down => dropped and counted. Liveness follows the device (admin
# down) and its carrier (the veth peer going down): the datapath reads both from the device's
# state each time it chooses a bucket (no notifier, so no linkwatch delay to wait for).
. "$OFGROUP_REPO/qemu/guest/lib/topo.sh"
dp_topology
ofgroupctl add-group 'group_id=9,type=ff,bucket=bucket_id:1,watch_port:2,actions=output:2,bucket=bucket_id:2,watch_port:3,actions=output:3'
ofgroupctl add-flow 'in_port=1,actions=group:9'
send() { ofgroupctl packet-out in_port=1 'udp,dl_src=50:54:00:00:00:05,dl_dst=50:54:00:00:00:06'; }
counts() { echo "$(group_field 9 bucket0:packet_count)/$(group_field 9 bucket1:packet_count)"; }
send
expect_eq "both up: bucket 1" "$(counts)" 1/0
ip link set s1-dp down
ofgroupctl dump-ports 2 | grep -q ' down$' || fail "port 2 should be down: $(ofgroupctl dump-ports 2)"
send
expect_eq "port 2 down: bucket 2" "$(counts)" 1/1
ip link set s1-dp up # read at the next frame: no wait
send
expect_eq "port 2 up again: bucket 1" "$(counts)" 2/1
ip -n s1 link set s1 down # carrier loss on s1-dp
send
expect_eq "port 2 lost carrier: bucket 2" "$(counts)" 2/2
ip link set s2-dp down
dp_baseline
send
expect_eq "both down: nothing runs" "$(counts)" 2/2
expect_eq "both down: dropped and counted" "$(dp_delta lost)" 1
expect_eq "group packets (the drop is not credited, as in OVS)" "$(group_field 9 packet_count)" 4
