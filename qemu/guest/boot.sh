#!/usr/bin/env bash
# Guest side of qemu/vm.sh: runs inside the VM as the --exec command.
#   boot.sh RUN_DIR module|nomodule KDIR CMD [ARGS...]
# Marks the kernel log; with OFGROUP_KUNIT_KO (the kunit variant, scripts/module.sh) loads it, so its
# KUnit suites run during insmod, and unloads it; loads ofgroup.ko (the module users load, or
# OFGROUP_KO: a benchmark variant), runs CMD,
# unloads the module, asks kmemleak for a scan, and leaves rc, dmesg and kmemleak in RUN_DIR.
run_dir=$1 mode=$2 kdir=$3
shift 3
repo=$(cd "$(dirname "$0")/../.." && pwd)
export OFGROUP_REPO=$repo OFGROUP_KDIR=$kdir OFGROUP_RUN_DIR=$run_dir
export PATH="$repo/rust/target/release:$PATH"
# The 9p root caches nothing: every exec reads the binary over it again (ofgroupctl: ~5 s a call
# under TCG, 0.8 s from tmpfs). The scenarios call ofgroupctl hundreds of times: run a tmpfs copy.
if bin=$(mktemp -d /run/ofgroup-bin.XXXXXX) && cp "$repo/rust/target/release/ofgroupctl" "$bin/"; then
  export PATH="$bin:$PATH"
fi

mountpoint -q /sys/kernel/debug 2>/dev/null || mount -t debugfs none /sys/kernel/debug 2>/dev/null
mkdir -p /run/netns

echo "ofgroup-vm: marker $(date +%s)" >/dev/kmsg
rc=0
if [ "$mode" = module ] && [ -n "${OFGROUP_KUNIT_KO:-}" ]; then
  if ! insmod "$OFGROUP_KUNIT_KO" 2>"$run_dir/insmod.err"; then
    echo "vm: insmod $OFGROUP_KUNIT_KO failed: $(cat "$run_dir/insmod.err")" >&2
    rc=3
  elif ! rmmod ofgroup; then
    echo "vm: rmmod of the kunit variant failed" >&2
    rc=4
  fi
fi
if [ "$mode" = module ] && [ $rc = 0 ]; then
  # shellcheck disable=SC2086 # OFGROUP_INSMOD_ARGS holds module parameters, split on purpose
  if ! insmod "${OFGROUP_KO:-$repo/ofgroup.ko}" ${OFGROUP_INSMOD_ARGS:-} 2>"$run_dir/insmod.err"; then
    echo "vm: insmod ${OFGROUP_KO:-ofgroup.ko} failed: $(cat "$run_dir/insmod.err")" >&2
    rc=3
  fi
fi
if [ $rc = 0 ]; then
  "$@"
  rc=$?
fi
if [ "$mode" = module ] && grep -q '^ofgroup ' /proc/modules; then
  rmmod ofgroup || { echo "vm: rmmod ofgroup failed" >&2; [ $rc != 0 ] || rc=4; }
fi
# OFGROUP_KMEMLEAK_SCAN=0 skips the scan (the demo: a minute saved under TCG, and it is no test).
if [ "${OFGROUP_KMEMLEAK_SCAN:-1}" != 0 ] && [ -w /sys/kernel/debug/kmemleak ]; then
  # Two scans: kmemleak reports an object only once it stayed unreferenced across scans.
  echo scan >/sys/kernel/debug/kmemleak; sleep 1; echo scan >/sys/kernel/debug/kmemleak
  cat /sys/kernel/debug/kmemleak >"$run_dir/kmemleak"
fi
dmesg >"$run_dir/dmesg"
echo "$rc" >"$run_dir/rc"
sync
exit "$rc"
