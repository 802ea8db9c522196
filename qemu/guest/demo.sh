#!/usr/bin/env bash
# Guest side of `make demo`: runs in the VM with ofgroup.ko loaded and narrates a small load balancer
# built on it — a client, two servers behind a weighted select group, and a failover. Exits non-zero
# when something the narration claims did not happen.
set -u
lib="$(dirname "$0")/lib"
source "$lib/demo-topo.sh"

FLOWS=${OFGROUP_DEMO_FLOWS:-500}
FIRST_SPORT=20000
SERVICE_PORT=5000
failed=0

say() { printf '\n\033[1m%s\033[0m\n' "$*"; }
note() { printf '  %s\n' "$@"; }
bad() { printf '  \033[31mFAILED: %s\033[0m\n' "$*"; failed=1; }
pct() { if (($2 > 0)); then printf '%d.%d%%' $((1000 * $1 / $2 / 10)) $((1000 * $1 / $2 % 10)); else printf -; fi; }

# Counters are parsed from ofgroupctl's text with bash itself, and read from sysfs with $(<): each
# process costs seconds under TCG.

# weights LINE — the weights of a dump-groups line's buckets (a bucket printed without one has 1).
weights() {
  local rest=$1 seg w=()
  while [[ $rest == *bucket=* ]]; do
    rest=${rest#*bucket=}
    seg=${rest%%,bucket=*}
    if [[ $seg =~ (^|,)weight:([0-9]+) ]]; then w+=("${BASH_REMATCH[2]}"); else w+=(1); fi
  done
  echo "${w[*]}"
}

# bucket_packets LINE — "P0 P1": the bucket packet counters in a dump-group-stats line.
bucket_packets() {
  local p=() i
  for i in 0 1; do
    [[ $1 =~ bucket$i:packet_count=([0-9]+) ]] && p+=("${BASH_REMATCH[1]}") || p+=(0)
  done
  echo "${p[*]}"
}

# delivered N — frames the veth srvN-dp has passed to serverN (the kernel's own counter).
delivered() { echo "$(</sys/class/net/srv$1-dp/statistics/tx_packets)"; }

# traffic — send $FLOWS UDP flows from the client, print the stats, and set SENT, D0/D1 (this round's
# packets per bucket) and S1/S2 (frames delivered to each server meanwhile).
traffic() {
  local b0 b1 a0 a1 r1 r2
  read -r b0 b1 < <(bucket_packets "$(ofgroupctl dump-group-stats 1)")
  r1=$(delivered 1) r2=$(delivered 2)
  printf '  $ ip netns exec client python3 udp-flows.py %s %s %s %s\n' \
    "$DEMO_SERVICE_IP" "$SERVICE_PORT" "$FLOWS" "$FIRST_SPORT"
  SENT=$(ip netns exec client python3 "$lib/udp-flows.py" "$DEMO_SERVICE_IP" "$SERVICE_PORT" \
    "$FLOWS" "$FIRST_SPORT") || SENT=0
  note "  (one datagram from each source port $FIRST_SPORT..$((FIRST_SPORT + FLOWS - 1)): $SENT flows)"
  S1=$(($(delivered 1) - r1)) S2=$(($(delivered 2) - r2))
  demo_run ofgroupctl dump-group-stats 1
  read -r a0 a1 < <(bucket_packets "$DEMO_OUT")
  D0=$((a0 - b0)) D1=$((a1 - b1))
}

# split — this round's split next to the weights, checked against what the servers got.
split() {
  local w0 w1 total=$((D0 + D1))
  read -r w0 w1 < <(weights "$(ofgroupctl dump-groups 1)")
  if [ -z "${SPLIT_EXPLAINED:-}" ]; then
    note "" "This round, from the counters' differences. \"delivered\" is the veth's own count of frames it" \
      "passed to that server, independent of ofgroup:"
    SPLIT_EXPLAINED=1
  else
    note "" "This round:"
  fi
  printf '    %-6s  %-4s  %-7s  %-6s  %-13s  %7s  %6s  %9s\n' bucket port server weight "weight share" packets share delivered \
    0 2 server1 "$w0" "$(pct "$w0" $((w0 + w1)))" "$D0" "$(pct "$D0" "$total")" "$S1" \
    1 3 server2 "$w1" "$(pct "$w1" $((w0 + w1)))" "$D1" "$(pct "$D1" "$total")" "$S2"
  ((total >= SENT)) || bad "the group counted $total packets, the client sent $SENT"
  ((total <= SENT)) || note "(the group's $total packets include $((total - SENT)) besides the datagrams, e.g. ARP)"
  ((S1 == D0 && S2 == D1)) || bad "the servers got $S1 and $S2 frames, the buckets counted $D0 and $D1"
}

say "ofgroup demo: a weighted, self-healing load balancer in the kernel"
note "One client and two servers, each in its own network namespace, wired through ofgroup's datapath:" \
  "the client's packets go to group 1, a select group that spreads flows over server1 and server2" \
  "with weights 1:3, and skips a server whose link is down."

say "1. The module is loaded, and its KUnit tests ran inside the kernel while it loaded:"
grep '^ofgroup ' /proc/modules | awk '{ print "  " $1 ", " $2 " bytes" }'
# KTAP after the marker: "ok N suite" at the top level, "    ok N case" one level in.
dmesg | sed -n '/ofgroup-vm: marker/,$s/^\[[ 0-9.]*\] //p' |
  awk '/^(not )?ok [0-9]+ / { s++; if ($1 == "not") sf++ }
       /^    (not )?ok [0-9]+ / { c++; if ($1 == "not") cf++ }
       END { printf "  KUnit: %d suites, %d cases, %d failed\n", s, c, cf + 0; exit (s == 0 || sf + cf > 0) }' ||
  bad "KUnit did not pass (see the guest's dmesg)"

say "2. The topology"
sed -n '/^#            client/,/^#  *whichever/s/^#/ /p' "$lib/demo-topo.sh"
note "" "Three namespaces with veth pairs; the initial-namespace ends become datapath ports, then the group" \
  "and one flow per port:"
demo_topology || { bad "setting up the topology"; exit 1; }
note "" "What the datapath holds now:"
demo_run ofgroupctl dump-groups
demo_run ofgroupctl dump-flows --no-stats

say "3. A first ping from the client to the service 10.0.0.100"
note "Its ARP request is a broadcast, which the group sends to one server; that server answers."
demo_run ip netns exec client ping -c 2 -W 5 "$DEMO_SERVICE_IP" || bad "ping got no answer"

say "4. $FLOWS UDP flows from the client to the service ($DEMO_SERVICE_IP port $SERVICE_PORT)"
note "The group hashes each flow (addresses and ports) to one bucket, in proportion to the weights;" \
  "every packet of a flow takes the same bucket."
traffic
split
R1_D0=$D0 R1_D1=$D1
[ "$D0" -gt 0 ] && [ "$D1" -gt 0 ] || bad "a server got no traffic"
((D0 * 100 > 15 * (D0 + D1) && D0 * 100 < 35 * (D0 + D1))) || bad "bucket 0 has not about a quarter of the flows"

say "5. Fast failover: server2's link goes down"
demo_run ip link set srv2-dp down
note "ofgroup reads the link state (up, carrier) at each packet; port 3 is now down, and bucket 1, which" \
  "watches port 3, is no longer chosen. No flow or group was changed."
demo_run ofgroupctl dump-ports 3
note "" "The same $FLOWS flows again:"
traffic
split
[ "$D1" = 0 ] && [ "$D0" -gt 0 ] || bad "traffic still went to the downed server2, or nowhere"
note "" "Every flow went to server1, including the ones server2 had before."

say "6. server2 comes back"
demo_run ip link set srv2-dp up
note "The same $FLOWS flows once more:"
traffic
split
[ "$D0" -gt 0 ] && [ "$D1" -gt 0 ] || bad "traffic did not return to server2"
if [ "$D0" = "$R1_D0" ] && [ "$D1" = "$R1_D1" ]; then
  note "" "Exactly the split of step 4: each flow returned to the server it had before (rendezvous" \
    "hashing moves only the flows of a bucket that comes or goes)."
else
  note "" "Step 4 had $R1_D0 and $R1_D1."
fi

say "7. The datapath's own counters"
note "Every frame that entered a port matched a flow (hit; missed would be frames no flow matched):"
demo_run ofgroupctl dump-dp
note "" "The servers' answers came back through the in_port=2 and in_port=3 flows: the ping replies, and" \
  "ICMP \"port unreachable\" for some datagrams (nothing listens on port $SERVICE_PORT; the kernel limits"\
  "the rate of those):"
demo_run ofgroupctl dump-flows

if [ $failed = 0 ]; then
  say "Done. \`make shell\` boots into this same topology to play with."
else
  say "The demo FAILED: see the FAILED lines above."
fi
exit $failed
