#!/bin/sh
# 11-examples.sh - master.cf.example and main.cf.example are accepted by
# Postfix: "postfix check" and postconf on an instance built from them
# reports no error or warning about them.
. "$top_srcdir/t/lib.sh"
. "$top_srcdir/t/postfix.sh"
t_is_root || t_skip_all "needs root to check a Postfix instance"
command -v postfix >/dev/null 2>&1 || t_skip_all "postfix is not installed"
t_tmpdir
t_user
pf_setup "$T_DIR" 127.77.11.1:10028 /bin/true
# the examples' own lines replace the instance's settings of the same names
for n in $(grep -v '^#' "$top_srcdir/main.cf.example" | grep . | sed 's/ *=.*//'); do
    sed -i "/^$n *=/d" "$T_DIR/etc/main.cf"
done
grep -v '^#' "$top_srcdir/main.cf.example" | grep . >> "$T_DIR/etc/main.cf"
sed -i '/^127.77.11.1:10028/d' "$T_DIR/etc/master.cf"
grep -v '^#' "$top_builddir/master.cf.example" | grep . >> "$T_DIR/etc/master.cf"
sed -i "s|/etc/postfix/forceenc_status_filter|$T_DIR/etc/forceenc_status_filter|" "$T_DIR/etc/master.cf"
sed -n 's/^#       \(\/\^4.*\)$/\1/p' "$top_srcdir/main.cf.example" > "$T_DIR/etc/forceenc_status_filter"
out=$(postfix -c "$T_DIR/etc" check 2>&1); rc=$?
t_is "$rc" 0 "postfix check accepts the examples"
t_unlike "$out" "warning|error|fatal" "postfix check: no warning"
out=$(postconf -c "$T_DIR/etc" -n 2>&1)
t_unlike "$out" "warning" "postconf -n: no warning about main.cf.example"
t_like "$out" "^smtp_tls_policy_maps = socketmap:inet:127.0.0.1:10028:QUERYwithTLSRPT$" \
    "main.cf.example sets the policy map (the Postfix >= 3.10 form)"
t_like "$(cat "$top_srcdir/main.cf.example")" "^#smtp_tls_policy_maps = tcp:127.0.0.1:10028$" \
    "main.cf.example shows the tcp: form for older Postfix"
out=$(postconf -c "$T_DIR/etc" -M 2>&1)
t_unlike "$out" "warning|fatal" "postconf -M parses master.cf.example"
t_like "$out" "^127.0.0.1:10028 +inet +n +n +n +- +0 +spawn -o 127.0.0.1:10028_time_limit=86400s user=tlspolicy argv=${SBINDIR:-/usr/sbin}/tlspolicyd" \
    "the spawn service is as documented"
out=$(postmap -c "$T_DIR/etc" -q "4.7.4 TLS is required, but was not offered by host x[192.0.2.1]" \
    "regexp:$T_DIR/etc/forceenc_status_filter" 2>&1)
t_is "$out" "5.7.4 TLS is required, but was not offered by host x[192.0.2.1]" \
    "the status filter turns the TLS soft failure into a hard one"
t_done
