#!/usr/bin/env bash
# `make test`: setup, debug kernel (cached), module (with clippy), host checks and tests, then one VM
# run with KUnit and the scenarios. Ends with one line "N passed, N failed" and exits non-zero on any
# failure. Takes no arguments; OFGROUP_SCENARIOS="a b" limits the scenarios (for development).
source "$(dirname "$0")/common.sh"
export PROFILE=debug

passed=0 failed=0
failures=()
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); failures+=("$1"); echo "FAILED: $1" >&2; }
finish() {
  echo
  for f in "${failures[@]}"; do echo "  failed: $f"; done
  echo "$passed passed, $failed failed"
  [ "$failed" = 0 ]
  exit
}

"$REPO/scripts/setup.sh"
KDIR=$("$REPO/scripts/kernel.sh" debug)
export KDIR

# --- module, linted by clippy while it builds; any warning is a failure ---
modlog=$(mktemp)
touch "$REPO/rust/kmod/ofgroup_main.rs"  # recompile so every warning shows, not just new ones
if CLIPPY=1 "$REPO/scripts/module.sh" >/dev/null 2>"$modlog"; then
  if grep -E '^(warning|error)' "$modlog"; then bad "module build has warnings"; else ok; fi
else
  cat "$modlog" >&2
  bad "module build"
  finish
fi
rm -f "$modlog"

# --- host: formatting, clippy, tests of the userspace crates ---
log "host checks and cargo test"
if "$REPO/scripts/lint.sh" --host-only; then ok; else bad "lint (rustfmt/clippy)"; fi
cargo_out=$(mktemp)
(cd "$REPO/rust" && cargo test --locked 2>&1) | tee "$cargo_out" | grep -E '^(test result|test .* FAILED|error)' >&2 || true
read -r cp cf < <(awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
  END { print p + 0, f + 0 }' "$cargo_out")
passed=$((passed + cp)); failed=$((failed + cf))
grep -q '^test result:' "$cargo_out" || bad "cargo test did not run"
{ grep -E "^test .* FAILED$" "$cargo_out" || true; } | while read -r _ name _; do echo "  cargo: $name"; done
((cf == 0)) || failures+=("cargo test: $cf failed")
rm -f "$cargo_out"
"$REPO/scripts/userspace.sh" || bad "userspace build"

# --- VM: KUnit at insmod, scenarios, splat and leak checks ---
run_dir="$CACHE/runs/test-$(date +%Y%m%d-%H%M%S)"
log "VM tests on the debug kernel (run dir: $run_dir)"
scen=()
for s in ${OFGROUP_SCENARIOS:-}; do scen+=("$REPO/qemu/guest/scenarios/$s.sh"); done
"$REPO/qemu/vm.sh" --run-dir "$run_dir" --timeout "${OFGROUP_TEST_TIMEOUT:-2400}" -- \
  "$REPO/qemu/guest/scenarios.sh" "${scen[@]}" || true
kunit_py="$KDIR/source/tools/testing/kunit/kunit.py"
[ -f "$kunit_py" ] || kunit_py="${KSRC:-$CACHE/src/linux-source-$KVER_WANT}/tools/testing/kunit/kunit.py"
res=$(python3 "$REPO/scripts/collect.py" "$run_dir" "$kunit_py") || true
echo "$res" | grep -v '^RESULT '
read -r _ vp vf < <(echo "$res" | grep '^RESULT ')
passed=$((passed + vp)); failed=$((failed + vf))
((vf == 0)) || failures+=("VM: $vf failed (see above; logs in $run_dir)")
finish
