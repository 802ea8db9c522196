#!/usr/bin/env bash
# Guest side of `make bench-flow-install`: time `ofgroupctl add-flows` installing SMALL and then
# LARGE flows (default 1000 and 100000) into an empty table, in the realistic 4-mask shape of
# bench-flows (ip,tcp,tp_dst ACLs; in_port + /32; in_port + /24; /16), and report the cost per
# flow of each and their ratio (issue 12's goal: <= 2). Each size is installed twice (the
# faster run counts) and deleted in between.
set -euo pipefail
small=${1:-1000} large=${2:-100000}
tmp=$(mktemp -d)
trap 'ofgroupctl del-flows >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
gen() { # gen N FILE: N distinct flows, a quarter of each shape (j numbers them per shape)
  awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++) {
    j = int(i / 4)
    if (i % 4 == 0) printf "priority=400,tcp,in_port=%d,tp_dst=%d,actions=output:1\n", 1 + int(j / 65535), 1 + j % 65535
    else if (i % 4 == 1) printf "priority=300,in_port=1,ip,nw_dst=10.%d.%d.%d,actions=output:2\n", int(j / 65536) % 256, int(j / 256) % 256, j % 256
    else if (i % 4 == 2) printf "priority=200,in_port=2,ip,nw_dst=11.%d.%d.0/24,actions=output:3\n", int(j / 256) % 256, j % 256
    else printf "priority=100,ip,nw_dst=%d.%d.0.0/16,actions=output:4\n", 12 + int(j / 256), j % 256
  } }' >"$2"
}
ns_now() { date +%s%N; }
measure() { # measure N: best total ns of two installs of N flows into an empty table
  local n=$1 best=0 t0 t1 run got
  gen "$n" "$tmp/f"
  for run in 1 2; do
    ofgroupctl del-flows
    t0=$(ns_now)
    ofgroupctl add-flows "$tmp/f"
    t1=$(ns_now)
    got=$(ofgroupctl dump-dp | sed -n 's/.*flows[: ]*\([0-9]*\).*/\1/p' | head -1)
    [ "${got:-0}" = "$n" ] || { echo "installed ${got:-?} flows, want $n" >&2; exit 1; }
    echo "install $n flows, run $run: $(((t1 - t0) / 1000000)) ms, $(((t1 - t0) / n)) ns per flow" >&2
    if [ "$best" = 0 ] || [ $((t1 - t0)) -lt "$best" ]; then best=$((t1 - t0)); fi
  done
  ofgroupctl del-flows
  echo "$best"
}
mid=$(((small + large) / 10))
s=$(measure "$small")
m=$(measure "$mid")
l=$(measure "$large")
awk -v s="$s" -v m="$m" -v l="$l" -v ns="$small" -v nm="$mid" -v nl="$large" 'BEGIN {
  printf "bench flow-install: per flow %d ns at %d flows, %d ns at %d, %d ns at %d: ratio %.2f (goal <= 2)\n", s / ns, ns, m / nm, nm, l / nl, nl, (l / nl) / (s / ns)
  printf "bench flow-install: marginal cost per flow (start-up cost removed) %d ns from %d to %d flows, %d ns from %d to %d: ratio %.2f\n", (m - s) / (nm - ns), ns, nm, (l - m) / (nl - nm), nm, nl, ((l - m) / (nl - nm)) / ((m - s) / (nm - ns))
}'
