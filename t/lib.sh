# lib.sh - shared helpers for the shell system tests (TAP output)
#
# Source it from a test: . "$top_srcdir/t/lib.sh". It provides
#   t_ok DESC CMD...        ok when CMD exits 0
#   t_is GOT WANT DESC      ok when the strings are equal
#   t_like TEXT ERE DESC    ok when TEXT matches the extended regexp
#   t_unlike TEXT ERE DESC  ok when it does not
#   t_skip DESC REASON      one test that cannot run here ("ok # SKIP")
#   t_skip_all REASON       "1..0 # SKIP", exit 0
#   t_need WHY CMD...       skip the script unless root and every CMD exists
#   t_world NET             T_DIR, user, binary and the DNSSEC test world
#   t_sts_fetches [HOST]    policies the world's HTTPS server has served
#                           (to mta-sts.HOST only, with HOST)
#   t_world_selfcheck       one test: t/world/selfcheck.sh passes
#   t_q_conf RESOLVER [LINE...]  $T_DIR/q.cf for -q: that resolver, the
#                           cache $T_DIR/q/cache.db, the world's CA, 2 s fetches
#   t_word DOMAIN [ARGS]    -q's answer as an expect word (text, notfound,
#                           temp, exit-N), with $T_DIR/q.cf and ARGS
#   t_rules LINE...         the world breaker's rules from now on
#   t_ms                    milliseconds since the epoch
#   t_done                  print the plan; exit 0 (failures are in the TAP)
#   t_tmpdir                make $T_DIR (mode 755, removed at exit)
#   t_at_exit CMD           run CMD at exit (last registered runs first)
#   t_user                  make sure the unprivileged user exists (root only)
#   t_as_user CMD...        run CMD as that user when we are root
#   t_binary                copy the built tlspolicyd into $T_DIR/bin
#                           (behind a wrapper under T_WRAP=asan|valgrind)
#   sqlite3 ...             the CLI with a 5 s busy timeout
# Environment from make: top_srcdir, top_builddir, TLSPOLICYD; T_WRAP.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${TLSPOLICYD:=$top_builddir/daemon/tlspolicyd}"
T_N=0
T_FAILED=0
# mtasts_fetch_timeout for the tests: helpers under valgrind need longer
# than 2 s for a TLS handshake on a loaded machine (sts-slow still fails)
case ${T_WRAP:-} in valgrind) T_FETCH_TIMEOUT=10s ;; *) T_FETCH_TIMEOUT=2s ;; esac
T_USER=tlspolicy
T_EXIT_CMDS=""

t_result() {	# t_result STATUS DESC
    T_N=$((T_N + 1))
    if [ "$1" -eq 0 ]; then
        echo "ok $T_N - $2"
    else
        T_FAILED=$((T_FAILED + 1))
        echo "not ok $T_N - $2"
    fi
}

t_ok() {
    _desc=$1; shift
    "$@" >/dev/null 2>&1
    t_result $? "$_desc"
}

t_is() {
    if [ "$1" = "$2" ]; then t_result 0 "$3"; else
        t_result 1 "$3"
        printf '#   got:  "%s"\n#   want: "%s"\n' "$1" "$2"
    fi
}

t_like() {
    if printf '%s\n' "$1" | grep -Eq -- "$2"; then t_result 0 "$3"; else
        t_result 1 "$3"
        printf '#   text: "%s"\n#   does not match: %s\n' "$(printf '%s' "$1" | head -c 600)" "$2"
    fi
}

t_unlike() {
    if printf '%s\n' "$1" | grep -Eq -- "$2"; then
        t_result 1 "$3"
        printf '#   text: "%s"\n#   matches: %s\n' "$(printf '%s' "$1" | head -c 600)" "$2"
    else t_result 0 "$3"; fi
}

t_skip() {	# t_skip DESC REASON: one test that cannot run here
    T_N=$((T_N + 1))
    echo "ok $T_N - $1 # SKIP $2"
}

t_skip_all() {
    echo "1..0 # SKIP $1"
    exit 0
}

t_done() {
    t_reports
    echo "1..$T_N"
    exit 0
}

t_at_exit() {
    T_EXIT_CMDS="$1; $T_EXIT_CMDS"
}

