#!/bin/sh
# deb-check.sh - build the Debian package from this tree and check it
#
#   sh tools/deb-check.sh [--no-lintian] [OUTDIR]
#
# --no-lintian (or DEB_CHECK_LINTIAN=no) skips lintian, which with its
# dependencies is most of the ~240 packages a build machine needs: for
# an administrator who only wants the .deb. CI (tools/deb-ci.sh) always
# runs it.
# Copies the files git knows (tracked, and untracked but not ignored;
# without git, every file but build output) to a temporary directory, so that the build neither cleans this tree nor
# writes beside it, and runs there:
#   dpkg-buildpackage -us -uc -b      (debhelper compat 13, dh + autoreconf;
#                                      the unit tests and t/03-docs.sh)
#   lintian --fail-on error,warning   on the .changes (the .deb and buildinfo)
# then checks that the .deb holds what README promises (binary, man pages,
# the conffile, examples) and that its maintainer scripts create the
# account and /var/lib/tlspolicyd and purge the cache. The .deb and the
# logs are kept in OUTDIR (default: a new directory under /tmp); the
# script prints how long each step took and exits 1 on the first failure.
# Needs: the Build-Depends ("apt-get build-dep ./" installs them, with
# build-essential), and lintian unless skipped.
#
# With DEB_CHECK_ROOT=ROOT.tar (a fresh Debian root, as root made by
#   mmdebstrap --variant=minbase --include=adduser,libcurl4,libc-ares2,libsqlite3-0 \
#       bookworm ROOT.tar
# ) it also installs the package in a copy of that root (chroot, no
# network), and checks the account, /var/lib/tlspolicyd, -V, -p, -t
# (the resolver check must fail: nothing listens there), -F, and that
# purge removes the cache and the conffile but keeps the account.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
lintian=${DEB_CHECK_LINTIAN:-yes}
if [ "${1:-}" = --no-lintian ]; then lintian=no; shift; fi
out=${1:-$(mktemp -d /tmp/tlspolicyd-deb.XXXXXX)}
mkdir -p "$out" || exit 1
out=$(cd "$out" && pwd)
work=$(mktemp -d /tmp/tlspolicyd-debbuild.XXXXXX) || exit 1
trap 'rm -rf "$work"' EXIT
src=$work/tlspolicyd

fail() { echo "deb-check: FAIL: $*" >&2; exit 1; }
step() {	# step NAME LOG CMD...: run, time it, keep the log
    _name=$1 _log=$2; shift 2
    _t0=$(date +%s)
    if ! "$@" > "$out/$_log" 2>&1; then
        tail -n 30 "$out/$_log" >&2
        fail "$_name (log: $out/$_log)"
    fi
    echo "deb-check: $_name: ok, $(($(date +%s) - _t0)) s"
}

# copy_tree: the files git knows; without git (a release tarball, a copy)
# every file but the build's own output
copy_tree() {
    if command -v git >/dev/null 2>&1 && [ -e "$top/.git" ]; then
        (cd "$top" && git ls-files -z --cached --others --exclude-standard) \
            | (cd "$top" && xargs -0 tar cf -) | (cd "$src" && tar xf -)
    else
        (cd "$top" && tar cf - --exclude=./debian/tlspolicyd --exclude=./debian/.debhelper \
            --exclude='*.o' --exclude='*.a' --exclude=./config.status --exclude=./Makefile \
            --exclude=./config.log .) | (cd "$src" && tar xf -)
    fi
}
mkdir -p "$src"
copy_tree || fail "copying the tree"
[ -f "$src/debian/control" ] || fail "no debian/ in $top"

t0=$(date +%s)
step "dpkg-buildpackage -us -uc -b" build.log \
    sh -c "cd '$src' && dpkg-buildpackage -us -uc -b"
changes=$(ls "$work"/tlspolicyd_*.changes 2>/dev/null | head -n 1)
deb=$(ls "$work"/tlspolicyd_*.deb 2>/dev/null | head -n 1)
[ -n "$changes" ] && [ -n "$deb" ] || fail "no .changes or .deb in $work"
cp "$work"/tlspolicyd_* "$out"/
if [ "$lintian" = no ]; then
    echo "deb-check: lintian: skipped (--no-lintian or DEB_CHECK_LINTIAN=no)"
