#!/usr/bin/env python3
"""smtpsink.py - a plain-text SMTP listener that never offers STARTTLS.

Usage: smtpsink.py ADDR PORT PIDFILE
Answers EHLO without STARTTLS and accepts everything; it exists so that a
test can see smtp(8) refuse to send when the policy requires TLS. Writes
its PID to PIDFILE once listening. Each connection is limited to 60 s.
"""
import os
import socket
import sys
import threading


def session(conn):
    conn.settimeout(60)
    f = conn.makefile("rwb", buffering=0)
    f.write(b"220 sink.invalid ESMTP test sink\r\n")
    data = False
    try:
        for line in f:
            cmd = line.strip().upper()
            if data:
                if cmd == b".":
                    data = False
                    f.write(b"250 2.0.0 accepted\r\n")
                continue
            if cmd.startswith(b"EHLO"):
                f.write(b"250-sink.invalid\r\n250 8BITMIME\r\n")
            elif cmd.startswith(b"DATA"):
                data = True
                f.write(b"354 go ahead\r\n")
            elif cmd.startswith(b"QUIT"):
                f.write(b"221 2.0.0 bye\r\n")
                break
            else:
                f.write(b"250 2.0.0 ok\r\n")
    except OSError:
        pass
    conn.close()


def main():
    addr, port, pidfile = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((addr, port))
    srv.listen(16)
    with open(pidfile + ".tmp", "w") as fh:
        fh.write("%d\n" % os.getpid())
    os.rename(pidfile + ".tmp", pidfile)
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=session, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    main()
