#!/usr/bin/env python3
"""Netlink fuzzer for the ofgroup family, driven by its YNL spec (rust/abi/spec/ofgroup.yaml).

  nlfuzz.py fuzz --seed S --requests N --ports 1=c0-dp,2=s1-dp,...   (make fuzz; a short run in make test)
  nlfuzz.py failnth --ports ...                                      (fail-nth sweep per mutating op)

fuzz: requests for every operation of the spec, built by a spec-driven encoder. State-building ones
are valid (groups, buckets, flows, ports, packets over a small id space, so they collide); the rest
are those mutated: attributes dropped, duplicated, unknown, of the wrong length or NLA flags, integer
boundaries (0, max, max+1, 2^32-1), nests truncated or garbage, oversize lists, random byte flips,
wrong commands, interrupted dumps. After every phase the kernel's state (dumps of groups, flows and
ports) must equal a model that only acknowledged requests changed; every group's ref-count must
equal the flows naming it; no flow may name a missing group; counters of groups, ports and the
datapath must not go down unless a reset or delete says so. Every request must be answered (an ACK,
or an errno with an extack message, except errnos the netlink core gives without one).

failnth: for each mutating operation, /proc/thread-self/fail-nth = 1, 2, ... until it succeeds;
each failure must return an errno and leave the state exactly as before.

Prints the seed and a summary; exits non-zero on the first violated invariant (with the request)."""
import argparse
import errno
import json
import os
import random
import socket
import struct
import sys
import threading
import time

NLMSG_ERROR, NLMSG_DONE = 2, 3
F_REQUEST, F_MULTI, F_ACK, F_DUMP = 1, 2, 4, 0x300
F_ACK_TLVS = 0x200
SOL_NETLINK, NETLINK_EXT_ACK, NETLINK_CAP_ACK = 270, 11, 10
NLA_F_NESTED = 0x8000
GENL_ID_CTRL, CTRL_CMD_GETFAMILY, CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME = 16, 3, 1, 2
EXTACK_MSG, EXTACK_OFFS = 1, 2
# Errnos the netlink/genetlink core or the allocator give without our extack: an unknown command,
# a missing privilege, a failed allocation in the socket layer.
CORE_ERRNOS = {errno.EOPNOTSUPP, errno.EPERM, errno.ENOMEM, errno.ENOBUFS}

INT_SIZE = {"u8": 1, "u16": 2, "u32": 4, "u64": 8, "uint": 8}
INT_FMT = {1: "B", 2: "H", 4: "I", 8: "Q"}


class Violation(Exception):
    pass


# ---------------------------------------------------------------------------------------------
# The spec


SPEC_CACHE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "__pycache__", "ofgroup-spec.json")


def load_spec(path):
    """The spec as Python data. PyYAML's import alone costs ~3 s under TCG, so the host keeps a
    JSON copy (`nlfuzz.py cache-spec`, run by scripts/userspace.sh), used while the YAML still has
    the mtime the copy was made from."""
    try:
        with open(SPEC_CACHE) as f:
            c = json.load(f)
        if c["mtime_ns"] == os.stat(path).st_mtime_ns:
            return c["spec"]
    except (OSError, ValueError, KeyError):
        pass
    import yaml
    with open(path) as f:
        return yaml.safe_load(f)


def cache_spec(path):
    import yaml
    with open(path) as f:
        spec = yaml.safe_load(f)
    os.makedirs(os.path.dirname(SPEC_CACHE), exist_ok=True)
    tmp = SPEC_CACHE + ".tmp"
    with open(tmp, "w") as f:
        json.dump({"mtime_ns": os.stat(path).st_mtime_ns, "spec": spec}, f)
    os.replace(tmp, SPEC_CACHE)


class Spec:
    def __init__(self, path):
        y = load_spec(path)
        self.name = y["name"]
        self.consts = {}
        for d in y.get("definitions", []):
            if d["type"] == "const":
                self.consts[d["name"]] = d["value"]
            elif d["type"] in ("enum", "flags"):
                self.consts[d["name"]] = {e if isinstance(e, str) else e["name"]: i
                                          for i, e in enumerate(d["entries"])}
        self.sets = {}
        for s in y["attribute-sets"]:
            attrs, num = {}, 0
            for a in s["attributes"]:
                num = a.get("value", num + 1)
                attrs[a["name"]] = dict(a, num=num)
            self.sets[s["name"]] = attrs
        self.ops = {}
        num = 0
        for o in y["operations"]["list"]:
            num = o.get("value", num + 1)
            self.ops[o["name"]] = dict(o, num=num)

    def attr(self, set_name, name):
        return self.sets[set_name][name]

    def max_attr(self, set_name):
        return max(a["num"] for a in self.sets[set_name].values())


# ---------------------------------------------------------------------------------------------
# Attributes: a request is a list of Attr; a leaf holds bytes, a nest a list of Attr.


class Attr:
    __slots__ = ("num", "data", "kids", "flags")

    def __init__(self, num, data=b"", kids=None, flags=0):
        self.num, self.data, self.kids, self.flags = num, data, kids, flags

    def copy(self):
        return Attr(self.num, self.data, None if self.kids is None else [k.copy() for k in self.kids],
                    self.flags)


