#!/bin/sh
# 22-mtasts.sh - MTA-STS against the test world's HTTPS server: every
# situation of t/world/expect-sts.txt through -q and through a Postfix
# spawn service; mtasts_testing; TLSRPT attributes and the 4096-byte limit;
# no refetch for an unchanged id; a fetched "mode: none" removing an
# enforce policy; a cached policy surviving an HTTPS outage, with the
# failed fetch rate-limited; and a cache-hit helper not mapping libcurl.
. "$top_srcdir/t/lib.sh"
. "$top_srcdir/t/postfix.sh"

t_need "DNS on port 53, HTTPS on 443 of 127.77.57.x, Postfix" nsd unbound ldns-signzone nginx openssl curl postfix sqlite3 python3
t_world 127.77.57
t_result 0 "the test world with its HTTPS server starts"
mkdir -p "$T_DIR/spawn"
chown "$T_USER:$T_USER" "$T_DIR/spawn"
chmod 755 "$T_DIR/world" "$T_DIR/world/https"
t_q_conf "$WORLD_RESOLVER"
QCACHE=$T_DIR/q/cache.db
q() { "$TP" -c "$T_DIR/q.cf" "$@"; }
word() { t_word "$@"; }
expect=$(grep -v '^#' "$top_srcdir/t/world/expect-sts.txt" | sed 's/ *#.*//' | awk 'NF')

while read -r dom want; do
    t_is "$(word "$dom")" "$want" "-q $dom"
done <<EOE
$expect
EOE
t_is "$(word sts-testing.test -o mtasts_testing=enforce -o cache_file=)" \
    "secure match=mx.sts-testing.test servername=hostname" "mtasts_testing = enforce enforces a testing policy"
out=$(q -o tlsrpt=yes -q sts-enforce.test)
t_like "$out" "^secure match=mx.sts-enforce.test:.sts-enforce.test servername=hostname policy_type=sts policy_domain=sts-enforce.test mx_host_pattern=mx.sts-enforce.test mx_host_pattern=\*.sts-enforce.test \{ policy_string = version: STSv1 \} \{ policy_string = mode: enforce \}" \
    "tlsrpt = yes appends the Postfix 3.10 attributes"
rows=$(sqlite3 "$QCACHE" "select domain || ' ' || mode || ' ' || id from sts_view where expires_in > 0 order by domain")
t_like "$rows" "^sts-enforce.test enforce 20261123enforce$" "sqlite3: sts_view holds the enforce policy and its id"
t_like "$rows" "^sts-none.test none 20261123none$" "sqlite3: mode none is cached too"
t_like "$(sqlite3 "$QCACHE" "select fail_why from sts_view where domain = 'sts-ctype.test'")" "text/html" \
    "sqlite3: a failed fetch is remembered with its reason"
t_like "$(sqlite3 "$QCACHE" "select domain || ' ' || fail_why from failures_view order by domain")" \
    "^sts-404.test HTTP status 404" "sqlite3: failures_view lists recent fetch failures (README query)"
t_is "$(sqlite3 "$QCACHE" "select answer from policy_view where domain = 'sts-enforce.test'")" "secure (MTA-STS)" \
    "sqlite3: policy_view shows the MTA-STS answer"

# unchanged id: no new request to the policy host
before=$(t_sts_fetches)
t_is "$(word sts-enforce.test -o cache_min_ttl=0)" "secure match=mx.sts-enforce.test:.sts-enforce.test servername=hostname" "cached policy answers"
t_is "$(t_sts_fetches)" "$before" "unchanged TXT id: no refetch"
sqlite3 "$QCACHE" "update sts set id = 'old', txt_expires = 0 where domain = 'sts-enforce.test'"
word sts-enforce.test >/dev/null
t_is "$(t_sts_fetches)" "$((before + 1))" "changed TXT id: one refetch"

