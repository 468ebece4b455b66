#!/bin/sh
# 38-log-bounds.sh - the log grows with changes, not traffic, through a
# real Postfix spawn service (issue 19 item 4, issue 20 "Log flood"):
# a lookup from fresh facts is logged, 10,000 cached lookups on one
# connection log nothing (and 10,000 lines with log_lookups = all); a
# temporary failure asked again on one connection is logged once; 10,000
# malformed requests on one connection (tcp_table and socketmap) add a
# few lines and the connection is closed; malformed requests between
# valid ones are answered but their warnings are limited.
. "$top_srcdir/t/lib.sh"
. "$top_srcdir/t/postfix.sh"
. "$top_srcdir/t/unbound.sh"

t_need "a Postfix instance" postfix unbound sqlite3 python3 drill
t_tmpdir
t_user
t_binary
mkdir -p "$T_DIR/cache" "$T_DIR/cache2"
chown "$T_USER:$T_USER" "$T_DIR/cache" "$T_DIR/cache2"
ub_start "$T_DIR/ub" 127.77.36.3 5353 plain.example -- \
    "plain.example. 300 IN MX 10 mx.plain.example." "mx.plain.example. 300 IN A 127.77.36.9" \
    || { t_result 1 "local unbound starts"; t_done; }
LISTEN=127.77.36.1:10028	# log_lookups = changes (the default)
LISTEN_ALL=127.77.36.1:10029	# -o log_lookups=all
LISTEN_TEMP=127.77.36.1:10030	# a resolver that does not validate: temp
LOG=$T_DIR/tlspolicyd.log
pf_tlspolicyd_conf "$T_DIR" "dns_resolver = 127.77.36.3:5353" "cache_file = $T_DIR/cache/cache.db"
# this unbound does not validate: record a validating probe (rwatch(3)) in
# the first cache, so that plain.example is cached, and what it is in the
# second: every lookup through it answers temporary failure
for c in cache:validating cache2:not-validating; do
    "$TP" -c "$T_DIR/tlspolicyd.cf" -o "cache_file=$T_DIR/${c%:*}/cache.db" -q example.invalid > /dev/null 2>&1
    sqlite3 "$T_DIR/${c%:*}/cache.db" "insert or replace into state values
        ('resolver 127.77.36.3:5353', '${c#*:}', 'test', strftime('%s', 'now'))"
    chown -R "$T_USER:$T_USER" "$T_DIR/${c%:*}"
done
pf_setup "$T_DIR" "$LISTEN" "$TP -c $T_DIR/tlspolicyd.cf"
for l in "$LISTEN_ALL -o log_lookups=all" "$LISTEN_TEMP -o cache_file=$T_DIR/cache2/cache.db"; do
    set -- $l
    printf '%s inet n n n - 0 spawn -o %s_time_limit=86400s user=%s argv=%s -c %s %s\n' \
        "$1" "$1" "$T_USER" "$TP" "$T_DIR/tlspolicyd.cf" "$2 $3" >> "$T_DIR/etc/master.cf"
done
pf_start "$T_DIR" || { t_result 1 "postfix starts"; t_done; }

size() { wc -c < "$LOG"; }
lookups() { grep -c "lookup domain=$1 " "$LOG"; }
# pipe LISTEN COUNT REQUEST: REQUEST COUNT times on one connection; the
# replies in $T_DIR/replies, "sent N" in $T_DIR/sent, exit status in RC
pipe() {
    printf '%s' "$3" | python3 "$top_srcdir/t/pipeline.py" "${1%:*}" "${1##*:}" "$2" 120 \
        > "$T_DIR/replies" 2> "$T_DIR/sent"; RC=$?
}

# fresh facts are logged; the same answer from the cache is not
t_is "$(pf_answer "$T_DIR" plain.example "tcp:$LISTEN")" notfound "plain.example: no DANE, no MTA-STS"
t_wait_grep "$LOG" "lookup domain=plain.example .*source=dns" 5
t_is "$(lookups plain.example)" 1 "a lookup from DNS writes its line"
pf_answer "$T_DIR" plain.example "tcp:$LISTEN" > /dev/null
sleep 0.3
t_is "$(lookups plain.example)" 1 "the same answer from the cache on a new connection: no line"

# a refresh that changes the answer logs the new one (source=refresh);
# one that renews the same answer logs no lookup line
# (not under valgrind: a refresh re-executes /proc/self/exe, valgrind itself)
if [ "${T_WRAP:-}" = valgrind ]; then
    t_skip "a refresh that changed the answer logs it" "a refresh under valgrind runs valgrind"
