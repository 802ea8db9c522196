#!/usr/bin/env bash
# Boot the cached kernel under QEMU with virtme-ng, load ofgroup.ko, run a command, pass back its
# exit status. The host root is the guest root (read-only 9p), so the repo, the module and the CLI
# are at the same paths inside. Every run keeps its console log and the guest's dmesg in a run dir.
#
#   qemu/vm.sh [--timeout S] [--no-module] [--run-dir D] [--interactive] -- CMD [ARGS...]
# (--interactive: CMD is optional, default a login shell, and gets the console)
#
# Env: KDIR (kernel build dir; default the cached $PROFILE kernel), OFGROUP_VM_TIMEOUT (seconds),
#      OFGROUP_INSMOD_ARGS (module parameters), OFGROUP_KMEMLEAK_SCAN=0 (skip the final leak scan),
#      OFGROUP_KUNIT_KO (a kunit variant of the module to load and unload first: its KUnit suites),
#      OFGROUP_KO (the module to load instead of the repo's ofgroup.ko: a benchmark variant),
#      OFGROUP_DEMO_FLOWS (flows the demo sends),
#      OFGROUP_VM_CPUS, OFGROUP_VM_MEM, OFGROUP_KVM=0|1 (default: probe once, use KVM only if it boots).
source "$(dirname "$0")/../scripts/common.sh"

timeout_s=${OFGROUP_VM_TIMEOUT:-600}
mode=module
interactive=0
run_dir=""
while (($#)); do
  case "$1" in
    --timeout) timeout_s=$2; shift 2 ;;
    --no-module) mode=nomodule; shift ;;
    --run-dir) run_dir=$2; shift 2 ;;
    --interactive) interactive=1; shift ;;
    --) shift; break ;;
    *) break ;;
  esac
