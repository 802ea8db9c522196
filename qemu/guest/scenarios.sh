#!/usr/bin/env bash
# Guest side of `make test`: runs every qemu/guest/scenarios/*.sh (or those named as arguments) with
# the module loaded, each with its own timeout, and records "PASS name" / "FAIL name" lines in
# $OFGROUP_RUN_DIR/scenarios.txt for scripts/collect.py. Output of a failed scenario is shown.
dir=$(cd "$(dirname "$0")" && pwd)/scenarios
out=${OFGROUP_RUN_DIR:?}/scenarios.txt
: >"$out"
fails=0
scripts=("$@")
((${#scripts[@]})) || scripts=("$dir"/*.sh)
for s in "${scripts[@]}"; do
  name=$(basename "$s" .sh)
  log=$(mktemp)
  start=$SECONDS
  # A scenario may ask for more than the default 300 s with a line "# timeout: N".
  limit=$(sed -n 's/^# timeout: \([0-9]*\)$/\1/p' "$s")
  if timeout -k 5 "${OFGROUP_SCENARIO_TIMEOUT:-${limit:-300}}" bash -eu "$s" >"$log" 2>&1; then
    echo "PASS $name" >>"$out"
    printf '  scenario %-40s ok (%ds)\n' "$name" $((SECONDS - start))
  else
    echo "FAIL $name" >>"$out"
    fails=$((fails + 1))
    printf '  scenario %-40s FAILED (%ds)\n' "$name" $((SECONDS - start))
    sed 's/^/    | /' "$log" | tail -n 40
  fi
  # Kept with the run (the TCP scenario's measured throughputs are in its log).
  mv "$log" "${OFGROUP_RUN_DIR}/scenario-$name.log" 2>/dev/null || rm -f "$log"
done
exit $((fails ? 1 : 0))