else
    near() {	# near DOMAIN VERDICT: a cached verdict with 5 of 300 s left
        sqlite3 "$T_DIR/cache/cache.db" "insert or replace into dane values ('$1', '$2', 'test',
            300, strftime('%s','now') - 295, strftime('%s','now') + 5)"
    }
    near plain.example dane-only
    t_is "$(pf_answer "$T_DIR" plain.example "tcp:$LISTEN")" dane-only "an entry near expiry: answered from the cache"
    t_wait_grep "$LOG" "refresh of plain.example done" 10
    t_wait_grep "$LOG" "source=refresh" 2
    t_like "$(grep 'lookup domain=plain.example ' "$LOG" | tail -1)" \
        'answer=notfound reason="no DANE, no MTA-STS policy" rule=none source=refresh' \
        "a refresh that changed the answer: one line with the new answer"
    # (the first refresh's start lease, REFRESH_START seconds, would stop a second one)
    sqlite3 "$T_DIR/cache/cache.db" "delete from leases where domain = 'refresh plain.example'"
    near plain.example none
    t_is "$(pf_answer "$T_DIR" plain.example "tcp:$LISTEN")" notfound "again near expiry, the same answer"
    i=0
    while [ "$(grep -c 'refresh of plain.example done' "$LOG")" -lt 2 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    t_is "$(grep -c 'refresh of plain.example done' "$LOG"):$(grep -c 'source=refresh' "$LOG")" "2:1" \
        "a refresh that renewed the same answer: no lookup line"
fi

# 10,000 cached lookups on one connection (the entry renewed first)
sqlite3 "$T_DIR/cache/cache.db" "delete from dane"
pf_answer "$T_DIR" plain.example "tcp:$LISTEN" > /dev/null
sleep 0.3
before=$(size)
n=$(lookups plain.example)
pipe "$LISTEN" 10000 'get plain.example
'
t_is "$RC:$(grep -c '^500 ' "$T_DIR/replies")" "0:10000" "10,000 cached lookups on one connection: 10,000 answers"
grown=$(( $(size) - before ))
echo "# log_lookups = changes: $grown bytes for 10,000 cached lookups"
t_ok "... and at most a handful of log lines (grew by $grown bytes)" test "$grown" -le 1000
t_is "$(( $(lookups plain.example) - n ))" 0 "... no lookup line among them"
before=$(size)
n=$(lookups plain.example)
pipe "$LISTEN_ALL" 10000 'get plain.example
'
t_is "$RC:$(grep -c '^500 ' "$T_DIR/replies")" "0:10000" "log_lookups = all: 10,000 answers"
i=0
while [ "$(lookups plain.example)" -lt $((n + 10000)) ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
t_is "$(( $(lookups plain.example) - n ))" 10000 "log_lookups = all: one line per lookup"
echo "# log_lookups = all: $(( $(size) - before )) bytes for 10,000 cached lookups"

# a temporary failure is logged; asked again on the connection, it is not
t_is "$(pf_answer "$T_DIR" plain.example "tcp:$LISTEN_TEMP")" temp "a resolver that does not validate: temporary failure"
t_wait_grep "$LOG" "lookup domain=plain.example answer=temp" 5
n=$(grep -c "lookup domain=plain.example answer=temp" "$LOG")
pipe "$LISTEN_TEMP" 50 'get plain.example
'
t_is "$RC:$(grep -c '^400 ' "$T_DIR/replies")" "0:50" "50 temporary failures on one connection"
t_is "$(( $(grep -c "lookup domain=plain.example answer=temp" "$LOG") - n ))" 1 "... logged once"
t_like "$(tail -3 "$LOG")" "this client: 49 repeated lookup lines not logged" "... with one line that counts the others"

# garbage: the first warnings, then the connection is closed
bounded() {	# bounded PROTO REQUEST
    before=$(size)
    pipe "$LISTEN" 10000 "$2"
    grown=$(( $(size) - before ))
    replies=$(tr ',' '\n' < "$T_DIR/replies" | grep -c .)
    t_is "$RC" 0 "$1: 10,000 malformed requests: the connection ends"
    t_ok "$1: ... closed by the helper after $replies replies" test "$replies" -lt 10000
    t_ok "$1: ... the log grew by $grown bytes (at most 3000)" test "$grown" -le 3000
    t_like "$(tail -3 "$LOG")" "malformed requests in a row .*; closing connection" "$1: ... one line says why"
}
bounded tcp_table 'bogus
'
bounded socketmap '5:bogus,'

# malformed requests between valid ones: answered, warnings limited
before=$(size)
pipe "$LISTEN" 1000 'bogus
get plain.example
'
t_is "$RC:$(grep -c '^500 ' "$T_DIR/replies"):$(grep -c '^400 ' "$T_DIR/replies")" "0:1000:1000" \
    "1,000 malformed requests between valid ones: every one answered"
t_is "$(tail -c +$((before + 1)) "$LOG" | grep -c 'warning: tcp_table: ')" 5 "... 5 warnings about them"
t_like "$(tail -c +$((before + 1)) "$LOG")" "this client: 995 warnings not logged" "... and one line that counts the others"
t_done
