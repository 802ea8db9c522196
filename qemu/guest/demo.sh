#!/usr/bin/env bash
# Guest side of `make demo`: runs in the VM with ofgroup.ko loaded, and explains what it shows.
set -u
say() { printf '\n\033[1m%s\033[0m\n' "$*"; }

say "1. The kernel module is loaded:"
grep '^ofgroup ' /proc/modules
dmesg | grep -E 'ofgroup: ofgroup [0-9.]+ loaded' | tail -n1 | sed 's/^\[[ 0-9.]*\] //'

say "2. Its KUnit suites ran inside the kernel while it loaded (KTAP from the kernel log):"
dmesg | sed -n '/ofgroup-vm: marker/,$p' | grep -E '^\[[ 0-9.]+\] +# [a-z0-9_]+: pass:' |
  sed 's/^\[[ 0-9.]*\] //'

say "3. The group table over generic netlink, driven by the kernel's own YNL client and our spec:"
python3 - <<'PY'
import os, sys
sys.path.insert(0, os.path.join(os.environ["OFGROUP_KDIR"], "source/tools/net/ynl/pyynl"))
from lib import YnlFamily, NlError
y = YnlFamily(os.path.join(os.environ["OFGROUP_REPO"], "rust/abi/spec/ofgroup.yaml"), schema="")
print("   features:", y.do("features-get", {}))
g = {"id": 1234, "type": "select",
     "bucket": [{"weight": 1, "action": [{"output": 2}]}, {"weight": 3, "action": [{"output": 3}]}]}
print("   group-new", g)
y.do("group-new", g)
print("   group-get ->", y.do("group-get", {"id": 1234, "stats": True}))
print("   adding group 7 that chains to 1234, then trying to make 1234 chain back to 7:")
y.do("group-new", {"id": 7, "type": "all", "bucket": [{"action": [{"group": 1234}]}]})
try:
    y.do("group-set", {"id": 1234, "type": "all", "bucket": [{"action": [{"group": 7}]}]})
except NlError as e:
    print("   refused:", e)
print("   group-get 1234 is unchanged ->", [b["action"] for b in y.do("group-get", {"id": 1234})["bucket"]])
PY

say "4. The same table with ofgroupctl, in ovs-ofctl syntax:"
echo "   \$ ofgroupctl add-group 'group_id=9,type=ff,bucket=watch_port:1,actions=output:1,bucket=watch_port:2,actions=output:2'"
ofgroupctl add-group 'group_id=9,type=ff,bucket=watch_port:1,actions=output:1,bucket=watch_port:2,actions=output:2'
echo "   \$ ofgroupctl dump-groups"
ofgroupctl dump-groups
echo "   \$ ofgroupctl dump-group-stats 1234"
ofgroupctl dump-group-stats 1234
echo "   \$ ofgroupctl add-group 'group_id=9,type=all,bucket=output:1'   # again"
ofgroupctl add-group 'group_id=9,type=all,bucket=output:1' || echo "   (exit status $?)"

say "5. Next: ports on real devices, flows, and real packets through these groups."
