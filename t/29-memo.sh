#!/bin/sh
# 29-memo.sh - the answer memo (cache.db-memo) through a real Postfix spawn
# service: a domain the cache answered is answered again without SQLite,
# with the same text; any write to the cache - sqlite3, tlspolicyd -F, a
# helper's new answer - ends memo answers at once; a refused cache is
# not bypassed through the memo; a memo file that is not ours is
# refused; lookups answered from the memo are counted in /metrics.
. "$top_srcdir/t/lib.sh"
. "$top_srcdir/t/postfix.sh"

t_need "DNS servers on port 53 of 127.77.61.x, Postfix" nsd unbound ldns-signzone nginx postfix sqlite3 curl
t_world 127.77.61
mkdir -p "$T_DIR/cache"; chown "$T_USER:$T_USER" "$T_DIR/cache"
DB=$T_DIR/cache/cache.db
MEMO=$DB-memo
LOG=$T_DIR/tlspolicyd.log
LISTEN=127.77.29.1:10028
pf_tlspolicyd_conf "$T_DIR" "dns_resolver = $WORLD_RESOLVER" "cache_file = $DB" "verbose = yes" \
    "mtasts_ca_file = $WORLD_CA"
pf_setup "$T_DIR" "$LISTEN" "$TP -c $T_DIR/tlspolicyd.cf"
pf_start "$T_DIR" || { t_result 1 "postfix starts"; t_done; }

q() { pf_postmap "$T_DIR" -q "$1" "${2:-tcp:$LISTEN}"; }
# last_source DOMAIN: the source= of its last lookup line (written after
# the reply; waited for, at most 5 s)
lines() { grep -c "lookup domain=$1 " "$LOG"; }
last_line() {	# last_line DOMAIN COUNT-BEFORE
    _i=0
    while [ "$(lines "$1")" -le "$2" ] && [ $_i -lt 50 ]; do sleep 0.1; _i=$((_i + 1)); done
    grep "lookup domain=$1 " "$LOG" | tail -1
}
memo_hits() { grep -c "memo hit for $1:" "$LOG"; }
ask() {		# ask DOMAIN: answer; sets LINE to its log line and HIT to 1 for a memo hit
    _n=$(lines "$1"); _h=$(memo_hits "$1")
    ANS=$(q "$1")
    LINE=$(last_line "$1" "$_n")
    HIT=$(( $(memo_hits "$1") - _h ))
}

ask dane-only.test
t_is "$ANS" dane-only "first lookup: DNS"
t_like "$LINE" "source=dns" "first lookup came from DNS"
ask dane-only.test
t_like "$LINE" "source=cache" "second: from the cache"
t_is "$HIT" 0 "second: not from the memo (nothing remembered yet)"
t_ok "the memo file exists" test -f "$MEMO"
t_is "$(stat -c '%U %a' "$MEMO")" "$T_USER 640" "memo: owned by the helper's user, mode 0640"
ask dane-only.test
t_is "$ANS" dane-only "third: same answer"
t_is "$HIT" 1 "third: from the memo (no database opened)"
t_like "$LINE" "rule=dane-only source=cache" "memo answer logged with its rule and source"

# MTA-STS: the memo's text is the cache's text, TLSRPT attributes too
q sts-enforce.test > /dev/null
sts_cache=$(q sts-enforce.test)
ask sts-enforce.test
t_is "$HIT" 1 "MTA-STS policy: from the memo"
t_is "$ANS" "$sts_cache" "MTA-STS policy: the same text as from the cache"
t_like "$ANS" "^secure match=" "MTA-STS policy: secure"
r1=$(q sts-enforce.test "socketmap:inet:$LISTEN:QUERYwithTLSRPT" 2>/dev/null || true)
r2=$(q sts-enforce.test "socketmap:inet:$LISTEN:QUERYwithTLSRPT" 2>/dev/null || true)
t_like "$r1" "^secure match=" "with TLSRPT attributes: the policy"
t_is "$r2" "$r1" "with TLSRPT attributes: the same answer twice (cache, then memo)"

