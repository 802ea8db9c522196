#!/usr/bin/env bash
# `make demo`: build what is missing (cached), boot the VM with the module loaded and narrate what
# ofgroup does, step by step (qemu/guest/demo.sh).
source "$(dirname "$0")/common.sh"
KDIR=$("$REPO/scripts/module.sh")
export KDIR
"$REPO/scripts/userspace.sh"
log "booting the VM and running the demo (QEMU under TCG: a few minutes)"
OFGROUP_VM_QUIET=1 OFGROUP_KMEMLEAK_SCAN=0 exec "$REPO/qemu/vm.sh" -- "$REPO/qemu/guest/demo.sh"
