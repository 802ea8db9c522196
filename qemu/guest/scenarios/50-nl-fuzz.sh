# The spec-driven netlink fuzzer (qemu/guest/lib/nlfuzz.py), a short seeded run, with traffic
# through the datapath: valid and mutated requests for every operation; after every phase the
# dumps equal the model of what was acknowledged, ref-counts equal the flows naming each group,
# no flow names a missing group, counters never go down. `make fuzz` runs it long.
# Then the fail-nth sweep: every mutating operation failed at each of its allocations in turn
# returns an errno and leaves the state unchanged; kmemleak at the end of the run finds no leak.
# timeout: 900
. "$OFGROUP_REPO/qemu/guest/lib/topo.sh"
dp_topology
ports=1=c0-dp,2=s1-dp,3=s2-dp,10=s10-dp
# Traffic from two namespaces into ports 1 and 2 while requests change what it meets.
ip netns exec client ping -q -i 0.01 -W 1 10.0.0.2 >/dev/null 2>&1 &
p1=$!
ip netns exec s1 ping -q -i 0.01 -W 1 10.0.0.3 >/dev/null 2>&1 &
p2=$!
trap 'kill $p1 $p2 2>/dev/null || true' EXIT
"$PY" "$OFGROUP_REPO/qemu/guest/lib/nlfuzz.py" fuzz --seed "${OFGROUP_FUZZ_SEED:-1}" \
  --requests "${OFGROUP_FUZZ_REQUESTS:-300}" --ports "$ports"
"$PY" "$OFGROUP_REPO/qemu/guest/lib/nlfuzz.py" failnth --ports "$ports"
kill $p1 $p2 2>/dev/null || true
# The module is still whole: the topology can be rebuilt and forwards.
dp_topology
ofgroupctl add-flow 'in_port=1,actions=output:2'
ofgroupctl add-flow 'in_port=2,actions=output:1'
ip netns exec client ping -c 2 -W 2 10.0.0.2 >/dev/null || fail "no forwarding after the fuzzing"
echo "ok: forwarding after the fuzzing"
