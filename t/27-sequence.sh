#!/bin/sh
# 27-sequence.sh - issue 10: one cache across changing world phases. The
# breaker (the helpers' dns_resolver) and the policy files change between
# lookups; cached DNS verdicts and TXT checks live 2 s for -q (12 s for
# the Postfix helpers), so each phase sees the new DNS. What must hold
# (DESIGN.md 5 and 6, RFC 8461 3.3 and 10):
#   - a cached enforce policy survives its TXT record being removed or
#     failing, and a policy host that is down when a new id appears;
#   - a new id serving "mode: none" removes it (not found);
#   - an MX host that starts failing never turns the answer into "dane";
#   - an MX forged to a signed host with TLSA (no AD) keeps "secure";
#   - max_age: 0 costs one fetch, not one per lookup;
#   - a domain without _mta-sts TXT and a cached DANE verdict sends at
#     most one TXT query for 5 lookups;
#   - a refresh that fails does not start a refresh process per lookup;
#   - a max_age 40 policy is refetched in its last quarter (same id) and
#     still enforced after the first 40 s, when its host has gone.
. "$top_srcdir/t/lib.sh"
. "$top_srcdir/t/postfix.sh"

t_need "DNS on port 53, HTTPS on 443 of 127.77.67.x, Postfix" nsd unbound ldns-signzone nginx openssl curl postfix sqlite3 python3
t_world 127.77.67
t_result 0 "the test world with its HTTPS server and breaker starts"
chmod 755 "$T_DIR/world" "$T_DIR/world/https"
# one cache for -q and the Postfix helpers
t_q_conf "$WORLD_BREAKER" "cache_min_ttl = 1s" "cache_max_ttl = 2s"
LISTEN=127.77.27.1:10028
pf_tlspolicyd_conf "$T_DIR" "dns_resolver = $WORLD_BREAKER" "cache_file = $T_DIR/q/cache.db" \
    "mtasts_ca_file = $WORLD_CA" "mtasts_fetch_timeout = 2s" "cache_min_ttl = 1s" "cache_max_ttl = 12s"
pf_setup "$T_DIR" "$LISTEN" "$TP -c $T_DIR/tlspolicyd.cf"
pf_start "$T_DIR" || { t_result 1 "postfix starts"; t_done; }
pm() { pf_answer "$T_DIR" "$1" "tcp:$LISTEN"; }
LOG=$T_DIR/tlspolicyd.log
WWW=$T_DIR/world/https/www
BLOG=$T_DIR/world/breaker.log
policy() {	# policy NAME MODE [MAX_AGE]: sts-NAME.test's policy file
    printf 'version: STSv1\r\nmode: %s\r\nmx: mx.sts-%s.test\r\nmx: *.sts-%s.test\r\nmax_age: %s\r\n' \
        "$2" "$1" "$1" "${3:-604800}" > "$WWW/$1/.well-known/mta-sts.txt"
}
until_t() {	# until_t SECONDS: sleep until SECONDS after T0 (bounded by it)
    _left=$(( T0 * 1000 + $1 * 1000 - $(t_ms) ))
    [ "$_left" -gt 0 ] && sleep "$(( _left / 1000 )).$(printf '%03d' $(( _left % 1000 )))"
    return 0
}
expire() { sleep 2.2; }	# -q's cached verdicts and TXT checks are gone
SEQ="secure match=mx.sts-seq.test:.sts-seq.test servername=hostname"
SHORT="secure match=mx.sts-short.test servername=hostname"
ZERO="secure match=mx.sts-maxage0.test servername=hostname"
T0=$(date +%s)

# --- t=0: a max_age 40 policy, and a DANE verdict the helpers will refresh
t_is "$(pm sts-short.test)" "$SHORT" "max_age 40: the first lookup fetches and enforces"
SHORT_AT=$(date +%s)
t_is "$(t_sts_fetches sts-short.test)" 1 "max_age 40: one fetch"
t_is "$(pm four-mx.test)" dane-only "four-mx.test cached (12 s) by a helper"
FOURMX_AT=$(t_ms)

# --- max_age: 0 costs one fetch, not one per lookup
for i in 1 2 3 4 5; do
    t_is "$(t_word sts-maxage0.test -o cache_max_ttl=1d)" "$ZERO" "max_age 0: lookup $i enforces"
done
t_is "$(t_sts_fetches sts-maxage0.test)" 1 "max_age 0: 5 lookups, 1 fetch"

# --- no _mta-sts TXT: its absence is cached with the DANE verdict
for i in 1 2 3 4 5; do
    t_is "$(t_word no-tlsa.test -o cache_max_ttl=1d)" notfound "no TXT: lookup $i not found"
done
t_is "$(grep -c '^no-tlsa.test MX ' "$BLOG")" 1 "no TXT: the DANE verdict was cached (one MX query)"
n=$(grep -c '^_mta-sts.no-tlsa.test TXT ' "$BLOG")
t_ok "no TXT: 5 lookups sent $n TXT queries (at most 1)" test "$n" -le 1

