#!/usr/bin/env python3
"""Send one UDP datagram from each of N consecutive source ports: N distinct flows to one service.

    udp-flows.py HOST PORT N FIRST_SOURCE_PORT

Plain UDP sockets (run it inside the client namespace with `ip netns exec`); prints how many it sent.
The same source ports always make the same flows, so two runs can be compared flow for flow.
"""
import socket
import sys

host, port, n, first = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
sent = 0
for sport in range(first, first + n):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("0.0.0.0", sport))
        s.sendto(b"hello, service", (host, port))
        sent += 1
print(sent)
