#!/usr/bin/env python3
"""Send raw Ethernet/IPv4/UDP frames on an interface (AF_PACKET): the guest's traffic generator.

  traffic.py IFACE --dst-mac M [--src-mac M] [--src-ip A] [--dst-ip A] [--count N] [--flows F]
             [--sport P] [--dport P] [--seconds S] [--len L]

Frame i uses UDP source port sport + (i % flows), so F distinct flows (5-tuples) are spread over
the N frames; --seconds keeps sending (cycling through the flows) until that much time passed.
Prints how many frames it sent."""
import argparse
import socket
import struct
import time


def mac(s):
    return bytes(int(x, 16) for x in s.split(":"))


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack(f"!{len(b) // 2}H", b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def frame(a, sport):
    payload = b"\0" * max(0, a.len - 42)
    udp_len = 8 + len(payload)
    src, dst = socket.inet_aton(a.src_ip), socket.inet_aton(a.dst_ip)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + udp_len, 0, 0, 64, 17, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    udp = struct.pack("!HHHH", sport, a.dport, udp_len, 0) + payload
    return mac(a.dst_mac) + mac(a.src_mac) + b"\x08\x00" + ip + udp


def main():
    p = argparse.ArgumentParser()
    p.add_argument("iface")
    p.add_argument("--dst-mac", required=True)
    p.add_argument("--src-mac", default="50:54:00:00:00:05")
    p.add_argument("--src-ip", default="10.0.0.1")
    p.add_argument("--dst-ip", default="10.0.0.2")
    p.add_argument("--count", type=int, default=1)
    p.add_argument("--flows", type=int, default=1)
    p.add_argument("--sport", type=int, default=10000)
    p.add_argument("--dport", type=int, default=5000)
    p.add_argument("--seconds", type=float, default=0)
    p.add_argument("--len", type=int, default=60)
    a = p.parse_args()
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((a.iface, 0))
    frames = [frame(a, (a.sport + i) % 65536) for i in range(a.flows)]
    sent = 0
    end = time.monotonic() + a.seconds
    while sent < a.count or (a.seconds and time.monotonic() < end):
        try:
            s.send(frames[sent % a.flows])
        except OSError:
            time.sleep(0.001)  # the device went away or its queue is full: keep going
        sent += 1
    print(sent)


main()
