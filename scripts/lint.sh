#!/usr/bin/env bash
# rustfmt and clippy, for the userspace crates and (unless --host-only) the kernel module and its
# kunit and bench variants, whose clippy run is the Kbuild build with CLIPPY=1. Any warning fails.
source "$(dirname "$0")/common.sh"
rc=0
cd "$REPO/rust"
cargo fmt --all --check || { echo "lint: rustfmt differs in the userspace crates (run cargo fmt)" >&2; rc=1; }
find "$REPO/rust/kmod" "$REPO/kunit" -name '*.rs' ! -name '*_gen.rs' -print0 |
  xargs -0 rustfmt --edition 2021 --check ||
  { echo "lint: rustfmt differs in rust/kmod or kunit (run: make fmt)" >&2; rc=1; }
cargo clippy --locked --all-targets --quiet -- -D warnings || rc=1
if [ "${1:-}" != --host-only ]; then
  # The module users load, and the kunit and bench variants (their code is not in the former).
  for variant in "" kunit bench; do
    out=$(OFGROUP_VARIANT=$variant CLIPPY=1 "$REPO/scripts/module.sh" 2>&1 >/dev/null) || { echo "$out"; rc=1; }
    if grep -E '^(warning|error)' <<<"$out"; then rc=1; fi
  done
fi
exit $rc