t_run_exit_cmds() {
    eval "$T_EXIT_CMDS"
}
trap 't_run_exit_cmds' EXIT
trap 'exit 1' INT TERM HUP

t_tmpdir() {
    T_DIR=$(mktemp -d /tmp/tlspd-test.XXXXXX) || exit 1
    chmod 755 "$T_DIR"
    [ -n "${T_KEEP:-}" ] || t_at_exit "rm -rf '$T_DIR'"
}

t_is_root() {
    [ "$(id -u)" -eq 0 ]
}

t_user() {
    t_is_root || return 0
    getent passwd "$T_USER" >/dev/null 2>&1 && return 0
    useradd --system --user-group --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin "$T_USER"
}

t_as_user() {
    if t_is_root; then
        setpriv --reuid="$T_USER" --regid="$T_USER" --clear-groups -- "$@"
    else
        "$@"
    fi
}

# t_binary: the helper in $T_DIR/bin (which the spawn user can reach), as
# $TP. With T_WRAP=valgrind every helper the test starts runs under
# valgrind (memcheck, definite and indirect leaks are errors); with
# T_WRAP=asan (a --enable-sanitizers build) the sanitizers write their
# reports to files. Either way t_done adds one test: no reports.
t_binary() {
    mkdir -p "$T_DIR/bin" "$T_DIR/reports"
    chmod 755 "$T_DIR/bin"
    chmod 1777 "$T_DIR/reports"
    TP="$T_DIR/bin/tlspolicyd"
    case "${T_WRAP:-}" in
    valgrind|asan)
        cp "$TLSPOLICYD" "$TP.real" || exit 1
        chmod 755 "$TP.real"
        t_wrapper "$T_WRAP" > "$TP" ;;
    *)
        cp "$TLSPOLICYD" "$TP" || exit 1 ;;
    esac
    chmod 755 "$TP"
}

t_wrapper() {
    echo '#!/bin/sh'
    case "$1" in
    valgrind)
        echo "exec valgrind -q --vgdb=no --error-exitcode=1 --leak-check=full" \
            "--show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect" \
            "--log-file='$T_DIR/reports/valgrind.%p' '$TP.real' \"\$@\"" ;;
    asan)
        echo "ASAN_OPTIONS='log_path=$T_DIR/reports/asan:detect_leaks=1'" \
            "UBSAN_OPTIONS='log_path=$T_DIR/reports/ubsan:print_stacktrace=1:halt_on_error=1'" \
            "exec '$TP.real' \"\$@\"" ;;
    esac
}

# t_reports: under T_WRAP, one test that no helper left a report
t_reports() {
    [ -n "${T_WRAP:-}" ] && [ -d "${T_DIR:-/nonexistent}/reports" ] || return 0
    _runs=$(find "$T_DIR/reports" -type f | wc -l)
    _bad=$(find "$T_DIR/reports" -type f -size +0c | sort)
    for _f in $_bad; do head -60 "$_f" | sed 's/^/# /'; done
    if [ "$T_WRAP" = valgrind ]; then
        t_result "$([ -z "$_bad" ] && [ "$_runs" -gt 0 ]; echo $?)" \
            "valgrind: no errors or leaks in $_runs helper runs"
    else
        t_is "$_bad" "" "sanitizers: no reports from any helper"
    fi
}

# t_wait_file FILE SECONDS: wait until FILE exists (bounded)
t_wait_file() {
    _i=0
    while [ ! -s "$1" ] && [ "$_i" -lt $(($2 * 10)) ]; do
        sleep 0.1; _i=$((_i + 1))
    done
    [ -s "$1" ]
}

# t_wait_grep FILE ERE SECONDS: wait until FILE has a matching line
t_wait_grep() {
    _i=0
    while ! grep -Eq -- "$2" "$1" 2>/dev/null && [ "$_i" -lt $(($3 * 10)) ]; do
        sleep 0.1; _i=$((_i + 1))
    done
    grep -Eq -- "$2" "$1" 2>/dev/null
}

# t_kill_pid PID: stop a process we started, wait for it (bounded)
t_kill_pid() {
    [ -n "$1" ] || return 0
    kill "$1" 2>/dev/null || return 0
    _i=0
    while kill -0 "$1" 2>/dev/null && [ "$_i" -lt 50 ]; do
        sleep 0.1; _i=$((_i + 1))
    done
    kill -9 "$1" 2>/dev/null
    wait "$1" 2>/dev/null
    return 0
}

