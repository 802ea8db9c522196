#!/usr/bin/env bash
# Build (or find in the cache) the guest kernel for a profile and print its build directory.
#   scripts/kernel.sh debug|perf      -> prints $CACHE/build/<profile>-<key>
# The key hashes everything that changes the result: kernel version, config fragments and toolchain
# versions. A finished build carries a stamp; a rerun with the same key does nothing.
source "$(dirname "$0")/common.sh"

PROFILE=${1:-debug}
FRAGS=("$REPO/qemu/config/base.config" "$REPO/kunit/kunit.config" "$REPO/qemu/config/$PROFILE.config")
[ -f "${FRAGS[2]}" ] || die "unknown kernel profile '$PROFILE' (have: debug, perf)"

KSRC=${KSRC:-$CACHE/src/linux-source-$KVER_WANT}
[ -f "$KSRC/Makefile" ] || die "no kernel source at $KSRC (run scripts/setup.sh, or set KSRC=)"
kver=$(make -s -C "$KSRC" kernelversion 2>/dev/null)
case "$kver" in "$KVER_WANT"|"$KVER_WANT".*) ;; *) die "$KSRC is Linux $kver, ofgroup needs $KVER_WANT";; esac

# Options only (sorted, comments dropped): rewording a comment does not rebuild the kernel.
key=$( {
  echo "$kver $KSRC"
  grep -hE '^(CONFIG_|# CONFIG_.* is not set)' "${FRAGS[@]}" | sort
  rustc --version; bindgen --version; "clang$LLVM_SUFFIX" --version | head -n1
} | sha256sum | cut -c1-12)
OUT="$CACHE/build/$PROFILE-$key"
if [ -f "$OUT/.ofgroup-built" ]; then echo "$OUT"; exit 0; fi

mk=(make -C "$KSRC" O="$OUT" LLVM="$LLVM_SUFFIX" ARCH=x86_64)
mkdir -p "$OUT"
log "configuring Linux $kver ($PROFILE) in $OUT"
"${mk[@]}" -s tinyconfig >&2
(cd "$KSRC" && ARCH=x86_64 LLVM="$LLVM_SUFFIX" \
  scripts/kconfig/merge_config.sh -m -O "$OUT" "$OUT/.config" "${FRAGS[@]}" >"$OUT/merge.log" 2>&1)
"${mk[@]}" -s olddefconfig >&2

# Every option a fragment asks for must survive Kconfig, or the kernel is not the one we test on.
bad=0
while IFS= read -r line; do
  case "$line" in
    CONFIG_*=*) opt=${line%%=*}; grep -qx "$line" "$OUT/.config" || {
        echo "  $line requested, got: $(grep -E "^(# )?$opt[= ]" "$OUT/.config" || echo unset)" >&2; bad=1; } ;;
    "# CONFIG_"*" is not set") opt=${line#\# }; opt=${opt%% *}
      ! grep -q "^$opt=" "$OUT/.config" || { echo "  $line requested, got: $(grep "^$opt=" "$OUT/.config")" >&2; bad=1; } ;;
  esac
done < <(cat "${FRAGS[@]}")
[ $bad = 0 ] || die "kernel config does not hold what qemu/config asks for (see above)"

log "building Linux $kver ($PROFILE profile) -- about 10 minutes on 2 cores, once; cached afterwards"
start=$SECONDS
"${mk[@]}" -j"$(nproc)" >"$OUT/build.log" 2>&1 &
pid=$!
while kill -0 $pid 2>/dev/null; do
  sleep 30
  kill -0 $pid 2>/dev/null && printf '    ... %d min, %s\n' $(((SECONDS - start) / 60)) \
    "$(grep -E '^ +(CC|RUSTC|LD|AR)' "$OUT/build.log" | tail -n1 | sed 's/^ *//')" >&2
done
if ! wait $pid; then
  tail -n 40 "$OUT/build.log" >&2
  die "kernel build failed; full log: $OUT/build.log"
fi
"${mk[@]}" -s INSTALL_MOD_PATH="$OUT/modroot" modules_install >"$OUT/modules_install.log" 2>&1
log "kernel built in $(((SECONDS - start) / 60)) min $(((SECONDS - start) % 60)) s"
echo "$((SECONDS - start))" >"$OUT/.ofgroup-built"
echo "$OUT"
