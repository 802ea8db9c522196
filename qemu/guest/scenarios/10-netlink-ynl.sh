# The ofgroup genetlink family through the kernel's own YNL client and our spec: the library
# checks every operation, refusal, policy, dump, monitor and permission (qemu/guest/netlink_ynl.py);
# then cli.py itself adds, reads and refuses once, as a user would type it.
python3 "$OFGROUP_REPO/qemu/guest/netlink_ynl.py"

ynl() {
  python3 "$OFGROUP_KDIR/source/tools/net/ynl/pyynl/cli.py" \
    --spec "$OFGROUP_REPO/rust/abi/spec/ofgroup.yaml" --no-schema "$@"
}
ynl --do group-new --json '{"id": 7, "type": "ff", "bucket": [{"watch-port": 1, "action": [{"output": 1}]}]}'
ynl --do group-get --json '{"id": 7}' --output-json | grep -q '"type": "ff"'
out=$(ynl --do group-new --json '{"id": 7, "type": "all"}' 2>&1) && { echo "duplicate accepted"; exit 1; }
echo "$out" | grep -q 'GROUP_EXISTS: group 7: group_id: group exists'
ynl --do group-del --json '{}'
