#!/usr/bin/env python3
"""Print `make bench-forward`'s table, ratios and ablations from the guest's results file.

  bench-forward-report.py RESULTS
RESULTS lines (written by qemu/guest/bench-forward.sh):
  rate LABEL SENT DELIVERED USEC   frames forwarded per second = DELIVERED / USEC
  fail LABEL SENT DELIVERED LOST   a failover run
  note TEXT"""
import sys

ROWS = [
    ("floor", "floor: veth alone (pktgen -> veth -> stack drop)"),
    ("tc-mirred", "tc ingress matchall + mirred egress redirect"),
    ("bridge-flood-2", "Linux bridge, unknown unicast flooded to 2 ports"),
    ("ovs-output", "openvswitch.ko (ovs-vswitchd): flow -> output"),
    ("ovs-select-8", "openvswitch.ko: select group, 8 buckets"),
    ("ovs-all-2", "openvswitch.ko: all group, 2 outputs"),
    ("ovs-ff", "openvswitch.ko: fast_failover group"),
    ("ofgroup-output", "ofgroup: flow -> output"),
    ("ofgroup-indirect", "ofgroup: indirect group"),
    ("ofgroup-select-1", "ofgroup: select group, 1 bucket"),
    ("ofgroup-select-8", "ofgroup: select group, 8 buckets"),
    ("ofgroup-all-2", "ofgroup: all group, 2 outputs"),
    ("ofgroup-ff", "ofgroup: fast_failover group"),
    ("scale-1cpu", "ofgroup select 8: one pktgen thread"),
    ("scale-2cpu", "ofgroup select 8: two threads, two CPUs (aggregate)"),
]
GOALS = [
    ("ofgroup select-8 / tc mirred", "ofgroup-select-8", "tc-mirred", 0.95),
    ("ofgroup select-1 / tc mirred", "ofgroup-select-1", "tc-mirred", 0.95),
    ("ofgroup all-2 / bridge flood-2", "ofgroup-all-2", "bridge-flood-2", 1.1),
    ("ofgroup select-8 / openvswitch.ko select-8", "ofgroup-select-8", "ovs-select-8", 1.3),
    ("two CPUs / one (select 8)", "scale-2cpu", "scale-1cpu", 1.7),
]
INFO = [
    ("ofgroup output / openvswitch.ko output", "ofgroup-output", "ovs-output"),
    ("ofgroup all-2 / openvswitch.ko all-2", "ofgroup-all-2", "ovs-all-2"),
    ("ofgroup output / floor", "ofgroup-output", "floor"),
]


def main():
    rate, fail, notes = {}, {}, []
    sent = {}
    with open(sys.argv[1]) as f:
        for line in f:
            w = line.split()
            if not w:
                continue
            if w[0] == "rate" and len(w) == 5:
                s, d, us = int(w[2]), int(w[3]), int(w[4])
                sent[w[1]] = (s, d)
                rate[w[1]] = d * 1e6 / us if us else 0.0
            elif w[0] == "fail" and len(w) == 5:
                fail[w[1]] = tuple(int(x) for x in w[2:])
            elif w[0] == "note":
                notes.append(" ".join(w[1:]))

    print("\nforwarding, 60-byte frames (perf kernel, QEMU TCG: only ratios within this run mean much)")
    print(f"  {'path':<52} {'frames/s':>10} {'ns/frame':>9} {'delivered':>10}")
    for key, name in ROWS:
        if key in rate:
            r = rate[key]
            s, d = sent[key]
            print(f"  {name:<52} {r:>10,.0f} {1e9 / r if r else 0:>9,.0f} {d / s if s else 0:>9.1%}")
        else:
            print(f"  {name:<52} {'(not measured)':>10}")

    print("\nratios (goal)")
    for name, a, b, goal in GOALS:
        if a in rate and b in rate and rate[b]:
            x = rate[a] / rate[b]
            print(f"  {name:<46} {x:5.2f}  (>= {goal}) {'met' if x >= goal else 'NOT met'}")
        else:
            print(f"  {name:<46}  n/a  (>= {goal}) not measured")
    for name, a, b in INFO:
        if a in rate and b in rate and rate[b]:
            print(f"  {name:<46} {rate[a] / rate[b]:5.2f}")

    print("\nfailover: constant stream through a fast_failover group, carrier of bucket 0's port dropped,\n  one frame per 50 us")
    for key, name in (("ofgroup", "ofgroup"), ("ovs", "openvswitch.ko + ovs-vswitchd")):
        if key in fail:
            s, d, lost = fail[key]
            print(f"  {name:<32} sent {s:>7}, delivered {d:>7}, lost {lost:>6} (~{lost * 0.05:,.0f} ms of the stream)"
                  f"  {'(goal: 0) met' if key == 'ofgroup' and lost == 0 else ''}"
                  f"{'(goal: 0) NOT met' if key == 'ofgroup' and lost != 0 else ''}")
        else:
            print(f"  {name:<32} not measured")

    ns = {k: 1e9 / v for k, v in rate.items() if v}
    if any(k.startswith("ablate-") for k in ns):
        print("\nablations (compile-time variants of the module, same run): ns per frame")
        for path in ("output", "select-8"):
            full = [ns[k] for k in (f"ofgroup-{path}", f"ablate-full-{path}") if k in ns]
            if not full:
                continue
            t = sum(full) / len(full)
            print(f"  {path}: full module {t:,.0f} ns/frame (mean of {len(full)} passes: "
                  + ", ".join(f"{x:,.0f}" for x in full) + ")")
            stages = []
            if f"ablate-nocount-{path}" in ns:
                stages.append(("counters (rx, flow, group, bucket, tx, hit)", t - ns[f"ablate-nocount-{path}"]))
            if f"ablate-noclassify-{path}" in ns:
                stages.append(("classifier lookup", t - ns[f"ablate-noclassify-{path}"]))
            if "ablate-parseonly" in ns and "floor" in ns:
                stages.append(("rx_handler + parse + key (parse-only minus floor)", ns["ablate-parseonly"] - ns["floor"]))
            if "ablate-parseonly" in ns:
                rest = t - ns["ablate-parseonly"] - sum(c for n, c in stages if not n.startswith("rx_"))
                stages.append(("actions, group, transmit and the output veth + sink", rest))
            if "floor" in ns:
                stages.append(("floor: pktgen, input veth, stack drop", ns["floor"]))
            for n, c in stages:
                print(f"    {n:<54} {c:>8,.0f} ns  {c / t:6.1%}")
    for n in notes:
        print(f"note: {n}")


main()
