#!/usr/bin/env python3
"""Guest test of the ofgroup genetlink family through the kernel's own YNL library
(tools/net/ynl/pyynl, the library behind cli.py) and our spec, in one process (a Python start-up
costs seconds under TCG). Every check asserts; the first failure raises.

Covers: every operation; errors carry errno + extack message (+ bad attribute) and change nothing;
strict per-operation policies; raw requests with a wrong attribute type or length (which the
spec-driven encoder cannot produce) are refused with EINVAL (ERANGE for a flag with a payload),
extack and the offending attribute; the policy the module registered equals the spec's request
attributes and types; dumps of 1k (YNL) and 5k groups (raw, ofgroupctl) see each exactly once; the monitor group gets a
notification for every change; an unprivileged process gets EPERM on mutations; cli.py run in
another network namespace drives that namespace's datapath."""
import errno
import json
import os
import socket
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.environ["OFGROUP_KDIR"], "source/tools/net/ynl/pyynl"))
from lib import NlError, YnlFamily  # noqa: E402
from lib.ynl import NlMsg  # noqa: E402

import yaml  # noqa: E402

SPEC = os.path.join(os.environ["OFGROUP_REPO"], "rust/abi/spec/ofgroup.yaml")
BUCKET_FIRST = 0xFFFFFFFD


def family():
    return YnlFamily(SPEC, schema="")


y = family()


def dump():
    return y.dump("group-get", {})


def refused(op, vals, err, msg=None, bad=None):
    """`op` must fail with errno `err`, an extack containing `msg`, and change nothing."""
    before = dump()
    try:
        y.do(op, vals)
    except NlError as e:
        ext = e.nl_msg.extack or {}
        assert e.error == err, (op, vals, e.error, ext)
        if msg:
            assert msg in ext.get("msg", ""), (op, vals, ext)
        if bad:
            assert ext.get("bad-attr") == bad, (op, vals, ext)
        assert dump() == before, "a refused request changed the table"
        print(f"  refused as expected: {op} {str(vals)[:60]} -> {os.strerror(err)}: {ext.get('msg')}")
        return
    raise AssertionError(f"{op} {vals} was accepted")


