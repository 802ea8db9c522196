# ofgroupctl end to end: ovs-ofctl strings in, ovs-ofctl output out, errors and exit codes, JSON,
# batches; and the kernel's YNL client sees the same state.
tmp=$(mktemp -d)
G='group_id=1234,type=select,selection_method=hash,fields(ip_dst,tcp_dst),bucket=bucket_id:0,weight:5,watch_port:10,actions=output:10,bucket=bucket_id:1,weight=3,actions=output:11,group:7'
ofgroupctl add-group "$G"
out=$(ofgroupctl dump-groups)
echo "$out"
[ "$out" = " group_id=1234,type=select,selection_method=hash,fields(ip_dst,tcp_dst),bucket=bucket_id:0,weight:5,watch_port:10,actions=output:10,bucket=bucket_id:1,weight:3,actions=output:11,group:7" ]

# The same state through the kernel's own YNL library.
python3 - <<'PY'
import os, sys
sys.path.insert(0, os.path.join(os.environ["OFGROUP_KDIR"], "source/tools/net/ynl/pyynl"))
from lib import YnlFamily
y = YnlFamily(os.path.join(os.environ["OFGROUP_REPO"], "rust/abi/spec/ofgroup.yaml"), schema="")
g = y.do("group-get", {"id": 1234})
assert g["type"] == "select" and g["hash-field"] == ["ip-dst", "l4-dst"], g
assert [(b["id"], b["weight"]) for b in g["bucket"]] == [(0, 5), (1, 3)], g
assert g["bucket"][1]["action"] == [{"output": 11}, {"group": 7}], g
# ...and what YNL changes, ofgroupctl sees.
y.do("group-new", {"id": 55, "type": "ff", "bucket": [{"watch-group": 1234, "action": [{"output": 3}]}]})
PY
[ "$(ofgroupctl dump-groups 55)" = " group_id=55,type=ff,bucket=bucket_id:0,watch_group:1234,actions=output:3" ]

ofgroupctl dump-group-stats group_id=1234 | tee "$tmp/stats"
grep -Eq '^ group_id=1234,duration=[0-9]+\.[0-9]{3}s,ref_count=0,packet_count=0,byte_count=0,bucket0:packet_count=0,byte_count=0,bucket1:packet_count=0,byte_count=0$' "$tmp/stats"

# Kernel refusals: exit 2 and "Error: <extack>." on stderr; the table is unchanged.
rc=0; ofgroupctl add-group 'group_id=1234,type=all,bucket=output:1' 2>"$tmp/err" || rc=$?
cat "$tmp/err"; [ $rc = 2 ]
grep -q '^Error: GROUP_EXISTS: group 1234: group_id: group exists\.$' "$tmp/err"
rc=0; ofgroupctl insert-buckets 'group_id=1234,command_bucket_id=9,bucket=output:1' 2>"$tmp/err" || rc=$?
[ $rc = 2 ]; grep -q 'UNKNOWN_BUCKET' "$tmp/err"
[ "$(ofgroupctl dump-groups 1234)" = "$out" ]
# Without CAP_NET_ADMIN (as nobody): changes are refused with exit 2, saying so; reads work.
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all -- "$@"; }
all=$(ofgroupctl dump-groups)
for args in "add-group group_id=9,type=all,bucket=output:1" "del-groups"; do
  # shellcheck disable=SC2086 # the subcommand and its argument, split on purpose
  rc=0; nobody ofgroupctl $args 2>"$tmp/err" || rc=$?
  cat "$tmp/err"; [ $rc = 2 ]
  grep -q '^Error: Operation not permitted (changes need CAP_NET_ADMIN)\.$' "$tmp/err"
done
rc=0; echo 'add group_id=9,type=all,bucket=output:1' | nobody ofgroupctl add-groups - 2>"$tmp/err" || rc=$?
cat "$tmp/err"; [ $rc = 2 ]; grep -q '^Error: -:1: add .*: Operation not permitted' "$tmp/err"
[ "$(nobody ofgroupctl dump-groups)" = "$all" ]
nobody ofgroupctl dump-group-stats 1234 | grep -q '^ group_id=1234,duration='
[ "$(ofgroupctl dump-groups)" = "$all" ]

