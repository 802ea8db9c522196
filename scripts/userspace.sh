#!/usr/bin/env bash
# Build the userspace crates (release) so the VM finds them on PATH via the shared host root, and
# byte-compile the Python modules the guest imports (the kernel tree's YNL library, qemu/guest/lib):
# the guest sees the host's files read-only, so its python3 cannot cache them and would compile
# them again at every start, seconds each under TCG. The fuzzer's copy of the YNL spec as JSON
# spares the guest PyYAML's import (~3 s).
source "$(dirname "$0")/common.sh"
(cd "$REPO/rust" && cargo build --locked --release --quiet)
dirs=("$REPO/qemu/guest/lib")
[ ! -d "${KDIR:-}/source/tools/net/ynl/pyynl" ] || dirs+=("$KDIR/source/tools/net/ynl/pyynl")
/usr/bin/python3 -m compileall -q -j 0 "${dirs[@]}" >/dev/null
/usr/bin/python3 "$REPO/qemu/guest/lib/nlfuzz.py" cache-spec
