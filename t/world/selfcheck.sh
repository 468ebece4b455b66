#!/bin/sh
# selfcheck.sh - check that a running test world (t/world/world.sh start
# DIR) keeps its promises, with drill against its validating resolver:
#   1. DNS facts: RCODE and AD flag of key names in every zone (secure
#      answers validate, insecure ones do not, bogus and unreachable
#      zones give SERVFAIL, the bogus data is there with CD set, ...);
#   2. the never-answering server gives SERVFAIL well within 10 s;
#   3. every line of expect.txt: verdict.py works the answer (and the
#      TTL, when the line has one) out from the DNS and must agree; with
#      the HTTPS server, every line of expect-sts.txt (verdict.py --sts);
#   4. the breaker (fakedns.py breaker) forwards, applies each kind of
#      rule and logs every query; its rules file is left as it was.
# Prints TAP; exits 1 when anything fails.
#
#   sh t/world/selfcheck.sh DIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
dir=${1:?usage: selfcheck.sh DIR}
[ -r "$dir/world.env" ] || { echo "selfcheck.sh: no $dir/world.env (is the world started?)" >&2; exit 2; }
. "$dir/world.env"
addr=${WORLD_RESOLVER%:*} port=${WORLD_RESOLVER##*:}
n=0 failed=0

result() {	# result OK DESCRIPTION [DIAGNOSTIC]
    n=$((n + 1))
    if [ "$1" = 0 ]; then
        echo "ok $n - $2"
    else
        echo "not ok $n - $2"; failed=$((failed + 1))
        [ -n "${3:-}" ] && echo "$3" | sed 's/^/#   /'
    fi
    return 0
}

fact() {	# fact TYPE NAME RCODE AD [drill options]: AD is 1, 0 or -
    _t=$1 _q=$2 _rc=$3 _ad=$4; shift 4
    _out=$(drill -D "$@" -p "$port" @"$addr" "$_q" "$_t" 2>&1 < /dev/null)
    _got_rc=$(echo "$_out" | sed -n 's/.*rcode: \([A-Z]*\).*/\1/p' | head -1)
    _flags=$(echo "$_out" | sed -n 's/^;; flags: \([a-z ]*\);.*/ \1 /p' | head -1)
    case $_flags in *" ad "*) _got_ad=1 ;; *) _got_ad=0 ;; esac
    _ok=0
    [ "$_got_rc" = "$_rc" ] || _ok=1
    [ "$_ad" = - ] || [ "$_got_ad" = "$_ad" ] || _ok=1
    _what="$_t $_q${*:+ ($*)}: $_rc"
    [ "$_ad" = 1 ] && _what="$_what, AD"
    [ "$_ad" = 0 ] && _what="$_what, no AD"
    result $_ok "$_what" "got rcode ${_got_rc:-none}, flags:${_flags:- none}"
}

now_ms() { date +%s%3N; }

