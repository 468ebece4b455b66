#!/usr/bin/env python3
"""fakedns.py - a DNS server that misbehaves on purpose, for test zones.

Usage: fakedns.py MODE ADDR PORT PIDFILE [DIR UPSTREAM]
  MODE blackhole  reads every UDP query and TCP connection, never answers
  MODE refused    answers every query with RCODE REFUSED
  MODE breaker    forwards every query (UDP and TCP) to UPSTREAM (ADDR:PORT,
                  the validating unbound) and breaks the answers that
                  DIR/breaker.rules names, one rule per line:
                      NAME TYPE ACTION
                  NAME without the trailing dot (case-insensitive), TYPE a
                  mnemonic (A, AAAA, MX, TXT, TLSA, ...) or "*"; ACTION:
                      servfail            answer SERVFAIL
                      drop                answer nothing at all
                      noad                forward, clear the AD bit
                      nxdomain | nodata   answer so, without AD (SOA of
                                          "test." with TTL 5 in AUTHORITY)
                      txt "TEXT"          one TXT record TEXT, no AD, TTL 5
                      mx PREF HOST        one MX record, no AD, TTL 5
                  The first matching line wins; "#" starts a comment line. The
                  file is read again whenever its mtime (or size) changes,
                  so a test edits it between lookups. Every query is
                  appended to DIR/breaker.log as "NAME TYPE ACTION"
                  (ACTION "pass" when no rule matched).
Writes its PID to PIDFILE once both sockets are bound. Stops on SIGTERM.
"""
import os
import selectors
import socket
import struct
import sys
import threading

TYPES = {1: "A", 2: "NS", 5: "CNAME", 6: "SOA", 12: "PTR", 15: "MX", 16: "TXT",
         28: "AAAA", 33: "SRV", 41: "OPT", 43: "DS", 46: "RRSIG", 47: "NSEC",
         48: "DNSKEY", 50: "NSEC3", 52: "TLSA", 255: "ANY"}


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


def encode_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def question(query):
    """(name, type mnemonic, end of question) of a query, or None."""
    if len(query) < 17:
        return None
    pos, labels = 12, []
    while pos < len(query) and query[pos] != 0:
        n = query[pos]
        if n > 63 or pos + 1 + n > len(query) or len(labels) > 127:
            return None
        labels.append(query[pos + 1:pos + 1 + n].decode("ascii", "replace"))
        pos += 1 + n
    if pos + 5 > len(query):
        return None
    qtype = query[pos + 1] << 8 | query[pos + 2]
    return ".".join(labels).lower(), TYPES.get(qtype, "TYPE%d" % qtype), pos + 5


class Rules:
    """DIR/breaker.rules, read again when it changes."""

    def __init__(self, path):
        self.path, self.stamp, self.rules = path, None, []
        self.lock = threading.Lock()

    def action(self, name, qtype):
        with self.lock:
            try:
                st = os.stat(self.path)
                stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
            except OSError:
                stamp = None
            if stamp != self.stamp:
                self.stamp, self.rules = stamp, []
                try:
                    with open(self.path) as fh:
                        for line in fh:
                            f = line.split(None, 2)
                            if len(f) == 3 and not f[0].startswith("#"):
                                self.rules.append((f[0].rstrip(".").lower(), f[1].upper(), f[2].strip()))
                except OSError:
                    pass
            for n, t, act in self.rules:
                if n == name and t in ("*", qtype):
                    return act
        return "pass"


def reply(query, qend, rcode, answers=b"", ancount=0, soa=False):
    """A synthesized answer: QR, RA, RD copied, AD clear, no EDNS."""
    flags = ((query[2] & 0x79) << 8) | 0x8080 | rcode
    auth = b""
    if soa:
        rdata = encode_name("ns.test") + encode_name("hostmaster.test") + struct.pack(">5I", 1, 3600, 600, 86400, 5)
        auth = encode_name("test") + struct.pack(">HHIH", 6, 1, 5, len(rdata)) + rdata
    return query[:2] + struct.pack(">HHHHH", flags, 1, ancount, 1 if soa else 0, 0) + \
        query[12:qend] + answers + auth


