#!/bin/sh
# 05-check.sh - tlspolicyd -t: one line per check, exit 0 only when all
# pass; it catches a resolver that does not validate (the test world's
# nsd, which answers without AD), a resolver that does not answer, a
# cache that cannot be created, written or read, a broken configuration
# and an unreadable CA file.
. "$top_srcdir/t/lib.sh"

t_need "DNS servers on port 53 of 127.77.67.x" nsd unbound ldns-signzone
t_world 127.77.67
mkdir -p "$T_DIR/c" "$T_DIR/rootdir"
chown "$T_USER:$T_USER" "$T_DIR/c"
DB=$T_DIR/c/cache.db
printf -- '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n' > "$T_DIR/ca.pem"
printf 'partner.example encrypt\n' > "$T_DIR/ovr"
cat > "$T_DIR/t.cf" <<EOC
dns_resolver = $WORLD_RESOLVER
cache_file = $DB
policy_overrides = $T_DIR/ovr
mtasts_ca_file = $T_DIR/ca.pem
dns_timeout = 1s
dns_deadline = 3s
EOC
# without postconf in PATH: Postfix's own checks are 13-check-postfix.sh's
T() { PATH=/usr/bin:/bin "$TP" -c "$T_DIR/t.cf" "$@" -t; }
line() { printf '%s\n' "$1" | grep -E "^(ok|FAIL): $2" || echo "no line for $2"; }

out=$(T 2>&1); rc=$?
t_is "$rc" 0 "all good: exit 0"
t_is "$(printf '%s\n' "$out" | wc -l | tr -d ' ')" 6 "one line per check"
t_like "$(printf '%s\n' "$out" | tail -n 1)" "^skip: postfix: not checked: postconf not found in PATH" "Postfix skipped without postconf, and said so"
t_like "$(line "$out" configuration)" "^ok: configuration: $T_DIR/t.cf parses; policy_overrides parses: $T_DIR/ovr$" "configuration line"
t_like "$(line "$out" resolver)" "^ok: resolver $WORLD_RESOLVER: answers \". SOA\" with the AD bit" "validating resolver: ok"
t_like "$(line "$out" cache)" "^ok: cache $DB: does not exist yet; the first lookup creates it: user $T_USER \(uid [0-9]+\) may write to $T_DIR/c$" "no cache yet, creatable by the helper's user: ok"
t_like "$(line "$out" mtasts_ca_file)" "^ok: mtasts_ca_file $T_DIR/ca.pem: 1 PEM certificate$" "CA file: ok"
t_ok "-t created no cache" test ! -e "$DB"

"$TP" -c "$T_DIR/t.cf" -q dane-only.test >/dev/null 2>&1
out=$(T 2>&1); rc=$?
t_like "$rc:$(line "$out" cache)" "^0:ok: cache $DB: integrity ok, writable by user $T_USER " "existing cache: integrity and write access checked"

# the world's nsd answers authoritatively: the root SOA, without AD
out=$(T -o "dns_resolver=$WORLD_NET.10:53" 2>&1); rc=$?
t_like "$rc:$(line "$out" resolver)" "^1:FAIL: resolver $WORLD_NET.10:53: answers \". SOA\" without the AD bit: it does not validate" "non-validating resolver: FAIL, exit 1"
out=$(T -o dns_resolver=127.77.1.1:53 2>&1); rc=$?
t_like "$rc:$(line "$out" resolver)" "^1:FAIL: resolver 127.77.1.1:53: no usable answer to \". SOA\": connection refused" "no resolver listening: FAIL (connection refused), exit 1"
out=$(T -o "dns_resolver=$WORLD_NET.20:53" 2>&1); rc=$?
t_like "$rc:$(line "$out" resolver)" "^1:FAIL: resolver $WORLD_NET.20:53: no usable answer to \". SOA\": timeout" "resolver that never answers: FAIL within dns_deadline"
t_like "$(line "$out" cache)" "^ok: " "the other checks still run after a failed one"

chmod 0444 "$DB"
out=$(T 2>&1); rc=$?
t_like "$rc:$(line "$out" cache)" "^1:FAIL: cache $DB: the file is read-only for this user \(checked as user $T_USER" "read-only cache: FAIL"
chmod 0640 "$DB"
chown root:root "$DB"
out=$(T 2>&1); rc=$?
t_like "$rc:$(line "$out" cache)" "^1:FAIL: cache $DB: " "cache owned by root, run as root: FAIL (checked with the helper's rights)"
chown "$T_USER:$T_USER" "$DB"
# the helpers' own trust rules, with the helpers' own reason (issue 21):
# a directory owned by root (0755) or writable by its group (0770)
out=$(T -o "cache_file=$T_DIR/rootdir/cache.db" 2>&1); rc=$?
t_like "$rc:$(line "$out" cache)" "^1:FAIL: cache $T_DIR/rootdir/cache.db: refused, as every helper refuses it \(they answer without a cache\): cache directory $T_DIR/rootdir is owned by uid 0, not by uid [0-9]+" \
    "cache directory owned by root (0755): FAIL, as the helpers refuse it"
mkdir -m 0770 "$T_DIR/gw"; chown "$T_USER:$T_USER" "$T_DIR/gw"; chmod 0770 "$T_DIR/gw"
out=$(T -o "cache_file=$T_DIR/gw/cache.db" 2>&1); rc=$?
t_like "$rc:$(line "$out" cache)" "^1:FAIL: cache $T_DIR/gw/cache.db: refused, .*: cache directory $T_DIR/gw is writable by its group" \
    "cache directory writable by its group (0770): FAIL, as the helpers refuse it"