def check_basic():
    y.do("group-new", {"id": 1234, "type": "select", "hash-field": ["ip-dst", "l4-dst"], "basis": 7,
                       "bucket": [{"id": 0, "weight": 5, "watch-port": 10, "action": [{"output": 10}]},
                                  {"weight": 3, "action": [{"output": 11}, {"group": 9}]}]})
    g = y.do("group-get", {"id": 1234})
    assert g["id"] == 1234 and g["type"] == "select", g
    assert g["hash-field"] == ["ip-dst", "l4-dst"] and g["basis"] == 7, g
    b = g["bucket"]
    assert [x["id"] for x in b] == [0, 1] and [x["weight"] for x in b] == [5, 3], b
    assert b[0]["watch-port"] == 10 and b[0]["action"] == [{"output": 10}], b
    assert b[1]["action"] == [{"output": 11}, {"group": 9}], b

    # Refusals: errno + extack naming the problem (+ the attribute), table unchanged.
    refused("group-new", {"id": 1234, "type": "all", "bucket": [{"action": [{"output": 1}]}]},
            errno.EEXIST, "GROUP_EXISTS: group 1234: group_id: group exists", ".id")
    refused("group-new", {"id": 5, "type": "all", "bucket": [{"weight": 2, "action": [{"output": 1}]}]},
            errno.EINVAL, "INVALID_GROUP: group 5 bucket #0: weight: only select groups have weights",
            ".bucket")
    refused("group-new", {"type": "all"}, errno.EINVAL, "missing attribute 'id'")
    refused("group-new", {"id": 5}, errno.EINVAL, "missing attribute 'type'")
    refused("group-new", {"id": 5, "type": 9}, errno.EINVAL, "BAD_TYPE: unknown group type 9", ".type")
    refused("group-new", {"id": 0xFFFFFF01, "type": "all"}, errno.EINVAL, "INVALID_GROUP", ".id")
    refused("group-new", {"id": 5, "type": "indirect"}, errno.EINVAL, "exactly one bucket")
    refused("group-new", {"id": 5, "type": "all", "bucket": [{"action": [{"output": 1}]}] * 1025},
            errno.ENOSPC, "OUT_OF_BUCKETS")
    refused("group-new", {"id": 5, "type": "all", "bucket": [{"watch-port": 3, "action": [{"output": 1}]}]},
            errno.EOPNOTSUPP, "WATCH_UNSUPPORTED")
    refused("group-new", {"id": 5, "type": "all", "bucket": [{"action": [{"group": 5}]}]},
            errno.ELOOP, "LOOP")
    refused("group-new", {"id": 5, "type": "all", "bucket": [{"action": [{}]}]},
            errno.EINVAL, "empty action")
    refused("group-set", {"id": 99, "type": "all"}, errno.ENOENT, "UNKNOWN_GROUP", ".id")
    refused("bucket-remove", {"id": 1234, "command-bucket-id": 77}, errno.ENOENT, "UNKNOWN_BUCKET",
            ".command-bucket-id")
    # Strict per-operation policies: attributes an operation does not take are refused.
    refused("group-del", {"id": 1234, "basis": 3}, errno.EINVAL, None, ".basis")
    refused("group-get", {"id": 1234, "basis": 1}, errno.EINVAL, None, ".basis")

    # Modify keeps counters of surviving buckets; insert / remove; may-create; features; stats.
    y.do("group-set", {"id": 1234, "type": "select", "bucket": [{"id": 1, "weight": 2, "action": [{"output": 3}]}]})
    y.do("bucket-insert", {"id": 1234, "command-bucket-id": BUCKET_FIRST,
                           "bucket": [{"id": 7, "action": [{"output": 4}]}]})
    assert [x["id"] for x in y.do("group-get", {"id": 1234})["bucket"]] == [7, 1]
    y.do("bucket-remove", {"id": 1234, "command-bucket-id": 1})
    g = y.do("group-get", {"id": 1234, "stats": True})
    assert [x["id"] for x in g["bucket"]] == [7], g
    assert g["packets"] == 0 and g["ref-count"] == 0 and g["duration"] > 0, g
    assert g["bucket"][0]["packets"] == 0, g
    y.do("group-set", {"id": 99, "type": "all", "may-create": True})
    y.do("stats-reset", {"id": 99})
    y.do("stats-reset", {})
    f = y.do("features-get", {})
    assert f["max-buckets"] == 1024 and f["max-groups"] == [1048576] * 4, f
    assert set(f["capabilities"]) == {"select-weight", "select-liveness", "chaining", "chaining-checks"}, f
    assert set(f["types"]) == {"all", "select", "indirect", "ff"}, f
    assert f["max-actions"] == 32 and f["work-budget"] == 4096, f
    d = y.do("dp-get", {})
    assert d["max-flow-actions"] == 256 and d["work-budget"] == 4096, d
    y.do("group-del", {"id": 1234})
    y.do("group-del", {"id": 1234})  # deleting a missing group is not an error
    y.do("group-del", {})
    assert dump() == []


NETLINK_GENERIC, SOL_NETLINK, NETLINK_CAP_ACK, NETLINK_EXT_ACK = 16, 270, 10, 11
NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP, NLA_F_NESTED = 0x1, 0x4, 0x300, 0x8000


def nla(name, payload, nested=False, attr_set="group"):
    """One attribute with raw `payload` bytes (any length), padded to 4 bytes."""
    kind = y.attr_sets[attr_set][name].value | (NLA_F_NESTED if nested else 0)
    return struct.pack("HH", 4 + len(payload), kind) + payload + b"\0" * (-len(payload) % 4)


def raw_do(op, attrs):
    """Send `op` with raw attribute bytes, as no spec-driven encoder would; (errno, extack)."""
    with socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC) as s:
        s.setsockopt(SOL_NETLINK, NETLINK_CAP_ACK, 1)
        s.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        s.bind((0, 0))
        body = struct.pack("BBH", y.ops[op].req_value, 1, 0) + attrs
        s.send(struct.pack("IHHII", 16 + len(body), y.nlproto.family_id,
                           NLM_F_REQUEST | NLM_F_ACK, 77, 0) + body)
        m = NlMsg(s.recv(65536), 0)
    assert m.nl_type == 2 and m.nl_seq == 77, (m.nl_type, m.nl_seq)  # NLMSG_ERROR for our request
    return -m.error, m.extack or {}