def encode(attrs):
    out = bytearray()
    for a in attrs:
        if a.kids is not None:
            payload, flags = encode(a.kids), NLA_F_NESTED
        else:
            payload, flags = a.data, 0
        flags ^= a.flags  # a mutation may toggle NLA_F_NESTED / NLA_F_NET_BYTEORDER
        out += struct.pack("HH", 4 + len(payload), a.num | flags) + payload
        out += b"\0" * (-len(out) % 4)
    return bytes(out)


def parse_tlvs(buf):
    """[(type without flags, payload)], stopping at a malformed header."""
    out, off = [], 0
    while off + 4 <= len(buf):
        ln, ty = struct.unpack_from("HH", buf, off)
        if ln < 4 or off + ln > len(buf):
            break
        out.append((ty & 0x3FFF, buf[off + 4:off + ln]))
        off += (ln + 3) & ~3
    return out


class Codec:
    """Builds and reads attributes by the spec's names and types."""

    def __init__(self, spec):
        self.spec = spec

    def leaf(self, set_name, name, value):
        a = self.spec.attr(set_name, name)
        t = a["type"]
        if t in INT_SIZE:
            n = INT_SIZE[t]
            if t == "uint" and value < 1 << 32:
                n = 4
            return Attr(a["num"], struct.pack(INT_FMT[n], value & ((1 << (8 * n)) - 1)))
        if t == "flag":
            return Attr(a["num"])
        if t == "string":
            return Attr(a["num"], value.encode() + b"\0")
        if t == "binary":
            return Attr(a["num"], bytes(value))
        raise ValueError(t)

    def nest(self, set_name, name, kids):
        return Attr(self.spec.attr(set_name, name)["num"], kids=kids)

    def decode(self, set_name, buf):
        """dict name -> value (list for multi-attr), by the spec."""
        attrs = {a["num"]: a for a in self.spec.sets[set_name].values()}
        out = {}
        for ty, data in parse_tlvs(buf):
            a = attrs.get(ty)
            if a is None:
                continue
            t = a["type"]
            if t in INT_SIZE:
                v = int.from_bytes(data, "little") if len(data) in (1, 2, 4, 8) else None
            elif t == "flag":
                v = True
            elif t == "string":
                v = data.split(b"\0", 1)[0].decode(errors="replace")
            elif t == "nest":
                v = self.decode(a["nested-attributes"], data)
                v["_raw"] = bytes(data)
            else:
                v = bytes(data)
            if a.get("multi-attr"):
                out.setdefault(a["name"], []).append(v)
            else:
                out[a["name"]] = v
        return out


# ---------------------------------------------------------------------------------------------
# The socket


class Reply:
    def __init__(self):
        self.error = 0
        self.extack = None
        self.bad_offset = None
        self.msgs = []
        self.sendmsg_errno = 0
        self.lost = False  # the answer itself was lost (recv failed): the outcome is unknown


class Nl:
    def __init__(self, spec):
        self.spec = spec
        self.seq = 0
        self.sock = self._open()
        self.family = self._resolve(spec.name)

    @staticmethod
    def _open():
        s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 16)  # NETLINK_GENERIC
        s.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        s.setsockopt(SOL_NETLINK, NETLINK_CAP_ACK, 1)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
        s.settimeout(20)
        s.bind((0, 0))
        return s

    def _resolve(self, name):
        payload = struct.pack("BBH", CTRL_CMD_GETFAMILY, 2, 0)
        payload += encode([Attr(CTRL_ATTR_FAMILY_NAME, name.encode() + b"\0")])
        r = self.request(GENL_ID_CTRL, payload, F_ACK)
        if r.error:
            raise SystemExit(f"family {name}: {os.strerror(r.error)} (is the module loaded?)")
        for ty, data in parse_tlvs(r.msgs[0][4:]):
            if ty == CTRL_ATTR_FAMILY_ID:
                return struct.unpack("H", data[:2])[0]
        raise SystemExit(f"family {name}: no id")

    def request(self, msg_type, payload, flags, sock=None, first_only=False, after_send=None):
        """Send one request; collect replies until the ACK / error / DONE. ENOMEM from sendmsg
        (fail-nth hitting the socket layer) is an answer too. `after_send` runs between the send
        (where the operation runs) and the first recv."""
        sock = sock or self.sock
        self.seq += 1
        hdr = struct.pack("IHHII", 16 + len(payload), msg_type, F_REQUEST | flags, self.seq, 0)
        r = Reply()
        try:
            sock.send(hdr + payload)
        except OSError as e:
            r.error = r.sendmsg_errno = e.errno
            if after_send:
                after_send()
            return r
        if after_send:
            after_send()
        while True:
            try:
                data = sock.recv(1 << 20)
            except socket.timeout:
                raise Violation("no answer within 20 s")
            except OSError as e:
                # ENOBUFS: the reply could not be queued (an allocation failed on the way back).
                r.error, r.lost = e.errno, True
                return r
            off = 0
            while off + 16 <= len(data):
                ln, ty, fl, seq, _ = struct.unpack_from("IHHII", data, off)
                body = data[off + 16:off + ln]
                off += (ln + 3) & ~3
                if seq != self.seq:
                    continue  # a late message of an interrupted exchange
                if ty == NLMSG_ERROR:
                    err = -struct.unpack_from("i", body)[0]
                    r.error = err
                    if fl & F_ACK_TLVS:
                        # CAP_ACK: the error header carries the request's nlmsghdr only.
                        for t, v in parse_tlvs(body[4 + 16:]):
                            if t == EXTACK_MSG:
                                r.extack = v.rstrip(b"\0").decode(errors="replace")
                            elif t == EXTACK_OFFS:
                                r.bad_offset = struct.unpack("I", v)[0]
                    return r
                if ty == NLMSG_DONE:
                    if len(body) >= 4:
                        r.error = -struct.unpack_from("i", body)[0]
                    return r
                r.msgs.append(body)
                if first_only:
                    return r

    def genl(self, cmd, attrs_bytes, flags=F_ACK, version=1, **kw):
        return self.request(self.family, struct.pack("BBH", cmd, version, 0) + attrs_bytes, flags, **kw)


