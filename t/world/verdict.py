#!/usr/bin/env python3
"""verdict.py - the answer each test-world domain should get, worked out
with drill(1) against the world's validating resolver, independently of
tlspolicyd's own code. selfcheck.sh compares it with expect.txt, so a
zone edit that changes an answer cannot go unnoticed.

Usage: verdict.py ADDR:PORT DOMAIN...
Prints one line per domain:  DOMAIN ANSWER TTL  # reason
  ANSWER  dane-only | dane | notfound | temp (the words of expect.txt;
          a null MX is "notfound", the reason says "null MX")
  TTL     the smallest TTL of the answers the verdict used, negative
          answers included (min(SOA TTL, SOA MINIMUM)); "-" when the
          answer must not be cached (temp, and failed host lookups)

The rules (RFC 7672; lib/dane_verdict.c has the same table):
  1. MX: SERVFAIL, REFUSED, no answer -> temp. NXDOMAIN -> notfound.
     Null MX -> notfound (nopolicy). NODATA -> the domain is its own
     host. CNAMEs are followed; the AD bit covers the whole chain.
  2. A host counts only if its A and AAAA answers both carry AD.
  3. A failed A/AAAA lookup, or a failed TLSA lookup of a counted host
     -> dane (not cacheable): Postfix then checks the hosts itself.
  4. TLSA at _25._tcp.HOST; when the address answer shows that HOST is
     a (secure) alias, TLSA at the expanded name wins unless it is empty.
  5. dane-only: secure MX and every host has a secure TLSA set with a
     usable record (usage 2/3, selector 0/1, matching type 0 with DER
     data, 1 with 32 bytes, 2 with 64 bytes).
     dane: some counted host has a secure non-empty TLSA set.
     Otherwise notfound.
"""
import re
import subprocess
import sys

TIMEOUT = 15    # seconds per drill call; the dead server costs about 2


class Answer:
    """One drill query: status OK/NODATA/NXDOMAIN/FAIL, ad, final, rrs, ttl."""

    def __init__(self, server, port, name, qtype):
        self.name, self.qtype = name.rstrip(".").lower(), qtype
        self.status, self.ad, self.rrs, self.ttl = "FAIL", False, [], None
        self.final = self.name
        try:
            out = subprocess.run(["drill", "-D", "-p", port, "@" + server, name, qtype],
                                 capture_output=True, text=True, timeout=TIMEOUT).stdout
        except subprocess.TimeoutExpired:
            return
        m = re.search(r"rcode: (\w+)", out)
        if not m:
            return
        rcode = m.group(1)
        flags = re.search(r";; flags: ([a-z ]*);", out)
        self.ad = bool(flags) and "ad" in flags.group(1).split()
        section, answer, authority = None, [], []
        for line in out.splitlines():
            if line.startswith(";; ANSWER SECTION"):
                section = answer
            elif line.startswith(";; AUTHORITY SECTION"):
                section = authority
            elif line.startswith(";;"):
                section = None if "SECTION" in line else section
            elif line.strip() and section is not None:
                f = line.split()
                section.append((f[0].rstrip(".").lower(), int(f[1]), f[3], f[4:]))
        if rcode not in ("NOERROR", "NXDOMAIN"):
            return
        # follow the CNAME chain inside the answer section
        ttl, seen = None, set()
        while True:
            cn = [r for r in answer if r[0] == self.final and r[2] == "CNAME"]
            if not cn or qtype == "CNAME" or self.final in seen:
                break
            seen.add(self.final)
            ttl = min_ttl(ttl, cn[0][1])
            self.final = cn[0][3][0].rstrip(".").lower()
        self.rrs = [r for r in answer if r[0] == self.final and r[2] == qtype]
        for r in self.rrs:
            ttl = min_ttl(ttl, r[1])
        soa = [r for r in authority if r[2] == "SOA"]
        neg = min(soa[0][1], int(soa[0][3][6])) if soa else 0
        if rcode == "NXDOMAIN":
            self.status, self.ttl = "NXDOMAIN", min_ttl(ttl, neg)
        elif self.rrs:
            self.status, self.ttl = "OK", ttl
        else:
            self.status, self.ttl = "NODATA", min_ttl(ttl, neg)


