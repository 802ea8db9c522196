#!/usr/bin/env python3
"""Judge one VM test run from what the guest left in its run dir.

    collect.py RUN_DIR KUNIT_PY

- KUnit: the KTAP after the marker boot.sh wrote to /dev/kmsg right before insmod, parsed by the
  kernel tree's own `kunit.py parse`; every case counts, failed/crashed ones are named; with
  OFGROUP_KUNIT_KO set (the VM loaded the kunit variant), no results at all is a failure.
- Scenarios: lines "PASS name" / "FAIL name" in RUN_DIR/scenarios.txt.
- Splats: any BUG/WARNING/Oops/KASAN/lockdep/RCU/panic line in the kernel log after the marker,
  and any kmemleak report after the final scan, fail the run even if every case passed.

Prints a summary and, as its last line, "RESULT <passed> <failed>". Exit 0 iff failed == 0.
"""
import json
import os
import re
import subprocess
import sys

MARKER = "ofgroup-vm: marker"
SPLAT = re.compile(
    r"(BUG:|WARNING:|Oops|general protection fault|KASAN|UBSAN|kernel BUG|Kernel panic|"
    r"rust_panic|panicked at|possible recursive locking|possible circular locking|"
    r"inconsistent lock state|suspicious RCU usage|lockdep|RCU Stall|rcu: INFO|"
    r"self-detected stall|soft lockup|hard LOCKUP|hung_task|blocked for more than|"
    r"sleeping function called from invalid context|scheduling while atomic|"
    r"unreferenced object|Call Trace:|unregister_netdevice: waiting)"
)


def after_marker(text):
    i = text.rfind(MARKER)
    return None if i < 0 else text[i:]


def main():
    run_dir, kunit_py = sys.argv[1], sys.argv[2]
    passed, failed, failures = 0, 0, []
    counted = 0  # failures that are already counted as failed cases

    def read(name):
        p = os.path.join(run_dir, name)
        return open(p, errors="replace").read() if os.path.exists(p) else None

    log = read("dmesg")
    source = "dmesg"
    if log is None or after_marker(log) is None:
        log, source = read("console.log") or "", "console"
    tail = after_marker(log)
    if tail is None:
        print(f"collect: no marker in the kernel log ({source}): the guest never reached insmod")
        failures.append("vm: guest did not run")
        tail = ""

    # --- KUnit ---
    ktap = os.path.join(run_dir, "kunit.log")
    with open(ktap, "w") as f:
        f.write(tail)
    js = os.path.join(run_dir, "kunit.json")
    if os.path.exists(js):
        os.unlink(js)
    p = subprocess.run([sys.executable, kunit_py, "parse", f"--json={js}", ktap],
                       capture_output=True, text=True)
    human = [l for l in p.stdout.splitlines() if "Writing JSON" not in l]
    print("\n".join(human[-60:]))
    cases = []
    if os.path.exists(js):
        def walk(g, prefix):
            for c in g.get("test_cases", []):
                cases.append((f"{prefix}{g['name']}.{c['name']}", c["status"]))
            for s in g.get("sub_groups", []):
                walk(s, "" if g.get("name") in (None, "", "main", "KUnit Test Group") else f"{prefix}{g['name']}.")
        walk(json.load(open(js)), "")
    if not cases and tail and os.environ.get("OFGROUP_KUNIT_KO"):
        failures.append("kunit: no KUnit results after insmod (module failed to load?)")
    for name, status in cases:
        if status in ("PASS", "SKIP"):
            passed += 1
        else:
            failed += 1
            counted += 1
            failures.append(f"kunit: {name} {status}")

    # --- scenarios ---
    sc = read("scenarios.txt") or ""
    for line in sc.splitlines():
        word, _, name = line.partition(" ")
        if word == "PASS":
            passed += 1
        elif word == "FAIL":
            failed += 1
            counted += 1
            failures.append(f"scenario: {name}")

    # --- splats and leaks ---
    splats = [l for l in tail.splitlines() if SPLAT.search(l)]
    if splats:
        failures.append("kernel splat after the marker:\n      " + "\n      ".join(splats[:20]))
    leaks = (read("kmemleak") or "").strip()
    if leaks:
        failures.append("kmemleak reports after unload:\n      " + "\n      ".join(leaks.splitlines()[:20]))
    rc = (read("rc") or "").strip()
    if rc not in ("0", ""):
        failures.append(f"guest command exited {rc}")

    # Each problem that is not a counted case (no results, splat, leak, exit status) fails once more.
    failed += len(failures) - counted
    for f in failures:
        print(f"FAILED {f}")
    print(f"RESULT {passed} {failed}")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
