#!/bin/sh
# 07-settings-change.sh - a change of the settings that alter answers
# (dns_resolver, mtasts_ca_file, policy_overrides' content,
# mtasts_testing) makes the next helper forget, once, the DANE verdicts
# and MTA-STS failure marks the old settings could have caused; a cached
# MTA-STS policy stays; unchanged settings forget nothing. A helper under
# a configuration error writes nothing to the cache (no fingerprint, no
# counters) and its /metrics says tlspolicyd_config_error 1; -q with -c or
# -o settings other than those the cache was filled with leaves it alone.
. "$top_srcdir/t/lib.sh"
command -v sqlite3 >/dev/null 2>&1 || t_skip_all "sqlite3 is not installed"
t_cache_dir
printf 'partner.example encrypt\n' > "$T_DIR/ovr"
conf() {
    printf '%s\n' "cache_file = $DB" "policy_overrides = $T_DIR/ovr" \
        "dns_resolver = 127.77.1.1:53" "dns_timeout = 1s" "dns_deadline = 2s" \
        "$@" > "$T_DIR/f.cf"
}
# Q: a helper (service mode, as Postfix runs it) looks x.example up
Q() { printf 'get x.example\n' | t_as_user "$TP" -c "$T_DIR/f.cf" "$@" > /dev/null 2>&1; }
now=$(date +%s)
fill() {
    sqlite3 "$DB" "delete from dane; delete from sts;
        insert into dane values ('a.example', 'dane-only', 'test', 300, $now, $now + 300);
        insert into sts (domain, id, mode, max_age, policy, fetched, expires, last_fail, fail_why)
            values ('a.example', 'id1', 'enforce', 86400, 'mx: a', $now, $now + 86400, $now, 'refresh failed');
        insert into sts (domain, id, mode, max_age, policy, fetched, expires, last_fail, fail_why)
            values ('c.example', '', '', 0, '', 0, 0, $now, 'certificate verify failed')"
}
state() {
    sqlite3 "$DB" "select (select count(*) from dane) || ':' ||
        (select group_concat(domain || '/' || last_fail, ' ') from (select * from sts order by domain))"
}
FULL="1:a.example/$now c.example/$now"
CLEARED="0:a.example/0"

conf
Q
t_like "$(sqlite3 "$DB" "select value from state where name = 'settings'")" "^dns_resolver=127.77.1.1:53 mtasts_ca_file= mtasts_testing=ignore policy_overrides=$T_DIR/ovr\(fnv1a:[0-9a-f]{16}\)$" "the first helper stores the settings' fingerprint"
fill
Q
t_is "$(state)" "$FULL" "same settings: nothing forgotten"

conf "mtasts_ca_file = /etc/ssl/certs/ca-certificates.crt"
Q -o "log_file=$T_DIR/c/log"
t_is "$(state)" "$CLEARED" "mtasts_ca_file changed: DANE verdicts, failure marks and failure-only rows forgotten, the policy kept"
t_like "$(cat "$T_DIR/c/log")" "forgot 1 DANE verdict and 2 MTA-STS failure marks or TXT checks$" "the log line says what went, in correct plurals"
fill
Q
t_is "$(state)" "$FULL" "the next helper with the same settings forgets nothing"

printf 'partner.example encrypt\nother.example dane-only\n' > "$T_DIR/ovr"
Q
t_is "$(state)" "$CLEARED" "policy_overrides' content changed: forgotten"
fill
conf "mtasts_ca_file = /etc/ssl/certs/ca-certificates.crt" "mtasts_testing = enforce"
Q
t_is "$(state)" "$CLEARED" "mtasts_testing changed: forgotten"
fill
"$TP" -c "$T_DIR/f.cf" -o dns_resolver=127.77.1.2:53 -q x.example > /dev/null 2>&1
t_is "$(state)" "$FULL" "-q with -o dns_resolver: the shared cache is not touched"
sed 's/^dns_resolver = .*/dns_resolver = 127.77.1.2:53/' "$T_DIR/f.cf" > "$T_DIR/other.cf"
"$TP" -c "$T_DIR/other.cf" -q x.example > /dev/null 2>&1
t_is "$(state)" "$FULL" "-q -c other.cf with another dns_resolver: the shared cache is not touched"
"$TP" -c "$T_DIR/other.cf" -q a.example > /dev/null 2>&1; rc=$?
t_is "$rc" 75 "-q -c other.cf: answers from its own settings, not the cache's dane-only"
out=$("$TP" -c "$T_DIR/f.cf" -q a.example 2>&1); rc=$?
t_is "$rc:$out" "0:dane-only" "-q -c with the settings the cache holds: answers from the cache"
out=$("$TP" -c "$T_DIR/other.cf" -v -q a.example 2>&1)
t_like "$out" "settings that change answers differ from those of the cache .*: the shared cache is not used" "-q -v says why the cache is not used"

