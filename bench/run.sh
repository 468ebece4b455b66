#!/bin/sh
# bench/run.sh - "make bench": how close tlspolicyd is to the limit, as
# ratios measured in one run on this machine (needs root: a throw-away
# Postfix instance and the DNS test world on 127.77.62.x).
#
#   1. cached lookup on a kept connection, against a minimal C responder
#      (bench/minimal.c) under the same Postfix spawn service
#   2. new connection to the first cached answer, same comparison
#   3. cache miss for a DANE domain with 4 MX hosts, against two
#      sequential resolver round trips (resolver cache warm and cold)
#   4. private memory of an idle helper after one cached answer
#   5. 64 concurrent clients through the spawn service on one cache
#   6. the peer, postfix-mta-sts-resolver, on a cached MTA-STS policy
#   7. 64 helpers missing one MTA-STS domain at once: resolver queries
#      (the world's counting breaker) and HTTPS fetches (nginx's log),
#      against one client's miss
#   8. 64 helpers answering an entry due for refresh: refreshes started
# Every figure is the median of RUNS runs (default 5); loops are bounded.
# Lines 1, 2 and 5 take turns with their baseline, run by run.
set -u
top_srcdir=$(cd "$(dirname "$0")/.." && pwd)
: "${top_builddir:=$top_srcdir}"
TLSPOLICYD=${TLSPOLICYD:-$top_builddir/daemon/tlspolicyd}
BENCH=${BENCH_BIN:-$top_builddir/bench}
RUNS=${RUNS:-5}
export top_srcdir top_builddir TLSPOLICYD
. "$top_srcdir/t/lib.sh"
. "$top_srcdir/t/postfix.sh"
[ "$(id -u)" -eq 0 ] || { echo "bench: run as root" >&2; exit 1; }
for b in client minimal dnsrtt; do
    [ -x "$BENCH/$b" ] || { echo "bench: $BENCH/$b missing (make bench builds it)" >&2; exit 1; }
done

t_tmpdir
t_user
t_binary
cp "$BENCH/minimal" "$T_DIR/bin/minimal"; chmod 755 "$T_DIR/bin/minimal"
export WORLD_NET=127.77.62
sh "$top_srcdir/t/world/world.sh" start "$T_DIR/world" > "$T_DIR/world.log" 2>&1 \
    || { cat "$T_DIR/world.log"; exit 1; }
t_at_exit "sh '$top_srcdir/t/world/world.sh' stop '$T_DIR/world'"
. "$T_DIR/world/world.env"
mkdir -p "$T_DIR/cache"; chown "$T_USER:$T_USER" "$T_DIR/cache"
A=127.77.62.201 P=10028 PMIN=10029
pf_tlspolicyd_conf "$T_DIR" "dns_resolver = $WORLD_RESOLVER" "cache_file = $T_DIR/cache/cache.db" \
    "mtasts_ca_file = $WORLD_CA"
pf_setup "$T_DIR" "$A:$P" "$TP -c $T_DIR/tlspolicyd.cf"
echo "$A:$PMIN inet n n n - 0 spawn user=$T_USER argv=$T_DIR/bin/minimal" >> "$T_DIR/etc/master.cf"
# 7-8: a second service, through the world's counting breaker, own cache
PB=10030
mkdir -p "$T_DIR/cacheb"; chown "$T_USER:$T_USER" "$T_DIR/cacheb"
: > "$T_DIR/tlspolicyd-b.log"; chown "$T_USER" "$T_DIR/tlspolicyd-b.log"
printf '%s\n' "log_file = $T_DIR/tlspolicyd-b.log" "dns_resolver = $WORLD_BREAKER" \
    "cache_file = $T_DIR/cacheb/cache.db" "mtasts_ca_file = $WORLD_CA" > "$T_DIR/tlspolicyd-b.cf"
