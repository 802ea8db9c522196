# Refused port and packet requests: each exits 2 with the kernel's extack message, and ports and
# flows are unchanged. (Flow syntax errors are refused by ofgroupctl before the kernel, and the
# kernel's own match validation is host-tested in rust/logic; BAD_OUT_GROUP is in 35-dp-del-group.)
. "$OFGROUP_REPO/qemu/guest/lib/topo.sh"
trap 'ip link del d0 2>/dev/null || true' EXIT
dp_topology
ofgroupctl add-flow 'in_port=1,actions=output:2'
ip link add d0 type dummy
before=$(ofgroupctl dump-ports; ofgroupctl dump-flows --no-stats)
refused "no device 'nosuchdev'" ofgroupctl add-port nosuchdev
refused "is not an Ethernet device" ofgroupctl add-port lo
refused "port 1 is already attached" ofgroupctl add-port d0 --port 1
refused "is busy" ofgroupctl add-port s1-dp --port 5
refused "no port 77" ofgroupctl del-port 77
refused "no port 99" ofgroupctl packet-out in_port=99 udp
after=$(ofgroupctl dump-ports; ofgroupctl dump-flows --no-stats)
expect_eq "ports and flows unchanged" "$after" "$before"
