#!/bin/sh
# 31-protection.sh - issue 19: protection history, drop alarms and
# deferrals by cause, against the real test world changed between
# lookups (zones edited and re-signed, policy files replaced, single
# answers forged by the breaker). Postfix's helpers share one cache; DNS
# records of the names below live 2 s, cached verdicts at most 2 s.
#   - first sightings record nothing (only the baseline);
#   - TLSA removed from a signed zone (re-signed): one DANE drop, and 64
#     helpers asking at once record, log and count it once;
#   - an enforce policy replaced by mode none: one MTA-STS drop;
#   - a new MX host that only fails: nothing recorded; with an enforce
#     policy the answer defers, listed in deferrals_view with its cause
#     until the domain is answered again;
#   - a forged unsigned MX (the breaker) where the zone still validates:
#     nothing recorded, one warning; an MX and SOA both unsigned is
#     believed;
#   - every answer is the one t/world/verdict.py works out from the same
#     world, i.e. today's rules;
#   - /metrics shows the counters, -q -v explains.
. "$top_srcdir/t/lib.sh"
. "$top_srcdir/t/postfix.sh"

t_need "DNS on port 53, HTTPS on 443 of 127.77.71.x, Postfix" nsd unbound ldns-signzone \
    ldns-keygen drill nginx openssl curl postfix sqlite3 python3
t_world 127.77.71
chmod 755 "$T_DIR/world" "$T_DIR/world/https"
W=$T_DIR/world
Z=$W/zones
WWW=$W/https/www
H1=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
MX=$WORLD_MX_ADDR

