#!/usr/bin/env bash
# Build ofgroup.ko with Kbuild: make -C $KDIR M=$REPO LLVM=-19. Prints the KDIR it built against.
# KDIR unset: run setup and use (or build) the cached kernel of $PROFILE. CLIPPY=1 lints while building.
# OFGROUP_VARIANT=kunit|bench|stack|nocount|noclassify|parseonly builds a test or benchmark variant
# instead (see Kbuild), in a copy of the tree at $CACHE/variant/<variant>/ (its ofgroup.ko is there);
# the repo's own module, the one users load, is untouched.
source "$(dirname "$0")/common.sh"

if [ -z "${KDIR:-}" ]; then
  "$REPO/scripts/setup.sh"
  KDIR=$("$REPO/scripts/kernel.sh" "${PROFILE:-debug}")
fi
[ -f "$KDIR/Module.symvers" ] || die "KDIR=$KDIR is not a fully built kernel tree (no Module.symvers)"
if [ -n "${OFGROUP_VARIANT:-}" ]; then
  case "$OFGROUP_VARIANT" in kunit|bench|stack|nocount|noclassify|parseonly) ;;
    *) die "OFGROUP_VARIANT=$OFGROUP_VARIANT: want kunit, bench, stack, nocount, noclassify or parseonly" ;; esac
  tree="$CACHE/variant/$OFGROUP_VARIANT"
  mkdir -p "$tree"
  # Only what Kbuild compiles; rsync keeps unchanged files' times, so rebuilds stay incremental.
  rsync -a --delete --exclude target/ --exclude '*.o' --exclude '*.ko' --exclude '.*.cmd' \
    "$REPO/Kbuild" "$REPO/kunit" "$REPO/rust" "$tree/"
  log "building the $OFGROUP_VARIANT variant of ofgroup.ko in $tree against $KDIR"
  make -C "$KDIR" M="$tree" LLVM="$LLVM_SUFFIX" ${CLIPPY:+CLIPPY=1} ofgroup_variant="$OFGROUP_VARIANT" \
    -j"$(nproc)" modules >&2
  echo "$KDIR"
  exit 0
fi
log "building ofgroup.ko against $KDIR"
make -C "$KDIR" M="$REPO" LLVM="$LLVM_SUFFIX" ${CLIPPY:+CLIPPY=1} -j"$(nproc)" modules >&2
echo "$KDIR"
