#!/usr/bin/env python3
"""pairclient.py - run a helper on one end of a socket pair, as spawn(8) would.

Usage: pairclient.py [--keys FILE] [--alive TEXT] [--timeout S] -- CMD [ARG...]
Starts CMD with its standard input and output on one end of a Unix socket
pair (standard error to /dev/null) and talks to it over the other end:

  --keys FILE   tcp_table: "get KEY" for each line of FILE, one at a time,
                each sent when the previous reply came (as Postfix asks);
                prints each reply line
  (no --keys)   sends standard input as it is, closes the write side and
                prints everything the helper sends until it closes
  --alive TEXT  counts, after every reply and every 20 ms while waiting,
                the processes whose command line contains TEXT and "-R"
                (refresh processes), and prints "alive-max N" at the end,
                after watching for 2 more seconds once the client is done
  --timeout S   give up on a reply after S seconds (default 30)

Exit status 0 when every request got its reply, 1 otherwise.
"""
import os
import select
import socket
import subprocess
import sys
import time


def ppid(pid):
    """The parent of pid, or None when pid is gone."""
    try:
        with open("/proc/%s/stat" % pid, "rb") as f:
            return f.read().rsplit(b")", 1)[1].split()[1].decode()
    except (OSError, IndexError):
        return None


def alive(text):
    """Refresh processes whose command line contains text. A process whose
    parent is one of them is not another refresh (a refresh never starts
    one): under ASan it is LeakSanitizer's tracer, a clone with the same
    command line that lives while the refresh process exits. Each parent
    is read when its process is found, not after the scan: a tracer that
    ends in between would otherwise count as a refresh of its own."""
    found = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                args = f.read().split(b"\0")
        except OSError:
            continue
        if b"-R" in args and any(text.encode() in a for a in args):
            parent = ppid(pid)
            if parent is not None:
                found[pid] = parent
    return sum(1 for parent in found.values() if parent not in found)


class Client:
    def __init__(self, sock, text, timeout):
        self.sock, self.text, self.timeout = sock, text, timeout
        self.buf, self.max = b"", 0

    def watch(self):
        if self.text:
            self.max = max(self.max, alive(self.text))

    def line(self):
        """One reply line, or None (closed or timed out)."""
        deadline = time.monotonic() + self.timeout
        while b"\n" not in self.buf:
            self.watch()
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([self.sock], [], [], min(left, 0.02))
            if ready:
                data = self.sock.recv(65536)
                if not data:
                    return None
                self.buf += data
        out, self.buf = self.buf.split(b"\n", 1)
        self.watch()
        return out.decode("latin-1")

    def rest(self):
        """Everything until the helper closes its end."""
        out, deadline = self.buf, time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            self.watch()
            ready, _, _ = select.select([self.sock], [], [], 0.02)
            if ready:
                data = self.sock.recv(65536)
                if not data:
                    return out, True
                out += data
        return out, False


def main():
    args, keys, text, timeout = sys.argv[1:], None, None, 30.0
    while args and args[0] != "--":
        opt, val, args = args[0], args[1], args[2:]
        if opt == "--keys":
            keys = val
        elif opt == "--alive":
            text = val
        elif opt == "--timeout":
            timeout = float(val)
    mine, theirs = socket.socketpair()
    proc = subprocess.Popen(args[1:], stdin=theirs, stdout=theirs,
                            stderr=subprocess.DEVNULL, close_fds=True)
    theirs.close()
    client, ok = Client(mine, text, timeout), True
    if keys is not None:
        with open(keys) as f:
            for key in f.read().split():
                mine.sendall(("get %s\n" % key).encode())
                reply = client.line()
                if reply is None:
                    ok = False
                    break
                print(reply, flush=True)
        mine.shutdown(socket.SHUT_WR)
        client.rest()
    else:
        mine.sendall(sys.stdin.buffer.read())
        mine.shutdown(socket.SHUT_WR)
        out, ok = client.rest()
        sys.stdout.write(out.decode("latin-1"))
    mine.close()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        ok = False
    if text:
        end = time.monotonic() + 2
        while time.monotonic() < end:
            client.watch()
            time.sleep(0.02)
        print("alive-max %d" % client.max)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