def record(rtype, rdata):
    return b"\xc0\x0c" + struct.pack(">HHIH", rtype, 1, 5, len(rdata)) + rdata


def synthesize(query, qend, act):
    """The reply for a rule that does not forward, or None (drop)."""
    word = act.split(None, 1)[0].lower()
    if word == "servfail":
        return reply(query, qend, 2)
    if word == "nxdomain":
        return reply(query, qend, 3, soa=True)
    if word == "nodata":
        return reply(query, qend, 0, soa=True)
    if word == "txt":
        text = act.split(None, 1)[1].strip().strip('"').encode()
        rdata = b"".join(bytes([len(text[i:i + 255])]) + text[i:i + 255]
                         for i in range(0, max(len(text), 1), 255))
        return reply(query, qend, 0, record(16, rdata), 1)
    if word == "mx":
        _, pref, host = act.split()
        return reply(query, qend, 0, record(15, struct.pack(">H", int(pref)) + encode_name(host)), 1)
    return None


class Breaker:
    def __init__(self, wdir, upstream):
        host, port = upstream.rsplit(":", 1)
        self.upstream = (host, int(port))
        self.rules = Rules(os.path.join(wdir, "breaker.rules"))
        self.log = open(os.path.join(wdir, "breaker.log"), "a", buffering=1)
        self.log_lock = threading.Lock()

    def answer(self, query, tcp):
        """The bytes to send back for one query, or None."""
        q = question(query)
        if q is None:
            return None
        name, qtype, qend = q
        act = self.rules.action(name, qtype)
        with self.log_lock:
            self.log.write("%s %s %s\n" % (name, qtype, act))
        word = act.split(None, 1)[0].lower()
        if word == "drop":
            return None
        if word not in ("pass", "noad"):
            return synthesize(query, qend, act)
        resp = self.forward(query, tcp)
        if resp and word == "noad" and len(resp) > 3:
            resp = resp[:3] + bytes([resp[3] & ~0x20]) + resp[4:]
        return resp

    def forward(self, query, tcp):
        try:
            if tcp:
                with socket.create_connection(self.upstream, timeout=10) as s:
                    s.sendall(len(query).to_bytes(2, "big") + query)
                    return read_tcp(s)
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                s.settimeout(10)
                s.sendto(query, self.upstream)
                while True:
                    data, _ = s.recvfrom(65535)
                    if data[:2] == query[:2]:
                        return data
        except OSError:
            return None

    def udp(self, sock, data, peer):
        resp = self.answer(data, False)
        if resp:    # unbound keeps to the client's EDNS size (TC set beyond it)
            sock.sendto(resp, peer)

    def tcp(self, conn):
        conn.settimeout(10)
        try:
            while True:
                query = read_tcp(conn)
                if not query:
                    break
                resp = self.answer(query, True)
                if resp:
                    conn.sendall(len(resp).to_bytes(2, "big") + resp)
        except OSError:
            pass
        conn.close()


def read_tcp(s):
    head = b""
    while len(head) < 2:
        more = s.recv(2 - len(head))
        if not more:
            return None
        head += more
    n, body = int.from_bytes(head, "big"), b""
    while len(body) < n:
        more = s.recv(n - len(body))
        if not more:
            return None
        body += more
    return body


def main():
    mode, addr, port, pidfile = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    breaker = Breaker(sys.argv[5], sys.argv[6]) if mode == "breaker" else None
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
                if breaker:
                    threading.Thread(target=breaker.udp, args=(udp, data, peer), daemon=True).start()
                elif mode == "refused":
                    reply = refused(data)
                    if reply:
                        udp.sendto(reply, peer)
            elif key.fileobj is tcp:
                conn, _ = tcp.accept()
                if breaker:
                    threading.Thread(target=breaker.tcp, args=(conn,), daemon=True).start()
                elif mode == "refused":
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
