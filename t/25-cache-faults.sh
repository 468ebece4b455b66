#!/bin/sh
# 25-cache-faults.sh - the cache fault matrix, against the DNSSEC test
# world: another writer holding the cache longer than cache_busy_timeout,
# a file that is not a database, a file damaged inside, a read-only file,
# a full disk (a small tmpfs), and helpers killed with SIGKILL in the
# middle of a cache write (strace injects the signal at the Nth write).
# Each time the answer is still right and the fault is logged; afterwards
# PRAGMA integrity_check is ok and the next helper answers and caches.
. "$top_srcdir/t/lib.sh"

t_need "DNS servers on port 53 of 127.77.64.x, a tmpfs mount" nsd unbound ldns-signzone sqlite3 /usr/bin/python3
t_world 127.77.64

# use_cache DIR: helpers run as $T_USER with a cache in DIR (made here)
use_cache() {
    mkdir -p "$1"; chown "$T_USER:$T_USER" "$1"; chmod 750 "$1"
    DB=$1/cache.db
    printf '%s\n' "dns_resolver = $WORLD_RESOLVER" "cache_file = $DB" \
        "cache_busy_timeout = 1s" > "$T_DIR/tp.cf"
}
# q DOMAIN: one lookup as the spawn user; stderr (warnings) to $T_DIR/err
q() { t_as_user "$TP" -c "$T_DIR/tp.cf" -q "$1" 2>> "$T_DIR/err"; }
sql() { t_as_user sqlite3 -cmd ".timeout 5000" "$DB" "$1"; }
intact() { t_is "$(sql 'pragma integrity_check')" ok "$1: integrity_check is ok"; }
cached() { sql "select verdict from dane where domain = '$1'"; }

use_cache "$T_DIR/c1"
t_is "$(q dane-only.test)" dane-only "baseline: dane-only.test"
t_is "$(cached dane-only.test)" dane-only "baseline: cached"

# --- another writer holds the lock for 4 s, cache_busy_timeout is 1 s
: > "$T_DIR/err"
# the lock is held long enough for two helpers (under valgrind, on a busy
# machine, a helper takes seconds to start)
case ${T_WRAP:-} in valgrind) HOLD=30 ;; *) HOLD=6 ;; esac
t_as_user /usr/bin/python3 - "$DB" "$T_DIR/c1/locked" "$HOLD" <<'EOF' &
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=5)
db.execute("BEGIN IMMEDIATE")
db.execute("INSERT OR REPLACE INTO dane VALUES ('held.test', 'dane', 'x', 60, 0, 0)")
open(sys.argv[2], "w").write("locked\n")
time.sleep(int(sys.argv[3]))
db.execute("ROLLBACK")
EOF
holder=$!
t_at_exit "t_kill_pid $holder"
t_wait_file "$T_DIR/c1/locked" 5
t_is "$(q dane-only.test)" dane-only "locked: a cached domain is answered"
t_is "$(q mixed.test)" dane "locked: an uncached domain is answered"
t_ok "locked: both answered while the lock was still held" kill -0 $holder
t_like "$(cat "$T_DIR/err")" "database is locked; not writing to the cache for 30s" "locked: the busy cache is logged"
t_is "$(grep -c "database is locked" "$T_DIR/err")" 1 "locked: logged once, not once per write"
wait $holder
t_is "$(cached mixed.test)" "" "locked: nothing was written meanwhile"
intact "locked"
t_is "$(q mixed.test)" dane "lock gone: answered"
t_is "$(cached mixed.test)" dane-some "lock gone: cached again"

# --- a file that is not a database
use_cache "$T_DIR/c2"
printf 'this is not an SQLite database\n%.0s' $(seq 200) > "$DB"
chown "$T_USER:$T_USER" "$DB"
: > "$T_DIR/err"
t_is "$(q dane-only.test)" dane-only "not a database: answered"
t_like "$(cat "$T_DIR/err")" "corrupt or not a database; moved to" "not a database: logged"
t_ok "not a database: the old file was kept aside" ls "$DB".corrupt-*
t_is "$(cached dane-only.test)" dane-only "not a database: a new cache holds the answer"
intact "not a database"

# --- a database damaged inside (the pages of the dane table overwritten)
q four-mx.test > /dev/null
page=$(sql "select rootpage from sqlite_master where name = 'dane'")
psize=$(sql "pragma page_size")
dd if=/dev/urandom of="$DB" bs="$psize" seek=$((page - 1)) count=1 conv=notrunc 2>/dev/null
: > "$T_DIR/err"
t_is "$(q four-mx.test)" dane-only "damaged page: answered"
t_like "$(cat "$T_DIR/err")" "corrupt|malformed" "damaged page: logged"
t_is "$(cached four-mx.test)" dane-only "damaged page: a new cache holds the answer"
intact "damaged page"

