#!/usr/bin/env bash
# Build ofgroup.ko with Kbuild: make -C $KDIR M=$REPO LLVM=-19. Prints the KDIR it built against.
# KDIR unset: run setup and use (or build) the cached kernel of $PROFILE. CLIPPY=1 lints while building.
source "$(dirname "$0")/common.sh"

if [ -z "${KDIR:-}" ]; then
  "$REPO/scripts/setup.sh"
  KDIR=$("$REPO/scripts/kernel.sh" "${PROFILE:-debug}")
fi
[ -f "$KDIR/Module.symvers" ] || die "KDIR=$KDIR is not a fully built kernel tree (no Module.symvers)"
log "building ofgroup.ko against $KDIR"
make -C "$KDIR" M="$REPO" LLVM="$LLVM_SUFFIX" ${CLIPPY:+CLIPPY=1} -j"$(nproc)" modules >&2
echo "$KDIR"
