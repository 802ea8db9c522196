# Churn under traffic with packet conservation (qemu/guest/lib/churn.py): three generators on both
# CPUs into ports 1-3 while one writer modifies group 1 in place, inserts and removes group 2's
# buckets, adds / modifies / deletes churn groups and flows and detaches / re-attaches port 10 as
# fast as netlink answers. Afterwards every frame is accounted for: per port, received = sent =
# flow hits + misses; per flow into a group, the group and each executed bucket credited exactly
# once; what the output ports sent = what their buckets counted; ref_counts = flows naming the
# group. ~10 s of churn here; `make fuzz` runs 60 s (OFGROUP_CHURN_SECONDS).
. "$OFGROUP_REPO/qemu/guest/lib/topo.sh"
dp_topology
# Quiet stacks: a neighbour an earlier scenario's ping left in DELAY sends ARP probes a few seconds
# later, frames no generator sent (a 60 s run right after 50-nl-fuzz's pings saw one). No entry,
# no probe: the generators send raw frames, so every frame a port receives is a generator's.
for ns in client s1 s2; do ip -n "$ns" neigh flush all; done
backlog=$(sysctl -n net.core.netdev_max_backlog)
trap 'sysctl -qw net.core.netdev_max_backlog=$backlog' EXIT
sysctl -qw net.core.netdev_max_backlog=100000
"$PY" "$OFGROUP_REPO/qemu/guest/lib/churn.py" --seconds "${OFGROUP_CHURN_SECONDS:-10}" \
  --seed "${OFGROUP_FUZZ_SEED:-1}"