# ---------------------------------------------------------------------------------------------
# The ofgroup world: small id spaces, so requests collide with each other and with state.

GROUP_IDS = range(1, 13)
BUCKET_IDS = range(0, 6)
PRIOS = (0, 10, 100, 1000)


class World:
    def __init__(self, spec, codec, ports, rng):
        self.s, self.c, self.rng = spec, codec, rng
        self.ports = ports  # port no -> ifname (the devices the scenario made)
        self.k = spec.consts
        self.gt = spec.consts["group-type"]

    def actions(self, set_name, n_max=2, groups=True):
        out = []
        for _ in range(self.rng.randint(1, n_max)):
            if groups and self.rng.random() < 0.3:
                kid = self.c.leaf("action", "group", self.rng.choice(GROUP_IDS))
            else:
                kid = self.c.leaf("action", "output", self.rng.choice(list(self.ports)))
            out.append(self.c.nest(set_name, "action", [kid]))
        return out

    def bucket(self, bid, gtype):
        kids = [self.c.leaf("bucket", "id", bid)]
        if gtype == "select":
            kids.append(self.c.leaf("bucket", "weight", self.rng.randint(1, 100)))
        if gtype == "ff" or self.rng.random() < 0.1:
            kids.append(self.c.leaf("bucket", "watch-port", self.rng.choice(list(self.ports))))
        if self.rng.random() < 0.1:
            kids.append(self.c.leaf("bucket", "watch-group", self.rng.choice(GROUP_IDS)))
        kids += self.actions("bucket")
        return self.c.nest("group", "bucket", kids)

    def group_body(self, gid):
        gtype = self.rng.choice(list(self.gt))
        n = 1 if gtype == "indirect" else self.rng.randint(0, 4)
        bids = self.rng.sample(list(BUCKET_IDS), n)
        attrs = [self.c.leaf("group", "id", gid), self.c.leaf("group", "type", self.gt[gtype])]
        if gtype == "select" and self.rng.random() < 0.3:
            attrs.append(self.c.leaf("group", "basis", self.rng.getrandbits(32)))
        attrs += [self.bucket(b, gtype) for b in bids]
        return attrs, (gtype, bids)

    def match(self):
        kids = [self.c.leaf("match", "in-port", self.rng.choice(list(self.ports)))]
        if self.rng.random() < 0.3:
            kids.append(self.c.leaf("match", "eth-type", 0x0800))
        return self.c.nest("flow", "match", kids)

    def frame(self):
        dst = bytes([0x50, 0x54, 0, 0, 0, self.rng.choice((5, 6, 7, 0xA))])
        src = bytes([0x50, 0x54, 0, 0, 0, 0x99])
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 28, 0, 0, 64, 17, 0, bytes([10, 0, 0, 1]),
                         bytes([10, 0, 0, self.rng.randint(2, 3)]))
        udp = struct.pack("!HHHH", self.rng.randint(1, 65535), 9, 8, 0)
        return dst + src + b"\x08\x00" + ip + udp + b"\0" * 18

    def valid(self):
        """(op, attrs, effect): a request that is valid by the spec and meaningful; `effect` tells the
        model what an ACK means."""
        r = self.rng
        op = r.choices(
            ["group-new", "group-set", "group-del", "group-del-all", "bucket-insert", "bucket-remove",
             "stats-reset", "flow-new", "flow-set", "flow-del", "flow-del-all", "port-del", "port-new",
             "packet-execute", "group-get", "group-dump", "flow-dump", "port-dump", "dp-get",
             "features-get"],
            [14, 6, 4, 0.4, 5, 4, 2, 14, 4, 4, 0.4, 1, 1.5, 8, 2, 1, 1, 1, 1, 1])[0]
        c = self.c
        gid = r.choice(GROUP_IDS)
        if op in ("group-new", "group-set"):
            attrs, (gtype, bids) = self.group_body(gid)
            if op == "group-set" and r.random() < 0.3:
                attrs.append(c.leaf("group", "may-create", True))
            return op, attrs, ("group", gid, gtype, bids, op == "group-set")
        if op == "group-del":
            return op, [c.leaf("group", "id", gid)], ("group-del", gid)
        if op == "group-del-all":
            return "group-del", [], ("group-del", None)
        if op == "bucket-insert":
            bids = r.sample(list(BUCKET_IDS), r.randint(1, 2))
            where = r.choice([self.k["bucket-first"], self.k["bucket-last"], r.choice(BUCKET_IDS)])
            attrs = [c.leaf("group", "id", gid), c.leaf("group", "command-bucket-id", where)]
            attrs += [self.bucket(b, "select") for b in bids]
            return op, attrs, ("insert", gid, where, bids)
        if op == "bucket-remove":
            where = r.choice([self.k["bucket-first"], self.k["bucket-last"], self.k["bucket-all"],
                              r.choice(BUCKET_IDS)])
            return op, [c.leaf("group", "id", gid), c.leaf("group", "command-bucket-id", where)], \
                ("remove", gid, where)
        if op == "stats-reset":
            return op, ([c.leaf("group", "id", gid)] if r.random() < 0.8 else []), ("reset",)
        if op == "flow-new":
            return op, [c.leaf("flow", "priority", r.choice(PRIOS)), self.match()] + self.actions("flow"), \
                ("flow",)
        if op == "flow-set":
            return op, [c.leaf("flow", "priority", r.choice(PRIOS)), self.match(),
                        c.leaf("flow", "strict", True)] + self.actions("flow"), ("flow-set",)
        if op == "flow-del":
            return op, [c.leaf("flow", "priority", r.choice(PRIOS)), self.match(),
                        c.leaf("flow", "strict", True)], ("flow-del",)
        if op == "flow-del-all":
            return "flow-del", [], ("flow-del-all",)
        if op == "port-del":
            return op, [c.leaf("port", "port-no", r.choice(list(self.ports)))], ("port-del",)
        if op == "port-new":
            no = r.choice(list(self.ports))
            attrs = [c.leaf("port", "port-no", no), c.leaf("port", "ifname", self.ports[no])]
            return op, attrs, ("port-new",)
        if op == "packet-execute":
            return op, [c.leaf("packet", "in-port", r.choice(list(self.ports))),
                        c.leaf("packet", "data", self.frame())], ("none",)
        if op == "group-get":
            return op, [c.leaf("group", "id", gid), c.leaf("group", "stats", True)], ("none",)
        if op.endswith("-dump"):
            return op, [], ("none",)
        return op, [], ("none",)


