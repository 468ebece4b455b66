#!/bin/sh
# 23-metrics.sh - Prometheus metrics on the spawn port: curl through a real
# Postfix spawn service gets valid exposition text whose counters add up to
# the lookups made; other paths 404, other methods 405, HEAD has no body.
. "$top_srcdir/t/lib.sh"
. "$top_srcdir/t/postfix.sh"
. "$top_srcdir/t/unbound.sh"

t_is_root || t_skip_all "needs root to run a Postfix instance"
for c in postfix curl unbound sqlite3; do
    command -v $c >/dev/null 2>&1 || t_skip_all "$c is not installed"
done
t_tmpdir
t_user
t_binary
mkdir -p "$T_DIR/cache"; chown "$T_USER:$T_USER" "$T_DIR/cache"
ub_start "$T_DIR/ub" 127.77.23.3 5353 plain.example -- \
    "plain.example. 300 IN MX 10 mx.plain.example." "mx.plain.example. 300 IN A 127.77.23.9" \
    || { t_result 1 "local unbound starts"; t_done; }
printf 'partner.example encrypt\n.corp.example dane-only\n' > "$T_DIR/overrides"
LISTEN=127.77.23.1:10028
pf_tlspolicyd_conf "$T_DIR" "policy_overrides = $T_DIR/overrides" \
    "dns_resolver = 127.77.23.3:5353" "cache_file = $T_DIR/cache/cache.db"
# this unbound does not validate: record a validating probe (rwatch(3)),
# so that plain.example is cached as before; then start from zero counts
"$TP" -c "$T_DIR/tlspolicyd.cf" -q plain.example > /dev/null 2>&1
sqlite3 "$T_DIR/cache/cache.db" "delete from counters; delete from dane;
    insert or replace into state values ('resolver 127.77.23.3:5353',
    'validating', 'test', strftime('%s', 'now'))"
pf_setup "$T_DIR" "$LISTEN" "$TP -c $T_DIR/tlspolicyd.cf"
pf_start "$T_DIR" || { t_result 1 "postfix starts"; t_done; }
URL=http://$LISTEN/metrics

# 7 tcp lookups: 3 override, 2 not found (DNS), 2 not found (gate); 4 socketmap
printf 'partner.example\nmx.corp.example\npartner.example\nplain.example\nplain.example\n.example\n[x.example]\n' \
    | pf_postmap "$T_DIR" -q - "tcp:$LISTEN" > /dev/null
for k in partner.example a.corp.example plain.example .corp.example; do
    pf_postmap "$T_DIR" -q "$k" "socketmap:inet:$LISTEN:QUERY" > /dev/null
done
total() { printf '%s\n' "$1" | awk '/^tlspolicyd_lookups_total/ { s += $2 } END { print s + 0 }'; }
i=0
while :; do
    body=$(curl -s --max-time 5 "$URL")
    [ "$(total "$body")" -ge 11 ] || [ $i -ge 50 ] && break
    sleep 0.1; i=$((i + 1))
done
t_is "$(total "$body")" 11 "lookups_total adds up to the 11 lookups made"
val() { printf '%s\n' "$body" | awk -v k="$1" '$1 == k { print $2 }'; }
t_is "$(val 'tlspolicyd_lookups_total{protocol="tcp",answer="override"}')" 3 "tcp override answers"
t_is "$(val 'tlspolicyd_lookups_total{protocol="tcp",answer="notfound"}')" 4 "tcp not-found answers"
t_is "$(val 'tlspolicyd_lookups_total{protocol="socketmap",answer="override"}')" 2 "socketmap override answers"
t_is "$(val 'tlspolicyd_lookups_total{protocol="socketmap",answer="notfound"}')" 2 "socketmap not-found answers"
t_is "$(val 'tlspolicyd_cache_misses_total{kind="dane"}')" 1 "one cache miss (plain.example, first time)"
t_is "$(val 'tlspolicyd_cache_hits_total{kind="dane"}')" 2 "two cache hits (plain.example again)"
t_ok "DNS queries were counted" test "$(val tlspolicyd_dns_queries_total)" -ge 4
t_is "$(val 'tlspolicyd_cache_entries{table="dane"}')" 1 "cache_entries gauge"
bad=$(printf '%s\n' "$body" | grep -v '^# \(HELP\|TYPE\) ' | grep -Ev '^[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? [0-9]+$')
t_is "$bad" "" "every sample line is valid exposition text"
t_is "$(printf '%s\n' "$body" | grep -c '^# TYPE ')" 15 "HELP/TYPE for every metric"
t_is "$(val tlspolicyd_config_error)" 0 "config_error gauge: 0 without a configuration error"
t_is "$(val tlspolicyd_cache_refused)" 0 "cache_refused gauge: 0 for a cache only the spawn user writes"
t_is "$(val 'tlspolicyd_resolver_validating{resolver="127.77.23.3:5353"}')" 1 "resolver_validating gauge: the probe row"
hdr=$(curl -s -o /dev/null -D - --max-time 5 "$URL")
t_like "$hdr" "Content-Type: text/plain; version=0.0.4" "exposition content type"
t_is "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://$LISTEN/other")" 404 "other path: 404"
t_is "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -X POST "$URL")" 405 "POST: 405"
t_is "$(curl -s -I --max-time 5 "$URL" | head -1 | tr -d '\r')" "HTTP/1.0 200 OK" "HEAD: 200"
t_is "$(curl -s --head --max-time 5 "$URL" -o - | sed -n '/^\r$/,$p' | wc -c)" 2 "HEAD: no body"
t_done
