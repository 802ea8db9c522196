# Module parameters out of range are refused at insmod with EINVAL and a message naming the
# parameter; the module then loads with good ones. (Issue 12: parameters were not range-checked.)
. "$OFGROUP_REPO/qemu/guest/lib/topo.sh"
ko=${OFGROUP_KO:-$OFGROUP_REPO/ofgroup.ko}
rmmod ofgroup
trap 'grep -q "^ofgroup " /proc/modules || insmod "$ko"' EXIT
for p in max_groups=0 max_groups=4294967295 max_buckets=0 max_buckets=65537 max_flows=0 max_flows=1048577; do
  out=$(insmod "$ko" "$p" 2>&1) && fail "insmod $p was accepted"
  [[ $out == *"Invalid param"* ]] || fail "insmod $p: '$out', want Invalid parameters (EINVAL)"
  msg=$(dmesg | grep 'ofgroup: max_' | tail -n 1)
  [[ $msg == *"${p%%=*} must be"* ]] || fail "insmod $p: kernel log says '$msg'"
  echo "ok: insmod $p refused: ${msg#*] }"
done
insmod "$ko" max_groups=4294967041 max_buckets=65536 max_flows=1048576 || fail "insmod with the largest limits"
ofgroupctl dump-group-features | grep -q 65536 || fail "max_buckets=65536 not advertised"
echo "ok: the largest limits load and are advertised"
rmmod ofgroup
# The limits count per namespace: with max_flows=2, the initial namespace and another each hold
# two flows, and a third is refused in each.
insmod "$ko" max_flows=2 || fail "insmod max_flows=2"
ip netns add ofg-lim
trap 'ip netns del ofg-lim 2>/dev/null || true; grep -q "^ofgroup " /proc/modules || insmod "$ko"' EXIT
for ns in "" ofg-lim; do
  run=(ofgroupctl)
  [ -z "$ns" ] || run=(ip netns exec "$ns" ofgroupctl)
  "${run[@]}" add-flow 'priority=1,in_port=1,actions=output:2'
  "${run[@]}" add-flow 'priority=2,in_port=1,actions=output:2'
  refused "TABLE_FULL: the flow table holds 2 flows" "${run[@]}" add-flow 'priority=3,in_port=1,actions=output:2'
done
ip netns del ofg-lim
ofgroupctl del-flows
rmmod ofgroup
insmod "$ko" || fail "insmod with the defaults"
echo "ok: reloaded with the defaults"
