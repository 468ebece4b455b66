#!/bin/sh
# 36-cache-files.sh - the cache's trust rules apply to the files SQLite
# really uses (DESIGN.md 10): a cache_file that is a symbolic link is
# checked, used and memoized at its target, where a -wal planted by
# another user changes no answer; a row's life ends at most
# cache_max_ttl after its own fetch time; and the memo gives no answer it
# cannot confirm: not after an sqlite3 session in EXCLUSIVE locking mode
# wrote to the cache, not after an upgrade, while a /metrics scrape
# leaves its answers valid.
. "$top_srcdir/t/lib.sh"

t_need "DNS servers on port 53 of 127.77.86.x" nsd unbound ldns-signzone sqlite3 /usr/bin/python3 setpriv
t_world 127.77.86
PC="/usr/bin/python3 $top_srcdir/t/pairclient.py --timeout 20"
# conf NAME CACHE_FILE: $T_DIR/NAME.cf
conf() {
    printf '%s\n' "dns_resolver = $WORLD_RESOLVER" "cache_file = $2" \
        "cache_busy_timeout = 1s" > "$T_DIR/$1.cf"
}
# q CONF DOMAIN: -q's answer (notfound for exit 1), debug lines in $T_DIR/err
q() {
    _out=$("$TP" -c "$T_DIR/$1.cf" -v -q "$2" 2> "$T_DIR/err"); _rc=$?
    case $_rc in 0) echo "$_out" ;; 1) echo notfound ;; *) echo "exit-$_rc" ;; esac
}
memo_hit() { grep -q "memo hit for $1" "$T_DIR/err"; }
udir() { mkdir -p "$1"; chown "$T_USER:$T_USER" "$1"; chmod "${2:-750}" "$1"; }

# --- cache_file is a symbolic link into a directory everybody may write:
# another user plants a -wal beside the target that turns dane-only.test
# into "none" (not found). Made while the directory was still safe.
udir "$T_DIR/link"; udir "$T_DIR/pub" 755
ln -s "$T_DIR/pub/cache.db" "$T_DIR/link/cache.db"
conf link "$T_DIR/link/cache.db"
t_is "$(q link dane-only.test)" dane-only "symlinked cache: first lookup"
t_is "$(sqlite3 "$T_DIR/pub/cache.db" "select verdict from dane where domain = 'dane-only.test'")" dane-only \
    "symlinked cache: the verdict is stored at the link's target"
# the attacker's copy, its -wal copied in beside the target (the helpers'
# own -wal and -shm, emptied and removed first: the directory lets anyone)
sqlite3 "$T_DIR/pub/cache.db" "pragma wal_checkpoint(truncate)" > /dev/null
chmod 777 "$T_DIR/pub"
rm -f "$T_DIR/pub/cache.db-wal" "$T_DIR/pub/cache.db-shm"
plant() {	# plant DIR: a forged -wal in DIR, owned by uid 65534
    /usr/bin/python3 - "$1/cache.db" "$T_DIR/forge" <<'EOF'
import os, shutil, sqlite3, sys
db, forge = sys.argv[1], sys.argv[2]
os.makedirs(forge, exist_ok=True)
shutil.copy(db, forge + "/cache.db")
c = sqlite3.connect(forge + "/cache.db", isolation_level=None)
c.execute("PRAGMA journal_mode=WAL")
c.execute("UPDATE dane SET verdict = 'none', why = 'forged' WHERE domain = 'dane-only.test'")
shutil.copy(forge + "/cache.db-wal", db + "-wal")
os.chown(db + "-wal", 65534, 65534)
os.chmod(db + "-wal", 0o644)
os._exit(0)
EOF
}
plant "$T_DIR/pub"
t_is "$(q link dane-only.test)" dane-only "planted -wal in a world-writable target directory: no answer changed"
t_like "$(cat "$T_DIR/err")" "cache $T_DIR/link/cache.db refused: cache directory $T_DIR/pub is writable by others" \
    "planted -wal in a world-writable target directory: refused, the real directory named"
out=$("$TP" -c "$T_DIR/link.cf" -t 2>&1)
t_like "$(printf '%s\n' "$out" | grep ': cache ')" "^FAIL: cache $T_DIR/link/cache.db: .*cache directory $T_DIR/pub is writable by others" \
    "-t: FAIL, with the helper's reason"
