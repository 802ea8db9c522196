#!/usr/bin/env bash
# Guest side of `make demo`: runs in the VM with ofgroup.ko loaded, and explains what it shows.
set -u
say() { printf '\n\033[1m%s\033[0m\n' "$*"; }

say "1. The kernel module is loaded:"
grep '^ofgroup ' /proc/modules
dmesg | grep -E 'ofgroup: ofgroup [0-9.]+ loaded' | tail -n1

say "2. Its KUnit suites ran inside the kernel while it loaded (KTAP from the kernel log):"
dmesg | sed -n '/ofgroup-vm: marker/,$p' | grep -E '^\[[ 0-9.]+\] +(# Subtest|ok|not ok|# [a-z0-9_]+: pass:)' |
  sed 's/^\[[ 0-9.]*\] //'

say "3. Next: groups, ports and flows through ofgroupctl (arriving with the netlink and datapath work)."