done
[ $interactive = 1 ] || (($#)) || die "usage: qemu/vm.sh [options] -- CMD [ARGS...]"
[ $interactive = 0 ] || (($#)) || set -- bash -il

KDIR=${KDIR:-$("$REPO/scripts/kernel.sh" "${PROFILE:-debug}")}
BZ="$KDIR/arch/x86/boot/bzImage"
[ -f "$BZ" ] || die "no kernel image at $BZ"
[ $mode = nomodule ] || [ -f "${OFGROUP_KO:-$REPO/ofgroup.ko}" ] || die "no ${OFGROUP_KO:-ofgroup.ko}: run make first"

if [ -z "$run_dir" ]; then
  run_dir="$CACHE/runs/$(date +%Y%m%d-%H%M%S)-$$"
fi
mkdir -p "$run_dir"
rm -f "$run_dir"/{rc,dmesg,kmemleak,console.log,insmod.err}

# KVM only where a short probe shows a guest actually boots with it (nested virt hangs on some hosts).
accel=(--disable-kvm)
want_kvm=${OFGROUP_KVM:-probe}
if [ "$want_kvm" != 0 ] && [ -w /dev/kvm ]; then
  probe="$CACHE/kvm-probe-$(basename "$KDIR")-$(hostname)"
  if [ "$want_kvm" = 1 ]; then accel=()
  else
    if [ ! -f "$probe" ]; then
      log "probing KVM (30 s at most, once per kernel and host)"
      if timeout -k 5 30 vng --run "$BZ" --force-9p --disable-microvm --exec true \
          </dev/null >/dev/null 2>&1; then echo yes >"$probe"; else echo no >"$probe"; fi
    fi
    [ "$(cat "$probe")" = yes ] && accel=()
  fi
fi

vng_args=(--run "$BZ" "${accel[@]}" --force-9p --disable-microvm
  --cpus "${OFGROUP_VM_CPUS:-2}" --memory "${OFGROUP_VM_MEM:-2G}"
  --rwdir "$run_dir" --cwd "$REPO")
append="root=/dev/root panic_on_warn=0 kmemleak=on"
# The root is the host's / over 9p, by default uncached: every exec then reads the program and its
# libraries over virtio again, about half a second per process under TCG. A script run does not
# change the host's files under the guest (results go to the --rwdir mount, not the root), so its
# root is mounted with the page cache on (virtme-ng's own flags plus cache=loose): processes start
# about twice as fast, python3 three times. An interactive shell gets the cached root too, with the
# repository mounted over it uncached (a read-only 9p mount of its own), so a module or script
# rebuilt on the host meanwhile is what the guest loads, while the system's programs start fast.
append+=" rootflags=${OFGROUP_ROOTFLAGS:-version=9p2000.L,trans=virtio,access=any,msize=524288,cache=loose}"
[ $interactive = 0 ] || vng_args+=(--rodir "$REPO")

guest=("$REPO/qemu/guest/boot.sh" "$run_dir" "$mode" "$KDIR")
printf -v cmd '%q ' "${guest[@]}" "$@"
# Settings the guest reads, from the host's environment: module parameters for insmod, whether to
# end with a kmemleak scan, the demo's number of flows, the kunit variant to run first, the
# fuzzer's seed and length, a scenario's timeout.
[ $interactive = 0 ] || : "${OFGROUP_KMEMLEAK_SCAN:=0}"  # a shell is no test: power off at once
for v in OFGROUP_INSMOD_ARGS OFGROUP_KMEMLEAK_SCAN OFGROUP_DEMO_FLOWS OFGROUP_KUNIT_KO OFGROUP_KO \
  OFGROUP_FUZZ_SEED OFGROUP_FUZZ_REQUESTS OFGROUP_CHURN_SECONDS OFGROUP_SCENARIO_TIMEOUT; do
  [ -z "${!v:-}" ] || printf -v cmd 'env %s=%q %s' "$v" "${!v}" "$cmd"
done
show='^([^[]|$)|ofgroup:|BUG:|WARNING:|Oops|KASAN:|Kernel panic|kmemleak:|# Subtest|\] +(not )?ok [0-9]|# [a-z0-9_]+: pass:'
splats='BUG:|WARNING:|Oops|KASAN:|Kernel panic|kmemleak: [0-9]+ new suspected'

if [ $interactive = 1 ]; then
  # A script run (--exec) gives the command no terminal: its console is an output-only file and
  # its stdin a virtio-serial port that virtme-ng-init finds only through udev's
  # /dev/virtio-ports links, which this guest (no udev) never gets. So the shell runs as
  # virtme-ng's interactive session instead: the serial port ttyS0 on QEMU's stdio (the host
  # terminal, put in raw mode, no monitor multiplexed, so Ctrl-A and Ctrl-C reach the guest),
  # with the session in its own session and ttyS0 as its controlling terminal (line editing,
  # job control, Ctrl-C). virtme-ng's --shell names the program init starts there: a script in
  # the run dir that runs CMD under boot.sh, which leaves CMD's exit status in the run dir.
  # Kernel messages go to hvc0, i.e. vng's stderr: kept in console.log, splats shown.
  # The kernel's built-in KUnit suites are skipped (kunit.enable=0): the shell is up a minute sooner.
  session="$run_dir/session"
  printf '#!/bin/bash\n: >%q\nexec %s\n' "$run_dir/started" "$cmd" >"$session"
  chmod +x "$session"
  log "interactive VM (exit the shell to power off); module loaded: $mode"
  set +e
  run_vng() {
    vng "${vng_args[@]}" --disable-monitor --shell "$session" \
      --append "$append loglevel=7 kunit.enable=0" \
      2> >(tee "$run_dir/console.log" | grep --line-buffered -E "$splats" >&2)
  }
  if [ -t 0 ]; then
    run_vng
  else
    # Commands piped in: QEMU would pass them to the serial port at once, and the bytes that
    # arrive before the guest opened ttyS0 are lost. Hold them until the session has started
    # (the tty then buffers them for the shell).
    { for ((i = 0; i < timeout_s; i++)); do [ -e "$run_dir/started" ] && break; sleep 1; done
      exec cat; } | run_vng
  fi
  vrc=$?
  set -e
  if [ -f "$run_dir/rc" ]; then exit "$(cat "$run_dir/rc")"; fi
  echo "vm: the guest ended without reporting an exit status (vng said $vrc); console: $run_dir/console.log" >&2
  exit $(( vrc ? vrc : 125 ))
fi
vng_args+=(--verbose --append "$append")
# The console goes to the run dir. Without udev in the guest, virtme-ng-init runs the command on
# the console, so the command's output arrives there too: lines that are not kernel messages
# ("[ time] ...") are the command's and are shown, with the kernel lines worth seeing live
# (fewer with OFGROUP_VM_QUIET).
[ -z "${OFGROUP_VM_QUIET:-}" ] || show='^([^[]|$)|BUG:|WARNING:|Oops|KASAN:|Kernel panic'
# QEMU opens its stdout and stderr anew (chardev file path=/proc/self/fd/N, with O_TRUNC): a log
# file given as make's output would be cut to nothing at boot. Both go through pipes.
set +e
timeout -k 10 "$timeout_s" vng "${vng_args[@]}" --exec "$cmd" \
  </dev/null > >(cat) 2> >(tee "$run_dir/console.log" | grep --line-buffered -E "$show" >&2)
vrc=$?
set -e
wait
if [ $vrc = 124 ] || [ $vrc = 137 ]; then
  echo "vm: command did not finish within ${timeout_s}s; the VM was stopped (console: $run_dir/console.log)" >&2
  exit 124
fi
if [ -f "$run_dir/rc" ]; then
  rc=$(cat "$run_dir/rc")
else
  echo "vm: the guest ended without reporting an exit status (vng said $vrc); console: $run_dir/console.log" >&2
  rc=$(( vrc ? vrc : 125 ))
fi
exit "$rc"