# the same in a directory only the helper's user may write, where the
# -wal is still another user's file (root planted it)
chmod 755 "$T_DIR/pub"; rm -f "$T_DIR/pub/cache.db-shm"
t_is "$(q link dane-only.test)" dane-only "-wal owned by another user beside the target: no answer changed"
t_like "$(cat "$T_DIR/err")" "cache file $T_DIR/pub/cache.db-wal is owned by uid 65534" \
    "-wal owned by another user: refused, the file named"
rm -f "$T_DIR/pub/cache.db-wal" "$T_DIR/pub/cache.db-shm"
t_is "$(q link dane-only.test)" dane-only "symlinked cache, nothing planted: used again"
t_like "$(cat "$T_DIR/err")" "cache hit for dane-only.test" "symlinked cache, nothing planted: answered from the cache"

# --- the memo of a symbolic link is the memo of its target: its stamp is
# the -shm SQLite uses, so tlspolicyd -F reaches it
udir "$T_DIR/l2"; udir "$T_DIR/tgt"
ln -s "$T_DIR/tgt/cache.db" "$T_DIR/l2/cache.db"
conf l2 "$T_DIR/l2/cache.db"
q l2 dane-only.test > /dev/null; q l2 dane-only.test > /dev/null
t_is "$(q l2 dane-only.test)" dane-only "symlinked cache: third lookup answered"
t_ok "symlinked cache: ... by the memo" memo_hit dane-only.test
t_ok "symlinked cache: the memo is beside the target" test -f "$T_DIR/tgt/cache.db-memo"
"$TP" -c "$T_DIR/l2.cf" -F dane-only.test > /dev/null 2>&1
t_is "$(q l2 dane-only.test)" dane-only "after -F: answered"
t_ok "after -F: not by the memo" sh -c "! grep -q 'memo hit' '$T_DIR/err'"

# --- cache_file under a symbolic link to its directory (/var/lib/tlspolicyd
# moved to another disk): SQLite opens it with no link in the path, so it
# is opened, checked and memoized in the real directory; -t agrees
udir "$T_DIR/realdir"
ln -s "$T_DIR/realdir" "$T_DIR/dirlink"
conf dl "$T_DIR/dirlink/cache.db"
t_is "$(q dl dane-only.test)" dane-only "cache_file in a symlinked directory: answered"
t_unlike "$(cat "$T_DIR/err")" "cache [^ ]+ (unusable|refused)" "  and the cache is not refused"
t_is "$(sqlite3 "$T_DIR/realdir/cache.db" "select verdict from dane where domain = 'dane-only.test'")" dane-only \
    "  the verdict is stored in the real directory"
q dl dane-only.test > /dev/null; q dl dane-only.test > /dev/null
t_ok "  and answered by the memo there" memo_hit dane-only.test
t_like "$("$TP" -c "$T_DIR/dl.cf" -t 2>&1 | grep 'cache')" "^ok: cache " "  tlspolicyd -t: ok"
# a helper's start-up warning about a directory it cannot write names the
# real directory, where SQLite creates its files
chmod 0550 "$T_DIR/realdir"
printf '%s\n' "log_file = $T_DIR/dl.log" >> "$T_DIR/dl.cf"
: > "$T_DIR/dl.log"; chown "$T_USER" "$T_DIR/dl.log"
printf 'dane-only.test\n' > "$T_DIR/k"
$PC --keys "$T_DIR/k" -- setpriv --reuid="$T_USER" --regid="$T_USER" --clear-groups -- "$TP" -c "$T_DIR/dl.cf" > /dev/null
t_like "$(grep 'not writable' "$T_DIR/dl.log")" "cache directory $T_DIR/realdir is not writable" \
    "  a helper warns about the real directory it cannot write, by its real name"
chmod 0750 "$T_DIR/realdir"

# --- a row's life ends cache_max_ttl after its own fetch time
udir "$T_DIR/c"; DB=$T_DIR/c/cache.db
conf c "$DB"
q c dane-only.test > /dev/null
sqlite3 "$DB" "update dane set verdict = 'dane-some', ttl = 300,
    fetched = strftime('%s','now') - 3 * 86400,
    expires = strftime('%s','now') + 10 * 365 * 86400 where domain = 'dane-only.test'"
