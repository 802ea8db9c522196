#!/usr/bin/env bash
# Guest side of `make bench-groups`: install N one-bucket groups with `ofgroupctl add-groups` and N
# nexthop groups with `ip -batch` in the same VM, then dump both; print rates and ratios.
set -eu
n=${1:-100000}
tmp=$(mktemp -d)
now() { date +%s%N; }

ip link add bench0 type dummy
ip link set bench0 up
seq 1 "$n" | awk '{ printf "add group_id=%d,type=all,bucket=output:1\n", $1 }' >"$tmp/groups"
{ echo "nexthop add id 1 dev bench0"; seq 2 $((n + 1)) | awk '{ printf "nexthop add id %d group 1\n", $1 }'; } >"$tmp/nh"

# Kernel memory per one-bucket group: slab (SUnreclaim) and per-CPU areas, before and after.
mem() { awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo; }
slab0=$(mem SUnreclaim) pcpu0=$(mem Percpu)
t0=$(now); ofgroupctl add-groups "$tmp/groups"; t1=$(now)
slab1=$(mem SUnreclaim) pcpu1=$(mem Percpu)
echo "memory per one-bucket group: slab $(((slab1 - slab0) * 1024 / n)) B + per-CPU $(((pcpu1 - pcpu0) * 1024 / n)) B ($(nproc) CPUs; xarray nodes included)"
ip -batch "$tmp/nh"; t2=$(now)
got=$(ofgroupctl dump-groups | wc -l)
[ "$got" = "$n" ] || { echo "bench: $got groups installed, expected $n" >&2; exit 1; }
t3=$(now); ofgroupctl dump-group-stats >"$tmp/d1"; t4=$(now)
ip nexthop show >"$tmp/d2"; t5=$(now)
[ "$(wc -l <"$tmp/d1")" = "$n" ]

python3 - "$n" "$t0" "$t1" "$t2" "$t3" "$t4" "$t5" <<'PY'
import sys
n, t0, t1, t2, t3, t4, t5 = map(int, sys.argv[1:])
og, nh = (t1 - t0) / 1e9, (t2 - t1) / 1e9
dg, dn = (t4 - t3) / 1e9, (t5 - t4) / 1e9
print(f"install {n}: ofgroupctl add-groups {n/og:,.0f} groups/s, ip -batch nexthop {n/nh:,.0f} groups/s, "
      f"ratio {nh/og:.2f}x (goal >= 2x)")
print(f"dump {n}: ofgroupctl dump-group-stats {dg:.2f} s, ip nexthop show {dn:.2f} s, ratio {dn/dg:.2f}x (goal >= 1x)")
PY
ofgroupctl del-groups
rm -rf "$tmp"