# sqlite3 waits up to 5 s for a lock: a helper that has just answered may
# still be writing its counters or checkpointing as it exits, and the CLI
# gives up at once by default ("database is locked", empty output)
sqlite3() { command sqlite3 -cmd ".timeout 5000" "$@"; }

# t_need WHY CMD...: skip the script unless root and every CMD exists
t_need() {
    _why=$1; shift
    t_is_root || t_skip_all "needs root ($_why)"
    for _c in "$@"; do
        command -v "$_c" >/dev/null 2>&1 || t_skip_all "$_c is not installed"
    done
}

# t_cache_dir: T_DIR, the test user, the binary, and $T_DIR/c, a cache
# directory the helper's user owns (when root runs the tests); DB names
# the cache file in it.
t_cache_dir() {
    t_tmpdir
    t_user
    t_binary
    mkdir -p "$T_DIR/c"
    t_is_root && chown "$T_USER:$T_USER" "$T_DIR/c"
    # shellcheck disable=SC2034 # for the scripts
    DB=$T_DIR/c/cache.db
}

# t_world NET: T_DIR, the test user, the binary, and the DNSSEC test world
# (t/world/world.sh) on NET.x, stopped at exit; sources its world.env.
# Each script has its own NET, so scripts can run at the same time.
t_world() {
    t_tmpdir
    t_user
    t_binary
    WORLD_NET=$1
    export WORLD_NET
    if ! sh "$top_srcdir/t/world/world.sh" start "$T_DIR/world" > "$T_DIR/world.log" 2>&1; then
        sed 's/^/# /' "$T_DIR/world.log"
        t_result 1 "the test world starts"
        t_done
    fi
    t_at_exit "sh '$top_srcdir/t/world/world.sh' stop '$T_DIR/world'"
    . "$T_DIR/world/world.env"
}

# t_sts_fetches [DOMAIN]: MTA-STS policies the world's nginx has served
# (200), all of them or those of mta-sts.DOMAIN (the log ends with $host)
t_sts_fetches() {
    grep -c "GET /.well-known/mta-sts.txt .*\" 200 .*${1:+ mta-sts.$1\$}" "$T_DIR/world/https/access.log"
}

# t_world_selfcheck: one test, the world keeps its own promises (DNS
# facts, verdict.py against expect*.txt, the breaker)
t_world_selfcheck() {
    if sh "$top_srcdir/t/world/selfcheck.sh" "$T_DIR/world" > "$T_DIR/selfcheck.log" 2>&1; then
        t_result 0 "world selfcheck: $(grep -c '^ok' "$T_DIR/selfcheck.log") checks"
    else
        grep '^not ok' "$T_DIR/selfcheck.log" | head -5 | sed 's/^/# /'
        t_result 1 "world selfcheck"
    fi
}

# t_q_conf RESOLVER [LINE...]: the -q configuration of the MTA-STS tests
t_q_conf() {
    mkdir -p "$T_DIR/q"
    chown "$T_USER:$T_USER" "$T_DIR/q"
    { echo "dns_resolver = $1"
      echo "cache_file = $T_DIR/q/cache.db"
      echo "mtasts_ca_file = $WORLD_CA"
      echo "mtasts_fetch_timeout = $T_FETCH_TIMEOUT"
      shift; for _kv in "$@"; do printf '%s\n' "$_kv"; done; } > "$T_DIR/q.cf"
}

# t_word DOMAIN [ARGS]: what -q says, as an expect word
t_word() {
    _d=$1; shift
    _out=$("$TP" -c "$T_DIR/q.cf" "$@" -q "$_d" 2>/dev/null); _rc=$?
    case $_rc in 0) echo "$_out" ;; 1) echo notfound ;; 75) echo temp ;; *) echo "exit-$_rc" ;; esac
}

# t_rules LINE...: DIR/breaker.rules of the world's breaker ("" for none);
# the new mtime (ns) makes the breaker read it again
t_rules() {
    printf '%s\n' "$@" > "$T_DIR/world/breaker.rules"
}

t_ms() { echo $(( $(date +%s%N) / 1000000 )); }