t_is "$(q c dane-only.test)" dane-only "far-future expiry, fetched 3 days ago: looked up again, not served"
t_ok "far-future expiry: the row was fetched again" \
    test "$(sqlite3 "$DB" "select strftime('%s','now') - fetched < 60 and verdict = 'dane-only' from dane where domain = 'dane-only.test'")" = 1
sqlite3 "$DB" "update dane set verdict = 'dane-some', ttl = 300,
    fetched = strftime('%s','now') + 86400, expires = strftime('%s','now') + 86400 + 300
    where domain = 'dane-only.test'"
t_is "$(q c dane-only.test)" dane-only "fetch time in the future: looked up again, not served"
t_like "$(cat "$T_DIR/err")" "dane entry for dane-only.test ignored: " "fetch time in the future: logged"

# --- the memo and an sqlite3 session in EXCLUSIVE locking mode, which
# keeps its WAL index in its own memory: its commits never reach the -shm
q c dane-only.test > /dev/null; q c dane-only.test > /dev/null
q c dane-only.test > /dev/null
t_ok "exclusive: the memo answers before" memo_hit dane-only.test
cp "$top_srcdir/t/holdcache.py" "$T_DIR/holdcache.py"
t_as_user /usr/bin/python3 "$T_DIR/holdcache.py" "$DB" "$T_DIR/c/held" \
    "PRAGMA locking_mode=EXCLUSIVE" "UPDATE dane SET verdict = 'dane-some' WHERE domain = 'dane-only.test'" &
holder=$!
t_at_exit "t_kill_pid $holder"
t_wait_file "$T_DIR/c/held" 5
t_is "$(q c dane-only.test)" dane-only "exclusive session open: answered"
t_ok "exclusive session open, after its commit: not by the memo" sh -c "! grep -q 'memo hit' '$T_DIR/err'"
rm -f "$T_DIR/c/held"; wait $holder
t_is "$(q c dane-only.test)" dane "exclusive session closed: the cache's new answer"

# --- a /metrics scrape leaves memo answers valid (it commits nothing)
sqlite3 "$DB" "delete from dane"
printf 'dane-only.test\n' > "$T_DIR/k"
HELPER="setpriv --reuid=$T_USER --regid=$T_USER --clear-groups -- $TP -c $T_DIR/c.cf"
$PC --keys "$T_DIR/k" -- $HELPER > /dev/null	# looks up and caches
$PC --keys "$T_DIR/k" -- $HELPER > /dev/null	# from the cache: memo, counts
q c dane-only.test > /dev/null
t_ok "scrape: the memo answers before" memo_hit dane-only.test
out=$(printf 'GET /metrics HTTP/1.0\r\n\r\n' | $PC -- $HELPER)
t_like "$out" 'tlspolicyd_lookups_total\{protocol="tcp",answer="dane-only"\} [1-9]' \
    "scrape: counts not yet in the cache are shown"
q c dane-only.test > /dev/null
t_ok "scrape: the memo still answers after it" memo_hit dane-only.test

# --- an upgrade: another version of the program does not take the old
# version's memo answers (the settings hash includes the version)
tp=$TP; [ -x "$TP.real" ] && tp=$TP.real	# the binary, not a T_WRAP wrapper
ver=$("$tp" -V | sed -n '1s/^tlspolicyd //p')
new=$(echo "$ver" | sed 's/.$/x/')
/usr/bin/python3 - "$tp" "$T_DIR/bin/tlspolicyd-next" "$ver" "$new" <<'EOF'
import sys
src, dst, old, new = sys.argv[1:5]
data = open(src, "rb").read()
open(dst, "wb").write(data.replace(b"\0" + old.encode() + b"\0", b"\0" + new.encode() + b"\0"))
EOF
chmod 755 "$T_DIR/bin/tlspolicyd-next"
t_like "$("$T_DIR/bin/tlspolicyd-next" -V | head -1)" "^tlspolicyd $new$" "upgrade: a binary of version $new"
q c dane-only.test > /dev/null
t_ok "upgrade: the memo answers the old version" memo_hit dane-only.test
"$T_DIR/bin/tlspolicyd-next" -c "$T_DIR/c.cf" -v -q dane-only.test > /dev/null 2> "$T_DIR/err"
t_ok "upgrade: the new version does not take the old version's memo answer" sh -c "! grep -q 'memo hit' '$T_DIR/err'"
t_done
