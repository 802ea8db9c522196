#!/usr/bin/env bash
# `make test`: setup, debug kernel (cached), module (with clippy), host checks and tests, then one VM
# run with KUnit and the scenarios. Ends with one line "N passed, N failed" and exits non-zero on any
# failure. Takes no arguments; OFGROUP_SCENARIOS="a b" limits the scenarios (for development).
source "$(dirname "$0")/common.sh"
export PROFILE=debug

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
# The kunit variant (the KUnit suites and the code only they use; never in the shipped module),
# linted the same way; the VM loads and unloads it before the shipped module.
if CLIPPY=1 OFGROUP_VARIANT=kunit "$REPO/scripts/module.sh" >/dev/null 2>"$modlog"; then
  if grep -E '^(warning|error)' "$modlog"; then bad "kunit variant build has warnings"; else ok; fi
else
  cat "$modlog" >&2
  bad "kunit variant build"
  finish
fi
export OFGROUP_KUNIT_KO="$CACHE/variant/kunit/ofgroup.ko"
rm -f "$modlog"
# What ships: the module users load carries no KUnit suite and no benchmark parameter.
if readelf -S "$REPO/ofgroup.ko" | grep -q kunit; then bad "ofgroup.ko has KUnit sections"; else ok; fi
if modinfo -F parm "$REPO/ofgroup.ko" | grep -q '^bench'; then bad "ofgroup.ko has bench parameters"; else ok; fi

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

# --- make install into a staging root (module, depmod, binary, man pages, completions), make
# uninstall, and the refusal to install a module built for another kernel than the running one ---
log "make install / uninstall"
stage=$(mktemp -d)
rel=$(cat "$KDIR/include/config/kernel.release")
want=("lib/modules/$rel/extra/ofgroup.ko" usr/local/bin/ofgroupctl usr/local/share/man/man1/ofgroupctl.1
  usr/local/share/man/man1/ofgroupctl-watch-group-stats.1 usr/local/share/bash-completion/completions/ofgroupctl
  usr/local/share/zsh/site-functions/_ofgroupctl usr/local/share/fish/vendor_completions.d/ofgroupctl.fish)
# CLIPPY=1 as above, so Kbuild sees the same command and does not rebuild the module
if CLIPPY=1 make -s -C "$REPO" install DESTDIR="$stage" PREFIX=/usr/local >"$stage.log" 2>&1; then
  missing=()
  for f in "${want[@]}"; do [ -s "$stage/$f" ] || missing+=("$f"); done
  grep -q '^extra/ofgroup.ko:' "$stage/lib/modules/$rel/modules.dep" 2>/dev/null || missing+=(modules.dep)
  if ((${#missing[@]} == 0)); then ok; else cat "$stage.log" >&2; bad "make install DESTDIR: missing ${missing[*]}"; fi
else
  cat "$stage.log" >&2; bad "make install DESTDIR"
fi
if make -s -C "$REPO" uninstall DESTDIR="$stage" PREFIX=/usr/local >"$stage.log" 2>&1 &&
    [ -z "$(find "$stage" -type f ! -name 'modules.*')" ]; then ok
else cat "$stage.log" >&2; find "$stage" -type f >&2; bad "make uninstall DESTDIR"; fi
if [ "$rel" != "$(uname -r)" ]; then
  if make -s -C "$REPO" install PREFIX="$stage/refused" >"$stage.log" 2>&1; then
    bad "make install of a module for $rel on $(uname -r) did not refuse"
  elif grep -q "this machine runs $(uname -r)" "$stage.log" && [ ! -e "$stage/refused" ]; then ok
  else cat "$stage.log" >&2; bad "make install refusal message"; fi
fi
rm -rf "$stage" "$stage.log"

# --- VM: KUnit at insmod, scenarios, splat and leak checks; meanwhile make shell through a
# pseudo-terminal: prompt, a command, line editing, Ctrl-C, exit status ---
# The shell's VM is busy only while it boots and builds the demo topology, then waits for typing:
# run beside the scenarios' VM it costs them less than it would take after them. Its `make shell`
# builds the module as above (CLIPPY=1, so Kbuild leaves ofgroup.ko alone while the scenarios
# insmod it) and loads no kunit variant.
mkdir -p "$CACHE/runs"
stamp=$(date +%Y%m%d-%H%M%S)
transcript="$CACHE/runs/shell-test-$stamp.log"
shell_out=$(mktemp)
CLIPPY=1 OFGROUP_KUNIT_KO='' python3 "$REPO/scripts/shell-test.py" "$REPO" "$transcript" >"$shell_out" 2>&1 &
shell_pid=$!
run_dir="$CACHE/runs/test-$stamp"
log "VM tests on the debug kernel (run dir: $run_dir), make shell through a pseudo-terminal beside them"
scen=()
for s in ${OFGROUP_SCENARIOS:-}; do scen+=("$s"); done  # names: scenarios.sh finds them
"$REPO/qemu/vm.sh" --run-dir "$run_dir" --timeout "${OFGROUP_TEST_TIMEOUT:-2400}" -- \
  "$REPO/qemu/guest/scenarios.sh" "${scen[@]}" || true
kunit_py=$(kunit_py)
res=$(python3 "$REPO/scripts/collect.py" "$run_dir" "$kunit_py") || true
echo "$res" | grep -v '^RESULT '
read -r _ vp vf < <(echo "$res" | grep '^RESULT ')
passed=$((passed + vp)); failed=$((failed + vf))
((vf == 0)) || failures+=("VM: $vf failed (see above; logs in $run_dir)")

log "make shell through a pseudo-terminal (transcript: $transcript)"
wait "$shell_pid" || true
res=$(cat "$shell_out")
rm -f "$shell_out"
echo "$res" | grep -v '^RESULT '
read -r _ sp sf < <(echo "$res" | grep '^RESULT ' || echo "RESULT 0 1")
passed=$((passed + sp)); failed=$((failed + sf))
((sf == 0)) || failures+=("make shell: $sf failed (transcript: $transcript)")
finish
