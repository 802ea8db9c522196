# A select group with weights 1:3 over 4000 distinct flows: each bucket's share is within +-5
# points of 25/75, and bucket 0's frames all reach s1; the same flow always lands on the same
# bucket. Counters that outlive the scenario (s1's) are compared against a baseline.
. "$OFGROUP_REPO/qemu/guest/lib/topo.sh"
dp_topology
dp_baseline
ofgroupctl add-group 'group_id=5,type=select,bucket=bucket_id:0,weight:1,actions=output:2,bucket=bucket_id:1,weight:3,actions=output:3'
ofgroupctl add-flow 'in_port=1,udp,actions=group:5'
s1_before=$(rx_count s1 s1) s2_before=$(rx_count s2 s2)
traffic client c0 --dst-mac 50:54:00:00:00:06 --count 4000 --flows 4000 >/dev/null
settle
b0=$(group_field 5 bucket0:packet_count) b1=$(group_field 5 bucket1:packet_count)
expect_eq "group packets" "$(group_field 5 packet_count)" 4000
expect_eq "bucket packets add up" $((b0 + b1)) 4000
echo "split: bucket0 $b0 ($((b0 * 100 / 4000))%), bucket1 $b1 ($((b1 * 100 / 4000))%)"
[ "$b0" -ge 800 ] && [ "$b0" -le 1200 ] || fail "bucket0 (weight 1) got $b0 of 4000, want 25% +- 5"
expect_eq "s1 received bucket 0's frames" $(($(rx_count s1 s1) - s1_before)) "$b0"
expect_eq "s2 received bucket 1's frames" $(($(rx_count s2 s2) - s2_before)) "$b1"
# One flow, many packets: exactly one bucket grows, by all of them.
traffic client c0 --dst-mac 50:54:00:00:00:06 --count 200 --flows 1 --sport 31337 >/dev/null
settle
d0=$(($(group_field 5 bucket0:packet_count) - b0)) d1=$(($(group_field 5 bucket1:packet_count) - b1))
case "$d0/$d1" in
  200/0 | 0/200) ;;
  *) fail "one flow spread over buckets: +$d0 / +$d1" ;;
esac
echo "ok: one flow stayed on one bucket (+$d0 / +$d1)"
expect_eq "lost" "$(dp_delta lost)" 0
