#!/usr/bin/env python3
"""verdict.py - the answer each test-world domain should get, worked out
with drill(1) against the world's validating resolver, independently of
tlspolicyd's own code. selfcheck.sh compares it with expect.txt (and, with
--sts, with expect-sts.txt), so a zone edit that changes an answer cannot
go unnoticed.

Usage: verdict.py ADDR:PORT [--sts CAFILE] DOMAIN...
Prints one line per domain:  DOMAIN ANSWER TTL  # VERDICT: reason
  ANSWER  dane-only | dane | notfound | temp (the words of expect.txt;
          a null MX is "notfound", the reason says "null MX"); with
          --sts the answer of expect-sts.txt, which may also be
          "secure match=... servername=hostname"
  TTL     the smallest TTL of the answers the verdict used, negative
          answers included (min(SOA TTL, SOA MINIMUM)); "-" when the
          answer must not be cached (temp, and failed host lookups)
  VERDICT the DANE verdict (DESIGN.md 4 and 6): temp, null, dane-only,
          dane-some, host-fail, dane-unusable, dane-insecure-mx, none

DANE facts (RFC 7672; DESIGN.md 4):
  1. MX: SERVFAIL, REFUSED, no answer -> temp. NXDOMAIN -> none. Null
     MX -> null. NODATA -> the domain is its own host (implicit MX).
     CNAMEs are followed; the AD bit covers the whole chain, except that
     a secure CNAME into an unsigned zone ends in an insecure answer:
     the MX answer then counts as secure when the CNAME itself is secure.
  2. Each host is USABLE (secure TLSA set with a usable record: usage
     2/3, selector 0/1, matching type 0 with DER data, 1 with 32 bytes,
     2 with 64 bytes), UNUSABLE (secure TLSA set, nothing usable), NONE
     (TLSA proven absent, insecure address and not a secure alias, no
     address) or UNKNOWN (its address or TLSA lookup failed).
  3. TLSA at _25._tcp.HOST; when HOST is a secure alias of a secure name,
     TLSA at the expanded name wins unless it is empty; when HOST is a
     secure alias of a name in an unsigned zone, TLSA at HOST only
     (RFC 7672 2.2.2, Postfix tls_dane.c).
  4. Verdict, first match: MX failed -> temp; null MX -> null; secure MX
     and every host USABLE -> dane-only; secure MX and some USABLE ->
     dane-some; secure MX and some UNKNOWN -> host-fail; secure MX and
     some UNUSABLE -> dane-unusable; insecure MX and any host USABLE,
     UNUSABLE or UNKNOWN -> dane-insecure-mx; otherwise none.
  5. Answer (DESIGN.md 6), E = an MTA-STS enforce policy (only with
     --sts): dane-only -> dane-only; dane-some -> dane (E: dane-only);
     host-fail -> dane (E: temp); dane-unusable and dane-insecure-mx ->
     dane (E: secure); none -> notfound (E: secure); null -> notfound;
     temp -> temp.
MTA-STS (--sts, RFC 8461, as tlspolicyd is configured in the tests):
  exactly one TXT record at _mta-sts.D starting "v=STSv1;" with a valid
  id; mta-sts.D has an address; curl fetches the policy from it with
  CAFILE, no redirects, 2 s, status 200, text/plain, at most 64 KiB;
  version STSv1, mode, max_age digits, valid mx patterns (one at least);
  E when mode is enforce.
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


def answers(q, h):
    """The address answers of host h, or None when a lookup failed."""
    a, aaaa = q(h, "A"), q(h, "AAAA")
    if "FAIL" in (a.status, aaaa.status):
        return None
    return a, aaaa


def tlsa_of(q, h, a, aaaa, secure_alias):
    """(TLSA answer to judge, TTL of the TLSA answers used)."""
    expanded = next((x.final for x in (a, aaaa) if x.status == "OK" and x.final != h), None)
    t = q("_25._tcp." + h, "TLSA")
    if expanded and not secure_alias:
        ta = q("_25._tcp." + expanded, "TLSA")
        if ta.status == "FAIL":
            return ta, None
        if ta.status == "OK":
            return ta, ta.ttl
        return t, (None if t.status == "FAIL" else min(ta.ttl, t.ttl))
    return t, (None if t.status == "FAIL" else t.ttl)


def host_state(q, h):
    """(state, TTL or None, why) of one MX host."""
    addr = answers(q, h)
    if addr is None:
        return "UNKNOWN", None, h + " address lookup failed"
    a, aaaa = addr
    ttl = min(a.ttl, aaaa.ttl)
    alias = next((x.final for x in (a, aaaa) if x.final != h), None)
    secure_alias = False
    if not (a.ad and aaaa.ad):
        cn = q(h, "CNAME") if alias else None
        if not (cn and cn.status == "OK" and cn.ad):
            return "NONE", ttl, h + " insecure address"
        secure_alias = True             # TLSA at the original name only
    if "OK" not in (a.status, aaaa.status):
        return "NONE", ttl, h + " no address"
    t, tttl = tlsa_of(q, h, a, aaaa, secure_alias)
    if t.status == "FAIL":
        return "UNKNOWN", None, h + " TLSA lookup failed"
    ttl = min(ttl, tttl)
    if t.status != "OK" or not t.ad or not t.rrs:
        return "NONE", ttl, h + " no TLSA"
    if any(usable(r[3]) for r in t.rrs):
        return "USABLE", ttl, h + " usable TLSA"
    return "UNUSABLE", ttl, h + " unusable TLSA"


def dane_verdict(server, port, domain):
    """(verdict, TTL or None, why) per DESIGN.md 4 and 6."""
    q = lambda name, t: Answer(server, port, name, t)
    mx = q(domain, "MX")
    if mx.status == "FAIL":
        return "temp", None, "MX lookup failed"
    if mx.status == "NXDOMAIN":
        return "none", mx.ttl, "NXDOMAIN"
    ttl, secure = mx.ttl, mx.ad
    if mx.status == "NODATA":
        hosts = [domain.rstrip(".").lower()]
        if not secure and mx.final != hosts[0]:
            cn = q(domain, "CNAME")
            secure = cn.status == "OK" and cn.ad
    else:
        hosts = [r[3][1].rstrip(".").lower() for r in mx.rrs]
        if "" in hosts:
            return "null", ttl, "null MX (nopolicy)"
        hosts = list(dict.fromkeys(hosts))
    states, whys = [], []
    for h in hosts:
        st, httl, why = host_state(q, h)
        states.append(st)
        whys.append(why)
        ttl = None if httl is None or ttl is None else min(ttl, httl)
    why = "MX %s; %s" % ("secure" if secure else "insecure", ", ".join(whys))
    if secure and all(s == "USABLE" for s in states):
        return "dane-only", ttl, why
    if secure:
        for s, v in (("USABLE", "dane-some"), ("UNKNOWN", "host-fail"), ("UNUSABLE", "dane-unusable")):
            if s in states:
                return v, ttl, why
        return "none", ttl, why
    if any(s in ("USABLE", "UNUSABLE", "UNKNOWN") for s in states):
        return "dane-insecure-mx", ttl, why
    return "none", ttl, why


ANSWER = {      # verdict -> (answer without, with an enforce policy)
    "temp": ("temp", "temp"),
    "null": ("notfound", "notfound"),
    "dane-only": ("dane-only", "dane-only"),
    "dane-some": ("dane", "dane-only"),
    "host-fail": ("dane", "temp"),
    "dane-unusable": ("dane", "secure"),
    "dane-insecure-mx": ("dane", "secure"),
    "none": ("notfound", "secure"),
}


def sts_policy(server, port, domain, cafile):
    """The secure answer of domain's MTA-STS enforce policy, or None."""
    txt = Answer(server, port, "_mta-sts." + domain, "TXT")
    recs = ["".join(re.findall(r'"((?:[^"\\]|\\.)*)"', " ".join(r[3]))) for r in txt.rrs]
    recs = [r for r in recs if r.startswith("v=STSv1;")]
    if len(recs) != 1 or not re.search(r"(^|;)\s*id=[A-Za-z0-9]{1,32}\s*(;|$)", recs[0]):
        return None
    host = "mta-sts." + domain
    addr = Answer(server, port, host, "A")
    if addr.status != "OK":
        return None
    try:
        out = subprocess.run(["curl", "-s", "--max-time", "2", "--cacert", cafile, "--resolve",
                              "%s:443:%s" % (host, addr.rrs[0][3][0]), "-w", "\n%{http_code} %{content_type}",
                              "https://%s/.well-known/mta-sts.txt" % host],
                             capture_output=True, timeout=TIMEOUT).stdout
    except subprocess.TimeoutExpired:
        return None
    body, _, status = out.rpartition(b"\n")
    code, _, ctype = status.decode("ascii", "replace").partition(" ")
    if code != "200" or ctype.split(";")[0].strip().lower() != "text/plain" or len(body) > 65536:
        return None
    fields, mx = {}, []
    for line in re.split(r"\r?\n", body.decode("utf-8", "replace")):
        k, sep, v = line.partition(":")
        if not sep:
            continue
        k, v = k.strip(), v.strip()
        if k == "mx":
            if not re.fullmatch(r"(\*\.)?[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)+", v):
                return None
            mx.append(v[1:] if v.startswith("*.") else v)
        else:
            fields.setdefault(k, v)
    if fields.get("version") != "STSv1" or not re.fullmatch(r"[0-9]{1,10}", fields.get("max_age", "")):
        return None
    if fields.get("mode") != "enforce" or not mx:
        return None
    return "secure match=%s servername=hostname" % ":".join(mx)


def decide(server, port, domain, cafile=None):
    verdict, ttl, why = dane_verdict(server, port, domain)
    policy = sts_policy(server, port, domain, cafile) if cafile else None
    answer = ANSWER[verdict][1 if policy else 0]
    if answer == "secure":
        answer = policy
    if answer == "temp":
        ttl = None
    return answer, ttl, "%s%s: %s" % (verdict, ", enforce policy" if policy else "", why)


def main():
    args, cafile = sys.argv[2:], None
    if args[:1] == ["--sts"] and len(args) > 1:
        cafile, args = args[1], args[2:]
    if not args or ":" not in sys.argv[1]:
        sys.exit("usage: verdict.py ADDR:PORT [--sts CAFILE] DOMAIN...")
    server, port = sys.argv[1].rsplit(":", 1)
    for d in args:
        answer, ttl, why = decide(server, port, d, cafile)
        print("%s %s %s  # %s" % (d, answer, "-" if ttl is None else ttl, why))


if __name__ == "__main__":
    main()
