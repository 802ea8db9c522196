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

# Each step's line says when it started, in seconds since the script did (where a run's time goes).
log() { printf '\033[1m==> %s\033[0m  [%ds]\n' "$*" "$SECONDS" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# The kernel tree's kunit.py (parses KTAP), for the KDIR in use.
kunit_py() {
  local p="$KDIR/source/tools/testing/kunit/kunit.py"
  [ -f "$p" ] || p="${KSRC:-$CACHE/src/linux-source-$KVER_WANT}/tools/testing/kunit/kunit.py"
  echo "$p"
}

# The pass/fail tally of make test and make check: ok / bad NAME count, finish prints
# "N passed, N failed" and exits non-zero on any failure.
passed=0 failed=0
failures=()
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); failures+=("$1"); echo "FAILED: $1" >&2; }
finish() {
  echo
  for f in "${failures[@]}"; do echo "  failed: $f"; done
  echo "$passed passed, $failed failed  ($((SECONDS / 60)) min $((SECONDS % 60)) s)"
  [ "$failed" = 0 ]
  exit
}