echo "$A:$PB inet n n n - 0 spawn user=$T_USER argv=$TP -c $T_DIR/tlspolicyd-b.cf" >> "$T_DIR/etc/master.cf"
pf_start "$T_DIR" || { echo "bench: postfix does not start"; exit 1; }
pf_postmap "$T_DIR" -q dane-only.test "tcp:$A:$P" > /dev/null	# warm the cache

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
col() { awk -v c="$1" '{ print $c }'; }
runs() {	# runs CMD...: RUNS lines of output
    _run=0; while [ $_run -lt "$RUNS" ]; do "$@"; _run=$((_run + 1)); done
}
# paired MODE OUT-TP OUT-MIN ARGS...: RUNS runs each of tlspolicyd (port P)
# and the minimal responder (PMIN), taking turns, so that both see the
# same moments of a machine whose load drifts
paired() {
    _mode=$1 _otp=$2 _omin=$3; shift 3
    : > "$_otp"; : > "$_omin"
    _run=0
    while [ $_run -lt "$RUNS" ]; do
        "$BENCH/client" "$_mode" $A $P "$@" >> "$_otp"
        "$BENCH/client" "$_mode" $A $PMIN "$@" >> "$_omin"
        _run=$((_run + 1))
    done
}
total() { awk '{ s += $1 } END { print s + 0 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }

# 1. kept connection
paired kept "$T_DIR/k.tp" "$T_DIR/k.min" tcp dane-only.test 2000
k_p50=$(col 1 < "$T_DIR/k.tp" | median); k_p99=$(col 2 < "$T_DIR/k.tp" | median)
k_rate=$(col 3 < "$T_DIR/k.tp" | median); k_err=$(col 4 < "$T_DIR/k.tp" | total)
m_p50=$(col 1 < "$T_DIR/k.min" | median); m_p99=$(col 2 < "$T_DIR/k.min" | median)
m_rate=$(col 3 < "$T_DIR/k.min" | median)

# 2. new connection to the first cached answer
paired connect "$T_DIR/c.tp" "$T_DIR/c.min" tcp dane-only.test 200
c_p50=$(col 1 < "$T_DIR/c.tp" | median); cm_p50=$(col 1 < "$T_DIR/c.min" | median)
c_p99=$(col 2 < "$T_DIR/c.tp" | median); cm_p99=$(col 2 < "$T_DIR/c.min" | median)

# 3. cache miss, 4 MX hosts: warm resolver, then cold (unbound restarted)
"$BENCH/dnsrtt" "$WORLD_RESOLVER" four-mx.test > /dev/null	# warm the resolver
runs "$BENCH/dnsrtt" "$WORLD_RESOLVER" four-mx.test > "$T_DIR/miss.warm"
ub_restart() {
    t_kill_pid "$(cat "$T_DIR/world/unbound.pid")"
    unbound -d -c "$T_DIR/world/unbound.conf" > "$T_DIR/world/unbound.out" 2>&1 &
    echo $! > "$T_DIR/world/unbound.pid"
    _i=0; while [ $_i -lt 50 ] && ! drill -p 5300 @127.77.62.1 test. SOA >/dev/null 2>&1; do sleep 0.1; _i=$((_i + 1)); done
    # prime the root and test. keys, so that "cold" means the domain only
    drill -p 5300 @127.77.62.1 dane-only.test MX >/dev/null 2>&1
}
# cold: unbound restarted before each measurement, so none warms another
: > "$T_DIR/miss.cold"
i=0; while [ $i -lt "$RUNS" ]; do
    ub_restart; r1=$("$BENCH/dnsrtt" "$WORLD_RESOLVER" four-mx.test single)
    ub_restart; r2=$("$BENCH/dnsrtt" "$WORLD_RESOLVER" four-mx.test rounds)
    ub_restart; r3=$("$BENCH/dnsrtt" "$WORLD_RESOLVER" four-mx.test miss)
    echo "${r1%% *} $(echo "$r2" | col 2) $(echo "$r3" | col 3) $(echo "$r3" | col 4)" >> "$T_DIR/miss.cold"
    i=$((i + 1))
done
w_rtt=$(col 1 < "$T_DIR/miss.warm" | median); w_miss=$(col 3 < "$T_DIR/miss.warm" | median)
c_rtt=$(col 1 < "$T_DIR/miss.cold" | median); c_miss=$(col 3 < "$T_DIR/miss.cold" | median)
w_rounds=$(col 2 < "$T_DIR/miss.warm" | median); c_rounds=$(col 2 < "$T_DIR/miss.cold" | median)
verdicts=$(col 4 < "$T_DIR/miss.warm" | sort -u | tr '\n' ' ')

smaps() { awk '/^Pss:/ { p = $2 } /^Private_Dirty:/ { d = $2 } END { print p, d }' "/proc/$1/smaps_rollup" 2>/dev/null; }

# 4. memory of an idle helper after one cached answer (and of the minimal one)
mem() {	# mem PORT: "pss_kb private_dirty_kb" of the helper serving a held connection
    python3 - "$A" "$1" <<'EOP' &
import socket, sys, time
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=10)
s.sendall(b"get dane-only.test\n"); s.recv(4096); time.sleep(3)
EOP
    _h=$!
    sleep 1
    _pid=$(ps -o pid= -o args= -u "$T_USER" | awk -v want="$2" '$0 ~ want && $0 !~ / -R / { print $1 }' | tail -1)
    smaps "$_pid"
    wait $_h
}
mem_tp=$(mem $P "bin/tlspolicyd")
mem_min=$(mem $PMIN "bin/minimal")

