#!/usr/bin/env python3
"""rawclient.py - send raw bytes to a TCP server and print what comes back.

Usage: rawclient.py HOST PORT [TIMEOUT] < request-bytes
Reads the request from stdin, sends it, closes the write side, and copies
the server's reply to stdout until the server closes the connection or
TIMEOUT seconds (default 10) pass. Exit status: 0 the server closed the
connection, 3 the timeout expired first (the server hung), 2 no connection.
"""
import socket
import sys
import time


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    timeout = float(sys.argv[3]) if len(sys.argv) > 3 else 10.0
    data = sys.stdin.buffer.read()
    try:
        sock = socket.create_connection((host, port), timeout=timeout)
    except OSError as exc:
        sys.stderr.write("rawclient: connect: %s\n" % exc)
        return 2
    deadline = time.monotonic() + timeout
    try:
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)
    except OSError:
        pass            # the server may close before reading everything
    out = sys.stdout.buffer
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return 3
        sock.settimeout(left)
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            return 3
        except OSError:
            break       # reset by peer: treated as closed
        if not chunk:
            break
        out.write(chunk)
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
