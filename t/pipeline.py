#!/usr/bin/env python3
"""pipeline.py - send one request many times on one connection.

Usage: pipeline.py HOST PORT COUNT [TIMEOUT] < request-bytes
Reads one request from stdin and sends it COUNT times on one TCP
connection, a hundred at a time, while it reads the replies (so that
neither side blocks on a full socket buffer); after the last one it
closes its write side and reads until the server closes the connection.
The replies go to stdout; stderr gets "sent N" (whole requests written
before the server closed or reset the connection). Exit status: 0 the
server closed the connection, 3 TIMEOUT seconds (default 60) passed
first, 2 no connection.
"""
import select
import socket
import sys
import time


def main():
    host, port, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    timeout = float(sys.argv[4]) if len(sys.argv) > 4 else 60.0
    request = sys.stdin.buffer.read()
    try:
        sock = socket.create_connection((host, port), timeout=timeout)
    except OSError as exc:
        sys.stderr.write("pipeline: connect: %s\n" % exc)
        return 2
    sock.setblocking(False)
    deadline = time.monotonic() + timeout
    queued, pending, written, sending = 0, b"", 0, True
    out = sys.stdout.buffer
    status = 3
    while time.monotonic() < deadline:
        if sending and not pending and queued < count:
            n = min(100, count - queued)
            pending, queued = request * n, queued + n
        if sending and not pending and queued == count:
            sock.shutdown(socket.SHUT_WR)
            sending = False
        wlist = [sock] if sending and pending else []
        ready_r, ready_w, _ = select.select([sock], wlist, [],
                                            max(0.0, deadline - time.monotonic()))
        if ready_r:
            try:
                chunk = sock.recv(65536)
            except OSError:
                chunk = b""     # reset: the server closed with data unread
            if not chunk:
                status = 0
                break
            out.write(chunk)
        if ready_w:
            try:
                n = sock.send(pending)
            except OSError:
                sending, pending = False, b""
                continue
            written += n
            pending = pending[n:]
    out.flush()
    sys.stderr.write("sent %d\n" % (written // len(request)))
    sock.close()
    return status


if __name__ == "__main__":
    sys.exit(main())