# Parse errors: exit 1, naming the token and its position; nothing sent.
rc=0; ofgroupctl add-group 'group_id=9,type=selct' 2>"$tmp/err" || rc=$?
cat "$tmp/err"; [ $rc = 1 ]
grep -q "^Error: unknown group type 'selct' .*(at position 12: 'type=selct')\.$" "$tmp/err"
rc=0; ofgroupctl frobnicate 2>/dev/null || rc=$?; [ $rc = 1 ]
ofgroupctl add-group --help | grep -q 'Example:'

# Modify, buckets, features, JSON with the spec's attribute names.
ofgroupctl mod-group 'group_id=1234,type=select,bucket=bucket_id:1,weight:2,actions=output:5'
ofgroupctl insert-buckets 'group_id=1234,command_bucket_id=first,bucket=bucket_id:9,actions=output:9'
ofgroupctl remove-buckets 'group_id=1234,command_bucket_id=1'
[ "$(ofgroupctl dump-groups 1234)" = " group_id=1234,type=select,bucket=bucket_id:9,actions=output:9" ]
rc=0; ofgroupctl mod-group 'group_id=77,type=all,bucket=output:1' 2>/dev/null || rc=$?; [ $rc = 2 ]
ofgroupctl mod-group --may-create 'group_id=77,type=all,bucket=output:1'
ofgroupctl dump-group-features | tee "$tmp/features"
grep -q 'Capabilities:  0xf .*chaining_checks' "$tmp/features"
ofgroupctl -j dump-group-stats 1234 | python3 -c '
import json, sys
d = json.load(sys.stdin)[0]
assert d["id"] == 1234 and d["type"] == "select" and d["bucket"][0]["id"] == 9, d
assert {"duration", "ref-count", "packets", "bytes"} <= d.keys() and "packets" in d["bucket"][0], d'
ofgroupctl -j dump-group-features | python3 -c '
import json, sys; d = json.load(sys.stdin); assert "chaining-checks" in d["capabilities"] and d["max-buckets"] == 1024, d'

# A batch file from standard input; a bad line anywhere changes nothing.
printf 'add group_id=1,type=all,bucket=output:1\nbogus line\n' | { ofgroupctl add-groups - 2>"$tmp/err" && exit 1 || true; }
grep -q '^Error: -:2: ' "$tmp/err"
rc=0; ofgroupctl dump-groups 1 >/dev/null 2>&1 || rc=$?; [ $rc = 2 ]
printf '# comment\nadd group_id=1,type=all,bucket=output:1\nmodify group_id=1,type=all,bucket=output:2\ninsert_bucket group_id=1,bucket=output:3\nremove_bucket group_id=1,command_bucket_id=first\nadd_or_mod group_id=2,type=indirect,bucket=output:4\ndelete group_id=2\n' |
  ofgroupctl add-groups -
[ "$(ofgroupctl dump-groups 1)" = " group_id=1,type=all,bucket=bucket_id:1,actions=output:3" ]

# A kernel refusal in a batch: the lines before it are applied, the error names the line.
rc=0
printf 'add group_id=3,type=all,bucket=output:1\nadd group_id=3,type=all,bucket=output:2\nadd group_id=4,type=all,bucket=output:1\n' |
  ofgroupctl add-groups - 2>"$tmp/err" || rc=$?
cat "$tmp/err"; [ $rc = 2 ]
grep -q '^Error: -:2: add group_id=3,type=all,bucket=actions=output:2: GROUP_EXISTS: group 3: group_id: group exists\.$' "$tmp/err"
[ "$(ofgroupctl dump-groups 3)" = " group_id=3,type=all,bucket=bucket_id:0,actions=output:1" ]

# monitor prints every change as it happens.
ofgroupctl monitor --count 4 >"$tmp/mon" &
mon=$!
sleep 2
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
sleep 2
ofgroupctl add-group 'group_id=501,type=indirect,bucket=output:1'
wait $mon
python3 -c 'import json,sys; d=json.loads(open(sys.argv[1]).read()); assert d["name"] == "group-change-ntf" and d["msg"]["id"] == 501, d' "$tmp/monj"

ofgroupctl del-groups group_id=501
ofgroupctl del-groups group_id=501
ofgroupctl del-groups
[ -z "$(ofgroupctl dump-groups)" ]
rm -rf "$tmp"