# --- 1. DNS facts. Columns: type, name, RCODE, AD (1 set, 0 clear, - any)
facts() {
    cat <<'EOF'
DNSKEY .                               NOERROR  1
SOA    test.                           NOERROR  1
DS     test.                           NOERROR  1
MX     dane-only.test                  NOERROR  1
A      mx1.dane-only.test              NOERROR  1
AAAA   mx2.dane-only.test              NOERROR  1
TLSA   _25._tcp.mx1.dane-only.test     NOERROR  1
TLSA   _25._tcp.mx2.dane-only.test     NOERROR  1
MX     four-mx.test                    NOERROR  1
TLSA   _25._tcp.mx4.four-mx.test       NOERROR  1
MX     no-tlsa.test                    NOERROR  1
TLSA   _25._tcp.mx1.no-tlsa.test       NXDOMAIN 1
MX     implicit.test                   NOERROR  1
A      implicit.test                   NOERROR  1
TLSA   _25._tcp.implicit.test          NOERROR  1
MX     null-mx.test                    NOERROR  1
MX     nonexistent.test                NXDOMAIN 1
MX     cname-domain.test               NOERROR  1
A      alias.cname-mx.test             NOERROR  1
TLSA   _25._tcp.real.cname-mx.test     NOERROR  1
TLSA   _25._tcp.alias.cname-mx-orig.test NOERROR 1
MX     mixed.test                      NOERROR  1
TLSA   _25._tcp.mx.unusable-len.test   NOERROR  1
TLSA   _25._tcp.mx.unusable-mtype.test NOERROR  1
TLSA   _25._tcp.mx.mixed-usable.test   NOERROR  1
DS     insecure.test                   NOERROR  1
MX     insecure.test                   NOERROR  0
MX     plain.insecure.test             NOERROR  0
A      host.insecure.test              NOERROR  0
TLSA   _25._tcp.host.insecure.test     NOERROR  0
MX     insecure-addr.test              NOERROR  1
A      securehost.test                 NOERROR  1
DS     expired.test                    NOERROR  1
MX     expired.test                    SERVFAIL 0
A      mx.expired.test                 SERVFAIL 0
TLSA   _25._tcp.mx.tlsa-bogus.test     SERVFAIL 0
DS     badds.test                      NOERROR  1
DNSKEY badds.test                      SERVFAIL 0
MX     badds.test                      SERVFAIL 0
MX     dead.test                       SERVFAIL 0
MX     refused.test                    SERVFAIL 0
DS     hosts.test                      NOERROR  1
MX     cname-domain-xzone.test         NOERROR  1
A      alias.cname-mx-xzone.test       NOERROR  1
TLSA   _25._tcp.mx.hosts.test          NOERROR  1
A      alias.cname-mx-orig-xzone.test  NOERROR  1
TLSA   _25._tcp.notlsa.hosts.test      NXDOMAIN 1
TXT    _mta-sts.sts-enforce.test       NOERROR  1
A      mta-sts.sts-enforce.test        NOERROR  1
TXT    _mta-sts.sts-notxt.test         NXDOMAIN 1
MX     underscore.test                 NOERROR  1
TLSA   _25._tcp.mx_2.underscore.test   NOERROR  1
A      mx_2.sts-underscore.test        NOERROR  1
MX     sts-hostfail.test               NOERROR  1
CNAME  alias.cname-insecure.test       NOERROR  1
A      alias.cname-insecure.test       NOERROR  0
TLSA   _25._tcp.alias.cname-insecure.test NOERROR 1
MX     cname-implicit.test             NOERROR  0
CNAME  cname-implicit.test             NOERROR  1
TLSA   _25._tcp.cname-implicit.test    NOERROR  1
MX     sts.insecure.test               NOERROR  0
TXT    _mta-sts.sts.insecure.test      NOERROR  0
TLSA   _25._tcp.mx.sts-unusable.test   NOERROR  1
TLSA   _25._tcp.mx2.sts-some.test      NXDOMAIN 1
EOF
}

# --- 2. the never-answering server first, while nothing about it is cached
t0=$(now_ms)
fact MX "t$$.dead.test" SERVFAIL 0
ms=$(($(now_ms) - t0))
echo "# SERVFAIL for a new name under dead.test after $ms ms"
result $([ "$ms" -lt 8000 ] && echo 0 || echo 1) "dead.test gives SERVFAIL within 8 s (test clients wait 10 s)"

# --- 1. (the files selfcheck.* are left in DIR for a look afterwards)
facts > "$dir/selfcheck.facts"
while read -r t q rc ad; do fact "$t" "$q" "$rc" "$ad"; done < "$dir/selfcheck.facts"

# the bogus data exist: with CD (checking disabled) they come through
fact MX expired.test NOERROR 0 -o CD
fact MX badds.test NOERROR 0 -o CD

# --- 3. expect.txt against verdict.py
grep -v '^#' "$here/expect.txt" | awk 'NF { print $1, $2, ($3 ~ /^[0-9-]+$/ ? $3 : "") }' > "$dir/selfcheck.expect"
python3 "$here/verdict.py" "$WORLD_RESOLVER" $(awk '{ print $1 }' "$dir/selfcheck.expect") > "$dir/selfcheck.verdicts" < /dev/null
while read -r dom want wttl; do
    got=$(awk -v d="$dom" '$1 == d { print $2, $3; exit }' "$dir/selfcheck.verdicts")
    gans=${got% *} gttl=${got#* }
    ok=0
    [ "$gans" = "$want" ] || ok=1
    # TTLs count down in the resolver's cache: allow 120 s less
    if [ -n "$wttl" ] && [ "$wttl" != - ]; then
        case $gttl in ''|-) ok=1 ;; *) [ "$gttl" -le "$wttl" ] && [ "$gttl" -ge $((wttl - 120)) ] || ok=1 ;; esac
    elif [ "$wttl" = - ]; then
        [ "$gttl" = - ] || ok=1
    fi
    result $ok "expect.txt: $dom $want${wttl:+ TTL $wttl}" "$(grep "^$dom " "$dir/selfcheck.verdicts")"