# 6. the peer: postfix-mta-sts-resolver (Debian's package) with its internal
# and its sqlite cache, against tlspolicyd's socketmap on a cached MTA-STS
# policy (sts-enforce.test: a cached "no DANE" verdict, then the cached
# policy). The peer reads only /etc/resolv.conf and the system CA store:
# it runs in a mount namespace whose /etc/resolv.conf names the world's
# resolver on port 53, with SSL_CERT_FILE = the world's CA. cache_grace
# is raised so that every lookup is a cache hit, as for tlspolicyd.
peer_start() {	# peer_start NAME ADDR CACHE-YAML: pid on stdout
    # (reuse_port stays on: 1.1.2 fails to listen with reuse_port: false)
    printf '%s\n' "host: $2" "port: 8461" "cache_grace: 86400" \
        "cache:" "$3" > "$T_DIR/peer-$1.yml"
    unshare -m sh -c "mount --bind '$T_DIR/resolv.conf' /etc/resolv.conf &&
        exec env SSL_CERT_FILE='$WORLD_CA' mta-sts-daemon -c '$T_DIR/peer-$1.yml' \
            -l '$T_DIR/peer-$1.log' --disable-uvloop" > /dev/null 2>&1 &
    echo $!
}
peer_wait() {	# peer_wait ADDR: until the policy is fetched and cached (10 s)
    _i=0
    while [ $_i -lt 50 ]; do
        "$BENCH/client" kept "$1" 8461 socketmap sts-enforce.test 1 2>/dev/null \
            | awk '$4 == 0 { ok = 1 } END { exit !ok }' && return 0
        sleep 0.2; _i=$((_i + 1))
    done
    return 1
}
peer_pid() {	# peer_pid ADDR: the python process listening there
    ss -Hltnp "src $1:8461" | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -1
}
peer_bench() {	# peer_bench NAME ADDR CACHE-YAML: "p50 p99 rate errors pss dirty load-rate load-errors"
    _pid=$(peer_start "$1" "$2" "$3")
    if ! peer_wait "$2"; then
        t_kill_pid "$_pid"; echo "- - - - - - - -"; return
    fi
    runs "$BENCH/client" kept "$2" 8461 socketmap sts-enforce.test 2000 > "$T_DIR/k.$1"
    _mem=$(smaps "$(peer_pid "$2")")
    runs "$BENCH/client" load "$2" 8461 socketmap sts-enforce.test 5 64 > "$T_DIR/l.$1"
    echo "$(col 1 < "$T_DIR/k.$1" | median) $(col 2 < "$T_DIR/k.$1" | median)" \
        "$(col 3 < "$T_DIR/k.$1" | median)" \
        "$(col 4 < "$T_DIR/k.$1" | total)" "$_mem" \
        "$(col 1 < "$T_DIR/l.$1" | median)" \
        "$(col 2 < "$T_DIR/l.$1" | total)"
    t_kill_pid "$_pid"
}
if ! command -v mta-sts-daemon >/dev/null 2>&1; then
    echo "bench: installing the peer, postfix-mta-sts-resolver (Debian package)" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y postfix-mta-sts-resolver > /dev/null 2>&1
