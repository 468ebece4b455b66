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
# Every figure is the median of RUNS runs (default 5); loops are bounded.
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
pf_tlspolicyd_conf "$T_DIR" "dns_resolver = $WORLD_RESOLVER" "cache_file = $T_DIR/cache/cache.db"
pf_setup "$T_DIR" "$A:$P" "$TP -c $T_DIR/tlspolicyd.cf"
echo "$A:$PMIN inet n n n - 0 spawn user=$T_USER argv=$T_DIR/bin/minimal" >> "$T_DIR/etc/master.cf"
pf_start "$T_DIR" || { echo "bench: postfix does not start"; exit 1; }
pf_postmap "$T_DIR" -q dane-only.test "tcp:$A:$P" > /dev/null	# warm the cache

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
col() { awk -v c="$1" '{ print $c }'; }
runs() {	# runs CMD...: RUNS lines of output
    _i=0; while [ $_i -lt "$RUNS" ]; do "$@"; _i=$((_i + 1)); done
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }

# 1. kept connection
runs "$BENCH/client" kept $A $P tcp dane-only.test 2000 > "$T_DIR/k.tp"
runs "$BENCH/client" kept $A $PMIN tcp dane-only.test 2000 > "$T_DIR/k.min"
k_p50=$(col 1 < "$T_DIR/k.tp" | median); k_p99=$(col 2 < "$T_DIR/k.tp" | median)
k_rate=$(col 3 < "$T_DIR/k.tp" | median); k_err=$(col 4 < "$T_DIR/k.tp" | awk '{ s += $1 } END { print s + 0 }')
m_p50=$(col 1 < "$T_DIR/k.min" | median); m_p99=$(col 2 < "$T_DIR/k.min" | median)
m_rate=$(col 3 < "$T_DIR/k.min" | median)

# 2. new connection to the first cached answer
runs "$BENCH/client" connect $A $P tcp dane-only.test 200 > "$T_DIR/c.tp"
runs "$BENCH/client" connect $A $PMIN tcp dane-only.test 200 > "$T_DIR/c.min"
c_p50=$(col 1 < "$T_DIR/c.tp" | median); cm_p50=$(col 1 < "$T_DIR/c.min" | median)
c_p99=$(col 2 < "$T_DIR/c.tp" | median); cm_p99=$(col 2 < "$T_DIR/c.min" | median)

# 3. cache miss, 4 MX hosts: warm resolver, then cold (unbound restarted)
runs "$BENCH/dnsrtt" "$WORLD_RESOLVER" four-mx.test > "$T_DIR/miss.warm"
ub_restart() {
    t_kill_pid "$(cat "$T_DIR/world/unbound.pid")"
    unbound -d -c "$T_DIR/world/unbound.conf" > "$T_DIR/world/unbound.out" 2>&1 &
    echo $! > "$T_DIR/world/unbound.pid"
    _i=0; while [ $_i -lt 50 ] && ! drill -p 5300 @127.77.62.1 test. SOA >/dev/null 2>&1; do sleep 0.1; _i=$((_i + 1)); done
    # prime the root and test. keys, so that "cold" means the domain only
    drill -p 5300 @127.77.62.1 dane-only.test MX >/dev/null 2>&1
}
: > "$T_DIR/miss.cold"
i=0; while [ $i -lt "$RUNS" ]; do
    ub_restart; "$BENCH/dnsrtt" "$WORLD_RESOLVER" four-mx.test >> "$T_DIR/miss.cold"; i=$((i + 1))
done
w_rtt=$(col 1 < "$T_DIR/miss.warm" | median); w_miss=$(col 2 < "$T_DIR/miss.warm" | median)
c_rtt=$(col 1 < "$T_DIR/miss.cold" | median); c_miss=$(col 2 < "$T_DIR/miss.cold" | median)
verdicts=$(col 3 < "$T_DIR/miss.warm" | sort -u | tr '\n' ' ')

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
    awk '/^Pss:/ { p = $2 } /^Private_Dirty:/ { d = $2 } END { print p, d }' "/proc/$_pid/smaps_rollup" 2>/dev/null
    wait $_h
}
mem_tp=$(mem $P "bin/tlspolicyd")
mem_min=$(mem $PMIN "bin/minimal")

# 5. 64 clients for 5 s, RUNS times
runs "$BENCH/client" load $A $P tcp dane-only.test 5 64 > "$T_DIR/load"
l_rate=$(col 1 < "$T_DIR/load" | median); l_err=$(col 2 < "$T_DIR/load" | awk '{ s += $1 } END { print s + 0 }')
warn=$(grep -c "warning" "$T_DIR/tlspolicyd.log")

echo "tlspolicyd benchmark, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), median of $RUNS runs"
printf '%-58s %14s %14s %8s %7s\n' "measurement" "tlspolicyd" "baseline" "ratio" "target"
printf '%-58s %14s %14s %8s %7s\n' "1. kept connection, cached: p50 latency (us)" "$k_p50" "$m_p50" "$(ratio "$k_p50" "$m_p50")" "<=1.3"
printf '%-58s %14s %14s %8s %7s\n' "   p99 latency (us)" "$k_p99" "$m_p99" "$(ratio "$k_p99" "$m_p99")" ""
printf '%-58s %14s %14s %8s %7s\n' "   lookups/s (errors: $k_err)" "$k_rate" "$m_rate" "$(ratio "$k_rate" "$m_rate")" ""
printf '%-58s %14s %14s %8s %7s\n' "2. new connection to first cached answer: p50 (us)" "$c_p50" "$cm_p50" "$(ratio "$c_p50" "$cm_p50")" "<=1.3"
printf '%-58s %14s %14s %8s %7s\n' "   p99 (us)" "$c_p99" "$cm_p99" "$(ratio "$c_p99" "$cm_p99")" ""
printf '%-58s %14s %14s %8s %7s\n' "3. cache miss, 4 MX hosts, resolver warm (us)" "$w_miss" "$w_rtt" "$(ratio "$w_miss" "$w_rtt")" "<=1.2"
printf '%-58s %14s %14s %8s %7s\n' "   resolver cold (us)" "$c_miss" "$c_rtt" "$(ratio "$c_miss" "$c_rtt")" "<=1.2"
printf '%-58s %14s\n' "   sequential DNS round trips (MX, then all hosts at once)" "2"
printf '%-58s %14s\n' "   verdict" "$verdicts"
printf '%-58s %14s %14s %8s %7s\n' "4. idle helper after one cached answer: Pss (KiB)" "${mem_tp% *}" "${mem_min% *}" "$(ratio "${mem_tp% *}" "${mem_min% *}")" ""
printf '%-58s %14s %14s %8s %7s\n' "   Private_Dirty (KiB)" "${mem_tp#* }" "${mem_min#* }" "" "<=2048"
printf '%-58s %14s %14s %8s %7s\n' "5. 64 clients x 5 s: lookups/s (errors: $l_err, log warnings: $warn)" "$l_rate" "" "" "0 err"
echo "baselines: 1-2 and 4 the minimal responder (bench/minimal.c) under the same spawn service;"
echo "3 two sequential queries (MX, then A of an MX host) to the same resolver, same client library."
echo "The peer (postfix-mta-sts-resolver) is not measured here: see README, Performance."