# a fetched "mode: none" removes an enforce policy at once
sqlite3 "$QCACHE" "update sts set id = 'old', txt_expires = 0, mode = 'enforce', policy = 'version: STSv1
mode: enforce
mx: mx.sts-none.test
max_age: 86400
', expires = strftime('%s','now') + 86400 where domain = 'sts-none.test'"
t_is "$(word sts-none.test)" notfound "mode none fetched: the cached enforce policy is gone"
t_is "$(sqlite3 "$QCACHE" "select mode from sts where domain = 'sts-none.test'")" none "and the cache says none"

# a cached, unexpired enforce policy whose text does not parse (another
# version's row, or one edited by hand) is not "no policy": it is fetched
# again at once, and where no policy comes of it the answer is a
# temporary failure (rule sts-unusable, DESIGN.md 6)
sqlite3 "$QCACHE" "update sts set policy = 'garbage', last_fail = 0 where domain = 'sts-enforce.test'"
before=$(t_sts_fetches)
t_is "$(word sts-enforce.test)" "secure match=mx.sts-enforce.test:.sts-enforce.test servername=hostname" \
    "a cached enforce policy that does not parse: fetched again, answered"
t_is "$(t_sts_fetches)" "$((before + 1))" "... with one fetch, whatever the TXT id"
t_like "$(sqlite3 "$QCACHE" "select policy from sts where domain = 'sts-enforce.test'")" "mode: enforce" \
    "... and the cache holds a policy that parses again"
now=$(date +%s)
sqlite3 "$QCACHE" "update sts set id = 'x', mode = 'enforce', policy = 'garbage', max_age = 86400,
    fetched = $now, expires = $now + 86400, last_fail = 0 where domain = 'sts-404.test'"
out=$(q -q sts-404.test 2>&1); rc=$?
t_like "$rc $(printf '%s\n' "$out" | grep '^tlspolicyd: temporary failure')" \
    "^75 tlspolicyd: temporary failure: MTA-STS policy in force, its text unusable \(sts-policy-unusable\): cached enforce policy unreadable" \
    "the same where the fetch fails (HTTP 404): temporary failure, cause sts-policy-unusable"
t_is "$(printf '%s\n' "$out" | grep -c 'does not parse')" 1 "... and one warning about it"
t_is "$(word sts-404.test)" temp "... and again while the failed fetch holds a retry back"
t_like "$(q -v -q sts-404.test 2>&1)" "rule sts-unusable" "-q -v names the rule"
sqlite3 "$QCACHE" "delete from sts where domain = 'sts-404.test'"
t_is "$(word sts-404.test)" notfound "without the cached enforce policy: no policy, as RFC 8461 5 says"

# --- through Postfix
LISTEN=127.77.22.1:10028
pf_tlspolicyd_conf "$T_DIR" "dns_resolver = $WORLD_RESOLVER" "cache_file = $T_DIR/spawn/cache.db" \
    "mtasts_ca_file = $WORLD_CA" "mtasts_fetch_timeout = $T_FETCH_TIMEOUT" \
    "log_lookups = all"	# cached answers too: the helper's PID is read from the line
pf_setup "$T_DIR" "$LISTEN" "$TP -c $T_DIR/tlspolicyd.cf"
pf_start "$T_DIR" || { t_result 1 "postfix starts"; t_done; }
for map in "tcp:$LISTEN" "socketmap:inet:$LISTEN:QUERY"; do
    while read -r dom want; do
        t_is "$(pf_answer "$T_DIR" "$dom" "$map")" "$want" "$map $dom"
    done <<EOE
$expect
EOE
done
out=$(pf_answer "$T_DIR" sts-enforce.test "socketmap:inet:$LISTEN:QUERYwithTLSRPT")
t_like "$out" "servername=hostname policy_type=sts policy_domain=sts-enforce.test mx_host_pattern=" \
    "socketmap QUERYwithTLSRPT gets the attributes"