fi
pf_postmap "$T_DIR" -q sts-enforce.test "socketmap:inet:$A:$P:QUERY" > /dev/null	# cache it
runs "$BENCH/client" kept $A $P socketmap sts-enforce.test 2000 > "$T_DIR/k.sts"
s_p50=$(col 1 < "$T_DIR/k.sts" | median); s_p99=$(col 2 < "$T_DIR/k.sts" | median)
s_rate=$(col 3 < "$T_DIR/k.sts" | median); s_err=$(col 4 < "$T_DIR/k.sts" | total)
runs "$BENCH/client" load $A $P socketmap sts-enforce.test 5 64 > "$T_DIR/l.sts"
s_load=$(col 1 < "$T_DIR/l.sts" | median); s_lerr=$(col 2 < "$T_DIR/l.sts" | total)
if command -v mta-sts-daemon >/dev/null 2>&1; then
    echo "nameserver $WORLD_RESOLVER_ADDR" > "$T_DIR/resolv.conf"
    peer_int=$(peer_bench internal 127.77.62.202 "  type: internal")
    peer_sql=$(peer_bench sqlite 127.77.62.203 "  type: sqlite
  options:
    filename: $T_DIR/peer-cache.db")
else
    peer_int="- - - - - - - -" peer_sql="- - - - - - - -"
fi
f() { echo "$2" | awk -v i="$1" '{ print $i }'; }

# 5. 64 clients for 5 s, RUNS times
paired load "$T_DIR/load" "$T_DIR/load.min" tcp dane-only.test 5 64
l_rate=$(col 1 < "$T_DIR/load" | median); l_err=$(col 2 < "$T_DIR/load" | total)
lm_rate=$(col 1 < "$T_DIR/load.min" | median)
warn=$(grep -c "warning" "$T_DIR/tlspolicyd.log")
wal_kb=$(( $(stat -c %s "$T_DIR/cache/cache.db-wal" 2>/dev/null || echo 0) / 1024 ))
busy=$(grep -ci "busy\|locked" "$T_DIR/tlspolicyd.log")

# 7. N helpers miss one MTA-STS domain at once (the cache entry deleted
# before each run); the baseline is one client's miss of the same domain
BLOG=$T_DIR/world/breaker.log DB7=$T_DIR/cacheb/cache.db
sql7() { sqlite3 -cmd ".timeout 5000" "$DB7" "$1"; }
lines() { wc -l < "$1" | tr -d ' '; }
burst() {	# burst CLIENTS DOMAIN: "queries fetches errors ms"
    sql7 "delete from dane where domain = '$2'; delete from sts where domain = '$2'"
    _q=$(lines "$BLOG"); _f=$(t_sts_fetches "$2")
    python3 "$top_srcdir/t/burst.py" $A $PB "$1" "$2" 30 > "$T_DIR/burst.out"
    echo "$(($(lines "$BLOG") - _q)) $(($(t_sts_fetches "$2") - _f))" \
        "$(awk '/^errors/ { print $2 }' "$T_DIR/burst.out")" \
        "$(awk '/^ms/ { print $2 }' "$T_DIR/burst.out")"
}
pf_postmap "$T_DIR" -q dane-only.test "tcp:$A:$PB" > /dev/null	# the helper creates the cache
runs burst 1 sts-spf.test > "$T_DIR/b.one"
runs burst 64 sts-spf.test > "$T_DIR/b.64"
b1_q=$(col 1 < "$T_DIR/b.one" | median); b1_f=$(col 2 < "$T_DIR/b.one" | median)
b1_ms=$(col 4 < "$T_DIR/b.one" | median)
b_q=$(col 1 < "$T_DIR/b.64" | median); b_f=$(col 2 < "$T_DIR/b.64" | median)
b_qmax=$(col 1 < "$T_DIR/b.64" | sort -n | tail -1); b_fmax=$(col 2 < "$T_DIR/b.64" | sort -n | tail -1)
b_err=$(col 3 < "$T_DIR/b.64" | total); b_ms=$(col 4 < "$T_DIR/b.64" | median)

# 8. N helpers answer a cached entry due for refresh (5 s left of 300)
refresh_burst() {	# "refreshes-started refresh-processes queries"
    sql7 "update dane set ttl = 300, fetched = strftime('%s','now') - 295,
        expires = strftime('%s','now') + 5 where domain = 'dane-only.test';
        delete from leases where domain = 'refresh dane-only.test'"	# the last run's
    _s=$(grep -c "refresh of dane-only.test started" "$T_DIR/tlspolicyd-b.log")
    _p=$(grep -Ec "refresh of dane-only.test (started|: )" "$T_DIR/tlspolicyd-b.log")
    _q=$(lines "$BLOG")
    python3 "$top_srcdir/t/burst.py" $A $PB 64 dane-only.test 30 > /dev/null
    _i=0	# until every refresh process is gone (15 s)
    while pgrep -f -- "^$TP .*-R dane-only.test\$" > /dev/null && [ $_i -lt 150 ]; do sleep 0.1; _i=$((_i + 1)); done
    echo "$(($(grep -c "refresh of dane-only.test started" "$T_DIR/tlspolicyd-b.log") - _s))" \
        "$(($(grep -Ec "refresh of dane-only.test (started|: )" "$T_DIR/tlspolicyd-b.log") - _p))" \
        "$(($(lines "$BLOG") - _q))"
}
runs burst 1 dane-only.test > "$T_DIR/r.one"
runs refresh_burst > "$T_DIR/r.64"
r1_q=$(col 1 < "$T_DIR/r.one" | median)
r_n=$(col 1 < "$T_DIR/r.64" | median); r_nmax=$(col 1 < "$T_DIR/r.64" | sort -n | tail -1)
r_p=$(col 2 < "$T_DIR/r.64" | median); r_q=$(col 3 < "$T_DIR/r.64" | median)

echo "tlspolicyd benchmark, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), median of $RUNS runs"
printf '%-58s %14s %14s %8s %7s\n' "measurement" "tlspolicyd" "baseline" "ratio" "target"
printf '%-58s %14s %14s %8s %7s\n' "1. kept connection, cached: p50 latency (us)" "$k_p50" "$m_p50" "$(ratio "$k_p50" "$m_p50")" "<=1.3"
printf '%-58s %14s %14s %8s %7s\n' "   p99 latency (us)" "$k_p99" "$m_p99" "$(ratio "$k_p99" "$m_p99")" ""
printf '%-58s %14s %14s %8s %7s\n' "   lookups/s (errors: $k_err)" "$k_rate" "$m_rate" "$(ratio "$k_rate" "$m_rate")" ""
printf '%-58s %14s %14s %8s %7s\n' "2. new connection to first cached answer: p50 (us)" "$c_p50" "$cm_p50" "$(ratio "$c_p50" "$cm_p50")" "<=1.3"
printf '%-58s %14s %14s %8s %7s\n' "   p99 (us)" "$c_p99" "$cm_p99" "$(ratio "$c_p99" "$cm_p99")" ""
printf '%-58s %14s %14s %8s %7s\n' "3. cache miss, 4 MX hosts, resolver warm (us)" "$w_miss" "$w_rounds" "$(ratio "$w_miss" "$w_rounds")" "<=1.2"
printf '%-58s %14s %14s %8s %7s\n' "   resolver cold (us)" "$c_miss" "$c_rounds" "$(ratio "$c_miss" "$c_rounds")" "<=1.2"
printf '%-58s %14s %14s %8s %7s\n' "   warm, against 2 single queries (MX, one A) (us)" "$w_miss" "$w_rtt" "$(ratio "$w_miss" "$w_rtt")" ""
printf '%-58s %14s %14s %8s %7s\n' "   cold, against 2 single queries (us)" "$c_miss" "$c_rtt" "$(ratio "$c_miss" "$c_rtt")" ""
printf '%-58s %14s\n' "   sequential DNS round trips (MX, then all hosts at once)" "2"
printf '%-58s %14s\n' "   verdict" "$verdicts"
printf '%-58s %14s %14s %8s %7s\n' "4. idle helper after one cached answer: Pss (KiB)" "${mem_tp% *}" "${mem_min% *}" "$(ratio "${mem_tp% *}" "${mem_min% *}")" ""
printf '%-58s %14s %14s %8s %7s\n' "   Private_Dirty (KiB)" "${mem_tp#* }" "${mem_min#* }" "" "<=2048"
printf '%-58s %14s %14s %8s %7s\n' "5. 64 clients x 5 s: lookups/s (errors: $l_err, log warnings: $warn)" "$l_rate" "$lm_rate" "$(ratio "$l_rate" "$lm_rate")" ">=0.8"
printf '%-58s %14s\n' "   SQLITE_BUSY / locked in the log" "$busy"
printf '%-58s %14s\n' "   WAL after all 64-client runs (KiB)" "$wal_kb"
printf '%-58s %14s %14s %8s %7s\n' "7. 64 helpers miss one MTA-STS domain: resolver queries" "$b_q" "$b1_q" "$(ratio "$b_q" "$b1_q")" "1.00"
printf '%-58s %14s %14s %8s %7s\n' "   HTTPS fetches (max of $RUNS runs: $b_fmax; queries: $b_qmax)" "$b_f" "$b1_f" "$(ratio "$b_f" "$b1_f")" "<=1"
printf '%-58s %14s %14s %8s %7s\n' "   ms to the last of 64 answers (errors: $b_err)" "$b_ms" "$b1_ms" "$(ratio "$b_ms" "$b1_ms")" ""
printf '%-58s %14s %14s %8s %7s\n' "8. 64 helpers answer an entry due: refreshes (max: $r_nmax)" "$r_n" "1" "$(ratio "$r_n" 1)" "1.00"
printf '%-58s %14s %14s %8s %7s\n' "   resolver queries of the refresh" "$r_q" "$r1_q" "$(ratio "$r_q" "$r1_q")" "1.00"
printf '%-58s %14s\n' "   refresh processes started (one wins the lease)" "$r_p"
printf '%-58s %14s %14s %8s %7s\n' "6. peer, socketmap, cached policy: p50 (us) [internal]" "$s_p50" "$(f 1 "$peer_int")" "$(ratio "$s_p50" "$(f 1 "$peer_int")")" ""
printf '%-58s %14s %14s %8s %7s\n' "   p99 (us) [internal]" "$s_p99" "$(f 2 "$peer_int")" "$(ratio "$s_p99" "$(f 2 "$peer_int")")" ""
printf '%-58s %14s %14s %8s %7s\n' "   lookups/s, one connection [internal] (errors: $s_err / $(f 4 "$peer_int"))" "$s_rate" "$(f 3 "$peer_int")" "$(ratio "$s_rate" "$(f 3 "$peer_int")")" ">=5"
printf '%-58s %14s %14s %8s %7s\n' "   lookups/s, 64 clients x 5 s [internal] (errors: $s_lerr / $(f 8 "$peer_int"))" "$s_load" "$(f 7 "$peer_int")" "$(ratio "$s_load" "$(f 7 "$peer_int")")" ">=5"
printf '%-58s %14s %14s %8s %7s\n' "   p50 (us) [sqlite]" "$s_p50" "$(f 1 "$peer_sql")" "$(ratio "$s_p50" "$(f 1 "$peer_sql")")" ""
printf '%-58s %14s %14s %8s %7s\n' "   lookups/s, one connection [sqlite] (errors: $(f 4 "$peer_sql"))" "$s_rate" "$(f 3 "$peer_sql")" "$(ratio "$s_rate" "$(f 3 "$peer_sql")")" ""
printf '%-58s %14s %14s %8s %7s\n' "   lookups/s, 64 clients x 5 s [sqlite] (errors: $(f 8 "$peer_sql"))" "$s_load" "$(f 7 "$peer_sql")" "$(ratio "$s_load" "$(f 7 "$peer_sql")")" ""
printf '%-58s %14s %14s %8s %7s\n' "   memory: Pss (KiB) [helper / peer daemon, internal]" "${mem_tp% *}" "$(f 5 "$peer_int")" "$(ratio "${mem_tp% *}" "$(f 5 "$peer_int")")" ""
printf '%-58s %14s %14s %8s %7s\n' "   memory: Private_Dirty (KiB)" "${mem_tp#* }" "$(f 6 "$peer_int")" "$(ratio "${mem_tp#* }" "$(f 6 "$peer_int")")" ""
echo "baselines: 1-2, 4 and 5 the minimal responder (bench/minimal.c) under the same spawn service;"
echo "7 one client's miss of the same domain (its queries, its fetch, its time); 8 one client's miss of dane-only.test;"
echo "3 the same two rounds of queries (MX; then A, AAAA, TLSA of all 4 hosts at once) without DANE logic,"
echo "  same resolver, same client library; and, for reference, two single queries (MX, then one A)."
echo "6: the peer is postfix-mta-sts-resolver $(dpkg-query -W -f='${Version}' postfix-mta-sts-resolver 2>/dev/null) (one asyncio process; a tlspolicyd helper serves one connection)."
