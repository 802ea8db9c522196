# Insert and remove buckets while traffic flows: the surviving bucket keeps its counter (it only
# grows), and no frame is lost to a torn update — every frame the flow counted ran a bucket. The
# generator must still be sending when the changes end, and the group must have counted frames
# between the first change and the last: the traffic really ran during the changes.
. "$OFGROUP_REPO/qemu/guest/lib/topo.sh"
trap 'kill ${gen:-} 2>/dev/null || true' EXIT
dp_topology
dp_baseline
ofgroupctl add-group 'group_id=7,type=select,bucket=bucket_id:1,actions=output:2'
ofgroupctl add-flow 'in_port=1,actions=group:7'
# Until stopped below (120 s at most): the changes take longer than any fixed time one could guess.
traffic_bg client c0 --dst-mac 50:54:00:00:00:06 --seconds 120 --count 0 --flows 256
wait_traffic s1 s1
first=$(group_field 7 packet_count)
last=0
for i in 1 2 3 4 5 6; do
  ofgroupctl insert-buckets 'group_id=7,command_bucket_id=last,bucket=bucket_id:2,actions=output:3'
  sleep 0.2
  ofgroupctl remove-buckets 'group_id=7,command_bucket_id=2'
  now=$(group_field 7 bucket0:packet_count)
  [ "$now" -ge "$last" ] || fail "bucket 1's counter went back: $last -> $now"
  last=$now
done
[ "$last" -gt 0 ] || fail "no traffic reached bucket 1"
during=$(($(group_field 7 packet_count) - first))
kill -0 $gen 2>/dev/null || fail "the generator stopped before the changes ended"
[ "$during" -gt 0 ] || fail "no frame went through the group during the changes"
echo "ok: traffic ran during the changes ($during frames through the group)"
kill $gen
wait $gen 2>/dev/null || true
settle
flow=$(ofgroupctl dump-flows)
[[ $flow =~ n_packets=([0-9]+) ]] || fail "dump-flows: $flow"
flow=${BASH_REMATCH[1]}
expect_eq "every frame the flow matched ran through the group" "$(group_field 7 packet_count)" "$flow"
expect_eq "lost" "$(dp_delta lost)" 0
echo "frames through the group in all: $flow"