# ---------------------------------------------------------------------------------------------
# Mutations


def all_attrs(attrs, parent=None):
    for a in attrs:
        yield a, attrs
        if a.kids is not None:
            yield from all_attrs(a.kids, a)


class Mutator:
    def __init__(self, spec, codec, world, rng):
        self.s, self.c, self.w, self.rng = spec, codec, world, rng

    def mutate(self, op, attrs):
        """(op, attrs or raw bytes, label). Tree mutations keep the op; raw ones return bytes."""
        r = self.rng
        kinds = ["drop", "dup", "unknown", "length", "boundary", "garbage-nest", "nested-flag",
                 "oversize", "flip", "truncate", "string", "wrong-op"]
        kind = r.choice(kinds)
        attrs = [a.copy() for a in attrs]
        every = list(all_attrs(attrs))
        if kind == "drop" and every:
            a, owner = r.choice(every)
            owner.remove(a)
        elif kind == "dup" and every:
            a, owner = r.choice(every)
            owner.insert(r.randrange(len(owner) + 1), a.copy())
        elif kind == "unknown":
            owner = r.choice([attrs] + [a.kids for a, _ in every if a.kids is not None])
            owner.insert(r.randrange(len(owner) + 1),
                         Attr(r.choice([0, 40, 0x3FFF, r.randrange(1, 64)]), os.urandom(r.choice([0, 1, 4, 8]))))
        elif kind == "length":
            leaves = [a for a, _ in every if a.kids is None]
            if leaves:
                a = r.choice(leaves)
                n = r.choice([0, 1, 2, 3, 5, 7, 8, 9, 17, 300])
                a.data = (a.data + os.urandom(n))[:n]
        elif kind == "boundary":
            leaves = [a for a, _ in every if a.kids is None and len(a.data) in (1, 2, 4, 8)]
            if leaves:
                a = r.choice(leaves)
                n = len(a.data)
                v = r.choice([0, 1, (1 << (8 * n)) - 1, (1 << (8 * n - 1)), 0xFFFFFF00, 0xFFFFFF01,
                              0xFFFFFFFD, 0xFFFFFFFE, 0xFFFF, 0x10000, 4095, 4096, 255, 256])
                a.data = struct.pack(INT_FMT[n], v & ((1 << (8 * n)) - 1))
        elif kind == "garbage-nest":
            nests = [a for a, _ in every if a.kids is not None]
            if nests:
                a = r.choice(nests)
                a.kids = None
                a.data = os.urandom(r.choice([0, 1, 3, 4, 8, 20, 64]))
                a.flags = NLA_F_NESTED
        elif kind == "nested-flag" and every:
            a, _ = r.choice(every)
            a.flags ^= r.choice([NLA_F_NESTED, 0x4000])
        elif kind == "oversize":
            n = r.choice([33, 257, 1025, 1100, 2000])
            if op in ("group-new", "group-set", "bucket-insert"):
                gtype = "select"
                attrs += [self.w.bucket(i % 0xFFFFFF00, gtype) for i in range(100, 100 + n)]
            elif op in ("flow-new", "flow-set"):
                attrs += [self.c.nest("flow", "action", [self.c.leaf("action", "output", 1)])
                          for _ in range(n)]
            else:
                attrs += [self.c.leaf("group", "hash-field", i % 8) for i in range(n)]
        elif kind == "flip":
            raw = bytearray(encode(attrs))
            for _ in range(r.randint(1, 4)):
                if raw:
                    raw[r.randrange(len(raw))] ^= 1 << r.randrange(8)
            return op, bytes(raw), kind
        elif kind == "truncate":
            raw = bytearray(encode(attrs))
            if len(raw) >= 4:
                # An attribute length that runs past the end (or a cut message).
                if r.random() < 0.5:
                    raw = raw[:r.randrange(len(raw))]
                else:
                    off = 0
                    heads = []
                    while off + 4 <= len(raw):
                        heads.append(off)
                        off += max(4, (struct.unpack_from("H", raw, off)[0] + 3) & ~3)
                    h = r.choice(heads)
                    struct.pack_into("H", raw, h, r.choice([0, 1, 3, 5, 0xFFFF, len(raw) + 8]))
            return op, bytes(raw), kind
        elif kind == "string":
            attrs.append(Attr(self.s.attr("port", "ifname")["num"],
                              r.choice([b"", b"x" * 16, b"x" * 40 + b"\0", b"nul\0inside\0", b"noterm"])))
        elif kind == "wrong-op":
            return r.choice(list(self.s.ops)), attrs, kind
        return op, attrs, kind