# any write to the cache ends memo answers
sqlite3 -cmd ".timeout 5000" "$DB" "delete from dane where domain = 'dane-only.test'"
ask dane-only.test
t_is "$HIT" 0 "after a sqlite3 delete: not from the memo"
t_like "$LINE" "source=dns" "after a sqlite3 delete: looked up again"
ask dane-only.test; ask dane-only.test
t_is "$HIT" 1 "remembered again"
"$TP" -c "$T_DIR/tlspolicyd.cf" -F dane-only.test > /dev/null 2>&1
ask dane-only.test
t_is "$HIT" 0 "after tlspolicyd -F: not from the memo"
t_like "$LINE" "source=dns" "after tlspolicyd -F: looked up again"
ask dane-only.test; ask dane-only.test
t_is "$HIT" 1 "remembered again"
q four-mx.test > /dev/null			# a miss: a helper writes to the cache
ask dane-only.test
t_is "$HIT" 0 "after another helper's new answer: not from the memo"
t_like "$LINE" "source=cache" "answered from the cache instead"

# a cache the helper must refuse is not bypassed through the memo
ask dane-only.test
t_is "$HIT" 1 "remembered"
mode=$(stat -c %a "$DB")
chmod g+w "$DB"
ask dane-only.test
t_is "$HIT" 0 "group-writable cache: not from the memo"
t_like "$LINE" "source=dns" "group-writable cache: refused, looked up"
chmod "$mode" "$DB"

# a memo file that is not ours
ask dane-only.test
mv "$MEMO" "$MEMO.real"
ln -s "$MEMO.real" "$MEMO"
ask dane-only.test
t_is "$ANS" dane-only "memo behind a symbolic link: still answered"
t_is "$HIT" 0 "memo behind a symbolic link: not used"
t_ok "memo behind a symbolic link: logged" grep -q "memo $MEMO: No such file\|memo $MEMO.*refused\|memo $MEMO: Too many levels\|refused: cache file $MEMO is not a regular file" "$LOG"
rm -f "$MEMO"; mv "$MEMO.real" "$MEMO"

# memo answers are counted in /metrics, which commits nothing (a commit
# would end every memo answer), and reach the counters table with the
# next helper that writes to the cache anyway
ask dane-only.test; ask dane-only.test
before=$(curl -s --max-time 5 "http://$LISTEN/metrics" | awk '$1 == "tlspolicyd_lookups_total{protocol=\"tcp\",answer=\"dane-only\"}" { print $2 }')
ask dane-only.test
t_is "$HIT" 1 "after /metrics: still from the memo (a scrape commits nothing)"
hits=0
for i in 1 2 3 4 5; do ask dane-only.test; hits=$((hits + HIT)); done
t_is "$hits" 5 "then five memo answers in a row"
after=$(curl -s --max-time 5 "http://$LISTEN/metrics" | awk '$1 == "tlspolicyd_lookups_total{protocol=\"tcp\",answer=\"dane-only\"}" { print $2 }')
t_is "$((after - before))" 6 "/metrics counted all six lookups, the five memo answers too"
sqlite3 -cmd ".timeout 5000" "$DB" "delete from dane where domain = 'mixed.test'"
ask mixed.test			# a miss: this helper writes to the cache
i=0
while [ "$(sqlite3 -cmd ".timeout 5000" "$DB" "select value from counters where name = 'tlspolicyd_lookups_total'
    and labels = 'protocol=\"tcp\",answer=\"dane-only\"'")" != "$after" ] && [ $i -lt 50 ]; do
    sleep 0.1; i=$((i + 1))
done
t_is "$(sqlite3 -cmd ".timeout 5000" "$DB" "select value from counters where name = 'tlspolicyd_lookups_total'
    and labels = 'protocol=\"tcp\",answer=\"dane-only\"'")" "$after" \
    "a helper that wrote to the cache took the memo's counts to the counters table"
t_is "$(sqlite3 -cmd ".timeout 5000" "$DB" "pragma integrity_check")" ok "cache intact"
t_done
