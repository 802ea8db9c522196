#!/usr/bin/env bash
# Build the userspace crates (release) so the VM finds them on PATH via the shared host root.
source "$(dirname "$0")/common.sh"
cd "$REPO/rust" && cargo build --locked --release --quiet