# ---------------------------------------------------------------------------------------------
# Kernel state and the model


def actions_of(v):
    out = []
    for a in v.get("action", []):
        if "output" in a:
            out.append(("output", a["output"]))
        if "group" in a:
            out.append(("group", a["group"]))
    return tuple(out)


class Snapshot:
    def __init__(self, nl, codec):
        s = nl.spec
        g = self._dump(nl, "group-get", [codec.leaf("group", "stats", True)])
        self.groups, self.refs, self.gpackets = {}, {}, {}
        for m in g:
            v = codec.decode("group", m[4:])
            gtype = {n: i for i, n in s.consts["group-type"].items()}.get(v.get("type"), v.get("type"))
            self.groups[v["id"]] = (gtype, tuple(b.get("id") for b in v.get("bucket", [])))
            self.refs[v["id"]] = v.get("ref-count", 0)
            self.gpackets[v["id"]] = (v.get("packets", 0), v.get("bytes", 0))
        self.flows = {}
        for m in self._dump(nl, "flow-get", []):
            v = codec.decode("flow", m[4:])
            key = (v.get("priority"), bytes(v["match"]["_raw"]) if "match" in v else b"")
            self.flows[key] = actions_of(v)
        self.ports, self.prx = {}, {}
        for m in self._dump(nl, "port-get", []):
            v = codec.decode("port", m[4:])
            self.ports[v["port-no"]] = v.get("ifname")
            self.prx[v["port-no"]] = (v.get("rx-packets", 0), v.get("tx-packets", 0))
        r = nl.genl(s.ops["dp-get"]["num"], b"")
        if r.error:
            raise Violation(f"dp-get failed: {os.strerror(r.error)}")
        d = codec.decode("dp", r.msgs[0][4:])
        self.dp = (d.get("hit", 0), d.get("missed", 0), d.get("lost", 0))

    @staticmethod
    def _dump(nl, op, attrs):
        r = nl.genl(nl.spec.ops[op]["num"], encode(attrs), F_DUMP | F_ACK)
        if r.error:
            raise Violation(f"{op} dump failed: {os.strerror(r.error)}")
        return r.msgs

    def state(self):
        return (self.groups, self.flows, self.ports)


class Model:
    """What the kernel should hold, changed only by acknowledged requests."""

    def __init__(self, snap, consts):
        self.sync(snap)
        self.k = consts

    def sync(self, snap):
        self.groups = dict(snap.groups)
        self.flows = dict(snap.flows)
        self.ports = dict(snap.ports)

    def drop_flows_naming(self, gids):
        self.flows = {k: a for k, a in self.flows.items()
                      if not any(t == "group" and (gids is None or v in gids) for t, v in a)}

    def apply(self, effect, attrs, reply_msgs, codec):
        kind = effect[0]
        if kind == "group":
            _, gid, gtype, bids, _ = effect
            self.groups[gid] = (gtype, tuple(bids))
        elif kind == "group-del":
            gid = effect[1]
            if gid is None:
                self.groups.clear()
            else:
                self.groups.pop(gid, None)
            self.drop_flows_naming(None if gid is None else {gid})
        elif kind == "insert":
            _, gid, where, bids = effect
            gtype, cur = self.groups[gid]
            cur = list(cur)
            if where == self.k["bucket-first"]:
                at = 0
            elif where == self.k["bucket-last"]:
                at = len(cur)
            else:
                at = cur.index(where)
            self.groups[gid] = (gtype, tuple(cur[:at] + list(bids) + cur[at:]))
        elif kind == "remove":
            _, gid, where = effect
            gtype, cur = self.groups[gid]
            cur = list(cur)
            if where == self.k["bucket-all"]:
                cur = []
            elif where == self.k["bucket-first"]:
                cur = cur[1:]
            elif where == self.k["bucket-last"]:
                cur = cur[:-1]
            else:
                cur = [b for b in cur if b != where]
            self.groups[gid] = (gtype, tuple(cur))
        elif kind in ("flow", "flow-set", "flow-del"):
            v = codec.decode("flow", encode(attrs))
            key = (v.get("priority"), bytes(v["match"]["_raw"]))
            if kind == "flow":
                self.flows[key] = actions_of(v)
            elif kind == "flow-set":
                if key in self.flows:
                    self.flows[key] = actions_of(v)
            else:
                self.flows.pop(key, None)
        elif kind == "flow-del-all":
            self.flows.clear()
        elif kind == "port-del":
            v = codec.decode("port", encode(attrs))
            self.ports.pop(v["port-no"], None)
        elif kind == "port-new":
            v = codec.decode("port", reply_msgs[0][4:])
            self.ports[v["port-no"]] = v.get("ifname")


