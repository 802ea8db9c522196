# shellcheck shell=bash
# The demo topology, shared by `make demo` (qemu/guest/demo.sh) and `make shell` (qemu/guest/shell.sh).
# Sourced, never run.
#
#            client  10.0.0.1  (namespace "client", device cli)
#               |
#             port 1   cli-dp
#        [ ofgroup datapath ]     in_port=1 -> group 1: select, bucket 0 weight 1 -> port 2,
#             /      \                                         bucket 1 weight 3 -> port 3
#     port 2 srv1-dp  port 3 srv2-dp     in_port=2 -> port 1, in_port=3 -> port 1
#           |            |
#       server1        server2    both are 10.0.0.100 with the same MAC: an anycast service, so
#                                 whichever server the group picks receives the packet and answers
#
# The datapath forwards L2 frames as they are, so the servers share IP and MAC. The client's ARP
# request for 10.0.0.100 is a broadcast and goes through the group like any frame; the server that
# gets it answers. The servers know the client's MAC statically: an ARP reply from the client to the
# shared MAC would itself be balanced and might reach the other server than the one that asked.
source "$(dirname "${BASH_SOURCE[0]}")/topo.sh"

DEMO_CLIENT_IP=10.0.0.1
DEMO_CLIENT_MAC=02:00:00:00:00:01
DEMO_SERVICE_IP=10.0.0.100
DEMO_SERVICE_MAC=02:00:00:00:00:64
DEMO_GROUP='group_id=1,type=select,bucket=bucket_id:0,weight:1,watch_port:2,actions=output:2,bucket=bucket_id:1,weight:3,watch_port:3,actions=output:3'
DEMO_FLOWS=('priority=10,in_port=1,actions=group:1'
  'priority=10,in_port=2,actions=output:1'
  'priority=10,in_port=3,actions=output:1')

# demo_run CMD... — print "  $ CMD", run it, print its output indented; the output stays in DEMO_OUT.
# (No pipes through sed: every process costs seconds under TCG.)
demo_run() {
  local rc l
  printf '  $ %s\n' "$*"
  DEMO_OUT=$("$@" 2>&1)
  rc=$?
  [ -z "$DEMO_OUT" ] || while IFS= read -r l; do printf '    %s\n' "$l"; done <<<"$DEMO_OUT"
  return $rc
}

# demo_topology — namespaces, ports, the group and the flows; prints the ofgroupctl commands it runs.
demo_topology() {
  local ns
  for ns in client server1 server2; do
    ip netns add "$ns" || return
    # No IPv6 chatter (DAD, router solicitations, MLD) through the datapath: only the demo's traffic.
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1 net.ipv6.conf.all.disable_ipv6=1
  done
  ports_ns "client cli $DEMO_CLIENT_IP/24 $DEMO_CLIENT_MAC" \
    "server1 srv1 $DEMO_SERVICE_IP/24 $DEMO_SERVICE_MAC" \
    "server2 srv2 $DEMO_SERVICE_IP/24 $DEMO_SERVICE_MAC" || return
  # The client keeps what its ARP learned for the length of a demo, so later counts are the demo's
  # own packets rather than a stray ARP probe or two.
  ip netns exec client sysctl -qw net.ipv4.neigh.cli.base_reachable_time_ms=3600000 || return
  ip -n server1 neigh replace "$DEMO_CLIENT_IP" lladdr "$DEMO_CLIENT_MAC" dev srv1 nud permanent || return
  ip -n server2 neigh replace "$DEMO_CLIENT_IP" lladdr "$DEMO_CLIENT_MAC" dev srv2 nud permanent || return
  sysctl -qw net.ipv6.conf.cli-dp.disable_ipv6=1 net.ipv6.conf.srv1-dp.disable_ipv6=1 \
    net.ipv6.conf.srv2-dp.disable_ipv6=1 2>/dev/null || true

  demo_run ofgroupctl add-port cli-dp --port 1 || return
  demo_run ofgroupctl add-port srv1-dp --port 2 || return
  demo_run ofgroupctl add-port srv2-dp --port 3 || return
  demo_run ofgroupctl add-group "$DEMO_GROUP" || return
  local f
  for f in "${DEMO_FLOWS[@]}"; do
    demo_run ofgroupctl add-flow "$f" || return
  done
}
