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
gen() { # gen N FILE
  awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++) {
    a = int(i / 65536) % 256; b = int(i / 256) % 256; c = i % 256
    if (i % 4 == 0) printf "priority=400,tcp,tp_dst=%d,actions=output:1\n", 1 + i % 65535 + 0 * a
    else if (i % 4 == 1) printf "priority=300,in_port=1,ip,nw_dst=10.%d.%d.%d,actions=output:2\n", a, b, c
    else if (i % 4 == 2) printf "priority=200,in_port=2,ip,nw_dst=11.%d.%d.0/24,actions=output:3\n", (a * 7 + b) % 256, c
    else printf "priority=100,ip,nw_dst=%d.%d.0.0/16,actions=output:4\n", 12 + a, b * 0 + c
  } }' >"$2"
}
ns_now() { date +%s%N; }
measure() { # measure N: best ns per flow of two installs of N flows
  local n=$1 best=0 t0 t1 per run
  gen "$n" "$tmp/f"
  for run in 1 2; do
    ofgroupctl del-flows
    t0=$(ns_now)
    ofgroupctl add-flows "$tmp/f"
    t1=$(ns_now)
    per=$(((t1 - t0) / n))
    got=$(ofgroupctl dump-dp | sed -n 's/.*flows[: ]*\([0-9]*\).*/\1/p' | head -1)
    echo "install $n flows, run $run: $(((t1 - t0) / 1000000)) ms, $per ns per flow (table: ${got:-?} flows)" >&2
    if [ "$best" = 0 ] || [ "$per" -lt "$best" ]; then best=$per; fi
  done
  ofgroupctl del-flows
  echo "$best"
}
s=$(measure "$small")
l=$(measure "$large")
echo "bench flow-install: $small flows $s ns/flow, $large flows $l ns/flow, ratio $(awk -v a="$l" -v b="$s" 'BEGIN { printf "%.2f", a / b }') (goal <= 2)"
