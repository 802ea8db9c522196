#!/usr/bin/env bash
# `make check`: the quick loop for an edit, in about 3 minutes warm on 2 cores. The module built
# with clippy (any warning fails), the host tests (cargo test), and KUnit in the VM (the suites run
# at insmod; the VM runs no scenario and skips the final kmemleak scan, which cost a minute). The
# VM boots while cargo test runs. Ends with "N passed, N failed" and exits non-zero on any failure.
# `make test` runs all of this and the rest: lint, make install, scenarios, leak scan, make shell.
source "$(dirname "$0")/common.sh"
export PROFILE=debug

# The cached kernel only: a check never starts a kernel build.
KDIR=$("$REPO/scripts/kernel.sh" debug)
export KDIR

# --- module with clippy. Only what changed is recompiled; the warnings of the last compile of
# the crate are kept (per worktree), so an unchanged module with a warning still fails. ---
# The kunit variant: the shipped module's code plus the KUnit suites (make test and make lint
# also build the shipped module alone).
log "module, kunit variant (clippy)"
modlog=$(mktemp)
warn="$CACHE/check-warnings-$(printf %s "$REPO" | md5sum | cut -c1-12).log"
if CLIPPY=1 OFGROUP_VARIANT=kunit "$REPO/scripts/module.sh" >/dev/null 2>"$modlog"; then
  if grep -q 'ofgroup_main\.o' "$modlog" || [ ! -f "$warn" ]; then
    grep -E -A12 '^(warning|error)' "$modlog" >"$warn" || true
  fi
  if [ -s "$warn" ]; then cat "$warn" >&2; bad "module build has warnings"; else passed=$((passed + 1)); fi
else
  cat "$modlog" >&2
  rm -f "$modlog" "$warn"
  bad "module build"
  finish
fi
rm -f "$modlog"

# --- KUnit in the VM (in the background) while cargo test runs on the host ---
run_dir="$CACHE/runs/check-$(date +%Y%m%d-%H%M%S)-$$"
log "KUnit in the VM (run dir: $run_dir), cargo test meanwhile"
kunit_ko="$CACHE/variant/kunit/ofgroup.ko"
OFGROUP_KO=$kunit_ko OFGROUP_KMEMLEAK_SCAN=0 OFGROUP_VM_QUIET=1 \
  "$REPO/qemu/vm.sh" --run-dir "$run_dir" --timeout 600 -- true \
  >"$run_dir.vm.log" 2>&1 &
vm=$!

cargo_out=$(mktemp)
(cd "$REPO/rust" && cargo test --locked 2>&1) >"$cargo_out" || true
grep -E '^(test result|test .* FAILED|error)' "$cargo_out" >&2 || true
read -r cp cf < <(awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
  END { print p + 0, f + 0 }' "$cargo_out")
passed=$((passed + cp)); failed=$((failed + cf))
grep -q '^test result:' "$cargo_out" || { grep -E '^error' -A8 "$cargo_out" >&2; bad "cargo test did not run"; }
((cf == 0)) || failures+=("cargo test: $cf failed")
rm -f "$cargo_out"

wait $vm || true
kunit_py=$(kunit_py)
res=$(OFGROUP_KUNIT_KO=$kunit_ko python3 "$REPO/scripts/collect.py" "$run_dir" "$kunit_py") || true
echo "$res" | grep -E '^(FAILED|collect:)|Testing complete|Ran [0-9]+ tests|^\[.*(PASSED|FAILED|CRASHED)' || true
read -r _ vp vf < <(echo "$res" | grep '^RESULT ' || echo "RESULT 0 1")
passed=$((passed + vp)); failed=$((failed + vf))
((vp > 0)) || bad "no KUnit case ran (VM log: $run_dir.vm.log)"
((vf == 0)) || failures+=("VM: $vf failed (logs in $run_dir)")
finish
