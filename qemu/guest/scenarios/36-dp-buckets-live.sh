# Insert and remove buckets while traffic flows: the surviving bucket keeps its counter (it only
# grows), and no frame is lost to a torn update — every frame the flow counted ran a bucket.
. "$OFGROUP_REPO/qemu/guest/lib/topo.sh"
trap 'kill ${gen:-} 2>/dev/null || true' EXIT
dp_topology
dp_baseline
ofgroupctl add-group 'group_id=7,type=select,bucket=bucket_id:1,actions=output:2'
ofgroupctl add-flow 'in_port=1,actions=group:7'
traffic client c0 --dst-mac 50:54:00:00:00:06 --seconds 20 --count 0 --flows 256 >/dev/null &
gen=$!
wait_traffic s1 s1
last=0
for i in 1 2 3 4 5 6; do
  ofgroupctl insert-buckets 'group_id=7,command_bucket_id=last,bucket=bucket_id:2,actions=output:3'
  sleep 0.5
  ofgroupctl remove-buckets 'group_id=7,command_bucket_id=2'
  now=$(group_field 7 bucket0:packet_count)
  [ "$now" -ge "$last" ] || fail "bucket 1's counter went back: $last -> $now"
  last=$now
done
[ "$last" -gt 0 ] || fail "no traffic reached bucket 1"
wait $gen
sleep 1
flow=$(ofgroupctl -j dump-flows | "$PY" -c 'import json,sys; print(json.load(sys.stdin)[0]["packets"])')
expect_eq "every frame the flow matched ran through the group" "$(group_field 7 packet_count)" "$flow"
expect_eq "lost" "$(dp_delta lost)" 0
echo "frames through the group during the changes: $flow"
