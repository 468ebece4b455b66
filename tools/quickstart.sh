#!/bin/sh
# quickstart.sh - install what tlspolicyd needs on Debian 12 or 13, build
# it, and run the demo or the whole test suite. Run as root from the source
# tree. build installs the build packages, demo and test also what the
# tests run; deps, lint, sanitize and valgrind also the developer tools.
#
#   sh tools/quickstart.sh demo       install, build, run the demo world
#   sh tools/quickstart.sh test       install, build, run every test: a line
#                                     per test file as it ends (counts, log);
#                                     the last line is "N passed, N failed, N skipped"
#   sh tools/quickstart.sh distcheck  install, build, make distcheck
#   sh tools/quickstart.sh sanitize   build with ASan+UBSan in build-asan/ and
#                                     run the whole test suite there
#   sh tools/quickstart.sh valgrind   run the system tests with every helper
#                                     under valgrind (errors and leaks fail)
#   sh tools/quickstart.sh lint       cppcheck and clang-tidy (make lint)
#   sh tools/quickstart.sh deps       only install the Debian packages (all;
#                                     "deps test": those "test" needs)
#   sh tools/quickstart.sh build      install and build
set -eu
cd "$(dirname "$0")/.."

BUILD_PACKAGES="build-essential autoconf automake pkg-config
 libc-ares-dev libcurl4-openssl-dev libsqlite3-dev libssl-dev libidn2-dev"
TEST_PACKAGES="sqlite3 postfix unbound nsd ldnsutils nginx openssl curl python3
 util-linux bsdutils mount procps iproute2 strace libcap2-bin prometheus"
# installed when the release has them, else left out (their tests skip):
# prometheus brings promtool (t/34-alerts.sh); on a systemd host it also
# starts a Prometheus server on port 9090
OPTIONAL_PACKAGES="prometheus"
DEV_PACKAGES="valgrind clang cppcheck clang-tidy"
PACKAGES="$BUILD_PACKAGES $TEST_PACKAGES $DEV_PACKAGES"

# deps [PACKAGES]: install those missing (default: all of them); an
# optional one only when the release has it (apt-get update is not run
# for optional packages alone: "test" runs in CI without a network)
deps() {
    missing=""
    for p in ${1:-$PACKAGES}; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" \
            || missing="$missing $p"
    done
    # shellcheck disable=SC2086
    [ -n "$(required $missing)$(available $missing 2>/dev/null)" ] || return 0
    if [ "$(id -u)" -ne 0 ]; then
        echo "quickstart: missing Debian packages:$missing (run as root)" >&2
        exit 1
    fi
    echo "quickstart: installing:$missing"
    # postfix asks debconf questions: answer "No configuration" up front
    echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    # shellcheck disable=SC2086
    missing="$(required $missing)$(available $missing)"
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing \
        > /tmp/tlspolicyd-apt.log 2>&1 || { tail -20 /tmp/tlspolicyd-apt.log; exit 1; }
}

# required PACKAGE...: those that are not optional
required() {
    for p in "$@"; do
        case " $OPTIONAL_PACKAGES " in *" $p "*) ;; *) printf '%s ' "$p" ;; esac
    done
}

# available PACKAGE...: the optional ones apt can install now; the others
# are left out with a note
available() {
    for p in "$@"; do
        case " $OPTIONAL_PACKAGES " in *" $p "*) ;; *) continue ;; esac
        if apt-cache policy "$p" 2>/dev/null | grep -q 'Candidate: [0-9]'; then
            printf '%s ' "$p"
        else
            echo "quickstart: $p is not available in this release; its tests will be skipped" >&2
        fi
    done
}

# build [PACKAGES]: install (default: the build packages) and build
build() {
    deps "${1:-$BUILD_PACKAGES}"
    if [ ! -x configure ] || [ configure.ac -nt configure ] || [ Makefile.am -nt configure ]; then
        autoreconf -fi
    fi
    if [ ! -f Makefile ] || [ configure -nt Makefile ]; then
        ./configure --prefix=/usr --sysconfdir=/etc --localstatedir=/var --enable-werror
    fi
    make -j"$(nproc)"
}

# clear_results TEST...: forget earlier results, so that make check reruns them
clear_results() {
    for t in "$@"; do rm -f "${t%.sh}.trs" "${t%.sh}.log"; done
}

# progress PID TEST...: while make (PID) runs, one line per test file as
# it finishes (its .trs file appears): its counts and where its log is
progress() {
    _pid=$1; shift
    _total=$#
    _done=0
    _seen=" "
    while :; do
        _running=0
        kill -0 "$_pid" 2>/dev/null && _running=1
        for t in "$@"; do
            case $_seen in *" $t "*) continue ;; esac
            [ -f "${t%.sh}.trs" ] || continue
            _seen="$_seen$t "
            _done=$((_done + 1))
            echo "quickstart: [$_done/$_total] $t: $(sh tools/test-summary.sh "$t" 2>/dev/null) (log: ${t%.sh}.log)"
        done
        [ "$_running" = 1 ] || break
        sleep 2
    done
}

