#!/usr/bin/env python3
"""Churn under traffic, with packet conservation (scenario 55-churn; `make fuzz` runs it long).

  churn.py --seconds S --seed N

Traffic from three namespaces (client -> port 1, s1 -> port 2, s2 -> port 3), generators pinned to
both CPUs, while one writer changes the datapath as fast as netlink answers: group 1 (all) is
modified in place, buckets are inserted into and removed from group 2 (select), churn groups
100-107 and flows on port 3 are added, modified and deleted, and port 10 is detached and
re-attached. Everything the churn touches outputs to port 10 only, so the stable part's counters
can be checked exactly afterwards:

  per port p in 1, 2, 3:  rx(p) = frames its veth delivered (tx_packets) = what its generator
                          sent, minus what veth dropped (55-churn.sh flushes the namespaces'
                          neighbours first, so their stacks send nothing of their own)
  ports 1 and 2:          rx(p) = packets of the one flow on p, no miss
  datapath:               hit + missed = rx(1) + rx(2) + rx(3); missed = the ports' misses
  flow 1 -> group 1 (all): flow = group = each bucket, packets and bytes
  flow 2 -> group 2:      flow = group; bucket 1 (never removed) <= group
  output ports:           tx + tx_dropped of port 1 = group 2's bucket 1; of port 2 and 3 = group
                          1's buckets
  references:             every group's ref_count = the flows naming it; no flow names a missing
                          group

Counters of group 1, group 2's bucket 1 and flow 1 are sampled every second of the churn and must never go
down. The generators must still be sending when the writer stops (the churn ran under traffic).
Frames go to a MAC nobody owns, so no stack answers and nothing but the generators sends."""
import errno
import os
import random
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nlfuzz import CORE_ERRNOS, F_ACK, F_DUMP, Codec, Nl, Spec, Violation, encode  # noqa: E402

PORTS = {1: "c0-dp", 2: "s1-dp", 3: "s2-dp", 10: "s10-dp"}
# namespace, interface, port, CPU, source MAC / IP
GENERATORS = [("client", "c0", 1, 0, "50:54:00:00:00:05", "10.0.0.1"),
              ("s1", "s1", 2, 1, "50:54:00:00:00:06", "10.0.0.2"),
              ("s2", "s2", 3, 0, "50:54:00:00:00:07", "10.0.0.3")]
NOBODY = "50:54:00:00:00:99"
CHURN_GROUPS = range(100, 108)
PY = "/usr/bin/python3"


class Dp:
    """The family, by the spec's names."""

    def __init__(self):
        self.spec = Spec(os.path.join(os.environ["OFGROUP_REPO"], "rust/abi/spec/ofgroup.yaml"))
        self.c = Codec(self.spec)
        self.nl = Nl(self.spec)
        self.gt = self.spec.consts["group-type"]
        self.port10 = True  # whether port 10 is attached (the writer toggles it)

    def send(self, op, attrs, dump=False):
        o = self.spec.ops[op]
        return self.nl.genl(o["num"], encode(attrs), F_DUMP | F_ACK if dump else F_ACK)

    def must(self, op, attrs):
        r = self.send(op, attrs)
        if r.error:
            raise Violation(f"{op}: {os.strerror(r.error)} ({r.extack})")

    def dump(self, op, set_name, attrs=()):
        r = self.send(op, list(attrs), dump=True)
        if r.error:
            raise Violation(f"{op} dump: {os.strerror(r.error)}")
        return [self.c.decode(set_name, m[4:]) for m in r.msgs]

    def groups(self):
        return {v["id"]: v for v in self.dump("group-get", "group", [self.c.leaf("group", "stats", True)])}

    def flows(self):
        return self.dump("flow-get", "flow")

    def ports(self):
        return {v["port-no"]: v for v in self.dump("port-get", "port")}

    def dp(self):
        r = self.send("dp-get", [])
        if r.error:
            raise Violation(f"dp-get: {os.strerror(r.error)}")
        return self.c.decode("dp", r.msgs[0][4:])

    # builders
    def out(self, set_name, port):
        return self.c.nest(set_name, "action", [self.c.leaf("action", "output", port)])

    def to_group(self, set_name, gid):
        return self.c.nest(set_name, "action", [self.c.leaf("action", "group", gid)])

    def bucket(self, bid, actions, weight=None, watch_port=None):
        kids = [self.c.leaf("bucket", "id", bid)]
        if weight is not None:
            kids.append(self.c.leaf("bucket", "weight", weight))
        if watch_port is not None:
            kids.append(self.c.leaf("bucket", "watch-port", watch_port))
        return self.c.nest("group", "bucket", kids + actions)

    def group(self, gid, gtype, buckets):
        return [self.c.leaf("group", "id", gid), self.c.leaf("group", "type", self.gt[gtype])] + buckets

    def match(self, port, ip=False):
        kids = [self.c.leaf("match", "in-port", port)]
        if ip:
            kids.append(self.c.leaf("match", "eth-type", 0x0800))
        return self.c.nest("flow", "match", kids)


