#!/usr/bin/env python3
"""Send raw Ethernet/IPv4/UDP frames on an interface (AF_PACKET): the guest's traffic generator.

  traffic.py IFACE --dst-mac M [--src-mac M] [--src-ip A] [--dst-ip A] [--count N] [--flows F]
             [--sport P] [--dport P] [--seconds S] [--len L]

Frame i uses UDP source port sport + (i % flows), so F distinct flows (5-tuples) are spread over
the N frames; --seconds keeps sending (cycling through the flows) until that much time passed.
Prints how many frames it sent (a send the device refused is retried, not counted); SIGTERM stops
it early, still printing the count.

Every module imported costs file look-ups over the guest's 9p root, seconds under TCG: so only
built-in modules (_socket, _struct, signal, sys, time) and no argparse."""
import signal
import sys
import time

import _socket
from _struct import pack, unpack


def mac(s):
    return bytes(int(x, 16) for x in s.split(":"))


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(unpack(f"!{len(b) // 2}H", b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def frame(a, sport):
    payload = b"\0" * max(0, a["len"] - 42)
    udp_len = 8 + len(payload)
    src, dst = _socket.inet_aton(a["src_ip"]), _socket.inet_aton(a["dst_ip"])
    ip = pack("!BBHHHBBH4s4s", 0x45, 0, 20 + udp_len, 0, 0, 64, 17, 0, src, dst)
    ip = ip[:10] + pack("!H", csum(ip)) + ip[12:]
    udp = pack("!HHHH", sport, a["dport"], udp_len, 0) + payload
    return mac(a["dst_mac"]) + mac(a["src_mac"]) + b"\x08\x00" + ip + udp


OPTIONS = {"dst_mac": None, "src_mac": "50:54:00:00:00:05", "src_ip": "10.0.0.1",
           "dst_ip": "10.0.0.2", "count": 1, "flows": 1, "sport": 10000, "dport": 5000,
           "seconds": 0.0, "len": 60}


def parse_args(argv):
    """IFACE and --name VALUE options (see the usage above); exits 2 on a bad one."""
    a, rest = dict(OPTIONS), []
    while argv:
        arg = argv.pop(0)
        if arg.startswith("--"):
            name = arg[2:].replace("-", "_")
            if name not in a or not argv:
                sys.exit(f"traffic.py: bad option {arg}\n{__doc__}")
            kind = type(OPTIONS[name]) if OPTIONS[name] is not None else str
            a[name] = kind(argv.pop(0))
        else:
            rest.append(arg)
    if len(rest) != 1 or a["dst_mac"] is None:
        sys.exit(f"traffic.py: need IFACE and --dst-mac\n{__doc__}")
    a["iface"] = rest[0]
    return a


def main():
    a = parse_args(sys.argv[1:])
    s = _socket.socket(_socket.AF_PACKET, _socket.SOCK_RAW)
    s.bind((a["iface"], 0))
    frames = [frame(a, (a["sport"] + i) % 65536) for i in range(a["flows"])]
    sent = failing = 0
    end = time.monotonic() + a["seconds"]
    # SIGTERM ends the run after the frame in hand is counted (a handler that only sets a flag:
    # raising from it could fall between a send and its count).
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    while not stop and (sent < a["count"] or (a["seconds"] and time.monotonic() < end)):
        try:
            s.send(frames[sent % a["flows"]])
        except OSError:
            # The device went away or its queue is full: not sent, so not counted (the churn
            # scenario's conservation identities start from this count); try again.
            failing += 1
            if not a["seconds"] and failing > 5000:
                sys.exit(f"traffic.py: {a['iface']} refused 5000 frames in a row")
            time.sleep(0.001)
            continue
        failing = 0
        sent += 1
    print(sent)


main()