# suite_failed LOG DIR: the failing tests and the end of each failing log
suite_failed() {
    tail -25 "$1"
    grep -E '^(FAIL|ERROR):' "$1" | head -20
    for f in $(grep -E '^(FAIL|ERROR):' "$1" | awk '{ print $2 }' | sort -u); do
        log="$2/${f%.sh}.log"
        [ -f "$log" ] || continue
        echo "--- $log (last 30 lines)"
        tail -30 "$log"
    done
}

case "${1:-}" in
deps) if [ "${2:-}" = test ]; then deps "$BUILD_PACKAGES $TEST_PACKAGES"; else deps; fi ;;
build) build ;;
demo) build "$BUILD_PACKAGES $TEST_PACKAGES"; exec sh tools/demo.sh ;;
test)
    build "$BUILD_PACKAGES $TEST_PACKAGES"
    status=0
    # shellcheck disable=SC2046
    clear_results $(make -s print-tests)
    echo "quickstart: running $(make -s print-tests | wc -w) test files (make check; all output in /tmp/tlspolicyd-check.log)"
    make -j"$(nproc)" check > /tmp/tlspolicyd-check.log 2>&1 &
    make_pid=$!
    # shellcheck disable=SC2046
    progress "$make_pid" $(make -s print-tests)
    wait "$make_pid" || status=$?
    grep -E '^(PASS|FAIL|ERROR|SKIP|XFAIL|XPASS):' /tmp/tlspolicyd-check.log | grep -v '^PASS' || true
    # shellcheck disable=SC2046
    sh tools/test-summary.sh $(make -s print-tests)
    exit $status ;;
sanitize)
    # the whole suite against an ASan+UBSan build; helpers spawned by the
    # test Postfix instances write their reports to files (T_WRAP=asan)
    build "$PACKAGES"
    # a clean copy of the distributed sources (this tree is configured in place)
    rm -rf build-asan && make -s distdir distdir=build-asan >/dev/null
    (cd build-asan && ./configure -q --enable-sanitizers CFLAGS="-g -O1" \
        && make -j"$(nproc)" >/dev/null 2>&1 \
        && T_WRAP=asan ASAN_OPTIONS=detect_leaks=1 \
           UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
           make -j"$(nproc)" check > /tmp/tlspolicyd-asan.log 2>&1) \
        || { suite_failed /tmp/tlspolicyd-asan.log build-asan; echo "quickstart: sanitizer run failed"; exit 1; }
    # the TAP driver ignores exit codes, so a leak reported after the last
    # test point of a unit test would pass: look for reports in the logs
    if grep -l -E "ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:" \
            build-asan/t/*.log; then
        echo "quickstart: sanitizer reports in the test logs above"; exit 1
    fi
    grep -E "^# (TOTAL|PASS|FAIL|ERROR)" /tmp/tlspolicyd-asan.log ;;
lint)
    build "$PACKAGES"
    make lint ;;
valgrind)
    # the system tests with every helper under valgrind (T_WRAP=valgrind);
    # not 21-concurrency (32 helpers at once under valgrind measure
    # valgrind) nor 24-refresh and 27-sequence (a refresh re-executes
    # /proc/self/exe, which under valgrind is valgrind itself), nor
    # 35-refresh-bounds (it starts refresh processes too)
    build "$PACKAGES"
    tests="t/01-cli.sh t/02-protocol.sh t/10-postfix.sh t/11-examples.sh t/20-dane.sh
           t/22-mtasts.sh t/23-metrics.sh t/25-cache-faults.sh t/26-never-weaker.sh
           t/36-cache-files.sh t/37-ca-file.sh"
    # shellcheck disable=SC2086
    clear_results $tests
    T_WRAP=valgrind make -j"$(nproc)" check TESTS="$(echo $tests)" > /tmp/tlspolicyd-valgrind.log 2>&1 \
        || { suite_failed /tmp/tlspolicyd-valgrind.log .; echo "quickstart: valgrind run failed"; exit 1; }
    grep -E "valgrind: no errors" /tmp/tlspolicyd-valgrind.log ;;
distcheck)
    build "$PACKAGES"
    make -j"$(nproc)" distcheck > /tmp/tlspolicyd-distcheck.log 2>&1 \
        || { suite_failed /tmp/tlspolicyd-distcheck.log "$(echo tlspolicyd-*/_build/sub)"
             echo "quickstart: make distcheck failed"; exit 1; }
    grep -A2 'archives ready for distribution' /tmp/tlspolicyd-distcheck.log | head -3 ;;
*)
    echo "usage: sh tools/quickstart.sh demo|test|distcheck|sanitize|valgrind|lint|deps|build" >&2
    exit 2 ;;
esac
