#!/bin/sh
# 01-cli.sh - the one-shot CLI (-q, -p, -V), exit codes, configuration errors
. "$top_srcdir/t/lib.sh"
t_tmpdir
t_user
t_binary

cat > "$T_DIR/overrides" <<EOC
partner.example   encrypt
.corp.example     secure match=.corp.example servername=hostname
EOC
cat > "$T_DIR/ok.cf" <<EOC
# a valid configuration
policy_overrides = $T_DIR/overrides
idle_timeout = 5m
# nothing listens here: DNS lookups fail at once
dns_resolver = 127.77.1.1:53
cache_file =
EOC

out=$("$TP" -c "$T_DIR/ok.cf" -q partner.example); rc=$?
t_is "$rc:$out" "0:encrypt" "-q found: exit 0, policy printed"
out=$("$TP" -c "$T_DIR/ok.cf" -q Mail.CORP.example.); rc=$?
t_is "$rc:$out" "0:secure match=.corp.example servername=hostname" "-q normalizes case and trailing dot"
out=$("$TP" -c "$T_DIR/ok.cf" -q unknown.example 2>"$T_DIR/err"); rc=$?
t_is "$rc:$out" "75:" "-q with the resolver down: exit 75, nothing on stdout"
t_like "$(cat "$T_DIR/err")" "temporary failure: DNS lookup failed" "-q temporary failure explained on stderr"
out=$("$TP" -c "$T_DIR/ok.cf" -q unknown 2>&1); rc=$?
t_is "$rc:$out" "1:" "-q not found: exit 1, prints nothing"
out=$("$TP" -c "$T_DIR/ok.cf" -q .corp.example 2>&1); rc=$?
t_is "$rc:$out" "1:" "-q walk key: not found"
out=$("$TP" -c "$T_DIR/ok.cf" -q '[partner.example]:25' 2>&1); rc=$?
t_is "$rc:$out" "1:" "-q bracketed: not found"
out=$("$TP" -c "$T_DIR/ok.cf" -q 'partner.example:587' 2>&1); rc=$?
t_is "$rc:$out" "0:encrypt" "-q domain:port: overrides still apply"
out=$("$TP" -c "$T_DIR/ok.cf" -q 'other.example:587' -v 2>&1); rc=$?
t_like "$rc:$(printf "%s" "$out" | tail -n 1)" "^1:.*port other than 25" "-q domain:port without override: not found, explained"
out=$("$TP" -c "$T_DIR/ok.cf" -v -q partner.example 2>&1 >/dev/null)
t_like "$out" "override entry \"partner.example\" matches partner.example" "-q -v explains on stderr"

out=$("$TP" -c "$T_DIR/ok.cf" -o idle_timeout=45s -p)
t_like "$out" "^idle_timeout = 45s$" "-o overrides the file (-p shows it)"
t_like "$out" "^dns_timeout = 2s$" "-p shows defaults"
t_like "$out" "^cache_file = " "every DESIGN parameter exists (cache_file)"
for p in dns_timeout mtasts_ca_file mtasts_fetch_timeout mtasts_testing tlsrpt log_file; do
    t_like "$out" "^$p = " "parameter $p exists"
done

printf 'dns_timeout = 3s\nno_such_thing = 1\n' > "$T_DIR/bad.cf"
out=$("$TP" -c "$T_DIR/bad.cf" -q partner.example 2>&1); rc=$?
t_is "$rc" 75 "unknown parameter: exit 75"
t_like "$out" "bad.cf, line 2: unknown parameter \"no_such_thing\"" "error names file, line and parameter"
printf 'tlsrpt = perhaps\n' > "$T_DIR/bad2.cf"
out=$("$TP" -c "$T_DIR/bad2.cf" -q partner.example 2>&1)
t_like "$out" "bad2.cf, line 1: bad value for tlsrpt: \"perhaps\": expected yes or no" "bad value named"
out=$("$TP" -c "$T_DIR/ok.cf" -o bogus=1 -q partner.example 2>&1); rc=$?
t_like "$rc:$out" "^75:.*-o bogus=1: unknown parameter" "bad -o: exit 75, named"
out=$("$TP" -c "$T_DIR/missing.cf" -q partner.example 2>&1); rc=$?
t_like "$rc:$out" "^75:.*cannot open .*missing.cf" "missing -c file: exit 75"
printf 'a.example   encrypt\nb.example   tls-please\n' > "$T_DIR/bad.ovr"
out=$("$TP" -c "$T_DIR/ok.cf" -o policy_overrides="$T_DIR/bad.ovr" -q a.example 2>&1); rc=$?
t_like "$rc:$out" "^75:.*bad.ovr, line 2: unknown policy \"tls-please\"" "bad override policy: file and line"
out=$("$TP" -V 2>&1); rc=$?
t_like "$rc:$(printf '%s' "$out" | head -n 1)" "^0:tlspolicyd [0-9]+\.[0-9]+\.[0-9]+$" "-V: version first, exit 0"
t_like "$out" "^c-ares [0-9.]+ \(built with [0-9.]+\)$" "-V: c-ares version"
if command -v sqlite3 >/dev/null 2>&1; then
    t_like "$out" "^SQLite $(command sqlite3 --version | cut -d' ' -f1) " "-V: the SQLite the CLI also uses"