raw() { python3 "$top_srcdir/t/rawclient.py" "${LISTEN%:*}" "${LISTEN#*:}" 10; }
sed -i 's/^log_file/tlsrpt = yes\nlog_file/' "$T_DIR/tlspolicyd.cf"
out=$(printf 'get sts-long.test\n' | raw)
t_like "$out" "^200 secure%20match=mx00.a-rather-long-host-name.sts-long.test:" "tlsrpt on tcp_table: a long policy is still sent"
t_unlike "$out" "policy_type" "without the attributes that do not fit in 4096 bytes"
t_ok "and that is logged" t_wait_grep "$T_DIR/tlspolicyd.log" "sts-long.test with TLSRPT attributes does not fit" 5
t_ok "the reply fits in 4096 bytes" test "$(printf '%s\n' "$out" | wc -c)" -le 4096
out=$(printf 'get sts-enforce.test\n' | raw)
t_like "$out" "^200 secure%20match=.*%20policy_type=sts%20policy_domain=sts-enforce.test" "tlsrpt on tcp_table: short policy with attributes"
sed -i '/^tlsrpt = yes$/d' "$T_DIR/tlspolicyd.cf"

# --- a cache-hit helper never maps libcurl; a fetching one does
hold() {	# hold KEY: ask once, keep the connection open 4 s
    python3 - "${LISTEN%:*}" "${LISTEN#*:}" "$1" <<'EOP' &
import socket, sys, time
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=10)
s.sendall(b"get " + sys.argv[3].encode() + b"\n")
s.recv(4096)
time.sleep(4)
EOP
}
helper_pid() {	# helper_pid DOMAIN: PID of the helper that logged it last
    grep "lookup domain=$1 " "$T_DIR/tlspolicyd.log" | tail -1 | sed 's/.*tlspolicyd\[\([0-9]*\)\].*/\1/'
}
: > "$T_DIR/tlspolicyd.log"
hold sts-enforce.test; h1=$!
t_wait_grep "$T_DIR/tlspolicyd.log" "lookup domain=sts-enforce.test .*source=mta-sts-cache" 5
pid=$(helper_pid sts-enforce.test)
t_ok "cache-hit helper $pid is alive" test -r "/proc/$pid/maps"
t_unlike "$(cat "/proc/$pid/maps" 2>/dev/null)" "libcurl" "cache-hit helper does not map libcurl"
t_unlike "$(cat "/proc/$pid/maps" 2>/dev/null)" "libcrypto" "nor libcrypto"
hold sts-outage.test; h2=$!
t_wait_grep "$T_DIR/tlspolicyd.log" "lookup domain=sts-outage.test .*source=mta-sts " 10
pid=$(helper_pid sts-outage.test)
t_like "$(cat "/proc/$pid/maps" 2>/dev/null)" "libcurl" "a fetching helper ($pid) does map libcurl (the check can fail)"
wait $h1 $h2

# --- HTTPS outage: the cached policy is served until it expires
sqlite3 "$QCACHE" "update sts set id = 'old', txt_expires = 0 where domain = 'sts-outage.test'" 2>/dev/null
t_is "$(word sts-outage.test)" "secure match=mx.sts-outage.test:.sts-outage.test servername=hostname" "policy cached before the outage"
sqlite3 "$QCACHE" "update sts set id = 'old', txt_expires = 0 where domain = 'sts-outage.test'"
t_kill_pid "$(cat "$T_DIR/world/nginx.pid")"
out=$(q -v -q sts-outage.test 2>"$T_DIR/err"); rc=$?
t_is "$rc:$out" "0:secure match=mx.sts-outage.test:.sts-outage.test servername=hostname" \
    "HTTPS down, new id: the unexpired cached policy is still enforced"
t_like "$(cat "$T_DIR/err")" "policy fetch for sts-outage.test failed" "the failed fetch is logged"
out=$(q -v -q sts-outage.test 2>"$T_DIR/err"); rc=$?
t_is "$rc:$out" "0:secure match=mx.sts-outage.test:.sts-outage.test servername=hostname" "asked again: still enforced"
t_like "$(cat "$T_DIR/err")" "not retrying before 300s" "and no second fetch within 5 minutes"
t_unlike "$(cat "$T_DIR/err")" "fetching https://" "(no HTTPS attempt was made)"
t_is "$(word sts-ratelimit.test)" notfound "no cached policy and HTTPS down: not found"
t_is "$(sqlite3 "$T_DIR/spawn/cache.db" "pragma integrity_check")" ok "spawned helpers' cache is consistent"
t_done
