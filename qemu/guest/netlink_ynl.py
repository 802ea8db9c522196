#!/usr/bin/env python3
"""Guest test of the ofgroup genetlink family through the kernel's own YNL library
(tools/net/ynl/pyynl, the library behind cli.py) and our spec, in one process (a Python start-up
costs seconds under TCG). Every check asserts; the first failure raises.

Covers: every operation; errors carry errno + extack message (+ bad attribute) and change nothing;
strict per-operation policies; the policy the module registered equals the spec's request
attributes and types; dumps of 10k groups see each exactly once; the monitor group gets a
notification for every change; an unprivileged process gets EPERM on mutations."""
import errno
import os
import sys

sys.path.insert(0, os.path.join(os.environ["OFGROUP_KDIR"], "source/tools/net/ynl/pyynl"))
from lib import NlError, YnlFamily  # noqa: E402

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
    y.do("group-del", {"id": 1234})
    y.do("group-del", {"id": 1234})  # deleting a missing group is not an error
    y.do("group-del", {})
    assert dump() == []


def check_policy():
    """The policy the loaded module registered matches the spec's request attributes and types."""
    spec = yaml.safe_load(open(SPEC))
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


def check_big_dump():
    n = 10000
    batch = 50  # requests per sendmsg (their ACKs must fit the socket receive buffer)
    for start in range(0, n, batch):
        y.do_multi([("group-new", {"id": 100000 + i * 3, "type": "select",
                                   "bucket": [{"action": [{"output": 1 + i % 7}]},
                                              {"weight": 2, "action": [{"output": 2}]}]}, [])
                    for i in range(start, min(n, start + batch))])
    ids = [g["id"] for g in dump()]
    assert ids == [100000 + i * 3 for i in range(n)], (len(ids), ids[:3], ids[-3:])
    with_stats = y.dump("group-get", {"stats": True})
    assert len(with_stats) == n and all("packets" in g for g in with_stats)
    y.do("group-del", {})
    print(f"  dumped {n} groups exactly once")


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


for name, fn in [("basic", check_basic), ("policy", check_policy), ("monitor", check_monitor),
                 ("unprivileged", check_unprivileged), ("big dump", check_big_dump)]:
    print(f"{name}:")
    fn()
print("netlink via ynl: all checks passed")