fi
if command -v curl >/dev/null 2>&1; then
    lc=$(curl --version | head -n 1 | sed -n 's|.* libcurl/\([^ ]*\).*|\1|p')
    t_like "$out" "^libcurl $lc, .*loaded only to fetch" "-V: the libcurl curl(1) uses, loaded for the report"
fi
out=$("$TP" -V -c "$T_DIR/missing.cf" 2>&1); rc=$?
t_is "$rc:$(printf '%s\n' "$out" | wc -l)" "0:4" "-V reads no configuration"
"$TP" -x >/dev/null 2>"$T_DIR/err"; rc=$?
t_like "$rc:$(head -n 1 "$T_DIR/err")" "^2:tlspolicyd: unknown option -x$" "unknown option: exit 2, the reason on stderr (not a terminal)"
"$TP" -q a.example extra >/dev/null 2>"$T_DIR/err"; rc=$?
t_like "$rc:$(head -n 1 "$T_DIR/err")" "^2:tlspolicyd: unexpected argument \"extra\"$" "stray argument: exit 2, named"
"$TP" -c "$T_DIR/ok.cf" -q >/dev/null 2>"$T_DIR/err"; rc=$?
t_like "$rc:$(head -n 1 "$T_DIR/err")" "^2:tlspolicyd: -q needs a domain$" "-q without a domain: exit 2, said"
"$TP" -q a.example -t >/dev/null 2>"$T_DIR/err"; rc=$?
t_like "$rc:$(head -n 1 "$T_DIR/err")" "^2:tlspolicyd: -q, -p, -F and -t exclude each other$" "two modes: exit 2, said"
"$TP" -o >/dev/null 2>"$T_DIR/err"; rc=$?
t_like "$rc:$(head -n 1 "$T_DIR/err")" "^2:tlspolicyd: option -o needs an argument$" "-o without its argument: said, even without a mode"
# options in any order: -q's domain is its attached argument or the operand
for args in "-q -v partner.example" "-v -q partner.example" "-q partner.example -v" \
            "-qpartner.example" "partner.example -q"; do
    # shellcheck disable=SC2086
    out=$("$TP" -c "$T_DIR/ok.cf" $args 2>"$T_DIR/err"); rc=$?
    t_is "$rc:$out" "0:encrypt" "tlspolicyd $args: answers (stderr not a terminal)"
done
out=$("$TP" -c "$T_DIR/ok.cf" -F -v 2>&1); rc=$?
t_like "$rc:$out" "^2:tlspolicyd: -F needs a domain or \"all\"" "-F -v: the domain is missing, not \"-v\""
for h in -h --help; do
    out=$("$TP" $h 2>"$T_DIR/err"); rc=$?
    t_like "$rc:$(printf '%s' "$out" | head -n 1)" "^0:usage: tlspolicyd " "$h: usage on stdout, exit 0"
    t_is "$(cat "$T_DIR/err")" "" "$h: nothing on stderr"
