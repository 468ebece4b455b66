#!/usr/bin/env python3
"""smtpsink.py - an SMTP listener that accepts every message.

Usage: smtpsink.py ADDR PORT PIDFILE [CERTDIR]
Without CERTDIR it never offers STARTTLS: a test can see smtp(8) refuse
to send when the policy requires TLS. With CERTDIR it offers STARTTLS and
presents the certificate chosen by the SNI name the client sends:
CERTDIR/NAME.pem (certificate chain and key in one file), else
CERTDIR/default.pem. Logs one line per handshake ("tls sni=NAME
cert=FILE") and per accepted message ("sent rcpt=... tls=...") on
stdout. Writes its PID to PIDFILE once listening. Each connection is
limited to 60 s.
"""
import os
import socket
import ssl
import sys
import threading

LOCK = threading.Lock()


def log(text):
    with LOCK:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()


def context(certdir):
    """A server context whose SNI callback switches to the name's file."""
    def make(path):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(path)
        return ctx

    default = make(os.path.join(certdir, "default.pem"))

    def pick(sock, name, _ctx):
        path = os.path.join(certdir, "%s.pem" % name) if name else ""
        if name and "/" not in name and os.path.exists(path):
            sock.context = make(path)
        else:
            path = "default.pem"
        log("tls sni=%s cert=%s" % (name, os.path.basename(path)))

    default.sni_callback = pick
    return default


def reply(conn, text):
    conn.sendall(text.encode() + b"\r\n")


def session(conn, ctx):
    conn.settimeout(60)
    rcpts, tls, buf = [], False, b""
    reply(conn, "220 sink.invalid ESMTP test sink")
    try:
        while True:
            while b"\n" not in buf:
                more = conn.recv(4096)
                if not more:
                    return
                buf += more
            line, buf = buf.split(b"\n", 1)
            cmd = line.strip().upper()
            if cmd.startswith(b"EHLO"):
                reply(conn, "250-sink.invalid")
                reply(conn, "250 STARTTLS" if ctx and not tls else "250 8BITMIME")
            elif cmd == b"STARTTLS" and ctx and not tls:
                reply(conn, "220 2.0.0 go ahead")
                conn = ctx.wrap_socket(conn, server_side=True)
                tls, buf = True, b""
            elif cmd.startswith(b"RCPT"):
                rcpts.append(line.strip()[8:].decode(errors="replace"))
                reply(conn, "250 2.1.5 ok")
            elif cmd == b"DATA":
                reply(conn, "354 go ahead")
                while b"\r\n.\r\n" not in buf:
                    more = conn.recv(4096)
                    if not more:
                        return
                    buf += more
                buf = buf.split(b"\r\n.\r\n", 1)[1]
                log("sent rcpt=%s tls=%s" % (",".join(rcpts), tls))
                rcpts = []
                reply(conn, "250 2.0.0 accepted")
            elif cmd == b"QUIT":
                reply(conn, "221 2.0.0 bye")
                return
            else:
                reply(conn, "250 2.0.0 ok")
    except (OSError, ssl.SSLError) as exc:
        log("error %s" % exc)
    finally:
        conn.close()


def main():
    addr, port, pidfile = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    ctx = context(sys.argv[4]) if len(sys.argv) > 4 else None
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((addr, port))
    srv.listen(16)
    with open(pidfile + ".tmp", "w") as fh:
        fh.write("%d\n" % os.getpid())
    os.rename(pidfile + ".tmp", pidfile)
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=session, args=(conn, ctx), daemon=True).start()


if __name__ == "__main__":
    main()
