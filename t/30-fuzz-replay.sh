#!/bin/sh
# 30-fuzz-replay.sh - replay every fuzz target's seed corpus (and any
# crash reproducers kept in t/fuzz/regress/TARGET) through the gcc-built
# replay drivers; a crash or a broken invariant fails the test.
. "$top_srcdir/t/lib.sh"
for t in tcp netstring ststxt stspolicy ovr cfg dnsmsg key cacherow; do
    bin="$top_builddir/t/fuzz/fuzz_${t}_replay"
    dirs="$top_srcdir/t/fuzz/corpus/$t"
    [ -d "$top_srcdir/t/fuzz/regress/$t" ] && dirs="$dirs $top_srcdir/t/fuzz/regress/$t"
    # shellcheck disable=SC2086
    out=$("$bin" $dirs 2>&1); rc=$?
    t_is "$rc" 0 "$t: replay driver exits cleanly"
    t_unlike "$out" "^not ok" "$t: every corpus input replayed"
    t_like "$out" "[1-9][0-9]* input\(s\) replayed" "$t: corpus is not empty"
done
t_done
