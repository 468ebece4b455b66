#!/bin/sh
# 06-resolver-watch.sh - the helper probes its resolver itself (". SOA"
# with AD, at most once per 300 s, the result kept in the cache): while
# the resolver does not validate (the world's nsd answers without AD) a
# DANE lookup answers temporary failure and caches nothing, one warning
# is logged per probe, -q -v says so and /metrics shows
# tlspolicyd_resolver_validating 0; a validating resolver answers as
# before and shows 1. The reasons name what failed: the RCODE of a
# failed MX lookup, connection refused (not timeout), a hint for SERVFAIL
# on the root SOA, a short non-validating reason.
. "$top_srcdir/t/lib.sh"
command -v sqlite3 >/dev/null 2>&1 || t_skip_all "sqlite3 is not installed"
t_need "DNS servers on port 53 of 127.77.66.x" nsd unbound ldns-signzone
t_world 127.77.66
mkdir -p "$T_DIR/c"
chown "$T_USER:$T_USER" "$T_DIR/c"
DB=$T_DIR/c/cache.db
NSD=$WORLD_NET.10:53
printf '%s\n' "dns_resolver = $NSD" "cache_file = $DB" "dns_timeout = 1s" \
    "dns_deadline = 3s" > "$T_DIR/bad.cf"
printf '%s\n' "dns_resolver = $WORLD_RESOLVER" "cache_file = $DB" \
    "dns_timeout = 1s" "dns_deadline = 3s" > "$T_DIR/good.cf"
rows() { sqlite3 "$DB" "select count(*) from dane"; }
metrics() {
    printf 'GET /metrics HTTP/1.0\r\n\r\n' | t_as_user timeout 10 "$TP" -c "$1" \
        | grep '^tlspolicyd_resolver_validating'
}

out=$("$TP" -c "$T_DIR/bad.cf" -q dane-only.test 2>"$T_DIR/err"); rc=$?
t_is "$rc:$out" "75:" "non-validating resolver: a DANE domain answers temporary failure, not 'not found'"
t_like "$(cat "$T_DIR/err")" "warning: resolver $NSD answers \". SOA\" without the AD bit.*DANE lookups answer temporary failure" "a clear warning"
t_like "$(cat "$T_DIR/err")" "does not validate DNSSEC" "the reason says the resolver does not validate"
t_is "$(rows)" 0 "no DANE verdict cached"
t_is "$(sqlite3 "$DB" "select value from state where name = 'resolver $NSD'")" "not-validating" "the probe's result is kept in the cache"

"$TP" -c "$T_DIR/bad.cf" -q insecure.test >/dev/null 2>"$T_DIR/err2"; rc=$?
t_is "$rc" 75 "an unsigned domain too: temporary failure while DANE cannot be judged"
t_unlike "$(cat "$T_DIR/err2")" "warning: resolver" "within the probe interval: no second probe, no second warning"
out=$("$TP" -c "$T_DIR/bad.cf" -q dane-only.test -v 2>&1)
t_like "$out" "debug: resolver $NSD, probed [0-9]+s ago: not-validating" "-q -v says what the last probe saw"
t_like "$(metrics "$T_DIR/bad.cf")" "^tlspolicyd_resolver_validating\{resolver=\"$NSD\"\} 0" "metric: 0 for the non-validating resolver"

# the helpers now run with good.cf: the first one (here a /metrics
# scrape) stores its settings, so that -q -c good.cf may use the cache
metrics "$T_DIR/good.cf" > /dev/null
out=$("$TP" -c "$T_DIR/good.cf" -q dane-only.test 2>"$T_DIR/err3"); rc=$?
t_is "$rc:$out" "0:dane-only" "validating resolver: dane-only"
t_unlike "$(cat "$T_DIR/err3")" "warning" "no warning for a validating resolver"
t_is "$(rows)" 1 "its verdict is cached"
t_like "$(metrics "$T_DIR/good.cf")" "^tlspolicyd_resolver_validating\{resolver=\"$WORLD_RESOLVER\"\} 1" "metric: 1 for the validating resolver"