# --- a read-only file (and directory)
use_cache "$T_DIR/c3"
q dane-only.test > /dev/null
chmod 440 "$DB"; chmod 550 "$T_DIR/c3"
sum=$(sha256sum < "$DB")
: > "$T_DIR/err"
t_is "$(q dane-only.test)" dane-only "read-only: a cached domain is answered"
t_is "$(q mixed.test)" dane "read-only: an uncached domain is answered"
sed "s/^/# /" "$T_DIR/err"
t_like "$(cat "$T_DIR/err")" "readonly|read-only|unable to open" "read-only: logged"
t_is "$(sha256sum < "$DB")" "$sum" "read-only: the file is unchanged"
chmod 640 "$DB"; chmod 750 "$T_DIR/c3"
intact "read-only"
t_is "$(q mixed.test)" dane "writable again: answered"
t_is "$(cached mixed.test)" dane-some "writable again: cached"

# --- a full disk: a 512 KiB tmpfs, filled up after the cache was made.
# While another connection keeps the -wal and -shm files, a write finds
# the disk full ("database or disk is full"); once nobody has the file
# open, opening it needs a new -shm ("disk I/O error", no cache).
expected() { awk -v d="$1" '$1 == d { print $2 }' "$top_srcdir/t/world/expect.txt"; }
mkdir "$T_DIR/small"
if mount -t tmpfs -o size=512k,mode=755 tlspd-test "$T_DIR/small"; then
    t_at_exit "umount '$T_DIR/small'"
    use_cache "$T_DIR/small/c"
    q dane-only.test > /dev/null
    t_as_user /usr/bin/python3 - "$DB" "$T_DIR/small/c/open" <<'EOF' &
import os, sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("SELECT count(*) FROM dane").fetchall()
open(sys.argv[2], "w").write("open\n")
for _ in range(300):
    if not os.path.exists(sys.argv[2]):
        break
    time.sleep(0.1)
EOF
    reader=$!
    t_at_exit "t_kill_pid $reader"
    t_wait_file "$T_DIR/small/c/open" 5
    dd if=/dev/zero of="$T_DIR/small/filler" bs=4k 2>/dev/null
    : > "$T_DIR/err"
    ok=0
    for d in four-mx.test mixed.test insecure.test; do
        [ "$(q $d)" = "$(expected $d)" ] && ok=$((ok + 1))
    done
    t_is "$ok" 3 "full disk: three uncached domains answered right"
    t_is "$(q dane-only.test)" dane-only "full disk: a cached domain is answered"
    t_like "$(cat "$T_DIR/err")" "database or disk is full" "full disk: the failed write is logged"
    rm -f "$T_DIR/small/c/open"; wait $reader
    : > "$T_DIR/err"
    ok=0
    for d in implicit.test cname-mx.test; do
        [ "$(q $d)" = "$(expected $d)" ] && ok=$((ok + 1))
    done
    t_is "$ok" 2 "full disk, file closed: two more answered right"
    sed "s/^/# /" "$T_DIR/err"
    t_like "$(cat "$T_DIR/err")" "disk I/O error|disk is full" "full disk, file closed: logged"
    t_unlike "$(cat "$T_DIR/err")" "corrupt" "full disk: not mistaken for corruption"
    rm -f "$T_DIR/small/filler"
    intact "full disk"
    t_is "$(q mixed.test)" dane "space again: answered"
    t_is "$(cached mixed.test)" dane-some "space again: cached"
else
    t_result 1 "full disk: mount a tmpfs"
fi

# --- SIGKILL at the Nth write of a helper to its cache, N = 1..8
sigkill_matrix() {
    use_cache "$T_DIR/c4"
    for d in dane-only.test mixed.test insecure.test; do q $d > /dev/null; done
    killed=0 bad=""
    for n in 1 2 3 4 5 6 7 8; do
        sql "delete from dane where domain = 'four-mx.test'"
        strace -o /dev/null -e inject=pwrite64:signal=SIGKILL:when=$n \
            setpriv --reuid="$T_USER" --regid="$T_USER" --clear-groups -- \
            "$TP" -c "$T_DIR/tp.cf" -q four-mx.test > "$T_DIR/out" 2>> "$T_DIR/err"
        rc=$?
        [ $rc -eq 137 ] && killed=$((killed + 1))
        [ "$(sql 'pragma integrity_check')" = ok ] || bad="$bad $n:integrity"
        [ "$(q four-mx.test)" = dane-only ] || bad="$bad $n:answer"
        [ "$(cached four-mx.test)" = dane-only ] || bad="$bad $n:cached"
        [ "$(cached insecure.test)" = dane-insecure-mx ] || bad="$bad $n:lost"
    done
    echo "# $killed of 8 helpers were killed by the injected SIGKILL"
    t_ok "SIGKILL: at least 4 helpers were killed mid-run (the check can fail)" test $killed -ge 4
    t_is "$bad" "" "SIGKILL: after each kill the cache is intact, nothing lost, next answer right"
}
if strace -o /dev/null -e inject=pwrite64:signal=SIGKILL:when=1000 true 2>/dev/null; then
    sigkill_matrix
else
    t_skip "SIGKILL: helpers killed mid-write" "strace is missing or cannot trace here"
    t_skip "SIGKILL: the cache stays intact" "strace is missing or cannot trace here"
fi
t_done
