#!/usr/bin/env bash
# Guest side of `make shell`: builds the demo topology (qemu/guest/lib/demo-topo.sh), prints what to
# try, then starts an interactive shell with ofgroupctl on PATH. Exit the shell to power off.
guest="$(dirname "$0")"
source "$guest/lib/demo-topo.sh"

echo "Setting up the demo topology (see qemu/guest/lib/demo-topo.sh):"
if ! demo_topology; then
  echo "warning: the topology is incomplete; the shell starts anyway" >&2
fi
cat <<HINT

ofgroup is loaded. Namespace client ($DEMO_CLIENT_IP) is on port 1; server1 and server2 (both the anycast
service $DEMO_SERVICE_IP) are on ports 2 and 3; group 1 balances the client's flows over them 1:3.
Try:
  ip netns exec client ping -c 3 $DEMO_SERVICE_IP
  ip netns exec client python3 qemu/guest/lib/udp-flows.py $DEMO_SERVICE_IP 5000 500 20000
  ofgroupctl dump-group-stats 1        # per-bucket packets
  while :; do ip netns exec client python3 qemu/guest/lib/udp-flows.py $DEMO_SERVICE_IP 5000 500 20000 >/dev/null; done &
  ofgroupctl watch-group-stats 1       # live rates and shares per bucket; Ctrl-C stops it, kill %1 the traffic
  ip link set srv2-dp down             # failover: bucket 1 watches port 3; 'up' brings it back
  ofgroupctl dump-ports; ofgroupctl dump-flows; ofgroupctl dump-dp
  ofgroupctl mod-group 'group_id=1,type=select,bucket=bucket_id:0,weight:1,watch_port:2,actions=output:2,bucket=bucket_id:1,weight:1,watch_port:3,actions=output:3'
  ofgroupctl --help
Exit the shell to power the VM off.

HINT
# A login shell would reset PATH from /etc/profile; this rc file puts ofgroupctl back in front.
exec bash --rcfile "$guest/shellrc" -i
