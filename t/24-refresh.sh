#!/bin/sh
# 24-refresh.sh - refresh before expiry without a resident daemon: a cached
# entry near expiry is answered at once from the cache and refreshed by a
# child process after the reply; two helpers never refresh one domain at
# the same time (a lease in the cache); the client never waits for DNS;
# a cached MTA-STS policy near its TXT check is refreshed the same way.
. "$top_srcdir/t/lib.sh"
. "$top_srcdir/t/postfix.sh"

t_need "DNS servers on port 53 of 127.77.60.x, Postfix" nsd unbound ldns-signzone nginx postfix sqlite3
t_world 127.77.60
mkdir -p "$T_DIR/cache"; chown "$T_USER:$T_USER" "$T_DIR/cache"
DB=$T_DIR/cache/cache.db
LISTEN=127.77.24.1:10028
pf_tlspolicyd_conf "$T_DIR" "dns_resolver = $WORLD_RESOLVER" "cache_file = $DB" "verbose = yes" \
    "mtasts_ca_file = $WORLD_CA"
pf_setup "$T_DIR" "$LISTEN" "$TP -c $T_DIR/tlspolicyd.cf"
pf_start "$T_DIR" || { t_result 1 "postfix starts"; t_done; }
ms() { echo $(( $(date +%s%N) / 1000000 )); }

t_is "$(pf_postmap "$T_DIR" -q dane-only.test "tcp:$LISTEN")" dane-only "first lookup fills the cache"
# make the entry old: 5 s left of 300
sqlite3 "$DB" "update dane set ttl = 300, fetched = strftime('%s','now') - 295, expires = strftime('%s','now') + 5 where domain = 'dane-only.test'"
t0=$(ms)
t_is "$(pf_postmap "$T_DIR" -q dane-only.test "tcp:$LISTEN")" dane-only "entry near expiry: answered"
t1=$(ms)
renewed() { [ "$(sqlite3 "$DB" "select expires_in > 30 from dane_view where domain = 'dane-only.test'")" = 1 ]; }
i=0; while ! renewed && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
left=$(sqlite3 "$DB" "select expires_in from dane_view where domain = 'dane-only.test'")
t_ok "the entry was renewed in the background (now $left s left, was 5)" test "$left" -gt 30
t_ok "by a refresh process" t_wait_grep "$T_DIR/tlspolicyd.log" "refresh of dane-only.test (started|done)" 5
t_like "$(grep 'lookup domain=dane-only.test' "$T_DIR/tlspolicyd.log" | tail -1)" "source=cache" "the answer came from the cache"
echo "# near-expiry lookup took $((t1 - t0)) ms"

# a domain whose refresh takes ~5 s (its servers never answer), asked twice at once
sqlite3 "$DB" "insert or replace into dane values ('dead.test', 'dane-only', 'fake', 300, strftime('%s','now') - 295, strftime('%s','now') + 5)"
t_like "$(sqlite3 "$DB" "select domain || ' ' || kind from expiring_view")" "^dead.test dane$" \
    "sqlite3: expiring_view lists the entry about to expire (README query)"
cp "$T_DIR/tlspolicyd.log" "$T_DIR/tlspolicyd.log.1"; : > "$T_DIR/tlspolicyd.log"
t0=$(ms)
pf_postmap "$T_DIR" -q dead.test "tcp:$LISTEN" > "$T_DIR/a" &
a=$!
pf_postmap "$T_DIR" -q dead.test "socketmap:inet:$LISTEN:QUERY" > "$T_DIR/b" &
b=$!
wait $a $b
t1=$(ms)
t_is "$(cat "$T_DIR/a") $(cat "$T_DIR/b")" "dane-only dane-only" "both clients answered from the cache"
t_ok "neither waited for the slow refresh ($((t1 - t0)) ms)" test $((t1 - t0)) -lt 4000
t_wait_grep "$T_DIR/tlspolicyd.log" "refresh of dead.test done" 15
t_is "$(grep -c 'refresh of dead.test started' "$T_DIR/tlspolicyd.log")" 1 "exactly one helper refreshed dead.test"
# the other helper either started a refresh process that found the lease
# taken, or saw the lease before it forked (which comes first is timing)
t_is "$(grep -Ec 'refresh of dead.test: (another helper holds the lease|running or backing off)' \
    "$T_DIR/tlspolicyd.log")" 1 "the other found the lease taken"
t_is "$(sqlite3 "$DB" "select count(*) from leases where domain = 'dead.test'
    and until > strftime('%s','now') + 30")" 1 "a refresh that did not renew keeps its lease as a back-off"
t_is "$(sqlite3 "$DB" "select verdict from dane where domain = 'dead.test'")" dane-only "a failed refresh does not replace the entry"
count() { sqlite3 "$DB" "select value from counters where name = 'tlspolicyd_refreshes_total'"; }
i=0; while [ "$(count)" != 2 ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
t_is "$(count)" 2 "refreshes are counted"

# MTA-STS: a cached policy whose TXT check is in its last quarter is
# answered from the cache, and a refresh process asks the TXT record again
# (same id: no new fetch), so that no later lookup waits for DNS either
STS="secure match=mx.sts-enforce.test:.sts-enforce.test servername=hostname"
if [ -f "$T_DIR/world/https/access.log" ]; then
    t_is "$(pf_postmap "$T_DIR" -q sts-enforce.test "tcp:$LISTEN")" "$STS" "MTA-STS: first lookup fetches the policy"
    fetched=$(t_sts_fetches sts-enforce.test)
    sqlite3 "$DB" "update sts set txt_ttl = 300, txt_expires = strftime('%s','now') + 5 where domain = 'sts-enforce.test'"
    : > "$T_DIR/tlspolicyd.log"
    t_is "$(pf_postmap "$T_DIR" -q sts-enforce.test "tcp:$LISTEN")" "$STS" "MTA-STS: TXT check near expiry: answered"
    t_like "$(grep 'lookup domain=sts-enforce.test' "$T_DIR/tlspolicyd.log")" "source=mta-sts-cache" \
        "MTA-STS: the answer came from the cache"
    t_ok "MTA-STS: a refresh process ran" t_wait_grep "$T_DIR/tlspolicyd.log" "refresh of sts-enforce.test done" 10
    t_ok "MTA-STS: the TXT check was renewed" \
        test "$(sqlite3 "$DB" "select txt_expires - strftime('%s','now') from sts where domain = 'sts-enforce.test'")" -gt 30
    # the refresh process logged what it did (verbose): a TXT check, no fetch
    t_is "$(grep -c 'fetching https://mta-sts.sts-enforce.test' "$T_DIR/tlspolicyd.log")" 0 \
        "MTA-STS: same TXT id, so the refresh fetched nothing"
    t_like "$(grep 'MTA-STS for sts-enforce.test: TXT ok' "$T_DIR/tlspolicyd.log")" ": cached$" \
        "MTA-STS: the refresh's plan for the unchanged id was the cached policy"
    [ "$(t_sts_fetches sts-enforce.test)" = "$fetched" ] \
        || grep -E 'fetching|MTA-STS for|refresh of' "$T_DIR/tlspolicyd.log" | sed 's/^/# /'
    echo "# policy fetches: $fetched after the first lookup, $(t_sts_fetches sts-enforce.test) now"
else
    t_result 1 "MTA-STS: the world's HTTPS server runs (nginx)"
fi
t_done
