#!/bin/sh
# deb-ci.sh - the Debian package end to end, as an administrator meets it
#
#   sh tools/deb-ci.sh [SUITE]        (as root; SUITE default bookworm)
#
# 1. tools/deb-check.sh builds the .deb in a copy of the tree and runs
#    lintian (errors and warnings fail).
# 2. mmdebstrap makes a fresh SUITE root (variant apt, plus postfix) from
#    the host's Debian registry; "apt-get update; apt-get install
#    ./tlspolicyd_*.deb" installs the package there with its dependencies
#    and recommendations (unbound, dns-root-data: not started, a
#    policy-rc.d forbids it).
# 3. In that root, in private mount and network namespaces (only lo):
#    tlspolicyd -V and -t (captured; -t fails on the resolver, as nothing
#    listens on 127.0.0.1:53), an override entry added to the installed
#    configuration, then a throw-away Postfix instance whose master.cf
#    has the README's two spawn services running the installed
#    /usr/sbin/tlspolicyd as user tlspolicy: 127.0.0.1:10028 (inet) and
#    private/tlspolicyd (unix). postmap -q must get the override's answer
#    through both (tcp: and socketmap:unix:), and the lookup must be in
#    /var/log/tlspolicyd/tlspolicyd.log (no syslog daemon in the root).
#    Postfix is stopped by its PID; every wait is bounded.
#
# Prints "1..1" and one "ok 1 - ..." or "not ok 1 - ..." line (with the
# step that failed and its log); exits 0 or 1. Logs and the root are kept
# in the work directory when DEB_CI_KEEP=1 (else removed at exit).
# Needs: mmdebstrap, debhelper, dpkg-dev, fakeroot, lintian, the
# Build-Depends, network access to the Debian registry.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
suite=${1:-bookworm}
work=$(mktemp -d /var/tmp/tlspolicyd-debci.XXXXXX) || exit 1
root=$work/root
t0=$(date +%s)
trap '[ "${DEB_CI_KEEP:-0}" = 1 ] || rm -rf "$work"' EXIT
echo "1..1"

not_ok() {	# not_ok STEP LOG
    echo "# $1 failed; the end of $2:"
    tail -n 25 "$2" 2>/dev/null | sed 's/^/#   /'
    echo "not ok 1 - deb-ci $suite: $1 ($(($(date +%s) - t0)) s)"
    exit 1
}

# in_root NET SCRIPT: run SCRIPT in the root (NET=private: only lo)
in_root() {
    if [ "$1" = private ]; then _ns=-mn; else _ns=-m; fi
    timeout 600 unshare "$_ns" sh -c '
        set -e
        mount --make-rprivate /
        mount --bind "$1" "$1"
        mount -t proc proc "$1/proc"
        mount --rbind /dev "$1/dev"
        mount --rbind /sys "$1/sys"
        [ "$2" != private ] || ip link set lo up
        exec chroot "$1" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
            HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive sh -eu -c "$3"
    ' sh "$root" "$1" "$2"
}

DEB_CHECK_LINTIAN=yes sh "$top/tools/deb-check.sh" "$work/deb" > "$work/deb-check.log" 2>&1 \
    || not_ok "build and lintian (tools/deb-check.sh)" "$work/deb-check.log"
deb=$(ls "$work"/deb/tlspolicyd_*.deb | head -n 1)
timeout 900 mmdebstrap --quiet --variant=apt --include=postfix,mount,iproute2 \
    "$suite" "$root" > "$work/mmdebstrap.log" 2>&1 \
    || not_ok "mmdebstrap $suite" "$work/mmdebstrap.log"
# packages must not start services in the root: they would use our network
printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"
cp "$deb" "$root/tmp/" || not_ok "copying the .deb" /dev/null
in_root shared "apt-get update -q && apt-get install -y -q /tmp/$(basename "$deb")" \
    > "$work/install.log" 2>&1 || not_ok "apt-get install ./$(basename "$deb")" "$work/install.log"

cat > "$root/tmp/use.sh" <<'EOS'
d=/var/tmp/pf
tlspolicyd -V
tlspolicyd -t > /tmp/t.out 2>&1 && { echo "-t passed without a resolver"; exit 1; }
cat /tmp/t.out
grep -q '^FAIL: resolver 127.0.0.1:53' /tmp/t.out
grep -q '^ok: cache /var/lib/tlspolicyd/cache.db' /tmp/t.out
printf 'partner.example encrypt\n' > /etc/tlspolicyd/overrides
echo "policy_overrides = /etc/tlspolicyd/overrides" >> /etc/tlspolicyd/tlspolicyd.cf
mkdir -p "$d/etc" "$d/queue" "$d/data"
chown postfix "$d/data"
cat > "$d/etc/main.cf" <<EOC
compatibility_level = 3.6
queue_directory = $d/queue
data_directory = $d/data
mail_owner = postfix
setgid_group = postdrop
myhostname = deb-ci.invalid
mydestination =
inet_interfaces = loopback-only
inet_protocols = ipv4
maillog_file = $d/maillog
maillog_file_prefixes = /var
smtp_tls_policy_maps = socketmap:unix:private/tlspolicyd:QUERY
smtp_dns_support_level = dnssec
smtp_tls_security_level = dane
EOC
cat > "$d/etc/master.cf" <<EOC
127.0.0.1:10028 inet n n n - 0 spawn
  -o 127.0.0.1:10028_time_limit=86400s
  user=tlspolicy argv=/usr/sbin/tlspolicyd
tlspolicyd unix - n n - 0 spawn
  -o tlspolicyd_time_limit=86400s
  user=tlspolicy argv=/usr/sbin/tlspolicyd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
proxymap  unix  -       -       n       -       -       proxymap
anvil     unix  -       -       n       -       1       anvil
postlog   unix-dgram n  -       n       -       1       postlogd
EOC
postfix -c "$d/etc" start
i=0
while [ ! -S "$d/queue/private/tlspolicyd" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
tcp=$(postmap -c "$d/etc" -q partner.example tcp:127.0.0.1:10028 || echo "exit $?")
unix=$(postmap -c "$d/etc" -q partner.example \
    "socketmap:unix:$d/queue/private/tlspolicyd:QUERY" || echo "exit $?")
pid=$(tr -dc 0-9 < "$d/queue/pid/master.pid")
postfix -c "$d/etc" stop
i=0
while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
kill -9 "$pid" 2>/dev/null || true
echo "tcp: $tcp; unix: $unix"
cat "$d/maillog"
test "$tcp" = encrypt
test "$unix" = encrypt
grep 'lookup domain=partner.example answer=found' /var/log/tlspolicyd/tlspolicyd.log
EOS
in_root private "sh -eu /tmp/use.sh" > "$work/use.log" 2>&1 \
    || not_ok "lookup through Postfix in the $suite root" "$work/use.log"
sed -n 's/^\(tlspolicyd [0-9].*\)/# \1/p; s/^\(ok\|FAIL\): /# -t: &/p; s/^tcp: /# postmap: tcp: /p' "$work/use.log"
echo "ok 1 - deb-ci $suite: .deb built, lintian clean, installed with apt, answers through Postfix ($(($(date +%s) - t0)) s)"
