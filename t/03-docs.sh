#!/bin/sh
# 03-docs.sh - every parameter that -p prints is documented in
# tlspolicyd.cf(5), in the README's configuration section and, with its
# default, in the commented tlspolicyd.cf the package installs; and -p
# says which file its values came from.
. "$top_srcdir/t/lib.sh"
t_tmpdir
t_binary

man5=$top_builddir/man/tlspolicyd.cf.5
readme=$top_srcdir/README
example=$top_srcdir/tlspolicyd.cf
: > "$T_DIR/empty.cf"
names=$("$TP" -c "$T_DIR/empty.cf" -p | sed -n 's/^\([a-z_][a-z0-9_]*\) = .*/\1/p')
t_like "$names" "^dns_resolver$" "-p prints parameter names"
for n in $names; do
    # a .B heading, or \fBname\fR inside a heading that covers two
    t_ok "tlspolicyd.cf(5) documents $n" \
        grep -Eq "^\.B $n( |\$)|\\\\fB$n\\\\fR" "$man5"
    t_ok "README documents $n" \
        grep -Eq "^    ($n|.*, $n) =( |\$)" "$readme"
    t_ok "tlspolicyd.cf shows $n (commented out)" grep -Eq "^#$n =( |\$)" "$example"
done
# uncommented, the example file must give exactly the built-in defaults;
# cache_file's directory follows configure's localstatedir (make
# distcheck installs elsewhere), the file shows the package's /var
sed -n 's/^#\([a-z_]* =\)/\1/p' "$example" > "$T_DIR/uncommented.cf"
t_is "$("$TP" -c "$T_DIR/uncommented.cf" -p 2>&1 | sed '1d; /^cache_file = /d')" \
    "$("$TP" -c "$T_DIR/empty.cf" -p | sed '1d; /^cache_file = /d')" "tlspolicyd.cf shows the built-in defaults"
t_like "$("$TP" -c "$T_DIR/empty.cf" -p | grep '^cache_file = ')" "^cache_file = .*/lib/tlspolicyd/cache.db$" \
    "the default cache_file is LOCALSTATEDIR/lib/tlspolicyd/cache.db, as tlspolicyd.cf shows for /var"

out=$("$TP" -c "$T_DIR/empty.cf" -p | head -n 1)
t_is "$out" "# $T_DIR/empty.cf" "-p: first line names the file read"
out=$("$TP" -p | head -n 1)
case $out in
"# built-in defaults ("*" not found)")
    f=${out#"# built-in defaults ("}; f=${f%" not found)"}
    t_ok "-p without the default file: says so and names it ($f)" test ! -e "$f" ;;
*)
    t_ok "-p with the default file: names it (${out#"# "})" test -f "${out#"# "}" ;;
esac
out=$("$TP" -c "$T_DIR/none.cf" -p 2>&1); rc=$?
t_like "$rc:$out" "^75:.*none.cf" "-p with a missing -c file: an error, not defaults"

# the manuals and master.cf.example name this build's installed paths
gen="$top_builddir/man/tlspolicyd.8 $man5 $top_builddir/master.cf.example"
t_is "$(cat $gen | grep -c '@[a-z]*dir@')" 0 "no @...dir@ left in the generated manuals and master.cf.example"
if [ -n "${SYSCONFDIR:-}" ] && [ -n "${LOCALSTATEDIR:-}" ] && [ -n "${SBINDIR:-}" ]; then
    t_like "$(cat "$top_builddir/man/tlspolicyd.8")" "^\\.I $SYSCONFDIR/tlspolicyd/tlspolicyd.cf$" "tlspolicyd(8) FILES: sysconfdir substituted"
    t_like "$(cat "$man5")" "default: $LOCALSTATEDIR/lib/tlspolicyd/cache.db" "tlspolicyd.cf(5): localstatedir substituted"
    t_like "$(cat "$top_builddir/master.cf.example")" "argv=$SBINDIR/tlspolicyd$" "master.cf.example: sbindir substituted"
    t_like "$("$TP" -p 2>/dev/null | head -n 1)" "^# (built-in defaults \\()?$SYSCONFDIR/tlspolicyd/tlspolicyd.cf" "-p's default file agrees with the manual"
fi
t_done