def raw_refused(what, op, attrs, bad_at, msg, err=errno.EINVAL):
    """A malformed raw request: errno `err` (EINVAL unless said), an extack message containing
    `msg`, the offending attribute (`bad_at`: its offset among the request's attributes; None
    where the kernel names none) and the table unchanged."""
    before = dump()
    got, ext = raw_do(op, attrs)
    assert got == err, (what, got, ext)
    assert msg in ext.get("msg", ""), (what, ext)
    if bad_at is not None:
        assert ext.get("bad-attr-offs") == 20 + bad_at, (what, ext, 20 + bad_at)
    assert dump() == before, f"{what}: a malformed request changed the table"
    print(f"  refused as expected: {what} -> {os.strerror(got)}: {ext['msg']} "
          f"(attribute at {ext.get('bad-attr-offs')})")


def check_malformed():
    """Wrong attribute types and lengths, sent as raw bytes: the strict policies refuse them."""
    y.do("group-new", {"id": 40, "type": "all", "bucket": [{"action": [{"output": 1}]}]})
    u32 = lambda v: struct.pack("I", v)  # noqa: E731
    ident, typ = nla("id", u32(41)), nla("type", u32(0))
    out1 = nla("action", nla("output", u32(1), attr_set="action"), nested=True, attr_set="bucket")
    bucket = nla("bucket", out1, nested=True)
    # A well-formed request is accepted (the raw encoding itself is right), then removed.
    assert raw_do("group-new", ident + typ + bucket) == (0, {})
    y.do("group-del", {"id": 41})
    bad_len = "invalid attribute length"
    raw_refused("u32 'id' of 2 bytes", "group-new", nla("id", b"\x29\0") + typ + bucket, 0,
                bad_len)
    raw_refused("u32 'type' of 8 bytes", "group-new", ident + nla("type", u32(0) * 2) + bucket,
                len(ident), bad_len)
    raw_refused("nest 'bucket' given as a u32", "group-new", ident + typ + nla("bucket", u32(1)),
                len(ident + typ), "NLA_F_NESTED is missing")
    raw_refused("nest 'bucket' flagged nested, holding a bare u32", "group-new",
                ident + typ + nla("bucket", u32(1), nested=True), None,
                "bytes leftover after parsing attributes")
    inner = nla("weight", u32(2), attr_set="bucket")  # u16 on the wire
    raw_refused("u16 'weight' of 4 bytes, in a bucket", "group-new",
                ident + nla("type", u32(1)) + nla("bucket", inner + out1, nested=True),
                len(ident) + 8 + 4, bad_len)
    bad_out = nla("action", nla("output", b"\1\0", attr_set="action"), nested=True,
                  attr_set="bucket")
    raw_refused("u32 'output' of 2 bytes, two nests deep", "group-new",
                ident + typ + nla("bucket", bad_out, nested=True), len(ident + typ) + 4 + 4,
                bad_len)
    raw_refused("u32 'id' of 2 bytes, on delete", "group-del", nla("id", b"\x28\0"), 0, bad_len)
    raw_refused("flag 'may-create' with a payload", "group-set",
                ident + typ + nla("may-create", u32(1)), len(ident + typ),
                "Attribute failed policy validation", errno.ERANGE)
    assert y.do("group-get", {"id": 40})["id"] == 40
    y.do("group-del", {})