def group1(d):
    return d.group(1, "all", [d.bucket(1, [d.out("bucket", 2)]), d.bucket(2, [d.out("bucket", 3)])])


def setup(d):
    d.must("flow-del", [])
    d.must("group-del", [])
    have = d.ports()
    for no, name in PORTS.items():
        if have.get(no, {}).get("ifname") != name:
            if no in have:
                d.must("port-del", [d.c.leaf("port", "port-no", no)])
            d.must("port-new", [d.c.leaf("port", "port-no", no), d.c.leaf("port", "ifname", name)])
    d.must("group-new", group1(d))
    d.must("group-new", d.group(2, "select", [d.bucket(1, [d.out("bucket", 1)], weight=1)]))
    for port, gid in ((1, 1), (2, 2)):
        d.must("flow-new", [d.c.leaf("flow", "priority", 100), d.match(port), d.to_group("flow", gid)])


def churn_op(d, r):
    """One random change of the churned part; returns (op, attrs)."""
    c = d.c
    kind = r.choices(["g1-mod", "g2-insert", "g2-remove", "group", "group-del", "flow", "flow-del",
                      "port"], [1, 2, 2, 4, 1.5, 4, 1.5, 1.5])[0]
    if kind == "g1-mod":
        return "group-set", group1(d)
    if kind == "g2-insert":
        bid = r.choice((2, 3))
        return "bucket-insert", [c.leaf("group", "id", 2),
                                 c.leaf("group", "command-bucket-id", d.spec.consts["bucket-last"]),
                                 d.bucket(bid, [d.out("bucket", 10)], weight=r.randint(1, 5))]
    if kind == "g2-remove":
        return "bucket-remove", [c.leaf("group", "id", 2), c.leaf("group", "command-bucket-id", r.choice((2, 3)))]
    gid = r.choice(CHURN_GROUPS)
    if kind == "group":
        gtype = r.choice(["all", "select", "indirect", "ff"])
        buckets = []
        for bid in range(1 if gtype == "indirect" else r.randint(1, 3)):
            acts = [d.out("bucket", 10)] if r.random() < 0.7 else [d.to_group("bucket", r.choice(CHURN_GROUPS))]
            buckets.append(d.bucket(bid, acts, weight=r.randint(1, 9) if gtype == "select" else None,
                                    watch_port=10 if gtype == "ff" else None))
        return r.choice(["group-new", "group-set"]), d.group(gid, gtype, buckets)
    if kind == "group-del":
        return "group-del", [c.leaf("group", "id", gid)]
    prio = c.leaf("flow", "priority", r.choice((10, 20, 30)))
    m = d.match(3, ip=r.random() < 0.5)
    if kind == "flow":
        act = d.out("flow", 10) if r.random() < 0.5 else d.to_group("flow", gid)
        return r.choice(["flow-new", "flow-set"]), [prio, m, act] + (
            [c.leaf("flow", "strict", True)] if r.random() < 0.5 else [])
    if kind == "flow-del":
        return "flow-del", [prio, m, c.leaf("flow", "strict", True)]
    if d.port10:
        return "port-del", [c.leaf("port", "port-no", 10)]
    return "port-new", [c.leaf("port", "port-no", 10), c.leaf("port", "ifname", PORTS[10])]


def veth_tx(ns, ifc):
    """(tx_packets, tx_dropped) of IFACE in NS: what veth delivered to its peer, and what the
    peer's backlog refused. One process for both."""
    d = f"/sys/class/net/{ifc}/statistics"
    out = subprocess.run(["ip", "netns", "exec", ns, "cat", f"{d}/tx_packets", f"{d}/tx_dropped"],
                         check=True, capture_output=True, text=True).stdout.split()
    return int(out[0]), int(out[1])


