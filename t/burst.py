#!/usr/bin/env python3
"""burst.py - N clients ask for the same key at the same moment.

Usage: burst.py HOST PORT N KEY [TIMEOUT]
Opens N tcp_table connections (so that Postfix's spawn service has started
N helpers), then sends "get KEY" on every one of them in one tight loop,
and waits for each reply until TIMEOUT seconds (default 30) have passed.
Prints one line per distinct reply, "COUNT REPLY", then "errors E" (no
connection, a closed connection or no reply in time) and "ms T" (from
the first request to the last reply). Exit status 0 when every client
got a reply, 1 otherwise.
"""
import select
import socket
import sys
import time


def main():
    host, port, n, key = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    timeout = float(sys.argv[5]) if len(sys.argv) > 5 else 30.0
    socks, errors = [], 0
    for _ in range(n):
        try:
            socks.append(socket.create_connection((host, port), timeout=timeout))
        except OSError:
            errors += 1
    time.sleep(0.5)     # let the helpers start and wait for their request
    request = ("get %s\n" % key).encode()
    start = time.monotonic()
    for s in socks:
        s.sendall(request)
    replies, bufs = {}, {s: b"" for s in socks}
    waiting = set(socks)
    deadline = start + timeout
    while waiting and time.monotonic() < deadline:
        ready, _, _ = select.select(list(waiting), [], [], max(0.0, deadline - time.monotonic()))
        for s in ready:
            data = s.recv(4096)
            bufs[s] += data
            if data and not bufs[s].endswith(b"\n"):
                continue
            waiting.discard(s)
            if not data:
                errors += 1
                continue
            line = bufs[s].decode(errors="replace").rstrip("\n")
            replies[line] = replies.get(line, 0) + 1
    end = time.monotonic()
    errors += len(waiting)
    for s in socks:
        s.close()
    for line, count in sorted(replies.items()):
        print(count, line)
    print("errors", errors)
    print("ms %.0f" % ((end - start) * 1000))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
