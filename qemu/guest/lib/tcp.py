#!/usr/bin/env python3
"""A plain TCP bulk transfer, timed at the receiver, optionally with a capture that counts what
arrived in wire terms.

  tcp.py recv ADDR PORT [--capture IFACE]   listen, take one connection, read to EOF, print JSON
  tcp.py send ADDR PORT MIB                 connect (retrying while refused, up to 30 s: both
                                            ends may start at once) and send MIB MiB, then close

The receiver prints one JSON line: bytes received, seconds from accept to EOF. With --capture it
also reads every frame IFACE receives (AF_PACKET with PACKET_VNET_HDR, so GSO frames come with
their gso_size) and counts them as the datapath does: a GSO frame as the segments it stands for,
each repeating the Ethernet, IP and TCP headers (parsed here, independently of the module), so
the counts can be compared with group and bucket counters."""
import json
import select
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
SOL_PACKET = 263
PACKET_VNET_HDR = 15
PACKET_STATISTICS = 6
PACKET_OUTGOING = 4
VNET_HDR = struct.Struct("=BBHHHH")  # flags, gso_type, hdr_len, gso_size, csum_start, csum_offset


def headers_len(frame):
    """Ethernet (+VLAN) + IPv4/IPv6 + TCP/UDP header length, or 0 if not TCP/UDP."""
    off, et = 14, struct.unpack_from("!H", frame, 12)[0]
    while et in (0x8100, 0x88A8):
        et = struct.unpack_from("!H", frame, off + 2)[0]
        off += 4
    if et == 0x0800:
        proto, off = frame[off + 9], off + (frame[off] & 0xF) * 4
    elif et == 0x86DD:
        proto, off = frame[off + 6], off + 40
    else:
        return 0
    if proto == 6:
        return off + (frame[off + 12] >> 4) * 4
    return off + 8 if proto == 17 else 0


class Capture:
    def __init__(self, iface):
        self.s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        self.s.setsockopt(SOL_PACKET, PACKET_VNET_HDR, 1)
        self.s.setsockopt(socket.SOL_SOCKET, 33, 64 << 20)  # SO_RCVBUFFORCE
        self.s.bind((iface, 0))
        self.s.setblocking(False)
        self.frames = self.packets = self.bytes = self.gso_frames = 0

    def read(self):
        while True:
            try:
                data, addr = self.s.recvfrom(1 << 17)
            except BlockingIOError:
                return
            if addr[2] == PACKET_OUTGOING:
                continue
            _, _, _, gso_size, _, _ = VNET_HDR.unpack_from(data)
            frame = data[VNET_HDR.size:]
            self.frames += 1
            hdr = headers_len(frame)
            if gso_size and hdr and len(frame) > hdr:
                segs = -(-(len(frame) - hdr) // gso_size)
                self.gso_frames += 1
                self.packets += segs
                self.bytes += len(frame) + (segs - 1) * hdr
            else:
                self.packets += 1
                self.bytes += len(frame)

    def drops(self):
        _, drops = struct.unpack("II", self.s.getsockopt(SOL_PACKET, PACKET_STATISTICS, 8))
        return drops


def recv(addr, port, iface=None):
    cap = Capture(iface) if iface else None
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, port))
    ls.listen(1)
    print("ready", flush=True)
    watch = [ls] + ([cap.s] if cap else [])
    conn = None
    buf = bytearray(1 << 20)
    total, start = 0, None
    while True:
        r, _, _ = select.select(watch, [], [], 60)
        if not r:
            sys.exit("tcp.py: no progress for 60 s")
        if cap and cap.s in r:
            cap.read()
        if ls in r:
            conn, _ = ls.accept()
            start = time.monotonic()
            watch = [conn] + ([cap.s] if cap else [])
        if conn is not None and conn in r:
            n = conn.recv_into(buf)
            if n == 0:
                break
            total += n
    secs = time.monotonic() - start
    conn.close()
    out = {"bytes": total, "seconds": secs}
    if cap:
        # Frames still in flight after EOF: the FIN's ACKs; read until quiet.
        quiet = time.monotonic() + 1.0
        while time.monotonic() < quiet:
            if select.select([cap.s], [], [], 0.2)[0]:
                cap.read()
                quiet = time.monotonic() + 1.0
        out.update(frames=cap.frames, gso_frames=cap.gso_frames, packets=cap.packets,
                   wire_bytes=cap.bytes, capture_drops=cap.drops())
    print(json.dumps(out), flush=True)


def send(addr, port, mib):
    deadline = time.monotonic() + 30
    while True:
        try:
            s = socket.create_connection((addr, port), timeout=60)
            break
        except ConnectionRefusedError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    chunk = memoryview(b"\xa5" * (1 << 20))
    for _ in range(mib):
        s.sendall(chunk)
    s.shutdown(socket.SHUT_WR)
    s.recv(1)  # the receiver's close
    s.close()


if __name__ == "__main__":
    mode, a = sys.argv[1], sys.argv[2:]
    if mode == "recv":
        recv(a[0], int(a[1]), a[3] if len(a) > 3 and a[2] == "--capture" else None)
    elif mode == "send":
        send(a[0], int(a[1]), int(a[2]))
    else:
        sys.exit(__doc__)