# an old probe is probed again; an unparsable row is not trusted
sqlite3 "$DB" "update state set stamp = stamp - 301 where name = 'resolver $WORLD_RESOLVER'; delete from dane"
"$TP" -c "$T_DIR/good.cf" -q dane-only.test >/dev/null 2>&1
t_like "$(sqlite3 "$DB" "select strftime('%s','now') - stamp < 60 from state where name = 'resolver $WORLD_RESOLVER'")" "^1$" "a probe older than 300 s is made again"
sqlite3 "$DB" "update state set value = 'bogus' where name = 'resolver $WORLD_RESOLVER'; delete from dane"
out=$("$TP" -c "$T_DIR/good.cf" -q dane-only.test 2>/dev/null); rc=$?
t_is "$rc:$out:$(sqlite3 "$DB" "select value from state where name = 'resolver $WORLD_RESOLVER'")" "0:dane-only:validating" "a malformed probe row: probed again"

# a failed probe holds 30 s, a good one 300 s: a resolver just fixed is
# seen within half a minute
sqlite3 "$DB" "update state set value = 'no-answer', stamp = strftime('%s','now') - 31 where name = 'resolver $WORLD_RESOLVER'; delete from dane"
"$TP" -c "$T_DIR/good.cf" -q dane-only.test >/dev/null 2>&1
t_is "$(sqlite3 "$DB" "select value, strftime('%s','now') - stamp < 30 from state where name = 'resolver $WORLD_RESOLVER'")" "validating|1" "a failed probe older than 30 s is made again"
sqlite3 "$DB" "update state set stamp = strftime('%s','now') - 31 where name = 'resolver $WORLD_RESOLVER'; delete from dane"
"$TP" -c "$T_DIR/good.cf" -q dane-only.test >/dev/null 2>&1
t_is "$(sqlite3 "$DB" "select strftime('%s','now') - stamp >= 31 from state where name = 'resolver $WORLD_RESOLVER'")" "1" "a good probe 31 s old still holds"

# a cached answer costs no probe
sqlite3 "$DB" "update state set value = 'not-validating', stamp = strftime('%s','now') where name = 'resolver $WORLD_RESOLVER'"
out=$("$TP" -c "$T_DIR/good.cf" -q dane-only.test 2>/dev/null); rc=$?
t_is "$rc:$out" "0:dane-only" "a cached verdict is answered without looking at the probe"

# --- reasons an administrator understands at once, short enough for
# Postfix's log line, with the RCODE
reason() { sed -n 's/^tlspolicyd: temporary failure: //p' "$1"; }
"$TP" -c "$T_DIR/bad.cf" -o cache_file= -q dane-only.test >/dev/null 2>"$T_DIR/err"
r=$(reason "$T_DIR/err")
t_like "$r" "resolver $NSD does not validate DNSSEC" "non-validating resolver: the reason says so"
t_ok "non-validating resolver: the reason is short (${#r} characters)" test "${#r}" -le 120
t_is "$(printf '%s\n' "$r" | grep -o 'does not validate' | wc -l)" 1 "non-validating resolver: said once"
printf '%s\n' "dns_resolver = $WORLD_BREAKER" "cache_file =" "dns_timeout = 1s" \
    "dns_deadline = 3s" > "$T_DIR/brk.cf"
t_rules "dane-only.test MX servfail"
"$TP" -c "$T_DIR/brk.cf" -q dane-only.test >/dev/null 2>"$T_DIR/err"
t_like "$(reason "$T_DIR/err")" "MX lookup failed: SERVFAIL$" "MX SERVFAIL: the reason names the RCODE"
"$TP" -c "$T_DIR/brk.cf" -o "dns_resolver=$WORLD_NET.21:53" -q dane-only.test >/dev/null 2>"$T_DIR/err"
t_like "$(reason "$T_DIR/err")" "MX lookup failed: REFUSED$" "a resolver that answers REFUSED: named"
"$TP" -c "$T_DIR/brk.cf" -o "dns_resolver=$WORLD_NET.99:53" -q dane-only.test >/dev/null 2>"$T_DIR/err"
t_like "$(reason "$T_DIR/err")" "MX lookup failed: connection refused$" "nothing listens on the resolver's port: connection refused, not timeout"
t_like "$(cat "$T_DIR/err")" "resolver $WORLD_NET.99:53: no usable answer to \". SOA\": connection refused \(.*is the resolver running\?\)" \
    "the probe warning says connection refused, with a hint"
t_rules ". SOA servfail"
out=$("$TP" -c "$T_DIR/brk.cf" -t 2>&1)
t_like "$out" "FAIL: resolver $WORLD_BREAKER: no usable answer to \". SOA\": SERVFAIL \(trust anchor missing or broken\? no internet access to the root servers\?\)" \
    "SERVFAIL on the root SOA: a hint (trust anchor? internet access?)"
t_rules ""
t_done