done
t_is "$("$TP" --version 2>&1)" "$("$TP" -V 2>&1)" "--version prints what -V prints"
"$TP" --bogus >/dev/null 2>"$T_DIR/err"; rc=$?
t_like "$rc:$(head -n 1 "$T_DIR/err")" "^2:tlspolicyd: unknown option --bogus$" "unknown long option: exit 2, named"
"$TP" --help=x >/dev/null 2>"$T_DIR/err"; rc=$?
t_like "$rc:$(head -n 1 "$T_DIR/err")" "^2:tlspolicyd: option --help takes no argument$" "--help=x: exit 2, says what is wrong"
out=$("$TP" -c "$T_DIR/ok.cf" $(seq 70 | sed 's/.*/-o log_lookups=all/') -q partner.example 2>&1); rc=$?
t_unlike "$rc:$out" "more than [0-9]+ arguments" "-q with 70 -o options: not refused for their number (the limit is for helpers)"
# service mode: stdin a socket (spawn(8)) gets no byte of a usage error
out=$(python3 -c '
import socket, subprocess, sys
a, b = socket.socketpair()
r = subprocess.run([sys.argv[1], "-x"], stdin=b, stdout=b, stderr=b)
b.close(); a.settimeout(5)
print("%d:%r" % (r.returncode, a.recv(100)))' "$TP" 2>&1)
t_is "$out" "2:b''" "usage error under spawn (stdin a socket): exit 2, not a byte on the socket"
# service mode on a terminal: refused at once instead of waiting for requests
out=$(t_as_user script -qec "timeout 20 $TP -c $T_DIR/ok.cf; echo rc=\$?" /dev/null </dev/null 2>&1)
t_like "$(echo $out)" "standard input is a terminal: .*serves one Postfix connection.* rc=2" \
    "service mode on a terminal: refused with a message, exit 2"

if t_is_root; then
    # -q as root reads every file as the helper's user, as Postfix's helpers do
    cp "$T_DIR/ok.cf" "$T_DIR/root-only.cf"
    chmod 0600 "$T_DIR/root-only.cf"
    out=$("$TP" -c "$T_DIR/root-only.cf" -q partner.example 2>&1); rc=$?
    t_like "$rc:$out" "^75:.*root-only.cf.*Permission denied.*read as user $T_USER" "-q as root: a file only root can read fails as it does for the helper"
    cp "$T_DIR/overrides" "$T_DIR/root-only.ovr"
    chmod 0600 "$T_DIR/root-only.ovr"
    out=$("$TP" -c "$T_DIR/ok.cf" -o policy_overrides="$T_DIR/root-only.ovr" -q partner.example 2>&1); rc=$?
    t_like "$rc:$out" "^75:.*root-only.ovr.*Permission denied" "-q as root: an override table only root can read fails too"
    out=$("$TP" -c "$T_DIR/ok.cf" -o user=no-such-user-tp -q partner.example 2>&1); rc=$?
    t_like "$rc:$(echo $out)" "^75:.*user \"no-such-user-tp\" does not exist.*su -s /bin/sh NAME -c '.*-q partner.example'" "-q as root without the user: refused, says what to run"
    { cat "$T_DIR/ok.cf"; echo "user = nobody"; } > "$T_DIR/nobody.cf"
    out=$("$TP" -c "$T_DIR/nobody.cf" -q partner.example 2>&1); rc=$?
    t_like "$rc:$out" "^75:.*nobody.cf sets user = nobody, but .* run again with -o user=nobody" "-q as root: a file naming another user says which -o to add"
    out=$("$TP" -c "$T_DIR/nobody.cf" -o user=nobody -q partner.example 2>&1); rc=$?
    t_is "$rc:$out" "0:encrypt" "-q as root with -o user= matching the file: answers"
    out=$("$TP" -c "$T_DIR/ok.cf" -v -q partner.example 2>&1 >/dev/null)
    t_like "$out" "running as user $T_USER \(uid [0-9]+" "-q -v as root says which user it became"
    out=$(script -qec "$TP -c $T_DIR/ok.cf </dev/null" /dev/null </dev/null 2>&1)
    t_like "$out" "refusing to run with user ID 0" "service mode as root: refused with a clear message"
    "$TP" -c "$T_DIR/ok.cf" </dev/null >"$T_DIR/o" 2>"$T_DIR/e"; rc=$?
    t_is "$rc:$(cat "$T_DIR/o" "$T_DIR/e")" "1:" "as root under spawn: exit 1, not a byte on stdout/stderr"
    # set-ID starts: real and effective IDs differ (no ID is 0). The
    # binary itself, not the T_WRAP shell wrapper: dash would reset the
    # effective IDs to the real ones before the helper saw them.
    chmod 711 "$T_DIR"
    tp=$TP; [ -x "$TP.real" ] && tp=$TP.real
    out=$(setpriv --ruid=65534 --euid=65533 --rgid=65534 --egid=65534 --clear-groups -- \
        "$tp" -c "$T_DIR/ok.cf" -q partner.example 2>&1); rc=$?
    t_like "$rc:$out" "^1:.*refusing to run with real user ID 65534 and effective user ID 65533" \
        "-q with uid != euid: refused with a clear message"
    out=$(setpriv --ruid=65534 --euid=65534 --rgid=65534 --egid=65533 --clear-groups -- \
        "$tp" -c "$T_DIR/ok.cf" -q partner.example 2>&1); rc=$?
    t_like "$rc:$out" "^1:.*refusing to run with real group ID 65534 and effective group ID 65533" \
        "-q with gid != egid: refused with a clear message"
    out=$(setpriv --ruid=65534 --euid=65533 --rgid=65534 --egid=65534 --clear-groups -- \
        "$tp" -V 2>&1); rc=$?
    t_like "$rc:$out" "^1:.*refusing to run with real user ID 65534 and effective user ID 65533" \
        "-V with uid != euid: refused first, before libcurl is loaded"
    setpriv --ruid=65534 --euid=65533 --rgid=65534 --egid=65534 --clear-groups -- \
        "$tp" -c "$T_DIR/ok.cf" </dev/null >"$T_DIR/o" 2>"$T_DIR/e"; rc=$?
    t_is "$rc:$(cat "$T_DIR/o" "$T_DIR/e")" "1:" "service mode with uid != euid: exit 1, silent on stdout/stderr"
    # file capabilities: the same mistake as set-user-ID, and refused too
    if command -v setcap >/dev/null 2>&1; then
        cp "$tp" "$T_DIR/capbin" && setcap cap_net_bind_service+ep "$T_DIR/capbin"
        out=$(setpriv --reuid=65534 --regid=65534 --clear-groups -- "$T_DIR/capbin" -V 2>&1); rc=$?
        t_like "$rc:$out" "^1:.*refusing to run with capabilities as user ID 65534" \
            "a binary with file capabilities: refused with a clear message"
    else
        t_skip "a binary with file capabilities: refused" "setcap not installed (libcap2-bin)"
    fi
fi
t_done
