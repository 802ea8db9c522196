# The seed (OVS's "ofproto - group stats"): select group 1234 with one bucket output to port 10,
# flow `ip actions=group:1234`, three ICMP frames to dst MACs 50:54:00:00:00:0{0,1,2} injected
# on port 1 => group packet_count=3, bucket0 packet_count=3, byte counts 3 x the frame length,
# ref_count=1, and the frames come out of port 10's peer.
. "$OFGROUP_REPO/qemu/guest/lib/topo.sh"
dp_topology
dp_baseline
ofgroupctl add-group 'group_id=1234,type=select,bucket=bucket_id:0,actions=output:10'
ofgroupctl add-flow 'ip,actions=group:1234'
before=$(rx_count s10 s10)
for dst in 50:54:00:00:00:00 50:54:00:00:00:01 50:54:00:00:00:02; do
  ofgroupctl packet-out in_port=1 "icmp,dl_src=50:54:00:00:00:05,dl_dst=$dst,nw_src=10.0.0.1,nw_dst=10.0.0.10"
done
hex=$(ofgroupctl frame 'icmp,dl_dst=50:54:00:00:00:00')
len=$((${#hex} / 2))
expect_eq "frame length" "$len" 60
stats=$(ofgroupctl dump-group-stats group_id=1234 | sed 's/duration=[0-9.]*s,//')
expect_eq "dump-group-stats" "$stats" \
  " group_id=1234,ref_count=1,packet_count=3,byte_count=$((3 * len)),bucket0:packet_count=3,byte_count=$((3 * len))"
expect_eq "frames out of port 10's peer" $(($(rx_count s10 s10) - before)) 3
flows=$(ofgroupctl dump-flows | sed 's/duration=[0-9.]*s, //')
expect_eq "dump-flows" "$flows" " n_packets=3, n_bytes=$((3 * len)), ip actions=group:1234"
ofgroupctl dump-ports 10 | grep -q "tx pkts=3, bytes=$((3 * len)), drop=0" || fail "port 10 tx counters: $(ofgroupctl dump-ports 10)"
ofgroupctl dump-ports 1 | grep -q "rx pkts=3, bytes=$((3 * len)), missed=0" || fail "port 1 rx counters: $(ofgroupctl dump-ports 1)"
# Real traffic too: a ping from the client namespace through the group and back.
ofgroupctl add-flow 'priority=40000,in_port=10,actions=output:1'
ofgroupctl add-flow 'priority=5,arp,actions=group:1234'
ip netns exec client ping -c 2 -W 5 10.0.0.10 >/dev/null || fail "ping through the datapath"
expect_eq "lost" "$(dp_delta lost)" 0
