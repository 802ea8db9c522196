# Bounded work per frame: a fan-out bomb is refused at install (exit 2, TOO_MANY naming the path
# and the work), and so are a modify / insert-buckets that would push a flow reaching the group
# over the budget, a flow over it, and a flow over the action cap; refusals change nothing. The
# limits are advertised, and a large fan-out within budget is delivered in full, nothing lost.
. "$OFGROUP_REPO/qemu/guest/lib/topo.sh"
dp_topology
dp_baseline
# (Built by substitution over N spaces: a bash loop of hundreds of steps costs seconds under TCG.)
buckets() { # N ACTIONS: ",bucket=actions=ACTIONS" N times
  local pad
  printf -v pad '%*s' "$1" ''
  echo "${pad// /,bucket=actions=$2}"
}
times() { # N ACTION: "ACTION,ACTION,..." N times
  local pad
  printf -v pad '%*s' $(($1 - 1)) ''
  echo "$2${pad// /,$2}"
}
state() { ofgroupctl dump-groups; ofgroupctl dump-flows --no-stats; }

ofgroupctl dump-dp | grep -q 'limits: max_flow_actions:256 work_budget:4096' || fail "dump-dp limits"
ofgroupctl dump-group-features | grep -q 'Work budget:  4096 units per frame' || fail "features"

# The bomb: group 7 fans out to 64 outputs (128 units); group 1 runs it 32 x 32 times.
ofgroupctl add-group "group_id=7,type=all$(buckets 64 output:2)"
before=$(state)
refused "TOO_MANY: group 1 bucket 0 -> group 7: per-frame work 132096 > budget 4096" \
  ofgroupctl add-group "group_id=1,type=all$(buckets 32 "$(times 32 group:7)")"
expect_eq "table after the bomb" "$(state)" "$before"

# Group 8: 6 outputs (12 units); group 5: 8 buckets x 8 group:8 (832); a flow runs 5 three
# times (2498).
ofgroupctl add-group "group_id=8,type=all$(buckets 6 output:2)"
ofgroupctl add-group "group_id=5,type=all$(buckets 8 "$(times 8 group:8)")"
ofgroupctl add-flow "priority=10,in_port=1,actions=$(times 3 group:5)"
before=$(state)
# Growing group 8 would make the flow cost 6338 (modify) or 4802 (insert-buckets): refused.
refused "TOO_MANY: flow priority 10 -> group 5: per-frame work 6338 > budget 4096" \
  ofgroupctl mod-group "group_id=8,type=all$(buckets 8 output:2,output:3)"
refused "TOO_MANY: flow priority 10 -> group 5: per-frame work 4802 > budget 4096" \
  ofgroupctl insert-buckets "group_id=8,command_bucket_id=last$(buckets 2 output:2,output:3,output:2)"
# A flow over the budget, and one over the action cap.
refused "TOO_MANY: flow priority 20 -> group 5: per-frame work 4164 > budget 4096" \
  ofgroupctl add-flow "priority=20,in_port=2,actions=$(times 5 group:5)"
refused "TOO_MANY: flow priority 20: actions: too many actions (max 256)" \
  ofgroupctl add-flow "priority=20,in_port=2,actions=$(times 257 output:3)"
expect_eq "table after the refusals" "$(state)" "$before"

# Within budget, the whole fan-out runs: one frame in, 3 x 8 x 8 x 6 = 1152 copies out of port 2
# (veth queues them all on the receiving CPU's backlog at once: make room for them).
backlog=$(sysctl -n net.core.netdev_max_backlog)
trap 'sysctl -qw net.core.netdev_max_backlog=$backlog' EXIT
sysctl -qw net.core.netdev_max_backlog=4096
b1=$(rx_count s1 s1)
ofgroupctl packet-out in_port=1 udp
settle
expect_eq "copies delivered to s1" $(($(rx_count s1 s1) - b1)) 1152
expect_eq "lost" "$(dp_delta lost)" 0
ofgroupctl del-flows
ofgroupctl del-groups