def check_policy():
    """The policy the loaded module registered matches the spec's request attributes and types."""
    # libyaml's loader, as the YNL library's own (the pure-Python one costs seconds under TCG).
    spec = yaml.load(open(SPEC), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    sets = {s["name"]: {a["name"]: a for a in s["attributes"]} for s in spec["attribute-sets"]}
    for op in spec["operations"]["list"]:
        for mode in ("do", "dump"):
            if mode not in op:
                continue
            want = op[mode].get("request", {}).get("attributes", [])
            pol = y.get_policy(op["name"], mode)
            got = list(pol) if pol is not None else []
            assert sorted(got) == sorted(want), (op["name"], mode, got, want)
            for name in want:
                a = sets[op["attribute-set"]][name]
                # The policy dump says "nested" where the spec says "nest", and strings are
                # NUL-terminated ("nul-string").
                want_type = {"nest": "nested", "string": "nul-string"}.get(a["type"], a["type"])
                assert pol[name].type == want_type, (op["name"], name, pol[name].type, a["type"])
                if "max-len" in a.get("checks", {}):
                    got_len = pol[name].max_length
                    assert got_len == a["checks"]["max-len"], (op["name"], name, got_len)
                if a["type"] == "nest":
                    inner = pol[name]
                    nested = sets[a["nested-attributes"]]
                    req = [n for n, x in nested.items() if x["type"] != "uint"]
                    assert sorted(inner) == sorted(req), (op["name"], name, list(inner), req)
    print("  registered policy matches the spec")


def raw_dump_ids(op, attrs=b""):
    """Dump `op` over a raw socket; (group ids in order, datagrams received). Reads only each
    message's id attribute, so a dump of thousands of groups costs little even under emulation."""
    ids, parts = [], 0
    ident = y.attr_sets["group"]["id"].value
    with socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC) as s:
        s.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        s.bind((0, 0))
        body = struct.pack("BBH", y.ops[op].req_value, 1, 0) + attrs
        s.send(struct.pack("IHHII", 16 + len(body), y.nlproto.family_id,
                           NLM_F_REQUEST | NLM_F_DUMP, 78, 0) + body)
        while True:
            buf = s.recv(1 << 17)
            parts += 1
            off = 0
            while off + 16 <= len(buf):
                length, kind, _, seq, _ = struct.unpack_from("IHHII", buf, off)
                assert seq == 78, seq
                if kind == 3:  # NLMSG_DONE
                    assert struct.unpack_from("i", buf, off + 16)[0] == 0
                    return ids, parts
                assert kind == y.nlproto.family_id, ("dump failed", kind, buf[off:off + 64])
                a = off + 20
                got = None
                while a + 4 <= off + length:
                    alen, atype = struct.unpack_from("HH", buf, a)
                    if atype & 0x3fff == ident:
                        got = struct.unpack_from("I", buf, a + 4)[0]
                    a += (alen + 3) & ~3
                ids.append(got)
                off += (length + 3) & ~3


def check_big_dump():
    """Dumps resume correctly across many reply messages: with YNL at 1,000 groups (decoding
    everything, with and without counters), then at 2,000 groups (added by ofgroupctl) with a
    raw id-only decode and ofgroupctl's own JSON dump (YNL decoding two such dumps under TCG took
    minutes). A dump part is at most 32 KiB: about 280 of these groups without counters, 180 with."""
    small, n = 1000, 2000
    t0 = time.monotonic()
    ids_of = lambda k: [100000 + i * 3 for i in range(k)]  # noqa: E731
    batch = 50  # requests per sendmsg (their ACKs must fit the socket receive buffer)
    for start in range(0, small, batch):
        y.do_multi([("group-new", {"id": 100000 + i * 3, "type": "select",
                                   "bucket": [{"action": [{"output": 1 + i % 7}]},
                                              {"weight": 2, "action": [{"output": 2}]}]}, [])
                    for i in range(start, min(small, start + batch))])
    ids = [g["id"] for g in dump()]
    assert ids == ids_of(small), (len(ids), ids[:3], ids[-3:])
    with_stats = y.dump("group-get", {"stats": True})
    got = [g["id"] for g in with_stats]
    assert got == ids_of(small), (len(got), got[:3], got[-3:], sorted(set(got) ^ set(ids_of(small)))[:5])
    assert all("packets" in g and "packets" in g["bucket"][1] for g in with_stats)
    print(f"  ynl: dumped {small} groups exactly once ({time.monotonic() - t0:.0f} s)")

    lines = "".join(f"group_id={100000 + i * 3},type=select,bucket=actions=output:{1 + i % 7},"
                    f"bucket=weight:2,actions=output:2\n" for i in range(small, n))
    subprocess.run(["ofgroupctl", "add-groups", "-"], input=lines, text=True, check=True)
    ids, parts = raw_dump_ids("group-get")
    assert ids == ids_of(n), (len(ids), ids[:3], ids[-3:])
    assert parts >= n // 400, parts  # ~280 id-only groups a part: well over a dozen parts
    stats = y.attr_sets["group"]["stats"].value
    ids, parts = raw_dump_ids("group-get", struct.pack("HH", 4, stats))
    assert ids == ids_of(n) and parts >= n // 400, (len(ids), parts)
    out = subprocess.run(["ofgroupctl", "-j", "dump-group-stats"], capture_output=True, text=True,
                         check=True).stdout
    groups = json.loads(out)
    assert [g["id"] for g in groups] == ids_of(n), len(groups)
    assert all(len(g["bucket"]) == 2 and "packets" in g["bucket"][1] for g in groups)
    assert groups[-1]["bucket"][0]["action"] == [{"output": 1 + (n - 1) % 7}], groups[-1]
    y.do("group-del", {})
    assert raw_dump_ids("group-get") == ([], 1)
    print(f"  raw and ofgroupctl: dumped {n} groups exactly once, in {parts} parts "
          f"({time.monotonic() - t0:.0f} s in all)")


