#!/bin/sh
# 08-log-fallback.sh - without a syslog daemon (nothing listening on
# /dev/log), service mode logs to LOCALSTATEDIR/log/tlspolicyd/
# tlspolicyd.log: lookups, and a configuration file the helper cannot
# read; nothing reaches stderr (the client socket); without that
# directory too the helper still answers. Runs in a private mount
# namespace (tmpfs over LOCALSTATEDIR/log, an empty file over /dev/log).
. "$top_srcdir/t/lib.sh"
t_is_root || t_skip_all "needs root for a private mount namespace"
command -v unshare >/dev/null 2>&1 || t_skip_all "unshare is not installed"
: "${LOCALSTATEDIR:=/var}"
[ -d "$LOCALSTATEDIR/log" ] || t_skip_all "$LOCALSTATEDIR/log does not exist (configure --localstatedir=/var)"
t_tmpdir
t_user
t_binary
LOG=$LOCALSTATEDIR/log/tlspolicyd/tlspolicyd.log
printf 'partner.example encrypt\n' > "$T_DIR/ovr"
printf '%s\n' "policy_overrides = $T_DIR/ovr" "cache_file =" > "$T_DIR/ok.cf"
cp "$T_DIR/ok.cf" "$T_DIR/secret.cf"
chmod 0600 "$T_DIR/secret.cf"	# root's: the helper's user cannot read it
: > "$T_DIR/empty"
# in the namespace: $1 = "dir" (the package's directory exists) or "nodir",
# then the helper's output in $T_DIR/out.$2, its stderr in err.$2 and the
# log in log.$2
cat > "$T_DIR/ns.sh" <<EOS
set -e
mount --make-rprivate /
mount -t tmpfs -o mode=0755 tmpfs "$LOCALSTATEDIR/log"
if [ -e /dev/log ] || [ -L /dev/log ]; then mount --bind "$T_DIR/empty" /dev/log; fi
if [ "\$1" = dir ]; then
    mkdir -m 0750 "$LOCALSTATEDIR/log/tlspolicyd"
    chown "$T_USER:$T_USER" "$LOCALSTATEDIR/log/tlspolicyd"
fi
printf 'get partner.example\n' | setpriv --reuid="$T_USER" --regid="$T_USER" \
    --clear-groups -- timeout 10 "$T_DIR/bin/tlspolicyd" -c "$T_DIR/\$2.cf" \
    > "$T_DIR/out.\$2" 2> "$T_DIR/err.\$2" || true
cat "$LOG" > "$T_DIR/log.\$2" 2>/dev/null || echo "no log file" > "$T_DIR/log.\$2"
ls -l "$LOG" > "$T_DIR/mode.\$2" 2>/dev/null || true
EOS
ns() { timeout 30 unshare -m sh "$T_DIR/ns.sh" "$@"; }

ns dir ok
t_is "$(cat "$T_DIR/out.ok")" "200 encrypt" "no syslog daemon: the helper answers"
t_is "$(cat "$T_DIR/err.ok")" "" "nothing on stderr (the client socket)"
t_like "$(cat "$T_DIR/log.ok")" "tlspolicyd\[[0-9]+\]: lookup domain=partner.example answer=found" "the lookup is logged in $LOG"
t_like "$(cat "$T_DIR/mode.ok")" "^-rw-r----- 1 $T_USER " "the log file: mode 0640, the helper's user"
# the line starts as Postfix's maillog_file lines and syslog's do
t_like "$(grep 'lookup domain=' "$T_DIR/log.ok")" "^(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ 1-3][0-9] [0-2][0-9]:[0-5][0-9]:[0-5][0-9] $(hostname) tlspolicyd\[[0-9]+\]: lookup " \
    "log lines: \"Mmm dd HH:MM:SS host tlspolicyd[PID]: \", local time, as Postfix's maillog"

ns dir secret
t_like "$(cat "$T_DIR/out.secret")" "^400 " "unreadable configuration: temporary failure"
t_is "$(cat "$T_DIR/err.secret")" "" "unreadable configuration: nothing on stderr"
t_like "$(cat "$T_DIR/log.secret")" "warning: .*secret.cf.*Permission denied" "unreadable configuration: logged in the fallback file"

# a log_file the helper's user cannot create: the warning names the
# real reason (EACCES), not the errno of the fallback's own checks
mkdir -p "$T_DIR/rootdir"
{ cat "$T_DIR/ok.cf"; echo "log_file = $T_DIR/rootdir/t.log"; } > "$T_DIR/logdenied.cf"
ns dir logdenied
t_is "$(cat "$T_DIR/out.logdenied")" "200 encrypt" "log_file not writable: the helper answers"
t_like "$(cat "$T_DIR/log.logdenied")" "warning: cannot open log_file $T_DIR/rootdir/t.log: Permission denied; logging to $LOG" \
    "log_file not writable: the warning says Permission denied, and where the log went"

ns nodir ok
t_is "$(cat "$T_DIR/out.ok"):$(cat "$T_DIR/err.ok")" "200 encrypt:" "no syslog, no log directory: still answers, still nothing on stderr"

out=$(unshare -m sh -c "mount --make-rprivate /; mount -t tmpfs tmpfs '$LOCALSTATEDIR/log'; '$TP' -c '$T_DIR/ok.cf' -q partner.example -o bogus=1" 2>&1)
t_like "$out" "unknown parameter" "CLI modes still report on stderr"
t_done
