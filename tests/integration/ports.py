# SPDX-License-Identifier: GPL-3.0-or-later
"""A free TCP port for a server a test starts (NATS nodes, PostgreSQL, the hub).

Picked below the kernel's ephemeral range (net.ipv4.ip_local_port_range). A port
the kernel hands out for port 0 lies inside that range, and between the check
and the server's bind it may become the source port of an outgoing connection
(a NATS node's route to the next, a client): the third node of a cluster then
stopped with "address already in use" (CI, 2026-12-06).  Below the range only
another listener can take it, and the bind here checks that."""
import random
import socket

_given = set()  # never the same port twice in one process


def _ephemeral_low():
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def free_port(host="127.0.0.1"):
    low, high = 20000, min(_ephemeral_low(), 32768)
    for _ in range(200 if high > low else 0):
        port = random.randrange(low, high)
        if port in _given:
            continue
        with socket.socket() as s:
            try:
                s.bind((host, port))
            except OSError:
                continue
        _given.add(port)
        return port
    with socket.socket() as s:  # an odd range: the kernel's choice after all
        s.bind((host, 0))
        return s.getsockname()[1]
