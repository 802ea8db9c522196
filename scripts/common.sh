# shellcheck shell=bash
# Shared settings for ofgroup's scripts. Sourced, never run.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${OFGROUP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ofgroup}
KVER_WANT=${KVER_WANT:-7.3}
LLVM_SUFFIX=${LLVM_SUFFIX:--19}
BINDGEN_VERSION=0.72.1
VIRTME_NG_VERSION=1.42
VENV="$CACHE/venv"
export PATH="$HOME/.cargo/bin:$VENV/bin:$PATH"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
