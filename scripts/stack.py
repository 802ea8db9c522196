#!/usr/bin/env python3
"""Worst-case stack depth of the packet path, from the compiler's own frame sizes.

  scripts/stack.py OBJECT.o [ENTRY ...]     (make stack: scripts/stack.sh builds the object)

OBJECT.o is the module's Rust object built with -Zemit-stack-sizes (its .stack_sizes section gives
every function's frame as LLVM laid it out). The call graph comes from the disassembly: a `call` or
`jmp` to a function's start, resolved in the object or by a relocation to a kernel symbol (a `jmp`
is a tail call: the caller's frame is gone by then). The
worst path from each entry (default: the rx handler's Rust entry and packet-execute's) is the deepest sum of
frames plus 8 bytes of return address per call. Recursion is bounded as the code bounds it: a
cycle of the call graph may be entered at most MAX_CHAIN_DEPTH + 1 times (17: the flow's own
action list plus one level per chained group; the liveness of watched groups recurses no deeper).
Calls that leave the object (the kernel: dev_queue_xmit, kfree_skb, KASAN reports, ...) are
leaves here; the deepest of them is named, since its own stack comes on top. Indirect calls (a
`dyn` method) are followed where DYN below names their targets (watched groups' liveness); a
function on the path that makes other indirect calls is marked.

Prints the worst depth per entry, the path, and exits 1 if a depth passes --limit (bytes)."""
import re
import subprocess
import sys

DEPTH = 17
RETADDR = 8
# The packet path's indirect calls, which the object code cannot tell: watched groups' liveness
# goes through `dyn LiveEnv` (Metered over the table's environment). (caller, callee prefix) by
# demangled name: every implementation the caller can reach.
DYN = [
    ("logic::liveness::group_live", "<logic::liveness::Metered as logic::liveness::LiveEnv>::"),
    ("logic::liveness::bucket_live", "<logic::liveness::Metered as logic::liveness::LiveEnv>::"),
    ("<logic::liveness::Metered as logic::liveness::LiveEnv>::", "<table::TableEnv as logic::liveness::LiveEnv>::"),
]


def demangle(names):
    try:
        out = subprocess.run(["rustfilt"], input="\n".join(names), capture_output=True, text=True,
                             check=True).stdout.splitlines()
        if len(out) == len(names):
            return dict(zip(names, out))
    except (OSError, subprocess.CalledProcessError):
        pass
    out = subprocess.run(["llvm-cxxfilt-19"], input="\n".join(names), capture_output=True, text=True).stdout
    out = out.splitlines()
    return dict(zip(names, out)) if len(out) == len(names) else {n: n for n in names}


def short(name):
    name = re.sub(r"::h[0-9a-f]{16}$", "", name)
    name = re.sub(r"\[[0-9a-f]+\]", "", name)
    return name.replace("ofgroup_main::", "")


def frames(obj):
    out = subprocess.run(["llvm-readobj-19", "--stack-sizes", obj], capture_output=True, text=True,
                         check=True).stdout
    sizes = {}
    for fn_list, size in re.findall(r"Functions: \[([^\]]*)\]\s*\n\s*Size: (0x[0-9a-fA-F]+)", out):
        for fn in fn_list.split(", "):
            sizes[fn.strip()] = int(size, 16)
    return sizes


def calls(obj):
    out = subprocess.run(["llvm-objdump-19", "-dr", "--no-show-raw-insn", obj], capture_output=True,
                         text=True, check=True).stdout
    graph, cur, pending = {}, None, None

    def commit():
        # A call whose displacement the linker fills in shows the next instruction as target
        # (sometimes the next function's start): only its relocation names the callee.
        if pending and pending[1] and pending[1] != cur:
            graph[cur].add((pending[0], pending[1]))

    for line in out.splitlines():
        m = re.match(r"^[0-9a-f]+ <(.+)>:$", line)
        if m:
            commit()
            cur, pending = m.group(1), None
            graph.setdefault(cur, set())
            continue
        m = re.match(r"^\s+[0-9a-f]+:\s+R_X86_64_(?:PLT32|PC32)\s+(\S+?)(?:[-+]0x[0-9a-f]+)?$", line)
        if m:
            if pending and cur:
                sym = m.group(1)
                if sym.startswith(".text."):
                    sym = sym[len(".text."):]  # a call into another function's own section
                if not sym.startswith(".") and sym != "__x86_return_thunk":
                    graph[cur].add((pending[0], sym))
            pending = None
            continue
        commit()
        pending = None
        if re.match(r"^\s+[0-9a-f]+:\s+(callq?|jmpq?)\s+\*", line):
            graph[cur].add(("call", "__x86_indirect_thunk"))  # through a register or memory
            continue
        m = re.match(r"^\s+[0-9a-f]+:\s+(callq?|jmpq?)\s+(?:0x[0-9a-f]+ <([^+>]+)>)?", line)
        if m:
            # a direct call (or tail jump) to a function of this object, unless a relocation follows
            pending = ("jmp" if m.group(1).startswith("jmp") else "call", m.group(2))
    commit()
    return graph