# --- a refresh that cannot renew: four-mx.test's MX fails from now on;
# in the entry's last quarter (9..12 s after it was cached, not after T0:
# on a loaded machine the steps above can take seconds) 20 lookups
_left=$(( FOURMX_AT + 9000 - $(t_ms) ))
[ "$_left" -gt 0 ] && sleep "$(( _left / 1000 )).$(printf '%03d' $(( _left % 1000 )))"
t_rules "four-mx.test MX servfail"
: > "$T_DIR/answers"
for i in $(seq 20); do pm four-mx.test >> "$T_DIR/answers"; done
t_unlike "$(sort -u "$T_DIR/answers")" "^(dane|notfound)$" "failing refresh: no lookup got a weaker answer ($(sort -u "$T_DIR/answers" | tr '\n' ' '))"
i=0
while ps -e -o args= | grep -q "[-]R four-mx.test" && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
n=$(grep -c "refresh of four-mx.test started" "$LOG")
t_ok "failing refresh: 20 lookups started $n refresh processes (at most 2)" test "$n" -le 2
t_ok "failing refresh: but one did start" test "$n" -ge 1
t_rules ""

# --- sts-seq.test: an enforce policy cached, then the world changes
t_is "$(t_word sts-seq.test)" "$SEQ" "seq: enforce policy fetched"
t_rules "_mta-sts.sts-seq.test TXT nxdomain"; expire
t_is "$(t_word sts-seq.test)" "$SEQ" "seq: TXT removed (NXDOMAIN): the cached policy still holds"
t_rules "_mta-sts.sts-seq.test TXT servfail"; expire
t_is "$(t_word sts-seq.test)" "$SEQ" "seq: TXT lookup fails: the cached policy still holds"
t_rules "mx.sts-seq.test A servfail" "mx.sts-seq.test AAAA servfail" "_25._tcp.mx.sts-seq.test TLSA servfail"; expire
a=$(t_word sts-seq.test)
t_is "$a" temp "seq: the MX host starts failing: temp (a DANE fact is missing), never dane"
t_rules "sts-seq.test MX mx 10 securehost.test"; expire
t_is "$(t_word sts-seq.test)" "$SEQ" "seq: MX forged to securehost.test (TLSA, no AD): still secure"
t_rules '_mta-sts.sts-seq.test TXT txt "v=STSv1; id=seqnone1;"'
policy seq none; expire
fetched=$(t_sts_fetches sts-seq.test)
t_is "$(t_word sts-seq.test)" notfound "seq: new id serving mode none: not found"
t_is "$(t_sts_fetches sts-seq.test)" $((fetched + 1)) "seq: (the new id was fetched)"
t_rules '_mta-sts.sts-seq.test TXT txt "v=STSv1; id=seqback1;"'
policy seq enforce; expire
t_is "$(t_word sts-seq.test)" "$SEQ" "seq: new id, enforce again"
t_rules '_mta-sts.sts-seq.test TXT txt "v=STSv1; id=seqdown1;"' "mta-sts.sts-seq.test A servfail"
rm -f "$WWW/seq/.well-known/mta-sts.txt"; expire
t_is "$(t_word sts-seq.test)" "$SEQ" "seq: policy host down, new id: the cached policy still holds"
expire
t_is "$(t_word sts-seq.test)" "$SEQ" "seq: asked again: still secure"
t_rules ""

# --- max_age 40: the last quarter starts 30 s after the fetch; a lookup
# then starts a refresh process that fetches the same id again (never
# sooner than 30 s after the last fetch) and restarts max_age, so the
# policy outlives its host (README, MTA-STS b2 and d).
until_t $(( SHORT_AT - T0 + 31 ))
t_is "$(pm sts-short.test)" "$SHORT" "max_age 40: in the last quarter, answered"
i=0
while [ "$(t_sts_fetches sts-short.test)" -lt 2 ] && [ $i -lt 80 ]; do sleep 0.1; i=$((i + 1)); done
t_is "$(t_sts_fetches sts-short.test)" 2 "max_age 40: refetched in the last quarter (same id)"
rm -f "$WWW/short/.well-known/mta-sts.txt"
t_rules "mta-sts.sts-short.test A servfail"
until_t $(( SHORT_AT - T0 + 42 ))
t_ok "max_age 40: the first max_age has passed ($(( $(date +%s) - SHORT_AT )) s)" test $(( $(date +%s) - SHORT_AT )) -gt 40
t_is "$(pm sts-short.test)" "$SHORT" "max_age 40, policy host gone: still secure through Postfix"
t_is "$(t_word sts-short.test)" "$SHORT" "max_age 40, policy host gone: still secure with -q"
echo "# the whole sequence took $(( $(date +%s) - T0 )) s after the world started"
t_done