# a configuration error: nothing written, the settings row kept
mark=$(sqlite3 "$DB" "select value from state where name = 'settings'")
sqlite3 "$DB" "delete from counters"
rm -f "$DB-memo"
for bad in "dns_timout = 1s" "dns_timeout = soon" "policy_overrides = $T_DIR/nonexistent"; do
    cp "$T_DIR/f.cf" "$T_DIR/bad.cf"
    printf '%s\n' "$bad" >> "$T_DIR/bad.cf"
    out=$(printf 'get x.example\nget a.example\n' | t_as_user "$TP" -c "$T_DIR/bad.cf" 2>&1)
    t_like "$(echo $out)" "^400 [^ ]* 400 " "configuration error ($bad): temporary failures"
    out=$(printf 'GET /metrics HTTP/1.0\r\n\r\n' | t_as_user "$TP" -c "$T_DIR/bad.cf" 2>&1)
    t_like "$out" "HTTP/1.0 200" "configuration error ($bad): /metrics answers"
    t_like "$out" "(^|$(printf '\n'))tlspolicyd_config_error 1" "configuration error ($bad): tlspolicyd_config_error 1"
    t_unlike "$out" "tlspolicyd_lookups_total|tlspolicyd_cache_entries" "configuration error ($bad): no ordinary counters shown"
    t_is "$(state):$(sqlite3 "$DB" "select value from state where name = 'settings'")" "$FULL:$mark" \
        "configuration error ($bad): fingerprint and cached results kept"
    t_is "$(sqlite3 "$DB" "select count(*) from counters")" 0 "configuration error ($bad): no counters written"
done
ls "$T_DIR/c" > "$T_DIR/files"
t_unlike "$(cat "$T_DIR/files")" "memo" "configuration error: no memo file made either"
out=$(printf 'GET /metrics HTTP/1.0\r\n\r\n' | t_as_user "$TP" -c "$T_DIR/f.cf" 2>&1)
t_like "$out" "# TYPE tlspolicyd_config_error gauge" "/metrics: the config_error gauge has HELP/TYPE"
t_like "$out" "(^|$(printf '\n'))tlspolicyd_config_error 0" "/metrics without a configuration error: tlspolicyd_config_error 0"
conf "mtasts_ca_file = /etc/ssl/certs/ca-certificates.crt" "mtasts_testing = enforce" \
    "dns_resolver = 127.77.1.2:53"
Q
t_is "$(state)" "$CLEARED" "dns_resolver changed: forgotten"
t_like "$(sqlite3 "$DB" "select count(*) from state where name like 'resolver %'")" "^[01]$" "old resolver probes forgotten with it"
fill
sqlite3 "$DB" "update state set value = X'31' where name = 'settings'"
"$TP" -c "$T_DIR/f.cf" -o dns_resolver=127.77.1.3:53 -q a.example > /dev/null 2>&1
t_is "$(state):$(sqlite3 "$DB" "select typeof(value) from state where name = 'settings'")" "$FULL:blob" \
    "-q -o with a fingerprint it cannot read: neither cleared nor replaced"
sqlite3 "$DB" "update state set value = 1234 where name = 'settings'"
Q
t_is "$(state)" "$CLEARED" "a malformed fingerprint row counts as changed"
t_is "$(sqlite3 "$DB" 'pragma integrity_check')" ok "the cache is intact afterwards"
t_done