def check_monitor():
    mon = family()
    mon.ntf_subscribe("monitor")
    y.do("group-new", {"id": 1, "type": "all", "bucket": [{"action": [{"output": 1}]}]})
    y.do("group-set", {"id": 1, "type": "all", "bucket": [{"action": [{"output": 2}]}]})
    y.do("bucket-insert", {"id": 1, "bucket": [{"action": [{"output": 3}]}]})
    y.do("bucket-remove", {"id": 1, "command-bucket-id": 0})
    y.do("group-del", {"id": 1})
    y.do("group-del", {"id": 1})  # nothing deleted: no notification
    try:
        y.do("group-new", {"id": 2, "type": "indirect"})
    except NlError:
        pass  # refused: no notification
    got = []
    for ntf in mon.poll_ntf(duration=5):
        got.append((ntf["name"], ntf["msg"]))
        if len(got) == 5:
            break
    names = [g[0] for g in got]
    assert names == ["group-change-ntf"] * 4 + ["group-del-ntf"], got
    assert got[1][1]["bucket"][0]["action"] == [{"output": 2}], got
    assert [b["id"] for b in got[3][1]["bucket"]] == [1], got
    assert got[4][1] == {"id": 1}, got
    print("  monitor saw every change")


CLI = os.path.join(os.environ["OFGROUP_KDIR"], "source/tools/net/ynl/pyynl/cli.py")


_cli_family = []


def cli(*args):
    """The kernel's cli.py with our spec, as a user would type it, but run in this process (each
    python3 start and spec load costs tens of seconds under TCG): (exit status, its output).
    cli.py builds its YnlFamily from the same spec each time; one is built (the first time) and
    handed to every run, so the runs differ only in what they say on the command line."""
    import contextlib
    import io
    import runpy
    import lib
    out, argv, code, real = io.StringIO(), sys.argv, 0, lib.YnlFamily
    if not _cli_family:
        _cli_family.append(real(SPEC, schema=""))
    sys.argv = [CLI, "--spec", SPEC, "--no-schema", *args]
    lib.YnlFamily = lambda *a, **kw: _cli_family[0]
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            runpy.run_path(CLI, run_name="__main__")
    except SystemExit as e:
        code = 0 if e.code is None else e.code if isinstance(e.code, int) else 1
    finally:
        sys.argv, lib.YnlFamily = argv, real
    return code, out.getvalue()


def check_cli():
    """cli.py adds, reads, refuses a duplicate (exit 1, the extack) and deletes."""
    new = json.dumps({"id": 7, "type": "ff", "bucket": [{"watch-port": 1, "action": [{"output": 1}]}]})
    code, out = cli("--do", "group-new", "--json", new)
    assert code == 0, (code, out)
    code, out = cli("--do", "group-get", "--json", '{"id": 7}', "--output-json")
    assert code == 0 and '"type": "ff"' in out, (code, out)
    code, out = cli("--do", "group-new", "--json", '{"id": 7, "type": "all"}')
    assert code != 0, ("duplicate accepted", out)
    assert "GROUP_EXISTS: group 7: group_id: group exists" in out, out
    code, out = cli("--do", "group-del", "--json", "{}")
    assert code == 0 and dump() == [], (code, out)
    print("  cli.py: add, get, duplicate refused, delete")