def sccs(graph):
    """Tarjan: node -> component id."""
    index, low, stack, on, comp, n = {}, {}, [], set(), {}, [0]

    def visit(v):
        index[v] = low[v] = n[0]
        n[0] += 1
        stack.append(v)
        on.add(v)
        for _, w in graph.get(v, ()):
            if w not in graph:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            while True:
                w = stack.pop()
                on.discard(w)
                comp[w] = v
                if w == v:
                    break

    sys.setrecursionlimit(100000)
    for v in graph:
        if v not in index:
            visit(v)
    return comp


def main():
    args = sys.argv[1:]
    limit = None
    if "--limit" in args:
        i = args.index("--limit")
        limit = int(args[i + 1])
        del args[i:i + 2]
    if not args:
        sys.exit(__doc__)
    obj, entries = args[0], args[1:] or ["ffi::net::rx_entry", "genl::packet::execute"]
    sizes, graph = frames(obj), calls(obj)
    names = demangle(sorted(graph))
    by_name = {short(names[f]): f for f in graph}
    for caller, callee in DYN:
        for cn, cf in by_name.items():
            if cn == caller or (caller.endswith("::") and cn.startswith(caller)):
                for tn, tf in by_name.items():
                    if tn == callee or (callee.endswith("::") and tn.startswith(callee)):
                        graph[cf].add(("call", tf))
    comp = sccs(graph)
    cyclic = {c for v, c in comp.items()
              if sum(1 for w in comp if comp[w] == c) > 1 or any(w == v for _, w in graph[v])}
    memo = {}

    def worst(f, budget):
        """(bytes, path) of the deepest stack below and including f's frame."""
        key = (f, budget)
        if key in memo:
            return memo[key]
        memo[key] = (0, [f])  # a cycle back to (f, budget) cannot deepen further: it was cut
        own = sizes.get(f, 0)
        best_below, best_path = 0, []
        for kind, g in graph.get(f, ()):
            if g not in graph:
                below, path = 0, [g]  # leaves the object: the kernel
            else:
                b = budget - 1 if comp[g] == comp[f] and comp[f] in cyclic and g == comp[f] else (
                    budget if comp[g] == comp[f] else DEPTH)
                if b <= 0:
                    continue
                below, path = worst(g, b)
            if kind == "call":
                below += RETADDR
            else:
                below -= own  # tail call: our frame is gone
            if below > best_below or not best_path:
                best_below, best_path = below, path
        memo[key] = (own + max(best_below, 0), [f] + best_path)
        return memo[key]

    rc = 0
    for want in entries:
        found = sorted((f for f in graph if want in short(names[f]) and f in sizes),
                       key=lambda f: len(short(names[f])))
        if not found:
            sys.exit(f"stack.py: no function {want} in {obj}")
        f = found[0]
        depth, path = worst(f, DEPTH)
        print(f"stack: {want}: {depth} bytes at most (chains of up to {DEPTH - 1} groups)")
        counts = {}
        for p in path:
            n = short(names.get(p, p))
            counts[n] = counts.get(n, 0) + 1
        shown = []
        for p in path:
            n = short(names.get(p, p))
            if n in shown:
                continue
            shown.append(n)
            size = sizes.get(p)
            frame = f"{size} B" if size is not None else "kernel"
            thunk = any(w.startswith("__x86_indirect_thunk") for _, w in graph.get(p, ())) and not any(
                n == c or (c.endswith("::") and n.startswith(c)) for c, _ in DYN)
            print(f"  {counts[n]:3d} x {frame:>7}  {n}" + ("   [+ indirect calls, not followed]" if thunk else ""))
        if limit is not None and depth > limit:
            print(f"stack: {want}: over the limit of {limit} bytes")
            rc = 1
    sys.exit(rc)


if __name__ == "__main__":
    main()