def state_diff(before, after):
    out = []
    for what, a, b in zip(("groups", "flows", "ports"), before, after):
        for k in sorted(set(a) | set(b), key=repr):
            if a.get(k) != b.get(k):
                out.append(f"{what} {k!r}: {a.get(k)!r} -> {b.get(k)!r}")
    return "; ".join(out[:6])


def check_invariants(snap, prev, model, dirty, phase):
    def diff(what, a, b):
        keys = sorted(set(a) | set(b), key=repr)
        d = [f"{k!r}: kernel {a.get(k)!r} model {b.get(k)!r}" for k in keys if a.get(k) != b.get(k)]
        if d:
            raise Violation(f"phase {phase}: {what} differ from the model:\n  " + "\n  ".join(d[:8]))
    diff("groups", snap.groups, model.groups)
    diff("flows", snap.flows, model.flows)
    diff("ports", snap.ports, model.ports)
    naming = {}
    for key, acts in snap.flows.items():
        for g in {v for t, v in acts if t == "group"}:
            naming[g] = naming.get(g, 0) + 1
            if g not in snap.groups:
                raise Violation(f"phase {phase}: flow {key!r} names missing group {g}")
    for g, n in snap.refs.items():
        if n != naming.get(g, 0):
            raise Violation(f"phase {phase}: group {g} ref-count {n}, flows naming it {naming.get(g, 0)}")
    if prev is not None:
        for g, (p, b) in snap.gpackets.items():
            if g in prev.gpackets and g not in dirty and (p, b) < prev.gpackets[g]:
                raise Violation(f"phase {phase}: group {g} counters went down {prev.gpackets[g]} -> {(p, b)}")
        for no, c in snap.prx.items():
            if no in prev.prx and no not in dirty.get("ports", set()) and \
                    any(x < y for x, y in zip(c, prev.prx[no])):
                raise Violation(f"phase {phase}: port {no} counters went down {prev.prx[no]} -> {c}")
        if any(x < y for x, y in zip(snap.dp, prev.dp)):
            raise Violation(f"phase {phase}: datapath counters went down {prev.dp} -> {snap.dp}")


# ---------------------------------------------------------------------------------------------
# Runs


def send(nl, spec, op, body, dump=False, **kw):
    o = spec.ops[op]
    raw = body if isinstance(body, bytes) else encode(body)
    flags = F_DUMP | F_ACK if dump else F_ACK
    return nl.genl(o["num"], raw, flags, **kw)


def fuzz(args, spec, codec, ports):
    rng = random.Random(args.seed)
    print(f"nlfuzz: seed {args.seed}, {args.requests} requests, phases of {args.phase}", flush=True)
    nl = Nl(spec)
    world = World(spec, codec, ports, rng)
    mut = Mutator(spec, codec, world, rng)
    snap = Snapshot(nl, codec)
    model = Model(snap, spec.consts)
    prev = None
    stats = {"ack": 0, "refused": 0, "mutated": 0, "mutated-accepted": 0, "interrupted-dumps": 0,
             "checks": 0}
    errs = {}
    no_extack = {}
    sent, phase, t0 = 0, 0, time.time()
    dirty = {"ports": set()}
    while sent < args.requests:
        phase += 1
        for _ in range(args.phase):
            sent += 1
            op, attrs, effect = world.valid()
            dump = op.endswith("-dump")
            if dump:
                op = op[:-5] + "-get"
            if rng.random() < 0.02:
                # An interrupted dump: read the first part, then close the socket.
                big = Nl(spec)
                r = send(big, spec, rng.choice(["group-get", "flow-get", "port-get"]), [], dump=True,
                         first_only=True)
                big.sock.close()
                stats["interrupted-dumps"] += 1
                continue
            mutated = rng.random() < args.mutate
            label = "valid"
            if mutated:
                op, attrs, label = mut.mutate(op, attrs)
                stats["mutated"] += 1
                before = Snapshot(nl, codec) if rng.random() < args.paranoid else None
            r = send(nl, spec, op, attrs, dump=dump)
            if r.error:
                stats["refused"] += 1
                errs[r.error] = errs.get(r.error, 0) + 1
                if r.extack is None and not dump:
                    no_extack[(op, r.error)] = no_extack.get((op, r.error), 0) + 1
                    if r.error not in CORE_ERRNOS:
                        raise Violation(f"request {sent} ({op}, {label}) refused with "
                                        f"{errno.errorcode.get(r.error)} and no extack message")
                if mutated and before is not None:
                    after = Snapshot(nl, codec)
                    if after.state() != before.state():
                        raise Violation(f"request {sent} ({op}, {label}) was refused "
                                        f"({errno.errorcode.get(r.error)}: {r.extack}) but changed the state: "
                                        f"{state_diff(before.state(), after.state())}")
                continue
            stats["ack"] += 1
            if mutated:
                # What a mutated request that was accepted did is not the model's to guess: resync.
                stats["mutated-accepted"] += 1
                model.sync(Snapshot(nl, codec))
                dirty.update({g: 1 for g in GROUP_IDS})
                dirty["ports"].update(ports)
                continue
            kind = effect[0]
            if kind in ("group", "group-del", "reset"):
                dirty.update({g: 1 for g in GROUP_IDS} if kind == "reset" or effect[1] is None
                             else {effect[1]: 1})
            if kind in ("port-del", "port-new"):
                dirty["ports"].update(ports)
            try:
                model.apply(effect, attrs, r.msgs, codec)
            except (KeyError, ValueError) as e:
                raise Violation(f"request {sent} ({op}) was acknowledged, but the model says it "
                                f"names something missing ({e!r})")
        snap = Snapshot(nl, codec)
        check_invariants(snap, prev, model, dirty, phase)
        stats["checks"] += 1
        prev, dirty = snap, {"ports": set()}
    dt = time.time() - t0
    print(f"nlfuzz: {sent} requests in {dt:.0f} s ({sent / dt:.0f}/s), {phase} phases, every "
          f"invariant held; seed {args.seed}")
    print("nlfuzz: " + ", ".join(f"{k} {v}" for k, v in stats.items()))
    print("nlfuzz: errnos " + ", ".join(f"{errno.errorcode.get(e, e)} {n}" for e, n in sorted(errs.items())))
    if no_extack:
        print("nlfuzz: refusals without an extack message (netlink core): " +
              ", ".join(f"{op}/{errno.errorcode.get(e, e)} {n}" for (op, e), n in sorted(no_extack.items())))
    print(f"nlfuzz: groups {len(snap.groups)}, flows {len(snap.flows)}, ports {len(snap.ports)} at the end")