done < "$dir/selfcheck.expect"

# --- 3. expect-sts.txt against verdict.py --sts (needs the HTTPS server)
if [ -s "$dir/nginx.pid" ] && [ -r "$WORLD_CA" ]; then
    grep -v '^#' "$here/expect-sts.txt" | sed 's/ *#.*//' | awk 'NF' > "$dir/selfcheck.expect-sts"
    python3 "$here/verdict.py" "$WORLD_RESOLVER" --sts "$WORLD_CA" $(awk '{ print $1 }' "$dir/selfcheck.expect-sts") \
        > "$dir/selfcheck.verdicts-sts" < /dev/null
    while read -r dom want; do
        got=$(awk -v d="$dom" '$1 == d { sub(/^[^ ]+ /, ""); sub(/ [0-9-]+  #.*/, ""); print; exit }' "$dir/selfcheck.verdicts-sts")
        ok=0; [ "$got" = "$want" ] || ok=1
        result $ok "expect-sts.txt: $dom $want" "$(grep "^$dom " "$dir/selfcheck.verdicts-sts")"
    done < "$dir/selfcheck.expect-sts"
fi

# --- 4. the breaker, with a rules file of its own (restored afterwards)
if [ -n "${WORLD_BREAKER:-}" ]; then
    b_addr=${WORLD_BREAKER%:*} b_port=${WORLD_BREAKER##*:}
    cp "$dir/breaker.rules" "$dir/selfcheck.rules.saved"
    before=$(wc -l < "$dir/breaker.log")
    port=$b_port addr=$b_addr
    fact MX dane-only.test NOERROR 1
    cat > "$dir/breaker.rules" <<'EOR'
# selfcheck.sh
dane-only.test MX noad
mixed.test MX servfail
no-tlsa.test * nxdomain
_mta-sts.no-tlsa.test TXT txt "v=STSv1; id=selfcheck1;"
null-mx.test MX mx 10 securehost.test
four-mx.test MX nodata
EOR
    touch -d '+1 sec' "$dir/breaker.rules"     # a new mtime even within the same second
    fact MX dane-only.test NOERROR 0
    fact MX mixed.test SERVFAIL 0
    fact A no-tlsa.test NXDOMAIN 0
    fact TXT _mta-sts.no-tlsa.test NOERROR 0
    out=$(drill -p "$b_port" @"$b_addr" _mta-sts.no-tlsa.test TXT 2>&1)
    result "$(echo "$out" | grep -q 'TXT.*"v=STSv1; id=selfcheck1;"'; echo $?)" "breaker: txt rule gives the TXT record"
    out=$(drill -p "$b_port" @"$b_addr" null-mx.test MX 2>&1)
    result "$(echo "$out" | grep -q 'MX.*10 securehost.test'; echo $?)" "breaker: mx rule gives the MX record"
    fact MX four-mx.test NOERROR 0
    out=$(drill -p "$b_port" @"$b_addr" four-mx.test MX 2>&1)
    result "$(echo "$out" | grep -q 'ANSWER: 0'; echo $?)" "breaker: nodata rule gives no answer record"
    # TCP is forwarded and broken the same way
    fact MX mixed.test SERVFAIL 0 -t
    fact MX implicit.test NOERROR 1 -t
    after=$(wc -l < "$dir/breaker.log")
    result "$([ $((after - before)) -eq 11 ]; echo $?)" "breaker.log: one line per query (11, got $((after - before)))"
    result "$(tail -n $((after - before)) "$dir/breaker.log" | grep -cx 'mixed.test MX servfail' | grep -qx 2; echo $?)" \
        "breaker.log: NAME TYPE ACTION lines"
    mv "$dir/selfcheck.rules.saved" "$dir/breaker.rules"
    touch -d '+2 sec' "$dir/breaker.rules"
    fact MX mixed.test NOERROR 1
fi

echo "1..$n"
[ "$failed" = 0 ]
