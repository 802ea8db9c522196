#!/usr/bin/env bash
# `make fuzz`: the spec-driven netlink fuzzer's long run on the debug kernel (KASAN, lockdep,
# PROVE_RCU, kmemleak), with traffic through the datapath, then the fail-nth sweep of every
# mutating operation (qemu/guest/scenarios/50-nl-fuzz.sh), then 60 s of churn under traffic with
# packet conservation checked (55-churn.sh); make test runs short ones of both.
#   OFGROUP_FUZZ_SEED=S       reproduce a run (default: a random seed, printed first)
#   OFGROUP_FUZZ_REQUESTS=N   requests (default 100000)
#   OFGROUP_CHURN_SECONDS=S   seconds of churn (default 60)
# Passes iff every invariant held, the sweep passed, and the kernel log has no splat or leak.
source "$(dirname "$0")/common.sh"
export PROFILE=debug
KDIR=$("$REPO/scripts/module.sh")
export KDIR
"$REPO/scripts/userspace.sh"
seed=${OFGROUP_FUZZ_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
requests=${OFGROUP_FUZZ_REQUESTS:-100000}
export OFGROUP_FUZZ_SEED=$seed OFGROUP_FUZZ_REQUESTS=$requests OFGROUP_CHURN_SECONDS=${OFGROUP_CHURN_SECONDS:-60}
# Under TCG the fuzzer does ~25 requests a second; the sweep takes a few minutes more.
export OFGROUP_SCENARIO_TIMEOUT=$((requests / 10 + 1800))
log "fuzz: seed $seed, $requests requests (reproduce: OFGROUP_FUZZ_SEED=$seed OFGROUP_FUZZ_REQUESTS=$requests make fuzz)"
run_dir="$CACHE/runs/fuzz-$(date +%Y%m%d-%H%M%S)"
"$REPO/qemu/vm.sh" --run-dir "$run_dir" --timeout $((OFGROUP_SCENARIO_TIMEOUT + 600)) -- \
  "$REPO/qemu/guest/scenarios.sh" "$REPO/qemu/guest/scenarios/50-nl-fuzz.sh" \
  "$REPO/qemu/guest/scenarios/55-churn.sh" || true
grep -hE '^(nlfuzz|churn|ok|FAIL)' "$run_dir"/scenario-5{0-nl-fuzz,5-churn}.log 2>/dev/null || true
kunit_py=$(kunit_py)
res=$(python3 "$REPO/scripts/collect.py" "$run_dir" "$kunit_py") || true
echo "$res" | grep -E '^(FAILED|RESULT)'
log "fuzz: seed $seed; logs in $run_dir"
read -r _ _ failed < <(echo "$res" | grep '^RESULT ')
[ "${failed:-1}" = 0 ]
