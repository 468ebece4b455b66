#!/bin/sh
# 13-check-postfix.sh - tlspolicyd -t reads the spawn services of a real
# throw-away Postfix instance (MAIL_CONFIG, as for postconf itself) and
# catches the master.cf mistakes that pass "postfix check" and leave
# postmap waiting: unpriv "-", no user=, user=postfix, a wrong argv=
# path, maxproc not 0; it says "no spawn service runs tlspolicyd" when
# there is none, checks that smtp_tls_policy_maps reaches the service
# with the protocol the Postfix version wants (QUERYwithTLSRPT on 3.10
# and later; tcp: or QUERY before, where TLSRPT attributes defer mail)
# and, on 3.10, the service's time limit; it skips the check, saying
# why, when not run as root or without postconf. It also checks log_file
# as a helper opens it.
. "$top_srcdir/t/lib.sh"
. "$top_srcdir/t/postfix.sh"

t_need "a throw-away Postfix instance" postconf
t_tmpdir
t_user
t_binary
PF=$T_DIR/pf
LISTEN=127.77.13.1:10028
VERSION=$(postconf -dh mail_version)
NEW=no
postconf_310() { case $VERSION in 3.[0-9]|3.[0-9].*|[0-2].*) return 1 ;; esac; }
postconf_310 && NEW=yes
pf_setup "$PF" "$LISTEN" "$TP -c $T_DIR/t.cf"
printf '%s\n' "cache_file =" "dns_resolver = 127.77.13.2:53" "dns_timeout = 1s" \
    "dns_deadline = 2s" > "$T_DIR/t.cf"
# the map form this Postfix wants (README, Postfix setup)
GOODMAP=tcp:$LISTEN
[ $NEW = yes ] && GOODMAP=socketmap:inet:$LISTEN:QUERYwithTLSRPT
map() { sed -i "s|^smtp_tls_policy_maps = .*|smtp_tls_policy_maps = $1|" "$PF/etc/main.cf"; }
map "$GOODMAP"
GOOD=$(grep "^$LISTEN " "$PF/etc/master.cf")
# spawn LINE: the tlspolicyd service line of master.cf becomes LINE
spawn() {
    grep -v "^$LISTEN " "$PF/etc/master.cf" > "$PF/m" && cat "$PF/m" > "$PF/etc/master.cf"
    [ -z "$1" ] || printf '%s\n' "$1" >> "$PF/etc/master.cf"
}
T() { MAIL_CONFIG=$PF/etc "$TP" -c "$T_DIR/t.cf" -t 2>&1; }
svc() { printf '%s\n' "$1" | grep -E "^(ok|FAIL|skip): (spawn service|postfix)" || echo "no line"; }
maps() { printf '%s\n' "$1" | grep -E "^(ok|FAIL): smtp_tls_policy_maps" || echo "no line"; }

out=$(T)
t_like "$(svc "$out")" "^ok: spawn service $LISTEN/inet \(Postfix $VERSION, $PF/etc\): unpriv n, chroot n, user=$T_USER, maxproc 0, argv=$TP executable" \
    "a correct spawn service: ok (Postfix $VERSION)"
t_like "$(maps "$out")" "^ok: smtp_tls_policy_maps \(main.cf\): $GOODMAP reaches spawn service $LISTEN/inet" \
    "smtp_tls_policy_maps = $GOODMAP: ok on Postfix $VERSION"
t_like "$(printf '%s\n' "$out" | grep log_file)" "^ok: log_file: not set" "log_file unset: ok"

