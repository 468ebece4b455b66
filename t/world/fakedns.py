#!/usr/bin/env python3
"""fakedns.py - a DNS server that misbehaves on purpose, for test zones.

Usage: fakedns.py MODE ADDR PORT PIDFILE
  MODE blackhole  reads every UDP query and TCP connection, never answers
  MODE refused    answers every query with RCODE REFUSED
Writes its PID to PIDFILE once both sockets are bound. Stops on SIGTERM.
"""
import os
import selectors
import socket
import sys


def refused(query):
    if len(query) < 12:
        return None
    flags = (query[2] << 8 | query[3]) & 0x7900   # keep opcode and RD
    flags |= 0x8000 | 5                           # QR, REFUSED
    return query[:2] + bytes([flags >> 8, flags & 0xff]) + query[4:6] + b"\0" * 6 + \
        query[12:question_end(query)]


def question_end(query):
    pos = 12
    while pos < len(query) and query[pos] != 0 and pos < 300:
        pos += 1 + query[pos]
    return min(pos + 5, len(query))


def main():
    mode, addr, port, pidfile = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind((addr, port))
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    tcp.bind((addr, port))
    tcp.listen(16)
    with open(pidfile + ".tmp", "w") as fh:
        fh.write("%d\n" % os.getpid())
    os.rename(pidfile + ".tmp", pidfile)
    sel = selectors.DefaultSelector()
    sel.register(udp, selectors.EVENT_READ)
    sel.register(tcp, selectors.EVENT_READ)
    held = []
    while True:
        for key, _ in sel.select():
            if key.fileobj is udp:
                data, peer = udp.recvfrom(4096)
                if mode == "refused":
                    reply = refused(data)
                    if reply:
                        udp.sendto(reply, peer)
            elif key.fileobj is tcp:
                conn, _ = tcp.accept()
                if mode == "refused":
                    conn.settimeout(2)
                    try:
                        data = conn.recv(4096)
                        reply = refused(data[2:]) if len(data) > 2 else None
                        if reply:
                            conn.sendall(len(reply).to_bytes(2, "big") + reply)
                    except OSError:
                        pass
                    conn.close()
                else:
                    held.append(conn)          # never answered
                    del held[:-64]


if __name__ == "__main__":
    main()
