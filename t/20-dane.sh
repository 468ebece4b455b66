#!/bin/sh
# 20-dane.sh - every name of the DNSSEC test world gets its documented
# answer, through -q (cold cache, then warm cache) and through a real
# Postfix spawn service (tcp_table and socketmap), and the cache is
# readable with sqlite3 as the README shows.
. "$top_srcdir/t/lib.sh"
. "$top_srcdir/t/postfix.sh"

t_need "DNS servers on port 53 of 127.77.53.x, Postfix" nsd unbound ldns-signzone postfix sqlite3
t_world 127.77.53
t_result 0 "the DNSSEC world starts"
# the world keeps its own promises (DNS facts, and an independent verdict)
t_world_selfcheck

mkdir -p "$T_DIR/q" "$T_DIR/spawn"
chown "$T_USER:$T_USER" "$T_DIR/q" "$T_DIR/spawn"
# cache_min_ttl: the warm pass must find what the cold pass cached even
# when both take over a minute (valgrind on a loaded machine); negative
# answers have TTLs under 60 s
cat > "$T_DIR/q.cf" <<EOC
dns_resolver = $WORLD_RESOLVER
cache_file = $T_DIR/q/cache.db
cache_min_ttl = 10m
EOC
expect=$(grep -v '^#' "$top_srcdir/t/world/expect.txt" | awk 'NF { print $1, $2 }')

q_answer() {	# q_answer DOMAIN: what -q says, as an expect.txt word
    out=$("$TP" -c "$T_DIR/q.cf" -q "$1" 2>/dev/null); rc=$?
    case $rc in
        0) echo "$out" ;;
        1) echo notfound ;;
        75) echo temp ;;
        *) echo "exit-$rc" ;;
    esac
}
for pass in "cold cache" "warm cache"; do
    while read -r dom want; do
        t_is "$(q_answer "$dom")" "$want" "-q $dom ($pass)"
    done <<EOE
$expect
EOE
done
t_ok "-q as root created the cache as $T_USER (the user parameter's default)" \
    test "$(stat -c %U "$T_DIR/q/cache.db")" = "$T_USER"
rows=$(sqlite3 "$T_DIR/q/cache.db" "select domain || ' ' || verdict from dane_view order by domain")
t_like "$rows" "^dane-only.test dane-only$" "sqlite3: dane_view shows dane-only.test"
t_like "$rows" "^null-mx.test nopolicy$" "sqlite3: null MX cached as nopolicy"
t_unlike "$rows" "^(expired|badds|dead|refused|tlsa-bogus|addr-bogus).test" "failures are not cached"
t_is "$(sqlite3 "$T_DIR/q/cache.db" "select answer from policy_view where domain = 'mixed.test'")" dane \
    "sqlite3: policy_view gives the current answer"
t_is "$(sqlite3 "$T_DIR/q/cache.db" "select count(*) from dane_view where expires_in <= 0 or fetched is null")" 0 \
    "every cached entry has readable times in the future"
out=$("$TP" -c "$T_DIR/q.cf" -q dane-only.test -v 2>&1 >/dev/null)
t_like "$out" "cache hit for dane-only.test: dane-only" "-q -v on a warm cache says so"
out=$("$TP" -c "$T_DIR/q.cf" -o cache_file= -q cname-mx.test -v 2>&1 >/dev/null)
t_like "$out" "MX cname-mx.test: ok, AD=1, TTL=[0-9]+" "-q -v shows the MX answer, AD flag and TTL"
t_like "$out" "A alias.cname-mx.test: ok, AD=1, TTL=[0-9]+, 2 answer records, alias of real.cname-mx.test" "-q -v shows the CNAME"
t_like "$out" "TLSA _25._tcp.real.cname-mx.test: ok, AD=1" "-q -v shows TLSA at the expanded name"
t_like "$out" "DANE verdict for cname-mx.test: dane-only" "-q -v shows the verdict"
t_like "$out" "cache miss for cname-mx.test" "-q -v shows the cache miss"

# --- the same through Postfix
LISTEN=127.77.20.1:10028
pf_tlspolicyd_conf "$T_DIR" "dns_resolver = $WORLD_RESOLVER" "cache_file = $T_DIR/spawn/cache.db"
pf_setup "$T_DIR" "$LISTEN" "$TP -c $T_DIR/tlspolicyd.cf"
pf_start "$T_DIR" || { t_result 1 "postfix starts"; t_done; }
for map in "tcp:$LISTEN" "socketmap:inet:$LISTEN:QUERY"; do
    while read -r dom want; do
        t_is "$(pf_answer "$T_DIR" "$dom" "$map")" "$want" "$map $dom"
    done <<EOE
$expect
EOE
done
t_is "$(sqlite3 "$T_DIR/spawn/cache.db" "pragma integrity_check")" ok "spawned helpers' cache passes integrity_check"
t_ok "the spawned helpers' cache belongs to $T_USER" test "$(stat -c %U "$T_DIR/spawn/cache.db")" = "$T_USER"
t_done