# ---------------------------------------------------------------------------------------------
# fail-nth


class FailNth:
    """/proc/thread-self/fail-nth through an fd opened once: reading and writing it allocate
    nothing, so the count is spent only by the request."""

    def __init__(self):
        self.fd = os.open(f"/proc/self/task/{threading.get_native_id()}/fail-nth", os.O_RDWR)

    def set(self, n):
        os.pwrite(self.fd, str(n).encode(), 0)

    def get(self):
        return int(os.pread(self.fd, 32, 0).strip() or 0)


def failnth(args, spec, codec, ports):
    for knob in ("failslab", "fail_page_alloc"):
        d = f"/sys/kernel/debug/{knob}"
        for f, v in (("ignore-gfp-wait", "N"), ("verbose", "0"), ("times", "-1")):
            p = os.path.join(d, f)
            if os.path.exists(p):
                with open(p, "w") as fh:
                    fh.write(v)
    nl = Nl(spec)
    c = codec
    rng = random.Random(args.seed)
    world = World(spec, codec, ports, rng)
    pno = sorted(ports)
    g = lambda n, v: c.leaf("group", n, v)  # noqa: E731
    gt = spec.consts["group-type"]

    def bucket(bid, port, weight=None):
        kids = [c.leaf("bucket", "id", bid)]
        if weight is not None:
            kids.append(c.leaf("bucket", "weight", weight))
        kids.append(c.nest("bucket", "action", [c.leaf("action", "output", port)]))
        return c.nest("group", "bucket", kids)

    def base():
        """A known state: groups 1 (select, 3 buckets) and 2 (all), a flow into group 1."""
        for op, attrs in (("flow-del", []), ("group-del", [])):
            send(nl, spec, op, attrs)
        # The ports exactly as given (the fuzzer may have left a device under another number).
        # Only the ports are dumped here: this runs again after every injected fault the operation
        # coped with, hundreds of times a sweep.
        def ports_now():
            return {v["port-no"]: v.get("ifname")
                    for v in (codec.decode("port", m[4:]) for m in Snapshot._dump(nl, "port-get", []))}
        for no, name in ports_now().items():
            if ports.get(no) != name:
                send(nl, spec, "port-del", [c.leaf("port", "port-no", no)])
        have = ports_now()
        for no in pno:
            if no not in have:
                r = send(nl, spec, "port-new", [c.leaf("port", "port-no", no),
                                                c.leaf("port", "ifname", ports[no])])
                if r.error:
                    raise Violation(f"re-attaching {ports[no]} as port {no}: {os.strerror(r.error)} "
                                    f"({r.extack})")
        for attrs in ([g("id", 1), g("type", gt["select"])] + [bucket(b, pno[b % len(pno)], 10) for b in range(3)],
                      [g("id", 2), g("type", gt["all"]), bucket(0, pno[0]), bucket(1, pno[-1])]):
            r = send(nl, spec, "group-new", attrs)
            assert r.error == 0, os.strerror(r.error)
        r = send(nl, spec, "flow-new", [c.leaf("flow", "priority", 10),
                                         c.nest("flow", "match", [c.leaf("match", "in-port", pno[0])]),
                                         c.nest("flow", "action", [c.leaf("action", "group", 1)])])
        assert r.error == 0, os.strerror(r.error)

    fmatch = c.nest("flow", "match", [c.leaf("match", "in-port", pno[0])])
    ops = [
        ("group add", "group-new", [g("id", 3), g("type", gt["select"])] + [bucket(b, pno[0], 5) for b in range(4)]),
        ("group modify", "group-set", [g("id", 1), g("type", gt["select"])] + [bucket(b, pno[-1], 7) for b in range(5)]),
        ("bucket insert", "bucket-insert", [g("id", 1), g("command-bucket-id", spec.consts["bucket-last"]),
                                            bucket(7, pno[0], 1), bucket(8, pno[0], 1)]),
        ("bucket remove", "bucket-remove", [g("id", 1), g("command-bucket-id", 1)]),
        ("group delete", "group-del", [g("id", 1)]),
        ("group delete-all", "group-del", []),
        ("flow add", "flow-new", [c.leaf("flow", "priority", 20), fmatch,
                                  c.nest("flow", "action", [c.leaf("action", "group", 2)])]),
        ("flow modify", "flow-set", [c.leaf("flow", "priority", 10), fmatch, c.leaf("flow", "strict", True),
                                     c.nest("flow", "action", [c.leaf("action", "group", 2)])]),
        ("flow delete", "flow-del", [c.leaf("flow", "priority", 10), fmatch, c.leaf("flow", "strict", True)]),
        ("port del", "port-del", [c.leaf("port", "port-no", pno[-1])]),
        ("port add", "port-new", None),
        ("packet-execute", "packet-execute", [c.leaf("packet", "in-port", pno[0]),
                                              c.leaf("packet", "data", world.frame())]),
        ("stats reset", "stats-reset", []),
    ]
    fn = FailNth()
    total_fail = 0
    for label, op, attrs in ops:
        if args.only and label != args.only:
            continue

        def prepare():
            base()
            if attrs is None:  # port add: detach the last port first, then re-attach it
                send(nl, spec, "port-del", [c.leaf("port", "port-no", pno[-1])])
            return Snapshot(nl, codec).state()

        req = attrs if attrs is not None else \
            [c.leaf("port", "port-no", pno[-1]), c.leaf("port", "ifname", ports[pno[-1]])]
        before = prepare()
        n, points, no_ext, lost = 0, 0, 0, 0
        raw = encode(req)
        o = spec.ops[op]["num"]
        left = [0]

        def spent():
            left[0] = fn.get()
            fn.set(0)

        tolerated = 0
        while True:
            n += 1
            if n > 3000:
                raise Violation(f"{label}: still reaching injection points at fail-nth {n}")
            fn.set(n)
            r = nl.genl(o, raw, after_send=spent)
            if os.environ.get("NLFUZZ_DEBUG"):
                print(f"  {label} n={n}: error {r.error} sendmsg {r.sendmsg_errno} extack {r.extack!r} "
                      f"left {left[0]}", flush=True)
            if r.lost:
                # The operation ran but its answer could not be queued: outcome unknown, start over.
                lost += 1
                before = prepare()
                continue
            if left[0] != 0:
                # The nth allocation was never reached: the request ran with no fault injected.
                if r.error:
                    raise Violation(f"{label}: failed with {os.strerror(r.error)} without an injected "
                                    f"fault (fail-nth {n})")
                break
            if r.error == 0:
                # A fault was injected and the operation coped (an allocation with a fallback).
                tolerated += 1
                before = prepare()
                continue
            points += 1
            if r.extack is None and not r.sendmsg_errno:
                no_ext += 1
            after = Snapshot(nl, codec).state()
            if after != before:
                raise Violation(f"{label}: fail-nth {n} ({errno.errorcode.get(r.error)}: {r.extack}) "
                                f"changed the state: {state_diff(before, after)}")
        total_fail += points
        print(f"ok: fail-nth {label}: {n - 1} injection points; {points} failed it, each with an errno "
              f"and the state unchanged ({no_ext} of them without an extack message), {tolerated} were "
              f"coped with, {lost} answers lost; with none it succeeded", flush=True)
    print(f"nlfuzz: fail-nth: {total_fail} injected failures over {len(ops)} operations")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["fuzz", "failnth", "cache-spec"])
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--requests", type=int, default=2000)
    p.add_argument("--phase", type=int, default=100, help="requests between invariant checks")
    p.add_argument("--mutate", type=float, default=0.5, help="share of mutated requests")
    p.add_argument("--paranoid", type=float, default=0.1,
                   help="share of mutated requests checked to change nothing when refused")
    p.add_argument("--only", help="failnth: only this operation (e.g. 'flow modify')")
    p.add_argument("--ports", help="no=ifname,... the ports the requests may use (fuzz, failnth)")
    args = p.parse_args()
    spec_path = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                              "../../../rust/abi/spec/ofgroup.yaml"))
    if args.mode == "cache-spec":
        cache_spec(spec_path)
        return
    if not args.ports:
        p.error("--ports is required")
    if args.seed is None:
        args.seed = int.from_bytes(os.urandom(4), "little")
    spec = Spec(spec_path)
    codec = Codec(spec)
    ports = {int(k): v for k, v in (x.split("=") for x in args.ports.split(","))}
    try:
        (fuzz if args.mode == "fuzz" else failnth)(args, spec, codec, ports)
    except Violation as e:
        print(f"FAIL: {e}\nnlfuzz: seed {args.seed} reproduces it", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
