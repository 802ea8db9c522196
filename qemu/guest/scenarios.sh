#!/usr/bin/env bash
# Guest side of `make test`: runs every qemu/guest/scenarios/*.sh (or those named as arguments) with
# the module loaded, each with its own timeout, and records "PASS name" / "FAIL name" lines in
# $OFGROUP_RUN_DIR/scenarios.txt for scripts/collect.py. Output of a failed scenario is shown.
#   scenarios.sh [SCENARIO...]    those (paths, or names such as 30-dp-seed), or all of them
dir=$(cd "$(dirname "$0")" && pwd)/scenarios
out=${OFGROUP_RUN_DIR:?}/scenarios.txt
: >"$out"
fails=0
scripts=()
for s in "$@"; do
  [[ $s == */* ]] || s=$dir/$s.sh
  [ -f "$s" ] || { echo "no scenario $s" >&2; exit 2; }
  scripts+=("$s")
done
((${#scripts[@]})) || scripts=("$dir"/*.sh)
# Per scenario only `timeout` and bash are started: every process costs a few hundred ms under TCG.
for s in "${scripts[@]}"; do
  name=${s##*/} name=${name%.sh}
  log=$OFGROUP_RUN_DIR/scenario-$name.log  # kept with the run (the TCP one's throughputs are there)
  start=$SECONDS
  # A scenario may ask for more than the default 300 s with a line "# timeout: N".
  limit=300
  while read -r line; do
    [[ $line =~ ^#\ timeout:\ ([0-9]+)$ ]] && limit=${BASH_REMATCH[1]}
  done <"$s"
  if timeout -k 5 "${OFGROUP_SCENARIO_TIMEOUT:-$limit}" bash -eu "$s" >"$log" 2>&1; then
    echo "PASS $name" >>"$out"
    printf '  scenario %-40s ok (%ds)\n' "$name" $((SECONDS - start))
  else
    echo "FAIL $name" >>"$out"
    fails=$((fails + 1))
    printf '  scenario %-40s FAILED (%ds)\n' "$name" $((SECONDS - start))
    tail -n 40 "$log" | sed 's/^/    | /'
  fi
done
exit $((fails ? 1 : 0))
