#!/usr/bin/env bash
# Benchmarks, on the perf kernel, each measured within one VM run and reported as ratios.
#   scripts/bench.sh lookup   group lookup cost at 16 groups vs 1M groups (bench_lookup=)
#   scripts/bench.sh flows    flow lookup cost at 10 flows vs 1k flows (bench_flows=)
#   scripts/bench.sh groups   install/dump 100k groups: ofgroupctl vs ip nexthop groups
#   scripts/bench.sh flow-install  ofgroupctl add-flows cost per flow at 1k vs 100k flows
#   scripts/bench.sh forward  forwarding rate: ofgroup paths vs veth, tc mirred, bridge, openvswitch.ko
source "$(dirname "$0")/common.sh"
export PROFILE=perf
what=${1:?usage: scripts/bench.sh lookup|flows|groups|flow-install|forward}
KDIR=$("$REPO/scripts/module.sh")
export KDIR
# bench-lookup and bench-flows run in the bench variant of the module (their code and parameters
# are not in the module users load).
case "$what" in lookup|flows)
  OFGROUP_VARIANT=bench "$REPO/scripts/module.sh" >/dev/null
  export OFGROUP_KO="$CACHE/variant/bench/ofgroup.ko" ;;
esac
run_dir="$CACHE/runs/bench-$what-$(date +%Y%m%d-%H%M%S)"
case "$what" in
  lookup)
    log "benchmark: group lookup at 16 vs ${OFGROUP_BENCH_GROUPS:-1000000} groups (perf kernel, TCG)"
    OFGROUP_VM_MEM=${OFGROUP_VM_MEM:-4G} OFGROUP_INSMOD_ARGS="bench_lookup=${OFGROUP_BENCH_GROUPS:-1000000}" \
      "$REPO/qemu/vm.sh" --run-dir "$run_dir" --timeout 1800 -- true
    grep -h 'bench lookup:' "$run_dir/dmesg" | sed 's/^\[[ 0-9.]*\] ofgroup: //'
    ;;
  flows)
    log "benchmark: flow lookup at 10 vs ${OFGROUP_BENCH_FLOWS:-1000} flows (perf kernel, TCG)"
    OFGROUP_INSMOD_ARGS="bench_flows=${OFGROUP_BENCH_FLOWS:-1000}" \
      "$REPO/qemu/vm.sh" --run-dir "$run_dir" --timeout 1800 -- true
    grep -h 'bench flows:' "$run_dir/dmesg" | sed 's/^\[[ 0-9.]*\] ofgroup: //'
    ;;
  groups)
    "$REPO/scripts/userspace.sh"
    log "benchmark: install and dump ${OFGROUP_BENCH_GROUPS:-100000} groups, ofgroupctl vs ip nexthop (perf kernel, TCG)"
    "$REPO/qemu/vm.sh" --run-dir "$run_dir" --timeout 3000 -- \
      "$REPO/qemu/guest/bench-groups.sh" "${OFGROUP_BENCH_GROUPS:-100000}"
    ;;
  flow-install)
    "$REPO/scripts/userspace.sh"
    log "benchmark: ofgroupctl add-flows of ${OFGROUP_BENCH_SMALL:-1000} vs ${OFGROUP_BENCH_FLOWS:-100000} flows (perf kernel, TCG)"
    "$REPO/qemu/vm.sh" --run-dir "$run_dir" --timeout 3000 -- \
      "$REPO/qemu/guest/bench-flow-install.sh" "${OFGROUP_BENCH_SMALL:-1000}" "${OFGROUP_BENCH_FLOWS:-100000}"
    ;;
  forward)
    "$REPO/scripts/userspace.sh"
    ovs_root=$("$REPO/scripts/fetch-ovs.sh") || { log "no Open vSwitch: its peer is skipped"; ovs_root=""; }
    # Benchmark-only variants of the module for the ablations (built in copies of the tree).
    for v in nocount noclassify parseonly; do OFGROUP_VARIANT=$v "$REPO/scripts/module.sh" >/dev/null; done
    frames=${OFGROUP_BENCH_FRAMES:-300000}
    log "benchmark: forwarding $frames 60-byte frames per path (perf kernel, TCG)"
    rc=0
    OFGROUP_VM_QUIET=1 "$REPO/qemu/vm.sh" --run-dir "$run_dir" --timeout 3000 -- \
      "$REPO/qemu/guest/bench-forward.sh" "$run_dir/forward.txt" "$frames" "$ovs_root" "$CACHE/variant" || rc=$?
    [ ! -s "$run_dir/forward.txt" ] || python3 "$REPO/scripts/bench-forward-report.py" "$run_dir/forward.txt"
    exit "$rc"
    ;;
  *) die "unknown benchmark '$what'" ;;
esac
