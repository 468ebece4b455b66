#!/bin/sh
# 28-coalesce.sh - misses coalesced across helper processes: 64 helpers
# asked for the same uncached MTA-STS domain at the same moment cost one
# DNS resolution set (each name and type asked once, counted by the
# world's breaker) and one HTTPS fetch of the policy (nginx's access
# log): the first helper takes a lease in the cache, the others wait for
# its answer there. And 64 helpers answering a cached entry that is due
# for refresh renew it once. Counts only: no timed assertions.
. "$top_srcdir/t/lib.sh"
. "$top_srcdir/t/postfix.sh"

t_need "DNS servers on port 53 of 127.77.68.x, nginx, Postfix, python3" \
    nsd unbound ldns-signzone nginx postfix sqlite3 python3
t_world 127.77.68
mkdir -p "$T_DIR/cache"; chown "$T_USER:$T_USER" "$T_DIR/cache"
DB=$T_DIR/cache/cache.db
A=127.77.28.1 P=10028
N=64
pf_tlspolicyd_conf "$T_DIR" "dns_resolver = $WORLD_BREAKER" "cache_file = $DB" \
    "mtasts_ca_file = $WORLD_CA" "mtasts_fetch_timeout = 5s" \
    "log_lookups = all"	# each helper's line tells how it answered
pf_setup "$T_DIR" "$A:$P" "$TP -c $T_DIR/tlspolicyd.cf"
pf_start "$T_DIR" || { t_result 1 "postfix starts"; t_done; }
BLOG=$T_DIR/world/breaker.log
# asked NAME TYPE: how often the breaker saw that question
asked() { awk -v n="$1" -v t="$2" 'tolower($1) == n && $2 == t { c++ } END { print c + 0 }' "$BLOG"; }
# repeats: questions asked more than once
repeats() { awk '{ print tolower($1), $2 }' "$BLOG" | sort | uniq -d | tr '\n' ' '; }
# wait_refreshes DOMAIN: until no refresh process of DOMAIN runs (15 s)
wait_refreshes() {
    _i=0
    while pgrep -f -- "^$TP .*-R $1\$" > /dev/null && [ $_i -lt 150 ]; do sleep 0.1; _i=$((_i + 1)); done
}

# --- a burst of misses for one MTA-STS domain
D=sts-enforce.test
: > "$BLOG"
f0=$(t_sts_fetches "$D")	# the world's own check at start
python3 "$top_srcdir/t/burst.py" $A $P $N $D 30 > "$T_DIR/burst1"
sed 's/^/# /' "$T_DIR/burst1"
t_is "$(head -1 "$T_DIR/burst1")" "$N 200 secure%20match=mx.$D:.$D%20servername=hostname" \
    "all $N clients got the MTA-STS answer"
t_is "$(grep '^errors' "$T_DIR/burst1")" "errors 0" "no client failed"
t_is "$(grep "lookup domain=$D " "$T_DIR/tlspolicyd.log" | sed 's/.*tlspolicyd\[\([0-9]*\)\].*/\1/' | sort -u | wc -l)" \
    "$N" "$N helper processes answered"
t_is "$(asked "$D" MX)" 1 "one MX query for $N helpers"
t_is "$(asked "mx.$D" A) $(asked "mx.$D" AAAA) $(asked "_25._tcp.mx.$D" TLSA)" "1 1 1" \
    "one A, AAAA and TLSA query for the MX host"
t_is "$(asked "_mta-sts.$D" TXT)" 1 "one TXT query"
t_is "$(asked "mta-sts.$D" A)" 1 "one address query for the policy host"
t_is "$(repeats)" "" "no question asked twice"
t_is "$(($(t_sts_fetches "$D") - f0))" 1 "one HTTPS fetch of the policy"
t_is "$(grep -c "lookup domain=$D .*source=mta-sts " "$T_DIR/tlspolicyd.log")" 1 \
    "one helper looked it up, the others answered from the cache"
t_unlike "$(cat "$T_DIR/tlspolicyd.log")" "warning|BUSY|locked" "no warning, no SQLITE_BUSY"

# --- a burst on a cached DANE verdict in the last quarter of its TTL
D=dane-only.test
t_is "$(pf_postmap "$T_DIR" -q $D "tcp:$A:$P")" dane-only "$D cached"
sqlite3 -cmd ".timeout 5000" "$DB" "update dane set ttl = 300, fetched = strftime('%s','now') - 295,
    expires = strftime('%s','now') + 5 where domain = '$D'"
: > "$BLOG"
cp "$T_DIR/tlspolicyd.log" "$T_DIR/tlspolicyd.log.1"; : > "$T_DIR/tlspolicyd.log"
python3 "$top_srcdir/t/burst.py" $A $P $N $D 30 > "$T_DIR/burst2"
sed 's/^/# /' "$T_DIR/burst2"
t_is "$(head -1 "$T_DIR/burst2")" "$N 200 dane-only" "all $N clients answered from the cache"
t_wait_grep "$T_DIR/tlspolicyd.log" "refresh of $D (done|did not)" 15
wait_refreshes $D
t_is "$(grep -Ec "refresh of $D (started|: )" "$T_DIR/tlspolicyd.log")" 1 \
    "one refresh process started (the lease \"refresh $D\")"
t_is "$(grep -c "refresh of $D started" "$T_DIR/tlspolicyd.log")" 1 "one refresh for $N helpers"
t_is "$(asked $D MX)" 1 "one MX query for the refresh"
t_is "$(repeats)" "" "no question asked twice"
t_is "$(sqlite3 -cmd ".timeout 5000" "$DB" "select expires_in > 30 from dane_view where domain = '$D'")" 1 \
    "the entry was renewed"
t_is "$(sqlite3 -cmd ".timeout 5000" "$DB" "select count(*) from leases where domain like 'lookup %'")" 0 \
    "every lookup lease was given back"
t_done