# each mistake, alone
for case in "unpriv -:s/ inet n n n - 0 spawn/ inet n - n - 0 spawn/:unpriv is -, must be n" \
            "no user=:s/ user=$T_USER / /:no user=: add user=$T_USER" \
            "user=postfix:s/ user=$T_USER / user=postfix /:user=postfix, but tlspolicyd's user parameter is $T_USER" \
            "wrong argv= path:s| argv=$TP | argv=$T_DIR/nonexistent/tlspolicyd |:argv=$T_DIR/nonexistent/tlspolicyd: No such file" \
            "maxproc -:s/ inet n n n - 0 spawn/ inet n n n - - spawn/:maxproc is -, must be 0" \
            "maxproc 1:s/ inet n n n - 0 spawn/ inet n n n - 1 spawn/:maxproc is 1, must be 0" \
            "chroot y:s/ inet n n n - 0 spawn/ inet n n y - 0 spawn/:chroot is y, must be n"; do
    what=${case%%:*} rest=${case#*:}
    expr=${rest%%:*} want=${rest#*:}
    spawn "$(printf '%s\n' "$GOOD" | sed "$expr")"
    out=$(T); rc=$?
    t_like "$rc:$(svc "$out")" "^1:FAIL: spawn service $LISTEN/inet .*$want" "$what: FAIL, says why"
done
spawn "$(printf '%s\n' "$GOOD" | sed "s/ inet n n n - 0 spawn/ inet n - n - 1 spawn/; s/ user=$T_USER / /")"
out=$(T)
t_like "$(svc "$out")" "unpriv is -, must be n.*; no user=.*; maxproc is 1, must be 0" "three mistakes at once: all three named in one line"

# the time limit: enforced (and so checked) from Postfix 3.10 on
spawn "$(printf '%s\n' "$GOOD" | sed "s/ -o ${LISTEN}_time_limit=86400s / /")"
out=$(T); rc=$?
if [ $NEW = yes ]; then
    t_like "$rc:$(svc "$out")" "^1:FAIL: .*${LISTEN}_time_limit is \\\$?[a-z_]*1000s?: Postfix $VERSION kills the helper" \
        "no ${LISTEN}_time_limit on Postfix $VERSION: FAIL (command_time_limit, 1000s)"
else
    t_like "$(svc "$out")" "^ok: .*${LISTEN}_time_limit=1000s \(enforced from Postfix 3.10 on\)" \
        "no ${LISTEN}_time_limit on Postfix $VERSION: ok, not enforced before 3.10"
fi
spawn "$GOOD"

# the map: the protocol this version wants
if [ $NEW = yes ]; then
    map "tcp:$LISTEN"
    out=$(T)
    t_like "$(maps "$out")" "^FAIL: smtp_tls_policy_maps \(main.cf\): tcp:$LISTEN .*no TLSRPT attributes.*QUERYwithTLSRPT" \
        "Postfix $VERSION with tcp: and tlsrpt = no: FAIL (no MX pattern checks)"
    out=$(MAIL_CONFIG=$PF/etc "$TP" -c "$T_DIR/t.cf" -o tlsrpt=yes -t 2>&1)
    t_like "$(maps "$out")" "^ok: smtp_tls_policy_maps" "Postfix $VERSION with tcp: and tlsrpt = yes: ok"
else
    map "socketmap:inet:$LISTEN:QUERYwithTLSRPT"
    out=$(T)
    t_like "$(maps "$out")" "^FAIL: smtp_tls_policy_maps \(main.cf\): socketmap:inet:$LISTEN:QUERYwithTLSRPT .*defers the mail on TLSRPT attributes" \
        "Postfix $VERSION with QUERYwithTLSRPT: FAIL (invalid attribute name)"
    map "socketmap:inet:$LISTEN:QUERY"
    out=$(T)
    t_like "$(maps "$out")" "^ok: smtp_tls_policy_maps" "Postfix $VERSION with socketmap QUERY: ok"
    map "tcp:$LISTEN"
    out=$(MAIL_CONFIG=$PF/etc "$TP" -c "$T_DIR/t.cf" -o tlsrpt=yes -t 2>&1)
    t_like "$(maps "$out")" "^FAIL: .*defers the mail on TLSRPT attributes" "Postfix $VERSION with tlsrpt = yes: FAIL"
fi
map "tcp:127.77.13.9:10028"
out=$(T); rc=$?
t_like "$rc:$(maps "$out")" "^1:FAIL: smtp_tls_policy_maps: no map reaches a spawn service that runs tlspolicyd \(main.cf: tcp:127.77.13.9:10028\)" \
    "a map that points elsewhere: FAIL"
map "$GOODMAP"

# a unix service under private/, as README's safer choice
spawn ""
printf '%s\n' "tlspolicyd unix - n n - 0 spawn -o tlspolicyd_time_limit=86400s user=$T_USER argv=$TP" >> "$PF/etc/master.cf"
map "socketmap:unix:private/tlspolicyd:$( [ $NEW = yes ] && echo QUERYwithTLSRPT || echo QUERY)"
out=$(T)
t_like "$(svc "$out")" "^ok: spawn service tlspolicyd/unix " "a unix spawn service: ok"
t_like "$(maps "$out")" "^ok: smtp_tls_policy_maps \(main.cf\): socketmap:unix:private/tlspolicyd:QUERY[a-zA-Z]* reaches spawn service tlspolicyd/unix" \
    "socketmap:unix:private/NAME reaches it"
Q=$( [ $NEW = yes ] && echo QUERYwithTLSRPT || echo QUERY)
# both services at once (README: the unix one, and an inet one for
# /metrics): each map is read once, whichever service comes first
UNIXSVC=$(grep "^tlspolicyd unix" "$PF/etc/master.cf")
grep -v "^tlspolicyd unix" "$PF/etc/master.cf" > "$PF/m" && cat "$PF/m" > "$PF/etc/master.cf"
spawn "$GOOD"
printf '%s\n' "$UNIXSVC" >> "$PF/etc/master.cf"
out=$(T)
t_like "$(maps "$out")" "^ok: smtp_tls_policy_maps \(main.cf\): socketmap:unix:private/tlspolicyd:$Q reaches spawn service tlspolicyd/unix" \
    "an inet and a unix service, the map names the second: ok"
# an absolute socket path: a chrooted smtp(8) looks for it in its chroot
map "socketmap:unix:$(postconf -c "$PF/etc" -xh queue_directory)/private/tlspolicyd:$Q"
out=$(T); rc=$?
t_like "$rc:$(maps "$out")" "^1:FAIL: .*an absolute socket path.*use socketmap:unix:private/tlspolicyd:$Q" \
    "socketmap:unix:/ABSOLUTE/private/NAME: FAIL, names the relative path"
# private column n: the socket is under public/, not private/
sed -i "s/^tlspolicyd unix - n n - 0 spawn/tlspolicyd unix n n n - 0 spawn/" "$PF/etc/master.cf"
map "socketmap:unix:private/tlspolicyd:$Q"
out=$(T); rc=$?
t_like "$rc:$(maps "$out")" "^1:FAIL: smtp_tls_policy_maps: no map reaches" "private column n, map under private/: FAIL"
map "socketmap:unix:public/tlspolicyd:$Q"
out=$(T)
t_like "$(maps "$out")" "^ok: .* reaches spawn service tlspolicyd/unix" "private column n, map under public/: ok"
map "$GOODMAP"
grep -v "^tlspolicyd unix" "$PF/etc/master.cf" > "$PF/m" && cat "$PF/m" > "$PF/etc/master.cf"

# forms spawn(8) accepts: chroot "-" (n since Postfix 3.0), user=NAME:GROUP
spawn "$(printf '%s\n' "$GOOD" | sed "s/ inet n n n - 0 spawn/ inet n n - - 0 spawn/; s/ user=$T_USER / user=$T_USER:$(id -gn "$T_USER") /")"
out=$(T)
t_like "$(svc "$out")" "^ok: spawn service $LISTEN/inet " "chroot - and user=NAME:GROUP: ok"
# a service that passes its own options: -t says it did not use them
spawn "$(printf '%s\n' "$GOOD" | sed "s|\$| -o tlsrpt=no|")"
out=$(T)
t_like "$(printf '%s\n' "$out" | grep '^note:')" "^note: spawn service $LISTEN/inet runs $TP .*-o tlsrpt=no: this check used the settings of this command line" \
    "argv= with -o: a note that -t used its own settings"
# the note reads getopt's words, not substrings
note() { spawn "$(printf '%s\n' "$GOOD" | sed "s|argv=.*|argv=$TP $1|")"; printf '%s\n' "$(T)" | grep -c '^note:'; }
t_is "$(note "-vc $T_DIR/t.cf")" 1 "argv= with -vc FILE (a cluster): the note"
t_is "$(note "-v")" 0 "argv= with -v only: no note"
t_is "$(note "-v $T_DIR/x-o -- -c y")" 0 "argv= with a word that contains -o, and -c after --: no note"
spawn "$GOOD"
# postconf's warnings are not values: an undefined \$name in main.cf
cp "$PF/etc/main.cf" "$PF/main.cf.good"
echo 'mydomain = $no_such_parameter_at_all.example' >> "$PF/etc/main.cf"
out=$(T)
t_like "$(svc "$out")" "^ok: spawn service $LISTEN/inet \(Postfix $VERSION, $PF/etc\)" \
    "postconf warnings on stderr: the version and the directory are still right"
t_like "$(maps "$out")" "^ok: smtp_tls_policy_maps \(main.cf\): $GOODMAP" "postconf warnings: the map is still read"
cp "$PF/main.cf.good" "$PF/etc/main.cf"
spawn ""

out=$(T); rc=$?
t_like "$rc:$(svc "$out")" "^1:FAIL: postfix $VERSION \($PF/etc\): no spawn service runs tlspolicyd" "no spawn service: says so, FAIL"
spawn "$GOOD"

# not root, or no postconf: skipped with a note, not failed
out=$(MAIL_CONFIG=$PF/etc t_as_user "$TP" -c "$T_DIR/t.cf" -t 2>&1)
t_like "$(svc "$out")" "^skip: postfix: not checked: not run as root" "not root: skipped, says why"
out=$(MAIL_CONFIG=$PF/etc PATH=/usr/bin:/bin "$TP" -c "$T_DIR/t.cf" -t 2>&1)
t_like "$(svc "$out")" "^skip: postfix: not checked: postconf not found in PATH" "no postconf: skipped, says why"

# log_file, opened as a helper opens it (as the helper's user)
mkdir -p "$T_DIR/logs" "$T_DIR/rootlogs"
chown "$T_USER" "$T_DIR/logs"
: > "$T_DIR/rootlogs/root.log"
chmod 0644 "$T_DIR/rootlogs/root.log"
L() { MAIL_CONFIG=$PF/etc "$TP" -c "$T_DIR/t.cf" -o "log_file=$1" -t 2>&1 | grep "log_file"; }
t_like "$(L "$T_DIR/logs/new.log")" "^ok: log_file $T_DIR/logs/new.log: does not exist yet; user $T_USER .* may create it in $T_DIR/logs$" \
    "log_file not there yet, directory writable: ok"
t_ok "-t created no log file" test ! -e "$T_DIR/logs/new.log"
t_like "$(L "$T_DIR/rootlogs/new.log")" "^FAIL: log_file $T_DIR/rootlogs/new.log: does not exist yet; user $T_USER .* cannot create it in $T_DIR/rootlogs: Permission denied" \
    "log_file in a directory the helper cannot write: FAIL"
t_like "$(L "$T_DIR/rootlogs/root.log")" "^FAIL: log_file $T_DIR/rootlogs/root.log: cannot open it as user $T_USER .*: Permission denied" \
    "log_file only root may write: FAIL, Permission denied"
: > "$T_DIR/logs/ok.log"; chown "$T_USER" "$T_DIR/logs/ok.log"
t_like "$(L "$T_DIR/logs/ok.log")" "^ok: log_file $T_DIR/logs/ok.log: opens for appending as user $T_USER" "a log_file the helper may append to: ok"
ln -s "$T_DIR/logs/ok.log" "$T_DIR/logs/link.log"
t_like "$(L "$T_DIR/logs/link.log")" "^FAIL: log_file $T_DIR/logs/link.log: cannot open it as user $T_USER .*: it is a symbolic link \(refused\)" \
    "a log_file that is a symbolic link: FAIL, as the helpers refuse it"
ln -s "$T_DIR/logs/nowhere.log" "$T_DIR/logs/dangling.log"
t_like "$(L "$T_DIR/logs/dangling.log")" "^FAIL: log_file $T_DIR/logs/dangling.log: cannot open it as user $T_USER .*: it is a symbolic link \(refused\)" \
    "a log_file that is a dangling symbolic link: FAIL, not 'may create it'"
t_done