# --- the zone: our names with 2 s TTLs, added before anything asked them
zone_names() {
    for d in prot-dane prot-fail prot-forge prot-noad; do
        echo "$d.test. 2 IN MX 10 mx.$d.test."
        echo "mx.$d.test. 2 IN A $MX"
        echo "_25._tcp.mx.$d.test. 2 IN TLSA 3 1 1 $H1"
    done
}
KEY=$(cd "$W/keys" && ls Ktest.+*.key | head -1)
resign() {	# re-sign test. from $Z/test.zone; nsd reads it on SIGHUP
    ldns-signzone -i "$(date -u -d '-1 day' +%Y%m%d%H%M%S)" -e "$(date -u -d '+30 days' +%Y%m%d%H%M%S)" \
        -o test. -f "$Z/test.zone.signed" "$Z/test.zone" "$W/keys/${KEY%.key}" || return 1
    touch -d '+1 sec' "$Z/test.zone.signed"
    kill -HUP "$(tr -dc 0-9 < "$W/nsd.pid")"
}
served() {	# served NAME TYPE: how many records nsd itself answers
    drill -p 53 @"$WORLD_NET.10" "$1" "$2" 2>/dev/null | awk -v t="$2" '
        /^;; ANSWER SECTION/ { a = 1; next } /^;; / { a = 0 } a && $4 == t { n++ } END { print n + 0 }'
}
wait_served() {	# wait_served NAME TYPE COUNT: until nsd answers that (bounded)
    _i=0
    while [ "$(served "$1" "$2")" != "$3" ] && [ $_i -lt 50 ]; do sleep 0.1; _i=$((_i + 1)); done
    [ "$(served "$1" "$2")" = "$3" ]
}
resolved() {	# resolved NAME TYPE COUNT: until the resolver gives that many
		# records (its cache of the old ones expired; bounded)
    _i=0
    while [ "$(drill -p "${WORLD_RESOLVER##*:}" @"${WORLD_RESOLVER%:*}" "$1" "$2" 2>/dev/null \
        | awk -v t="$2" '/^;; ANSWER SECTION/ { a = 1; next } /^;; / { a = 0 } a && $4 == t { n++ } END { print n + 0 }')" != "$3" ] \
        && [ $_i -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done
}
expire() { sleep 2.3; }	# DNS TTLs and cached verdicts are gone
said() {	# said DOMAIN: the helpers' last lines about it, as TAP comments
    grep -F "$1" "$LOG" | tail -4 | cut -c1-300 | sed 's/^/# /'
}

zone_names >> "$Z/test.zone"
# the two MTA-STS names we change: 2 s TTLs too
sed -i -E 's/^((mx\.|_mta-sts\.|mta-sts\.)?sts-(outage|ratelimit)\.test\.) 300 /\1 2 /' "$Z/test.zone"
resign && wait_served _25._tcp.mx.prot-noad.test TLSA 1
t_result $? "our names are added to test. (re-signed, nsd reloaded)"

LISTEN=127.77.31.1:10028
pf_tlspolicyd_conf "$T_DIR" "dns_resolver = $WORLD_BREAKER" "cache_file = $T_DIR/q/cache.db" \
    "mtasts_ca_file = $WORLD_CA" "mtasts_fetch_timeout = $T_FETCH_TIMEOUT" \
    "cache_min_ttl = 1s" "cache_max_ttl = 2s"
mkdir -p "$T_DIR/q"; chown "$T_USER:$T_USER" "$T_DIR/q"
pf_setup "$T_DIR" "$LISTEN" "$TP -c $T_DIR/tlspolicyd.cf"
pf_start "$T_DIR" || { t_result 1 "postfix starts"; t_done; }
LOG=$T_DIR/tlspolicyd.log
DB=$T_DIR/q/cache.db
pm() { pf_answer "$T_DIR" "$1" "tcp:$LISTEN"; }
verdict() {	# what t/world/verdict.py says the answer is now (expect words)
    python3 "$top_srcdir/t/world/verdict.py" "$WORLD_BREAKER" --sts "$WORLD_CA" "$1" 2>/dev/null \
        | sed -E 's/^[^ ]+ //; s/ +[^ ]+ +#.*$//'
}
same() {	# same DOMAIN DESC: Postfix's answer is verdict.py's
    _got=$(pm "$1")
    _want=$(verdict "$1")
    t_is "$_got" "$_want" "$2: $_got"
    [ "$_got" = "$_want" ] || said "$1"
}
q() { sqlite3 "$DB" "$1"; }
metric() { curl -s --max-time 5 "http://$LISTEN/metrics" | awk -v k="$1" '$1 == k { print $2 }'; }
SOME_STS="secure match=mx.sts-ratelimit.test:.sts-ratelimit.test servername=hostname"

# --- first sightings: baselines only
for d in prot-dane prot-fail prot-forge prot-noad; do
    same $d.test "first lookup of $d.test"
done
same sts-outage.test "first lookup of sts-outage.test (enforce policy fetched)"
same sts-ratelimit.test "first lookup of sts-ratelimit.test"
t_is "$(q "select count(*) from protection_changes")" 0 "first sightings: no change recorded"
t_is "$(q "select count(*) from protection where dane <> ''")" 6 "  but six DANE baselines stored"
t_is "$(q "select mta_sts || ' ' || sts_id from protection_view where domain = 'sts-outage.test'")" \
    "enforce 20261123outage" "  and the enforce policy of sts-outage.test"
t_unlike "$(cat "$LOG")" "protection (dropped|raised|changed)" "  nothing logged as a change"

# --- TLSA removed from a signed zone: 64 helpers ask at once
sed -i '/^_25\._tcp\.mx\.prot-dane\.test\./d' "$Z/test.zone"
resign && wait_served _25._tcp.mx.prot-dane.test TLSA 0
t_result $? "prot-dane.test: TLSA removed, zone re-signed"
expire
resolved _25._tcp.mx.prot-dane.test TLSA 0
want=$(verdict prot-dane.test)
i=0
while [ $i -lt 64 ]; do
    (out=$(pf_postmap "$T_DIR" -q prot-dane.test "tcp:$LISTEN" 2>"$T_DIR/err.$i"); rc=$?
     if [ -s "$T_DIR/err.$i" ]; then echo temp; elif [ $rc -eq 1 ]; then echo notfound
     else echo "$out"; fi > "$T_DIR/answer.$i") &
    i=$((i + 1))
done
wait
t_is "$(cat "$T_DIR"/answer.* | sort -u | tr '\n' ' ')" "$want " "64 helpers at once: each answer is verdict.py's ($want)"
t_is "$(q "select count(*) from protection_changes where domain = 'prot-dane.test'")" 1 \
    "TLSA removed: one change row"
t_is "$(q "select what || '|' || before || '|' || after || '|' || dropped from protection_changes
    where domain = 'prot-dane.test'")" "dane|dane-only, MX secure|none, MX secure|1" \
    "  a DANE drop, dane-only -> none"
t_is "$(grep -c 'protection dropped: domain=prot-dane.test' "$LOG")" 1 "  logged once"
t_like "$(grep 'protection dropped: domain=prot-dane.test' "$LOG")" \
    'warning: protection dropped: domain=prot-dane.test what=dane before="dane-only, MX secure" after="none, MX secure" evidence="secure MX; of 1 host' \
    "  a warning with domain, before, after and evidence"

# --- an enforce policy replaced by mode none (a new id)
t_rules '_mta-sts.sts-outage.test TXT txt "v=STSv1; id=outagenone1;"'
printf 'version: STSv1\r\nmode: none\r\nmax_age: 86400\r\n' > "$WWW/outage/.well-known/mta-sts.txt"
expire
same sts-outage.test "sts-outage.test, policy now mode none"
t_is "$(q "select what || '|' || before || '|' || after || '|' || dropped from protection_changes
    where domain = 'sts-outage.test'")" \
    "mta-sts|enforce id=20261123outage mx=mx.sts-outage.test *.sts-outage.test|none id=outagenone1|1" \
    "an MTA-STS drop, enforce -> none"
t_is "$(grep -c 'protection dropped: domain=sts-outage.test what=mta-sts' "$LOG")" 1 "  logged once"
t_like "$(grep 'protection dropped: domain=sts-outage.test' "$LOG")" \
    'evidence="policy fetched from https://mta-sts.sts-outage.test/: mode none, id outagenone1"' \
    "  with the evidence"
t_is "$(metric 'tlspolicyd_protection_drops_total{what="dane"}')" 1 "/metrics: one DANE drop"
t_is "$(metric 'tlspolicyd_protection_drops_total{what="mta-sts"}')" 1 "/metrics: one MTA-STS drop"

# --- a new MX host that only fails (in the bogus zone)
echo "prot-fail.test. 2 IN MX 20 mx.expired.test." >> "$Z/test.zone"
echo "sts-ratelimit.test. 2 IN MX 20 mx.expired.test." >> "$Z/test.zone"
resign && wait_served sts-ratelimit.test MX 2 && wait_served prot-fail.test MX 2
t_result $? "prot-fail.test and sts-ratelimit.test: a failing MX host added"
expire
resolved sts-ratelimit.test MX 2
resolved prot-fail.test MX 2
same prot-fail.test "prot-fail.test with a failing host"
same sts-ratelimit.test "sts-ratelimit.test (enforce) with a failing host"
t_is "$(q "select count(*) from protection_changes where domain in ('prot-fail.test', 'sts-ratelimit.test')")" 0 \
    "a failing host: nothing recorded"
t_is "$(q "select cause from deferrals_view where domain = 'sts-ratelimit.test'")" host-lookup-failed \
    "the deferred domain is listed with its cause"
t_is "$(q "select count(*) from deferrals_view where domain = 'sts-ratelimit.test' and since <= last and count >= 1")" 1 \
    "  since, last, count"
t_like "$(grep 'lookup domain=sts-ratelimit.test answer=temp' "$LOG" | tail -1)" \
    'reason="MTA-STS policy in force, DANE unknown \(host-lookup-failed\): .* cause=host-lookup-failed' \
    "  the log line and the reason name the cause"
t_ok "  counted: deferrals_total{cause=\"host-lookup-failed\"}" \
    test "$(metric 'tlspolicyd_deferrals_total{cause="host-lookup-failed"}')" -ge 1
err=$("$TP" -c "$T_DIR/tlspolicyd.cf" -v -q sts-ratelimit.test 2>&1 >/dev/null)
t_like "$err" "cause host-lookup-failed: " "-q -v names the cause"
t_like "$err" "deferred since [0-9-]+ [0-9:]+ UTC, [0-9]+ time\(s\), cause host-lookup-failed" \
    "-q -v shows the deferral"
# the failing host goes again: answered, and no longer listed
sed -i -E '/^(prot-fail|sts-ratelimit)\.test\. 2 IN MX 20 /d' "$Z/test.zone"
resign && wait_served sts-ratelimit.test MX 1
expire
resolved sts-ratelimit.test MX 1
a=$(pm sts-ratelimit.test)
t_is "$a" "$SOME_STS" "sts-ratelimit.test answered again"
[ "$a" = "$SOME_STS" ] || said sts-ratelimit.test
t_is "$(q "select count(*) from deferrals_view where domain = 'sts-ratelimit.test'")" 0 \
    "  and gone from deferrals_view"

# --- a forged unsigned MX where the zone still validates
t_rules "prot-forge.test MX mx 10 securehost.test"
expire
same prot-forge.test "prot-forge.test with a forged unsigned MX"
t_is "$(q "select count(*) from protection_changes where domain = 'prot-forge.test'")" 0 \
    "a forged unsigned MX: nothing recorded"
t_like "$(grep 'prot-forge.test' "$LOG")" \
    'warning: protection change not believed: domain=prot-forge.test what=dane .*SOA answer validates' \
    "  one warning says why"
t_is "$(q "select dane || ',' || mx from protection_view where domain = 'prot-forge.test'")" \
    "dane-only,secure" "  the recorded protection stays"
# an MX and an SOA answer both unsigned: believed
t_rules "prot-noad.test MX noad" "prot-noad.test SOA noad"
expire
same prot-noad.test "prot-noad.test, MX and SOA unsigned"
t_is "$(q "select before || '|' || after || '|' || dropped from protection_changes where domain = 'prot-noad.test'")" \
    "dane-only, MX secure|none, MX insecure|1" "MX and SOA unsigned: a drop"
t_like "$(grep 'protection dropped: domain=prot-noad.test' "$LOG")" 'SOA prot-noad.test: insecure too' \
    "  the evidence names the second answer"
# an MX lookup that fails: deferred, cause mx-lookup-failed
t_rules "prot-forge.test MX servfail"
expire
same prot-forge.test "prot-forge.test, MX lookup fails"
t_is "$(q "select cause from deferrals_view where domain = 'prot-forge.test'")" mx-lookup-failed \
    "an MX failure: listed, mx-lookup-failed"
t_rules ""
expire
same prot-forge.test "prot-forge.test, MX answered again"
t_is "$(q "select count(*) from deferrals_view where domain = 'prot-forge.test'")" 0 "  no longer listed"
# the same, answered again by tlspolicyd -q (which records no history,
# but stores the answer: the domain must leave the view all the same)
t_rules "prot-forge.test MX servfail"
expire
same prot-forge.test "prot-forge.test, MX lookup fails again"
t_is "$(q "select count(*) from deferrals_view where domain = 'prot-forge.test'")" 1 "  listed again"
t_rules ""
expire
t_is "$("$TP" -c "$T_DIR/tlspolicyd.cf" -q prot-forge.test 2>/dev/null)" "$(verdict prot-forge.test)" \
    "  tlspolicyd -q answers it"
t_is "$(q "select count(*) from deferrals_view where domain = 'prot-forge.test'")" 0 "  and it is no longer listed"

# --- in all: the two real drops and the believed one, each once
t_is "$(q "select count(*) from protection_changes where dropped = 1")" 3 "three drops recorded in all"
t_is "$(grep -c 'protection dropped' "$LOG")" 3 "  three warning lines"
t_is "$(metric 'tlspolicyd_protection_drops_total{what="dane"}')" 2 "  /metrics: two DANE drops"
body=$(curl -s --max-time 5 "http://$LISTEN/metrics")
t_like "$body" '# TYPE tlspolicyd_protection_drops_total counter' "/metrics: TYPE of the drops counter"
t_like "$body" '# HELP tlspolicyd_deferrals_total ' "/metrics: HELP of the deferrals counter"
t_like "$body" 'tlspolicyd_deferrals_total\{cause="resolver-not-validating"\} 0' \
    "/metrics: causes not seen yet show 0"
err=$("$TP" -c "$T_DIR/tlspolicyd.cf" -v -q prot-dane.test 2>&1 >/dev/null)
t_like "$err" "protection of prot-dane.test: DANE none, MX secure \(since [0-9-]+ [0-9:]+ UTC\); MTA-STS " \
    "-q -v: the recorded protection and since when"
t_like "$err" "last change: [0-9-]+ [0-9:]+ UTC, dane: dane-only, MX secure -> none, MX secure \(a drop\)" \
    "-q -v: the last change"
t_is "$(q "pragma integrity_check")" ok "integrity_check is ok"
t_done