def check_netns():
    """cli.py run from inside another network namespace drives that namespace's datapath: what it
    adds there, it reads there, and this (the initial) namespace's table does not have it."""
    import ctypes
    subprocess.run(["ip", "netns", "add", "ofg-ynl"], check=True)
    try:
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                libc = ctypes.CDLL(None, use_errno=True)
                fd = os.open("/run/netns/ofg-ynl", os.O_RDONLY)
                if libc.setns(fd, 0x40000000) != 0:  # CLONE_NEWNET
                    raise OSError(ctypes.get_errno(), "setns")
                _cli_family.clear()  # its socket belongs to the initial namespace
                new = json.dumps({"id": 9, "type": "all", "bucket": [{"action": [{"output": 1}]}]})
                code, out = cli("--do", "group-new", "--json", new)
                assert code == 0, (code, out)
                code, out = cli("--dump", "group-get", "--output-json")
                assert code == 0 and json.loads(out)[0]["id"] == 9, (code, out)
            except Exception as e:  # pylint: disable=broad-except
                print("child failed:", repr(e), flush=True)
                code = 1
            os._exit(code)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        assert all(g["id"] != 9 for g in dump()), dump()
    finally:
        subprocess.run(["ip", "netns", "del", "ofg-ynl"], check=False)
    print("  cli.py in another namespace: its own datapath")


def check_ofgroupctl_agrees():
    """What ofgroupctl adds, YNL reads as the spec says; what YNL adds, ofgroupctl prints (here, not
    in 20-ofgroupctl.sh: this process has YNL loaded already)."""
    g = ("group_id=1234,type=select,selection_method=hash,fields(ip_dst,tcp_dst),"
         "bucket=bucket_id:0,weight:5,watch_port:10,actions=output:10,"
         "bucket=bucket_id:1,weight=3,actions=output:11,group:7")
    subprocess.run(["ofgroupctl", "add-group", g], check=True)
    g = y.do("group-get", {"id": 1234})
    assert g["type"] == "select" and g["hash-field"] == ["ip-dst", "l4-dst"], g
    assert [(b["id"], b["weight"]) for b in g["bucket"]] == [(0, 5), (1, 3)], g
    assert g["bucket"][1]["action"] == [{"output": 11}, {"group": 7}], g
    y.do("group-new", {"id": 55, "type": "ff",
                       "bucket": [{"watch-group": 1234, "action": [{"output": 3}]}]})
    out = subprocess.run(["ofgroupctl", "dump-groups", "55"], capture_output=True, text=True,
                         check=True).stdout
    assert out == " group_id=55,type=ff,bucket=bucket_id:0,watch_group:1234,actions=output:3\n", out
    y.do("group-del", {})
    print("  ofgroupctl and YNL see the same groups")


def check_unprivileged():
    y.do("group-new", {"id": 3, "type": "all", "bucket": [{"action": [{"output": 1}]}]})
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            os.setgid(65534)
            os.setuid(65534)
            u = family()
            assert u.do("group-get", {"id": 3})["id"] == 3  # reading is allowed
            for op, vals in [("group-new", {"id": 4, "type": "all"}), ("group-del", {"id": 3}),
                             ("group-set", {"id": 3, "type": "all"}), ("stats-reset", {})]:
                try:
                    u.do(op, vals)
                    code = 1
                    print(f"unprivileged {op} succeeded")
                except NlError as e:
                    if e.error != errno.EPERM:
                        code = 1
                        print(f"unprivileged {op}: {e}")
        except Exception as e:  # pylint: disable=broad-except
            print("child failed:", e)
            code = 1
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert y.do("group-get", {"id": 3})["id"] == 3
    y.do("group-del", {})
    print("  unprivileged mutations get EPERM")


for name, fn in [("basic", check_basic), ("malformed", check_malformed), ("policy", check_policy),
                 ("monitor", check_monitor), ("ofgroupctl", check_ofgroupctl_agrees),
                 ("unprivileged", check_unprivileged), ("big dump", check_big_dump),
                 ("cli.py", check_cli), ("netns", check_netns)]:
    print(f"{name}:")
    start = time.monotonic()
    fn()
    print(f"  ({time.monotonic() - start:.0f} s)")
print("netlink via ynl: all checks passed")
