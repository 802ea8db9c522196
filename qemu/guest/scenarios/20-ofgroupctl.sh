# ofgroupctl end to end: ovs-ofctl strings in, ovs-ofctl output out, errors and exit codes, JSON,
# batches (that the kernel's YNL client sees the same state is checked in 10-netlink-ynl).
# Refusals go through refused() (exit status and message, one "ok:" line each); the JSON outputs
# are kept and checked by one python3 at the end (a python3 start costs seconds under TCG).
. "$OFGROUP_REPO/qemu/guest/lib/topo.sh"
tmp=$(mktemp -d)
G='group_id=1234,type=select,selection_method=hash,fields(ip_dst,tcp_dst),bucket=bucket_id:0,weight:5,watch_port:10,actions=output:10,bucket=bucket_id:1,weight=3,actions=output:11,group:7'
ofgroupctl add-group "$G"
out=$(ofgroupctl dump-groups)
echo "$out"
[ "$out" = " group_id=1234,type=select,selection_method=hash,fields(ip_dst,tcp_dst),bucket=bucket_id:0,weight:5,watch_port:10,actions=output:10,bucket=bucket_id:1,weight:3,actions=output:11,group:7" ]

ofgroupctl dump-group-stats group_id=1234 | tee "$tmp/stats"
grep -Eq '^ group_id=1234,duration=[0-9]+\.[0-9]{3}s,ref_count=0,packet_count=0,byte_count=0,bucket0:packet_count=0,byte_count=0,bucket1:packet_count=0,byte_count=0$' "$tmp/stats"

# Kernel refusals: exit 2 and "Error: <extack>." on stderr; the table is unchanged.
refused --like 'Error: GROUP_EXISTS: group 1234: group_id: group exists.' \
  ofgroupctl add-group 'group_id=1234,type=all,bucket=output:1'
refused UNKNOWN_BUCKET ofgroupctl insert-buckets 'group_id=1234,command_bucket_id=9,bucket=output:1'
[ "$(ofgroupctl dump-groups 1234)" = "$out" ]
# Without CAP_NET_ADMIN (as nobody): changes are refused with exit 2, saying so; reads work.
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all -- "$@"; }
all=$(ofgroupctl dump-groups)
eperm='Error: Operation not permitted (changes need CAP_NET_ADMIN).'
refused --like "$eperm" nobody ofgroupctl add-group group_id=9,type=all,bucket=output:1
refused --like "$eperm" nobody ofgroupctl del-groups
echo 'add group_id=9,type=all,bucket=output:1' |
  refused --like 'Error: -:1: add *: Operation not permitted*' nobody ofgroupctl add-groups -
[ "$(nobody ofgroupctl dump-groups)" = "$all" ]
nobody ofgroupctl dump-group-stats 1234 | grep -q '^ group_id=1234,duration='
[ "$(ofgroupctl dump-groups)" = "$all" ]

# Parse errors: exit 1, naming the token and its position; nothing sent.
refused --exit 1 --like "Error: unknown group type 'selct' *[(]at position 12: 'type=selct')." \
  ofgroupctl add-group 'group_id=9,type=selct'
refused --exit 1 "" ofgroupctl frobnicate
ofgroupctl add-group --help | grep -q 'Example:'

# Modify, buckets, features, JSON with the spec's attribute names.
ofgroupctl mod-group 'group_id=1234,type=select,bucket=bucket_id:1,weight:2,actions=output:5'
ofgroupctl insert-buckets 'group_id=1234,command_bucket_id=first,bucket=bucket_id:9,actions=output:9'
ofgroupctl remove-buckets 'group_id=1234,command_bucket_id=1'
[ "$(ofgroupctl dump-groups 1234)" = " group_id=1234,type=select,bucket=bucket_id:9,actions=output:9" ]
refused UNKNOWN_GROUP ofgroupctl mod-group 'group_id=77,type=all,bucket=output:1'
ofgroupctl mod-group --may-create 'group_id=77,type=all,bucket=output:1'
ofgroupctl dump-group-features | tee "$tmp/features"
grep -q 'Capabilities:  0xf .*chaining_checks' "$tmp/features"
ofgroupctl -j dump-group-stats 1234 >"$tmp/stats.json"  # checked at the end
ofgroupctl -j dump-group-features >"$tmp/features.json"

# A batch file from standard input; a bad line anywhere changes nothing.
printf 'add group_id=1,type=all,bucket=output:1\nbogus line\n' | { ofgroupctl add-groups - 2>"$tmp/err" && exit 1 || true; }
grep -q '^Error: -:2: ' "$tmp/err"
refused "" ofgroupctl dump-groups 1
printf '# comment\nadd group_id=1,type=all,bucket=output:1\nmodify group_id=1,type=all,bucket=output:2\ninsert_bucket group_id=1,bucket=output:3\nremove_bucket group_id=1,command_bucket_id=first\nadd_or_mod group_id=2,type=indirect,bucket=output:4\ndelete group_id=2\n' |
  ofgroupctl add-groups -
[ "$(ofgroupctl dump-groups 1)" = " group_id=1,type=all,bucket=bucket_id:1,actions=output:3" ]

# A kernel refusal in a batch: the lines before it are applied, the error names the line.
printf 'add group_id=3,type=all,bucket=output:1\nadd group_id=3,type=all,bucket=output:2\nadd group_id=4,type=all,bucket=output:1\n' |
  refused --like 'Error: -:2: add group_id=3,type=all,bucket=actions=output:2: GROUP_EXISTS: group 3: group_id: group exists.' \
    ofgroupctl add-groups -
[ "$(ofgroupctl dump-groups 3)" = " group_id=3,type=all,bucket=bucket_id:0,actions=output:1" ]

# monitor prints every change as it happens.
ofgroupctl monitor --count 4 >"$tmp/mon" &
mon=$!
wait_listening "$mon"
ofgroupctl add-group 'group_id=500,type=all,bucket=output:1'
ofgroupctl mod-group 'group_id=500,type=all,bucket=output:2'
ofgroupctl del-groups group_id=500
ofgroupctl del-groups
wait $mon
cat "$tmp/mon"
[ "$(cat "$tmp/mon")" = "group-change group_id=500,type=all,bucket=bucket_id:0,actions=output:1
group-change group_id=500,type=all,bucket=bucket_id:0,actions=output:2
group-del group_id=500
group-del group_id=all" ]
ofgroupctl -j monitor --count 1 >"$tmp/monj" &
mon=$!
wait_listening "$mon"
ofgroupctl add-group 'group_id=501,type=indirect,bucket=output:1'
wait $mon
# The three JSON outputs kept above, in one python3.
python3 - "$tmp" <<'PY'
import json, os, sys
tmp = sys.argv[1]
load = lambda name: json.load(open(os.path.join(tmp, name)))  # noqa: E731
d = load("stats.json")[0]
assert d["id"] == 1234 and d["type"] == "select" and d["bucket"][0]["id"] == 9, d
assert {"duration", "ref-count", "packets", "bytes"} <= d.keys() and "packets" in d["bucket"][0], d
d = load("features.json")
assert "chaining-checks" in d["capabilities"] and d["max-buckets"] == 1024, d
d = load("monj")
assert d["name"] == "group-change-ntf" and d["msg"]["id"] == 501, d
print("ok: JSON of dump-group-stats, dump-group-features and monitor")
PY

ofgroupctl del-groups group_id=501
ofgroupctl del-groups group_id=501
ofgroupctl del-groups
[ -z "$(ofgroupctl dump-groups)" ]
rm -rf "$tmp"
