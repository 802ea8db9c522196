#!/usr/bin/env bash
# `make install` / `make uninstall`: ofgroup.ko under /lib/modules/RELEASE/extra (then depmod, so
# `modprobe ofgroup` finds it), ofgroupctl in $PREFIX/bin, its man pages and bash/zsh/fish
# completions (generated from its clap definition by `ofgroupctl generate-docs`).
#
#   scripts/install.sh check      refuse early: a real install needs KDIR = the running kernel's tree
#   scripts/install.sh install    (after make has built the module against KDIR and ofgroupctl)
#   scripts/install.sh uninstall
#
# Env: PREFIX (default /usr/local), DESTDIR (a staging root: the module goes under the release it
# was built for, whatever kernel runs here), KDIR.
source "$(dirname "$0")/common.sh"

PREFIX=${PREFIX:-/usr/local}
DESTDIR=${DESTDIR:-}
running=$(uname -r)
bin="$DESTDIR$PREFIX/bin"
man1="$DESTDIR$PREFIX/share/man/man1"
bash_c="$DESTDIR$PREFIX/share/bash-completion/completions"
zsh_c="$DESTDIR$PREFIX/share/zsh/site-functions"
fish_c="$DESTDIR$PREFIX/share/fish/vendor_completions.d"

# The kernel release a module was built for: the first word of its vermagic.
ko_release() {
  local v
  v=$(modinfo -F vermagic "$1" 2>/dev/null) || v=$(strings "$1" | sed -n 's/^vermagic=//p' | head -n1)
  echo "${v%% *}"
}

# depmod for RELEASE under the staging root (DESTDIR) or the system; a staging root has no
# modules.order or modules.builtin, which depmod only warns about.
run_depmod() {
  if [ -n "$DESTDIR" ]; then
    depmod -b "$DESTDIR" "$1" 2> >(grep -v 'could not open modules\.' >&2)
  else
    depmod -a "$1"
  fi
}

refuse_other_kernel() {
  cat >&2 <<EOF
error: make install: ofgroup.ko would be built for kernel $1, but this machine runs $running.
  modprobe loads only modules built for the running kernel. Build and install against its tree:
    make install KDIR=/lib/modules/$running/build
  (that tree is Linux 7.3 or later with Rust support, e.g. from your distribution's headers package),
  or stage the files for another machine: make install DESTDIR=/path/to/stage
EOF
  exit 1
}

case "${1:-}" in
check)
  # Before anything is built: a real install needs the running kernel's build tree.
  [ -z "$DESTDIR" ] || exit 0
  if [ -z "${KDIR:-}" ]; then
    cat >&2 <<EOF
error: make install needs KDIR, the build tree of the running kernel ($running):
    make install KDIR=/lib/modules/$running/build
  Without KDIR, make builds ofgroup.ko for the test VM's kernel, which this machine does not run.
  To stage the files for another machine: make install DESTDIR=/path/to/stage
EOF
    exit 1
  fi
  rel=$(cat "$KDIR/include/config/kernel.release" 2>/dev/null) ||
    die "KDIR=$KDIR has no include/config/kernel.release: not a configured kernel build tree"
  [ "$rel" = "$running" ] || refuse_other_kernel "$rel (KDIR=$KDIR)"
  ;;

install)
  ko="$REPO/ofgroup.ko"
  ctl="$REPO/rust/target/release/ofgroupctl"
  [ -f "$ko" ] || die "no $ko: the module was not built"
  [ -x "$ctl" ] || die "no $ctl: ofgroupctl was not built"
  rel=$(ko_release "$ko")
  [ -n "$rel" ] || die "$ko has no vermagic: cannot tell which kernel it is for"
  [ -n "$DESTDIR" ] || [ "$rel" = "$running" ] || refuse_other_kernel "$rel"
  moddir="$DESTDIR/lib/modules/$rel/extra"
  install -D -m 0644 "$ko" "$moddir/ofgroup.ko"
  echo "installed $moddir/ofgroup.ko"
  run_depmod "$rel"
  echo "ran depmod for $rel (modprobe ofgroup loads it)"

  docs=$(mktemp -d)
  trap 'rm -rf "$docs"' EXIT
  "$ctl" generate-docs "$docs"
  install -D -m 0755 "$ctl" "$bin/ofgroupctl"
  install -d "$man1" "$bash_c" "$zsh_c" "$fish_c"
  install -m 0644 "$docs"/man1/*.1 "$man1/"
  install -m 0644 "$docs/completions/ofgroupctl.bash" "$bash_c/ofgroupctl"
  install -m 0644 "$docs/completions/_ofgroupctl" "$zsh_c/_ofgroupctl"
  install -m 0644 "$docs/completions/ofgroupctl.fish" "$fish_c/ofgroupctl.fish"
  echo "installed $bin/ofgroupctl, its man pages in $man1 and completions for bash, zsh and fish"
  ;;

uninstall)
  shopt -s nullglob
  for ko in "$DESTDIR"/lib/modules/*/extra/ofgroup.ko; do
    rel=$(basename "$(dirname "$(dirname "$ko")")")
    rm -f "$ko"
    rmdir --ignore-fail-on-non-empty "$(dirname "$ko")"
    run_depmod "$rel"
    echo "removed $ko"
  done
  rm -f "$bin/ofgroupctl" "$man1/ofgroupctl.1" "$man1"/ofgroupctl-*.1 "$bash_c/ofgroupctl" \
    "$zsh_c/_ofgroupctl" "$fish_c/ofgroupctl.fish"
  echo "removed ofgroupctl, its man pages and completions from $DESTDIR$PREFIX"
  if [ -z "$DESTDIR" ] && grep -q '^ofgroup ' /proc/modules 2>/dev/null; then
    echo "note: ofgroup is still loaded; rmmod ofgroup unloads it"
  fi
  ;;

*) die "usage: scripts/install.sh check|install|uninstall" ;;
esac