def min_ttl(a, b):
    return b if a is None else min(a, b)


def usable(rdata):
    """TLSA usage selector mtype hexdata... -> usable per RFC 7672 2.2."""
    try:
        usage, sel, mtype = int(rdata[0]), int(rdata[1]), int(rdata[2])
        data = bytes.fromhex("".join(rdata[3:]))
    except (ValueError, IndexError):
        return False
    if usage not in (2, 3) or sel not in (0, 1):
        return False
    if mtype == 1:
        return len(data) == 32
    if mtype == 2:
        return len(data) == 64
    if mtype == 0:      # a DER SEQUENCE whose length covers the data exactly
        if len(data) < 2 or data[0] != 0x30:
            return False
        n = data[1]
        if n < 0x80:
            return 2 + n == len(data)
        k = n & 0x7f
        if k == 0 or k > 4 or len(data) < 2 + k:
            return False
        return 2 + k + int.from_bytes(data[2:2 + k], "big") == len(data)
    return False


def decide(server, port, domain):
    q = lambda name, t: Answer(server, port, name, t)
    mx = q(domain, "MX")
    if mx.status == "FAIL":
        return "temp", None, "MX lookup failed"
    if mx.status == "NXDOMAIN":
        return "notfound", mx.ttl, "NXDOMAIN"
    ttl = mx.ttl
    hosts = []
    if mx.status == "NODATA":
        hosts = [mx.final]
    else:
        targets = [r[3][1].rstrip(".").lower() for r in mx.rrs]
        if "" in targets:
            return "notfound", ttl, "null MX (nopolicy)"
        hosts = list(dict.fromkeys(targets))
    failed, with_tlsa, usable_hosts = None, 0, 0
    for h in hosts:
        a, aaaa = q(h, "A"), q(h, "AAAA")
        if "FAIL" in (a.status, aaaa.status):
            failed = failed or h + " address"
            continue
        ttl = min(ttl, a.ttl, aaaa.ttl)
        if not (a.ad and aaaa.ad):
            continue                        # insecure host: does not count
        has_addr = "OK" in (a.status, aaaa.status)
        t = q("_25._tcp." + h, "TLSA")
        expanded = next((x.final for x in (a, aaaa) if x.status == "OK" and x.final != h), None)
        if expanded:
            ta = q("_25._tcp." + expanded, "TLSA")
            if ta.status != "FAIL":
                ttl = min(ttl, ta.ttl)
            if ta.status in ("OK", "FAIL"):
                t = ta
            elif t.status != "FAIL":
                ttl = min(ttl, t.ttl)
        elif t.status != "FAIL":
            ttl = min(ttl, t.ttl)
        if t.status == "FAIL":
            failed = failed or h + " TLSA"
            continue
        if has_addr and t.status == "OK" and t.ad and t.rrs:
            with_tlsa += 1
            if any(usable(r[3]) for r in t.rrs):
                usable_hosts += 1
    if failed:
        return "dane", None, "lookup failed: " + failed
    why = "%d/%d hosts with secure TLSA, %d usable, MX %s" % (
        with_tlsa, len(hosts), usable_hosts, "secure" if mx.ad else "insecure")
    if mx.ad and usable_hosts == len(hosts):
        return "dane-only", ttl, why
    if with_tlsa:
        return "dane", ttl, why
    return "notfound", ttl, why


def main():
    if len(sys.argv) < 3 or ":" not in sys.argv[1]:
        sys.exit("usage: verdict.py ADDR:PORT DOMAIN...")
    server, port = sys.argv[1].rsplit(":", 1)
    for d in sys.argv[2:]:
        answer, ttl, why = decide(server, port, d)
        print("%s %s %s  # %s" % (d, answer, "-" if ttl is None else ttl, why))


if __name__ == "__main__":
    main()
