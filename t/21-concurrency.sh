#!/bin/sh
# 21-concurrency.sh - 32 helper processes, spawned by Postfix for 32
# concurrent clients, look up overlapping domains against one empty cache
# file at once: every answer right, no SQLITE_BUSY (or any cache warning)
# surfaced, and the cache consistent afterwards.
. "$top_srcdir/t/lib.sh"
. "$top_srcdir/t/postfix.sh"

t_need "DNS servers on port 53 of 127.77.56.x, Postfix" nsd unbound ldns-signzone postfix sqlite3
t_world 127.77.56
mkdir -p "$T_DIR/cache"; chown "$T_USER:$T_USER" "$T_DIR/cache"

LISTEN=127.77.21.1:10028
# log_lookups = all: every helper's lookups are logged, cached ones too
pf_tlspolicyd_conf "$T_DIR" "dns_resolver = $WORLD_RESOLVER" "cache_file = $T_DIR/cache/cache.db" \
    "log_lookups = all"
pf_setup "$T_DIR" "$LISTEN" "$TP -c $T_DIR/tlspolicyd.cf"
pf_start "$T_DIR" || { t_result 1 "postfix starts"; t_done; }

# found and not-found names only: postmap -q - stops at a lookup error
grep -v '^#' "$top_srcdir/t/world/expect.txt" | awk '$2 != "temp" && NF { print $1, $2 }' > "$T_DIR/expect"
awk '$2 != "notfound" { printf "%s\t%s\n", $1, $2 }' "$T_DIR/expect" | sort > "$T_DIR/want"
N=32
i=0
while [ $i -lt $N ]; do
    # each client asks every name, starting at a different one
    awk -v s=$i '{ a[NR] = $1 } END { for (k = 0; k < NR; k++) print a[(s + k) % NR + 1] }' \
        "$T_DIR/expect" > "$T_DIR/keys.$i"
    (pf_postmap "$T_DIR" -q - "tcp:$LISTEN" < "$T_DIR/keys.$i" > "$T_DIR/out.$i" 2> "$T_DIR/err.$i";
     echo $? > "$T_DIR/rc.$i") &
    i=$((i + 1))
done
wait
good=0
i=0
while [ $i -lt $N ]; do
    if [ "$(cat "$T_DIR/rc.$i")" = 0 ] && [ ! -s "$T_DIR/err.$i" ] \
        && sort "$T_DIR/out.$i" | cmp -s - "$T_DIR/want"; then
        good=$((good + 1))
    else
        echo "# client $i: rc $(cat "$T_DIR/rc.$i")"; sed 's/^/#   /' "$T_DIR/err.$i" | head -3
    fi
    i=$((i + 1))
done
t_is "$good" "$N" "all $N concurrent clients got every answer right"
helpers=$(grep 'lookup domain=' "$T_DIR/tlspolicyd.log" | sed 's/.*tlspolicyd\[\([0-9]*\)\].*/\1/' | sort -u | wc -l)
t_is "$helpers" "$N" "$N helper processes served them"
t_unlike "$(cat "$T_DIR/tlspolicyd.log")" "locked|BUSY|busy|cache .*(failed|unusable)|warning" "no SQLITE_BUSY or cache warning surfaced"
t_is "$(sqlite3 "$T_DIR/cache/cache.db" "pragma integrity_check")" ok "integrity_check is ok"
t_is "$(sqlite3 "$T_DIR/cache/cache.db" "pragma journal_mode")" wal "the cache is in WAL mode"
t_is "$(sqlite3 "$T_DIR/cache/cache.db" "select count(*) from dane")" "$(grep -vc 'bogus' "$T_DIR/expect")" \
    "one row per cacheable domain, no duplicates"
t_done
