#!/bin/sh
# 35-refresh-bounds.sh - refresh-ahead stays bounded when the machine
# degrades (DESIGN.md 10): 100 lookups of entries due for a refresh, on
# one connection, with a cache another process holds the write lock of,
# with a read-only cache file, and with a resolver that swallows every
# query. A failed lease is not a lease: no refresh process starts while
# the cache cannot be written, and never more refresh processes run at
# once, across all helpers, than the cap (REFRESH_MAX_PROCS).
. "$top_srcdir/t/lib.sh"

t_need "a test user, strace" strace sqlite3 /usr/bin/python3 setpriv
t_cache_dir
BH=127.77.35.20:5300			# t/world/fakedns.py blackhole: never answers
/usr/bin/python3 "$top_srcdir/t/world/fakedns.py" blackhole 127.77.35.20 5300 "$T_DIR/bh.pid" \
    > "$T_DIR/bh.out" 2>&1 &
t_at_exit "t_kill_pid $!"
t_wait_file "$T_DIR/bh.pid" 5 || { t_result 1 "the blackhole resolver starts"; t_done; }
LOG=$T_DIR/tp.log
cat > "$T_DIR/tp.cf" <<EOC
dns_resolver = $BH
dns_timeout = 1s
dns_deadline = 4s
mtasts_fetch_timeout = 2s
cache_file = $DB
cache_busy_timeout = 1s
log_file = $LOG
EOC
: > "$LOG"; chown "$T_USER" "$LOG"
HELPER="setpriv --reuid=$T_USER --regid=$T_USER --clear-groups -- $TP -c $T_DIR/tp.cf"
# LeakSanitizer cannot run under ptrace: under T_WRAP=asan the helpers
# run() traces keep the other checks, not the leak check
TRACED=$HELPER
[ "${T_WRAP:-}" = asan ] && TRACED="setpriv --reuid=$T_USER --regid=$T_USER --clear-groups --
    env ASAN_OPTIONS=detect_leaks=0:log_path=$T_DIR/reports/asan $TP.real -c $T_DIR/tp.cf"
PC="/usr/bin/python3 $top_srcdir/t/pairclient.py --timeout 10"
seq 1 100 | sed 's/$/.due.test/' > "$T_DIR/keys"

# due: 100 DANE entries in the last quarter of an hour-long life (fresh
# for 100 s more), so each lookup answers from the cache and asks for a
# refresh once the client is idle
t_as_user "$TP" -c "$T_DIR/tp.cf" -o dns_deadline=1s -q x.test > /dev/null 2>&1
t_is "$(sqlite3 "$DB" "select count(*) from leases")" 0 "a lookup made the cache" || true
due() {
    sqlite3 "$DB" "delete from leases; delete from dane;
        with recursive n(i) as (select 1 union all select i + 1 from n where i < 100)
        insert into dane select i || '.due.test', 'dane-only', 'test', 3600,
            strftime('%s','now') - 3500, strftime('%s','now') + 100 from n"
}
# run NAME: 100 lookups on one connection to one helper, under strace (a
# helper claims a refresh only while no request waits, so under load it
# claims fewer than 100: the counts below are at least 1, not 100);
# prints how many of its replies were right, then the refresh processes
# it started (execve with -R)
run() {
    strace -f -qq -e trace=execve -o "$T_DIR/trace.$1" $PC --keys "$T_DIR/keys" -- $TRACED \
        > "$T_DIR/out.$1" 2>/dev/null
    grep -c '^200 dane-only$' "$T_DIR/out.$1"
    grep -c '"-R"' "$T_DIR/trace.$1"
}
metric() {	# metric REASON: tlspolicyd_refresh_skipped_total{reason=REASON}
    printf 'GET /metrics HTTP/1.0\r\n\r\n' | $PC -- $HELPER \
        | sed -n "s/^tlspolicyd_refresh_skipped_total{reason=\"$1\"} //p"
}

# --- another process holds the write lock past cache_busy_timeout (an
# administrator's sqlite3 with BEGIN IMMEDIATE)
due
cp "$top_srcdir/t/holdcache.py" "$T_DIR/holdcache.py"
t_as_user /usr/bin/python3 "$T_DIR/holdcache.py" "$DB" "$T_DIR/c/locked" "BEGIN IMMEDIATE" &
holder=$!
t_at_exit "t_kill_pid $holder"
t_wait_file "$T_DIR/c/locked" 5
set -- $(run locked)
t_is "$1" 100 "write lock held: 100 due lookups answered from the cache"
t_ok "write lock held: at most 2 refresh processes for 100 due lookups (started: $2)" test "$2" -le 2
t_is "$(grep -c 'refresh-ahead paused' "$LOG")" 1 "write lock held: the helper says once that refresh-ahead pauses"
t_like "$(grep 'refresh-ahead paused' "$LOG")" "for 60s" "write lock held: and for how long"
rm -f "$T_DIR/c/locked"; wait $holder
n=$(metric cache-unwritable)
t_ok "write lock held: counted in tlspolicyd_refresh_skipped_total{reason=\"cache-unwritable\"} (${n:-none})" \
    test "${n:-0}" -ge 1

