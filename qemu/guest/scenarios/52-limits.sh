# Every size limit reachable, and every object the table accepts dumpable (issue 12): a select
# group with max_buckets (1024) buckets of 2 actions (~86 KB of attributes with counters, split
# over several dump messages with the `partial` flag and reassembled by ofgroupctl), between two
# small groups the dump must still show; a flow with the maximum 256 actions (one message, see
# genl/flow.rs); one more bucket or action refused before the kernel collects the list; a
# thousand flows through add-flows. Then everything is deleted (kmemleak checks the rest at the
# end of the run; KUnit's limits case counts live objects exactly).
. "$OFGROUP_REPO/qemu/guest/lib/topo.sh"
tmp=$(mktemp -d)
trap 'ofgroupctl del-flows >/dev/null 2>&1; ofgroupctl del-groups >/dev/null 2>&1; rm -rf "$tmp"' EXIT
ofgroupctl del-flows
ofgroupctl del-groups

acts=output:1,output:2
big() { # big N: a select group 2 with N buckets of 2 actions
  awk -v n="$1" -v a="$acts" 'BEGIN { s = "group_id=2,type=select"
    for (i = 0; i < n; i++) s = s ",bucket=bucket_id:" i ",actions=" a
    print s }'
}
ofgroupctl add-group 'group_id=1,type=indirect,bucket=output:1'
ofgroupctl add-group "$(big 1024)"
ofgroupctl add-group 'group_id=3,type=all,bucket=output:1,bucket=output:2'
ofgroupctl dump-groups >"$tmp/groups"
expect_eq "groups dumped" "$(grep -c group_id= "$tmp/groups")" 3
grep -q '^ group_id=1,' "$tmp/groups" || fail "group 1 missing"
grep -q '^ group_id=3,' "$tmp/groups" || fail "group 3 (after the big one) missing"
line=$(grep '^ group_id=2,' "$tmp/groups")
n=$(grep -o 'bucket=' <<<"$line" | wc -l)
expect_eq "buckets of group 2 in dump-groups" "$n" 1024
[[ $line == *",bucket=bucket_id:1023,actions=$acts" ]] || fail "last bucket of group 2 wrong"
# One group by id: too large for one reply, so ofgroupctl dumps it by id.
expect_eq "dump-groups 2" "$(ofgroupctl dump-groups 2)" "$line"
ofgroupctl dump-group-stats >"$tmp/stats"
expect_eq "group stats dumped" "$(grep -c group_id= "$tmp/stats")" 3
s=$(grep '^ group_id=2,' "$tmp/stats")
expect_eq "bucket counters of group 2" "$(grep -o 'bucket[0-9]*:packet_count' <<<"$s" | wc -l)" 1024
[[ $s == *",bucket1023:packet_count=0,byte_count=0" ]] || fail "last bucket stats of group 2 wrong"

# One bucket more: refused before the kernel collects the list, the table unchanged.
refused OUT_OF_BUCKETS ofgroupctl mod-group "$(big 1025)"
refused OUT_OF_BUCKETS ofgroupctl insert-buckets 'group_id=2,bucket=output:1'
expect_eq "group 2 unchanged" "$(ofgroupctl dump-groups | grep '^ group_id=2,')" "$line"

# A flow with the most actions (256) dumps whole; one more is refused (TOO_MANY).
many() { awk -v n="$1" 'BEGIN { s = "priority=7,in_port=9,actions=output:1"
  for (i = 1; i < n; i++) s = s ",output:" (i % 8 + 1); print s }'; }
ofgroupctl add-flow "$(many 256)"
f=$(ofgroupctl dump-flows --no-stats)
expect_eq "actions of the 256-action flow" "$(grep -o 'output:' <<<"$f" | wc -l)" 256
refused TOO_MANY ofgroupctl add-flow "$(many 257)"

# A thousand flows through add-flows (batches of many requests per datagram), all dumped, then
# deleted.
awk 'BEGIN { for (i = 0; i < 1000; i++)
  printf "priority=100,ip,nw_dst=10.%d.%d.0/24,actions=group:1\n", int(i / 250), i % 250 }' \
  >"$tmp/flows"
ofgroupctl add-flows "$tmp/flows"
expect_eq "flows dumped" "$(ofgroupctl dump-flows --no-stats | grep -c priority=)" 1001
expect_eq "group 1 ref_count" "$(group_field 1 ref_count)" 1000
ofgroupctl del-flows
ofgroupctl del-groups
expect_eq "groups left" "$(ofgroupctl dump-groups | wc -l)" 0
expect_eq "flows left" "$(ofgroupctl dump-flows | wc -l)" 0
