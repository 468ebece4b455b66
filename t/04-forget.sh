#!/bin/sh
# 04-forget.sh - -F DOMAIN and -F all remove DANE verdicts, MTA-STS
# policies and fetch-failure marks from the cache (checked with sqlite3),
# leave other domains alone, never create a cache, and fail clearly; as
# root, -F works with the helper's user's rights.
. "$top_srcdir/t/lib.sh"
command -v sqlite3 >/dev/null 2>&1 || t_skip_all "sqlite3 is not installed"
t_cache_dir
cat > "$T_DIR/f.cf" <<EOC
cache_file = $DB
# nothing listens here: a lookup fails at once, but opens the cache
dns_resolver = 127.77.1.1:53
EOC
F() { "$TP" -c "$T_DIR/f.cf" "$@"; }
flat() { tr '\n' ' '; }
rows() { sqlite3 "$DB" "select group_concat(domain, ' ') from (select domain from $1 order by domain)"; }

F -q a.example >/dev/null 2>&1
t_ok "a lookup created the cache" test -s "$DB"
now=$(date +%s)
fill() {
    sqlite3 "$DB" "delete from dane; delete from sts;
        insert into dane values ('a.example', 'dane-only', 'test', 300, $now, $now + 300);
        insert into dane values ('b.example', 'none', 'test', 300, $now, $now + 300);
        insert into sts (domain, id, mode, max_age, policy, fetched, expires)
            values ('a.example', 'id1', 'enforce', 86400, 'mx: a', $now, $now + 86400);
        insert into sts (domain, id, mode, max_age, policy, fetched, expires, last_fail, fail_why)
            values ('c.example', '', '', 0, '', 0, 0, $now, 'HTTP status 404');
        insert into sts (domain, id, mode, max_age, policy, fetched, expires)
            values ('b.example', 'id2', 'testing', 86400, 'mx: b', $now, $now + 86400)"
}
fill
out=$(F -F A.Example. 2>&1); rc=$?
t_like "$rc:$out" "^0:a.example: forgot 1 DANE verdict and 1 MTA-STS entry " "-F DOMAIN: normalized, counts said, exit 0"
t_is "$(rows dane)|$(rows sts)" "b.example|b.example c.example" "-F DOMAIN: only that domain's rows went"
out=$(F -F c.example 2>&1); rc=$?
t_like "$rc:$out" "^0:c.example: forgot 0 DANE verdicts and 1 MTA-STS entry" "-F forgets a failed-fetch mark"
out=$(F -F a.example 2>&1); rc=$?
t_like "$rc:$out" "^0:a.example: nothing was cached in $DB$" "-F on a domain not cached: says so, exit 0"
fill
out=$(F -F all 2>&1); rc=$?
t_like "$rc:$out" "^0:all: forgot 2 DANE verdicts and 3 MTA-STS entries" "-F all: counts, exit 0"
t_is "$(rows dane)|$(rows sts)" "|" "-F all: the dane and sts tables are empty"
t_is "$(sqlite3 "$DB" 'pragma integrity_check')" ok "the cache is intact afterwards"

out=$(F -F '[mx.example]:25' 2>&1); rc=$?
t_like "$rc:$out" "^2:.*bracketed next hop.*give a domain name or \"all\"" "-F with a non-domain: exit 2, explained"
out=$(F -F example.com:587 2>&1); rc=$?
t_like "$rc:$out" "^2:.*port" "-F with a port: exit 2"
out=$(F -o cache_file= -F all 2>&1); rc=$?
t_is "$rc:$out" "0:cache_file is empty: nothing is cached" "-F without a cache: exit 0, says why"
out=$(F -o cache_file="$T_DIR/c/none.db" -F all 2>&1); rc=$?
t_is "$rc:$out" "0:$T_DIR/c/none.db does not exist: nothing is cached" "-F with no cache file: exit 0"
t_ok "-F never creates a cache file" test ! -e "$T_DIR/c/none.db"
"$TP" -F a.example -q a.example >/dev/null 2>&1; rc=$?
t_is "$rc" 2 "-F with -q: usage error"

fill
chmod 0444 "$DB"
out=$(F -F all 2>&1); rc=$?; out=$(printf "%s" "$out" | flat)
t_like "$rc:$out" "^1:.*cannot write to the cache .*nothing was forgotten" "-F on a read-only cache: exit 1, explained"
t_is "$(rows dane)" "a.example b.example" "-F on a read-only cache: the rows are still there"
chmod 0640 "$DB"

if t_is_root; then
    chown root:root "$DB"
    out=$(F -F all 2>&1); rc=$?; out=$(printf "%s" "$out" | flat)
    t_like "$rc:$out" "^1:.*cannot" "-F as root uses the helper's rights: a root-owned cache is not written"
    chown "$T_USER:$T_USER" "$DB"
    out=$(F -o user=no-such-user-tp -F all 2>&1); rc=$?; out=$(printf "%s" "$out" | flat)
    t_like "$rc:$out" "^1:.*user \"no-such-user-tp\" does not exist.*su -s /bin/sh NAME -c" "-F as root without the user: refused, says what to run"
else
    t_skip "-F as root uses the helper's rights" "not root"
    t_skip "-F as root without the user" "not root"
fi
t_done
