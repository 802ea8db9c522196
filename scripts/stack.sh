#!/usr/bin/env bash
# `make stack`: the packet path's worst-case stack depth on the debug kernel, from the compiler's
# frame sizes (the module built with -Zemit-stack-sizes, OFGROUP_VARIANT=stack) and the call graph
# of its object code (scripts/stack.py): from the rx handler's entry through a chain of 16 groups.
source "$(dirname "$0")/common.sh"
export PROFILE=${PROFILE:-debug}
err=$(mktemp)
trap 'rm -f "$err"' EXIT
OFGROUP_VARIANT=stack "$REPO/scripts/module.sh" >/dev/null 2>"$err" || { cat "$err" >&2; exit 1; }
python3 "$REPO/scripts/stack.py" "$CACHE/variant/stack/rust/kmod/ofgroup_main.o" "$@"
