#!/bin/sh
# fuzz.sh - build every fuzz target with clang's libFuzzer, ASan and UBSan,
# and run each one for a set time on a copy of its seed corpus.
#
#   sh tools/fuzz.sh [SECONDS] [TARGET...]     (default 60 s, all targets)
#   FUZZ_RUNS=10000000 sh tools/fuzz.sh 3600 ...   stop each after N runs
#
# Prints one line per target: executions, new corpus size, crashes. Crash
# inputs are kept in build-fuzz/crashes/TARGET/. Exit status 1 if any target
# crashed. Needs clang (Debian package clang) and the -dev libraries.
set -u
cd "$(dirname "$0")/.."
secs=${1:-60}
[ $# -gt 0 ] && shift
targets=${*:-"tcp netstring ststxt stspolicy ovr cfg dnsmsg key cacherow"}
out=build-fuzz
mkdir -p "$out"
CC=${FUZZ_CC:-clang}
command -v "$CC" >/dev/null 2>&1 || { echo "fuzz: $CC not found (apt-get install clang)"; exit 1; }
flags="-g -O1 -D_DEFAULT_SOURCE -DSYSCONFDIR=\"/etc\" -DLOCALSTATEDIR=\"/var\" -Ilib -I. -fsanitize=address,undefined -fno-sanitize-recover=undefined"
libs="$(pkg-config --libs libcares sqlite3) -ldl"
failed=0
for t in $targets; do
    src=t/fuzz/fuzz_$t.c
    [ -f "$src" ] || { echo "fuzz: no target $t"; continue; }
    # shellcheck disable=SC2086
    $CC $flags -fsanitize=fuzzer "$src" lib/*.c $libs -o "$out/fuzz_$t" 2> "$out/build-$t.log" \
        || { echo "fuzz: $t does not build, see $out/build-$t.log"; failed=1; continue; }
    rm -rf "$out/corpus-$t"; mkdir -p "$out/corpus-$t" "$out/crashes/$t"
    cp t/fuzz/corpus/$t/* "$out/corpus-$t/" 2>/dev/null
    "$out/fuzz_$t" -max_total_time="$secs" ${FUZZ_RUNS:+-runs=$FUZZ_RUNS} -max_len=65600 -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$out/crashes/$t/" -print_final_stats=1 "$out/corpus-$t" \
        > "$out/run-$t.log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/run-$t.log")
    crashes=$(ls "$out/crashes/$t" | wc -l)
    printf '%-10s %12s executions  corpus %5s  crashes %s  (exit %s)\n' "$t" "${execs:-?}" \
        "$(ls "$out/corpus-$t" | wc -l)" "$crashes" "$rc"
    [ "$rc" -eq 0 ] && [ "$crashes" -eq 0 ] || failed=1
done
exit $failed