# --- a read-only cache file (its -wal and -shm stay writable: SQLite
# needs them even to read)
due
: > "$LOG"
chmod 0440 "$DB"
set -- $(run readonly)
t_is "$1" 100 "read-only cache: 100 due lookups answered from the cache"
t_ok "read-only cache: at most 2 refresh processes for 100 due lookups (started: $2)" test "$2" -le 2
t_is "$(grep -c 'refresh-ahead paused' "$LOG")" 1 "read-only cache: the helper says once that refresh-ahead pauses"
echo "# $(grep "refresh-ahead paused" "$LOG")"
t_like "$(grep 'refresh-ahead paused' "$LOG")" "readonly|read-only" "read-only cache: and why"
: > "$LOG"
t_as_user "$TP" -c "$T_DIR/tp.cf" -R 1.due.test; rc=$?
t_is "$rc" 1 "read-only cache: a refresh process cannot take its lease: exit 1"
t_like "$(cat "$LOG")" "refresh of 1.due.test: cannot take its lease" "read-only cache: and says so in the log"
chmod 0640 "$DB"

# --- refresh slot files another user could write (group-writable): no
# refresh process starts, the helper says why once, and -t says the same
due
: > "$LOG"
for n in 0 1 2 3 4 5 6 7; do
    rm -f "$DB-refresh$n"; : > "$DB-refresh$n"; chown "$T_USER" "$DB-refresh$n"; chmod 0660 "$DB-refresh$n"
done
set -- $(run slots)
t_is "$1" 100 "group-writable refresh slots: 100 due lookups answered from the cache"
t_is "$2" 0 "group-writable refresh slots: no refresh process starts"
t_is "$(grep -c 'no refresh process starts' "$LOG")" 1 "group-writable refresh slots: the helper says so once"
why=$(sed -n 's/.*warning: \(refresh slot .*\); no refresh process starts$/\1/p' "$LOG" | sed 's/refresh[0-7] /refreshN /')
t_like "$why" "^refresh slot $DB-refreshN is writable by its group" "group-writable refresh slots: and why"
tout=$(t_as_user "$TP" -c "$T_DIR/tp.cf" -t 2>&1)
t_is "$(printf '%s\n' "$tout" | sed -n 's/^FAIL: cache .*starts no refresh process: \(.*\) (checked as .*/\1/p' | sed 's/refresh[0-7] /refreshN /')" "$why" \
    "group-writable refresh slots: -t FAILs with the reason the helper logs"
n=$(metric slot-file)
t_ok "group-writable refresh slots: counted as reason=\"slot-file\" (${n:-none})" test "${n:-0}" -ge 1
# slots that are symbolic links (O_NOFOLLOW): the same, named as such
due
: > "$LOG"
for n in 0 1 2 3 4 5 6 7; do rm -f "$DB-refresh$n"; ln -s /dev/null "$DB-refresh$n"; done
set -- $(run slotlinks)
t_is "$2" 0 "refresh slots that are symbolic links: no refresh process starts"
t_like "$(grep 'no refresh process starts' "$LOG")" "refresh slot $DB-refresh[0-7] is not a regular file \(a symbolic link" \
    "refresh slots that are symbolic links: the helper says so, as -t does"
for n in 0 1 2 3 4 5 6 7; do rm -f "$DB-refresh$n"; done

# --- a resolver that swallows every query: each refresh process lives
# until dns_deadline; 100 due domains asked once each
due
: > "$LOG"
out=$($PC --keys "$T_DIR/keys" --alive "$T_DIR/tp.cf" -- $HELPER)
t_is "$(printf '%s\n' "$out" | grep -c '^200 dane-only$')" 100 "resolver swallows queries: 100 due lookups answered"
most=$(printf '%s\n' "$out" | sed -n 's/^alive-max //p')
t_ok "resolver swallows queries: never more than 8 refresh processes alive at once (seen: $most)" \
    test "${most:-999}" -le 8
t_ok "resolver swallows queries: some refreshes did start ($most)" test "${most:-0}" -ge 1
i=0; while [ $i -lt 100 ] && pgrep -f -- "-c $T_DIR/tp.cf -R" > /dev/null; do sleep 0.1; i=$((i + 1)); done
n=$(metric cap)
t_ok "resolver swallows queries: the due entries over the cap wait, counted as reason=\"cap\" (${n:-none})" \
    test "${n:-0}" -ge 1

# --- the wait for another helper's lookup is part of the lookup's one
# time limit (dns_deadline + mtasts_fetch_timeout, here 4 + 1 s): a
# "lookup" lease that is never given back (its helper hangs) and a
# resolver that swallows queries give temporary failure within it, not
# after the wait plus a whole new limit (4 + 4 s)
sqlite3 "$DB" "insert or replace into leases values ('lookup slow.test', 1, strftime('%s','now') + 3600)"
t0=$(t_ms)
out=$(t_as_user "$TP" -c "$T_DIR/tp.cf" -o dns_deadline=4s -o mtasts_fetch_timeout=1s -q slow.test 2>&1); rc=$?
t1=$(t_ms)
t_is "$rc" 75 "a lookup lease never given back: temporary failure"
t_ok "a lookup lease never given back: answered within the 5 s limit, waiting included ($((t1 - t0)) ms)" \
    test $((t1 - t0)) -lt 6500
t_done