mkdir "$T_DIR/ro"; chown "$T_USER:$T_USER" "$T_DIR/ro"; chmod 0550 "$T_DIR/ro"
out=$(T -o "cache_file=$T_DIR/ro/cache.db" 2>&1); rc=$?
t_like "$rc:$(line "$out" cache)" "^1:FAIL: cache $T_DIR/ro/cache.db: does not exist, and user $T_USER .* cannot create it in $T_DIR/ro: Permission denied" "cache directory not writable: FAIL"
# the files SQLite and the memo keep beside the database
reason_t() { printf '%s\n' "$1" | sed -n 's/.*refused, as every helper refuses it (they answer without a cache): \(.*\) (checked as .*/\1/p'; }
reason_q() { sed -n 's/.*cache .* refused: \(.*\); answering without a cache$/\1/p' "$T_DIR/qerr" | head -1; }
for f in -shm -wal -memo; do
    [ -e "$DB$f" ] || { cp /dev/null "$DB$f"; chown "$T_USER:$T_USER" "$DB$f"; }
    chmod 0660 "$DB$f"
    out=$(T 2>&1); rc=$?
    t_like "$rc:$(line "$out" cache)" "^1:FAIL: cache $DB: refused, .*: cache file $DB$f is writable by its group" \
        "cache$f writable by its group: FAIL"
    "$TP" -c "$T_DIR/t.cf" -v -q dane-only.test > /dev/null 2> "$T_DIR/qerr"
    t_is "$(reason_t "$(line "$out" cache)")" "$(reason_q)" "cache$f: -t prints the reason the helpers log"
    chmod 0640 "$DB$f"
done
# a refresh slot file beside the cache: the helpers' rule, their reason
cp /dev/null "$DB-refresh3"; chown "$T_USER:$T_USER" "$DB-refresh3"; chmod 0660 "$DB-refresh3"
out=$(T 2>&1); rc=$?
t_like "$rc:$(line "$out" cache)" "^1:FAIL: cache $DB: every helper answers from it but starts no refresh process: refresh slot $DB-refresh3 is writable by its group" \
    "a refresh slot writable by its group: FAIL, with the helpers' reason"
rm -f "$DB-refresh3"; ln -s /dev/null "$DB-refresh5"
out=$(T 2>&1); rc=$?
t_like "$rc:$(line "$out" cache)" "^1:FAIL: cache $DB: .*refresh slot $DB-refresh5 is not a regular file" \
    "a refresh slot that is a symbolic link: FAIL"
rm -f "$DB-refresh5"; cp /dev/null "$DB-refresh5"; chown "$T_USER:$T_USER" "$DB-refresh5"; chmod 0640 "$DB-refresh5"
out=$(T 2>&1); rc=$?
t_like "$rc:$(line "$out" cache)" "^0:ok: cache $DB: integrity ok" "a refresh slot as the helpers make it: ok"
rm -f "$DB-refresh5"
ln -s "$DB" "$T_DIR/link.db"
out=$(T -o "cache_file=$T_DIR/link.db" 2>&1); rc=$?
t_like "$rc:$(line "$out" cache)" "^0:ok: cache $T_DIR/link.db: a symbolic link to $DB, checked there; integrity ok" \
    "a symbolic link: checked at its target"
printf 'this is not a database, but it is long enough to look like a file header..........\n' > "$T_DIR/c/junk.db"
chown "$T_USER" "$T_DIR/c/junk.db"
out=$(T -o "cache_file=$T_DIR/c/junk.db" 2>&1); rc=$?
t_like "$rc:$(line "$out" cache)" "^1:FAIL: cache $T_DIR/c/junk.db: .*not a database" "a file that is not a database: FAIL"
t_like "$(head -c 20 "$T_DIR/c/junk.db")" "^this is not" "-t leaves a damaged file as it is"

out=$(T -o "mtasts_ca_file=$T_DIR/none.pem" 2>&1); rc=$?
t_like "$rc:$(line "$out" mtasts_ca_file)" "^1:FAIL: mtasts_ca_file $T_DIR/none.pem: cannot read it as user $T_USER .*: No such file" "missing CA file: FAIL"
out=$(T -o "mtasts_ca_file=$T_DIR/ovr" 2>&1); rc=$?
t_like "$rc:$(line "$out" mtasts_ca_file)" "^1:FAIL: mtasts_ca_file $T_DIR/ovr: 0 PEM certificates" "a CA file without certificates: FAIL"
out=$(T -o mtasts_ca_file= 2>&1); rc=$?
t_like "$rc:$(line "$out" mtasts_ca_file)" "^0:ok: mtasts_ca_file: not set" "no CA file: the system bundle, ok"

out=$(T -o bogus=1 2>&1); rc=$?
t_like "$rc:$out" "^1:FAIL: configuration: -o bogus=1: unknown parameter" "bad configuration: FAIL, exit 1"
chmod 0600 "$T_DIR/t.cf"
out=$(T 2>&1); rc=$?
t_like "$rc:$out" "^1:FAIL: configuration: .*t.cf.*Permission denied" "a config only root can read fails -t as it fails the helper"
chmod 0644 "$T_DIR/t.cf"
out=$(T -o user=no-such-user-tp 2>&1); rc=$?
t_like "$rc:$(echo $out)" "^1:.*does not exist.*su -s /bin/sh NAME -c" "-t as root without the helper's user: refused"
t_done