def counters(d):
    g = d.groups()
    flows = d.flows()
    f = {}
    for v in flows:
        port = v.get("match", {}).get("in-port")
        if v.get("priority") == 100 and port in (1, 2):
            f[port] = (v.get("packets", 0), v.get("bytes", 0))
    return g, flows, f, d.ports(), d.dp()


def bucket_of(g, bid):
    for b in g.get("bucket", []):
        if b.get("id") == bid:
            return b.get("packets", 0), b.get("bytes", 0)
    raise Violation(f"group {g['id']} has no bucket {bid}")


def expect(what, got, want, results):
    if got != want:
        raise Violation(f"{what}: {got}, want {want}")
    results.append(f"ok: {what} = {want}")


def main():
    seconds, seed = 10.0, None
    argv = sys.argv[1:]
    while argv:
        a = argv.pop(0)
        if a == "--seconds":
            seconds = float(argv.pop(0))
        elif a == "--seed":
            seed = int(argv.pop(0))
        else:
            sys.exit(__doc__)
    if seed is None:
        seed = int.from_bytes(os.urandom(4), "little")
    print(f"churn: seed {seed}, {seconds:g} s of churn", flush=True)
    r = random.Random(seed)
    d = Dp()
    setup(d)
    p0 = d.ports()
    dp0 = d.dp()
    # veth counts a frame its peer's backlog refused in the sender's tx_dropped
    vtx0 = {port: veth_tx(ns, ifc) for ns, ifc, port, *_ in GENERATORS}
    gens = []
    for ns, ifc, port, cpu, mac, ip in GENERATORS:
        gens.append((port, subprocess.Popen(
            ["taskset", "-c", str(cpu), "nice", "-n", "10", "ip", "netns", "exec", ns, PY,
             os.path.join(os.environ["OFGROUP_REPO"], "qemu/guest/lib/traffic.py"), ifc,
             "--dst-mac", NOBODY, "--src-mac", mac, "--src-ip", ip, "--seconds", str(seconds + 30),
             "--count", "0", "--flows", "64"], stdout=subprocess.PIPE, text=True)))
    try:
        # Wait until every generator's frames reach the datapath.
        t0 = time.time()
        while True:
            p = d.ports()
            if all(p[port]["rx-packets"] > p0[port]["rx-packets"] for port in (1, 2, 3)):
                break
            if time.time() - t0 > 60:
                raise Violation("no traffic from every generator within 60 s")
            time.sleep(0.2)
        writes, errs, samples, last = 0, {}, 0, (0, 0, 0)
        first = None
        end = time.time() + seconds
        next_sample = time.time()
        while time.time() < end:
            op, attrs = churn_op(d, r)
            res = d.send(op, attrs)
            writes += 1
            if res.error:
                errs[res.error] = errs.get(res.error, 0) + 1
                if res.extack is None and res.error not in CORE_ERRNOS:
                    raise Violation(f"write {writes} ({op}) refused with {errno.errorcode.get(res.error)} "
                                    "and no extack message")
            elif op in ("port-del", "port-new"):
                d.port10 = op == "port-new"
            if time.time() >= next_sample:
                next_sample = time.time() + 1
                g, _, f, _, _ = counters(d)
                now = (g[1].get("packets", 0), bucket_of(g[2], 1)[0], f[1][0])
                if any(n < l for n, l in zip(now, last)):
                    raise Violation(f"a counter went down during the churn: {last} -> {now} "
                                    "(group 1, group 2 bucket 1, flow 1)")
                first = first or now
                last, samples = now, samples + 1
        running = [port for port, g in gens if g.poll() is None]
        if len(running) != len(gens):
            raise Violation("a generator stopped before the churn ended: the churn did not run under traffic")
        if first is None or last[0] <= first[0]:
            raise Violation("group 1 counted nothing during the churn")
        print(f"churn: {writes} writes in {seconds:g} s ({writes / seconds:.0f}/s), "
              f"{sum(errs.values())} refused (" + ", ".join(f"{errno.errorcode.get(e, e)} {n}"
                                                         for e, n in sorted(errs.items())) +
              f"), {samples} samples monotonic, +{last[0] - first[0]} frames through group 1 meanwhile",
              flush=True)
    finally:
        for _, g in gens:
            g.terminate()
    sent = {}
    for port, g in gens:
        out, _ = g.communicate(timeout=60)
        sent[port] = int(out.strip().splitlines()[-1]) if out.strip() else None
        if sent[port] is None:
            raise Violation(f"the generator into port {port} printed no count")
    # Settle: every port's rx stable over two looks.
    prev = None
    for _ in range(50):
        p = d.ports()
        cur = tuple(p[port]["rx-packets"] for port in (1, 2, 3))
        if cur == prev:
            break
        prev = cur
        time.sleep(0.2)
    g, flows, f, p, dp = counters(d)
    res = []
    rx = {}
    for ns, ifc, port, *_ in GENERATORS:
        tx, drop = veth_tx(ns, ifc)
        delivered, vdrop = tx - vtx0[port][0], drop - vtx0[port][1]
        rx[port] = p[port]["rx-packets"] - p0[port]["rx-packets"]
        expect(f"port {port}: frames received = frames {ifc} delivered (its veth's tx_packets)",
               rx[port], delivered, res)
        expect(f"port {port}: frames delivered = frames its generator sent ({sent[port]}) - dropped "
               f"by veth ({vdrop})", delivered, sent[port] - vdrop, res)
    for port in (1, 2):
        expect(f"port {port}: frames received = its flow's packets", f[port][0], rx[port], res)
        expect(f"port {port}: misses", p[port]["rx-missed"] - p0[port]["rx-missed"], 0, res)
    hit, missed = dp["hit"] - dp0["hit"], dp["missed"] - dp0["missed"]
    expect("datapath: hit + missed = frames received on ports 1-3", hit + missed, sum(rx.values()), res)
    expect("datapath: missed = port 3's misses", missed, p[3]["rx-missed"] - p0[3]["rx-missed"], res)
    g1, g2 = g[1], g[2]
    expect("flow 1 packets = group 1 packets", g1.get("packets", 0), f[1][0], res)
    expect("flow 1 bytes = group 1 bytes", g1.get("bytes", 0), f[1][1], res)
    for bid in (1, 2):
        expect(f"group 1 bucket {bid} = group 1 (all: every bucket once per frame)", bucket_of(g1, bid),
               (g1.get("packets", 0), g1.get("bytes", 0)), res)
    expect("flow 2 packets = group 2 packets", g2.get("packets", 0), f[2][0], res)
    expect("flow 2 bytes = group 2 bytes", g2.get("bytes", 0), f[2][1], res)
    b21 = bucket_of(g2, 1)[0]
    if b21 > g2.get("packets", 0) or b21 == 0:
        raise Violation(f"group 2 bucket 1 counted {b21} of the group's {g2.get('packets', 0)}")
    res.append(f"ok: group 2 bucket 1 ({b21}) <= group 2 ({g2.get('packets', 0)}), the rest went to churned buckets")

    def out(port):
        return (p[port]["tx-packets"] + p[port]["tx-dropped"]) - (p0[port]["tx-packets"] + p0[port]["tx-dropped"])
    expect("port 1 tx + tx_dropped = group 2 bucket 1", out(1), b21, res)
    expect("port 2 tx + tx_dropped = group 1 bucket 1", out(2), bucket_of(g1, 1)[0], res)
    expect("port 3 tx + tx_dropped = group 1 bucket 2", out(3), bucket_of(g1, 2)[0], res)
    naming = {}
    for v in flows:
        for gid in {a["group"] for a in v.get("action", []) if "group" in a}:
            if gid not in g:
                raise Violation(f"flow {v.get('match')} names missing group {gid}")
            naming[gid] = naming.get(gid, 0) + 1
    for gid, v in g.items():
        if v.get("ref-count", 0) != naming.get(gid, 0):
            raise Violation(f"group {gid}: ref_count {v.get('ref-count')}, {naming.get(gid, 0)} flows name it")
    res.append(f"ok: every ref_count = the flows naming the group ({len(g)} groups, {len(flows)} flows)")
    print("\n".join(res))
    print(f"churn: sent {sum(sent.values())} frames, hit {hit}, missed {missed}, lost {dp['lost'] - dp0['lost']}; "
          f"every identity held; seed {seed}")


if __name__ == "__main__":
    try:
        main()
    except Violation as e:
        print(f"FAIL: {e}", file=sys.stderr)
        sys.exit(1)