else
    step "lintian (errors and warnings fail)" lintian.log \
        lintian --fail-on error,warning --display-info "$changes"
fi

dpkg-deb -c "$deb" | awk '{ print $6 }' | sed 's|^\./|/|' > "$out/contents.txt"
for f in /usr/sbin/tlspolicyd /etc/tlspolicyd/tlspolicyd.cf \
    /usr/share/man/man8/tlspolicyd.8.gz /usr/share/man/man5/tlspolicyd.cf.5.gz \
    /usr/share/doc/tlspolicyd/examples/master.cf.example \
    /usr/share/doc/tlspolicyd/examples/main.cf.example \
    /usr/share/doc/tlspolicyd/README.gz; do
    grep -qx "$f" "$out/contents.txt" || fail "$f is not in the package"
done
dpkg-deb -I "$deb" conffiles | grep -qx /etc/tlspolicyd/tlspolicyd.cf \
    || fail "/etc/tlspolicyd/tlspolicyd.cf is not a conffile"
mkdir -p "$work/ctrl"
dpkg-deb -e "$deb" "$work/ctrl"
grep -q 'adduser --system' "$work/ctrl/postinst" || fail "postinst makes no account"
grep -q '/var/lib/tlspolicyd' "$work/ctrl/postinst" || fail "postinst makes no cache directory"
grep -q '/var/log/tlspolicyd' "$work/ctrl/postinst" || fail "postinst makes no log directory"
grep -q 'rm -rf /var/lib/tlspolicyd /var/log/tlspolicyd' "$work/ctrl/postrm" || fail "purge keeps the cache or the log"
grep -qx /etc/logrotate.d/tlspolicyd "$out/contents.txt" || fail "no logrotate file"
echo "deb-check: package contents: ok"

root_check() {	# root_check ROOTDIR: install, use, purge inside it
    cp "$deb" "$1/tmp/" || return 1
    unshare -n chroot "$1" sh -ex -c '
        dpkg -i /tmp/'"$(basename "$deb")"'
        test "$(stat -c %U:%G:%a /var/lib/tlspolicyd)" = tlspolicy:tlspolicy:750
        test "$(stat -c %U:%G:%a /var/log/tlspolicyd)" = tlspolicy:adm:2750
        printf "get x\\n" | setpriv --reuid=tlspolicy --regid=tlspolicy --clear-groups tlspolicyd -o bogus=1 | grep -q "^400 "
        grep -q "unknown parameter" /var/log/tlspolicyd/tlspolicyd.log
        getent passwd tlspolicy | grep -q ":/usr/sbin/nologin$"
        tlspolicyd -V | grep -q "^tlspolicyd "
        test "$(tlspolicyd -p | head -n 1)" = "# /etc/tlspolicyd/tlspolicyd.cf"
        if tlspolicyd -t > /tmp/t.out; then exit 1; fi
        grep -q "^FAIL: resolver 127.0.0.1:53" /tmp/t.out
        grep -q "^ok: cache /var/lib/tlspolicyd/cache.db" /tmp/t.out
        tlspolicyd -o dns_resolver=127.0.0.1:9 -q example.com || test $? = 75
        test "$(stat -c %U /var/lib/tlspolicyd/cache.db)" = tlspolicy
        tlspolicyd -F all
        dpkg --purge tlspolicyd
        test ! -e /var/lib/tlspolicyd && test ! -e /etc/tlspolicyd
        test ! -e /var/log/tlspolicyd
        getent passwd tlspolicy >/dev/null'
}
if [ -n "${DEB_CHECK_ROOT:-}" ]; then
    mkdir -p "$work/root" && tar -C "$work/root" -xf "$DEB_CHECK_ROOT" \
        || fail "cannot unpack $DEB_CHECK_ROOT"
    step "install, use and purge in a fresh root" root.log root_check "$work/root"
fi
echo "deb-check: all ok in $(($(date +%s) - t0)) s; $out/$(basename "$deb")"
