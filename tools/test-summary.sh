#!/bin/sh
# test-summary.sh - one "N passed, N failed, N skipped" line over every
# test's .trs file (automake's own summary counts scripts, not tests).
# Usage: test-summary.sh test1 test2 ...   (run from the build directory)
passed=0 failed=0 skipped=0
for t in "$@"; do
    trs="${t%.sh}.trs"
    [ -f "$trs" ] || { echo "# no results for $t" >&2; failed=$((failed + 1)); continue; }
    while read -r tag result rest; do
        [ "$tag" = ":test-result:" ] || continue
        case "$result" in
            PASS|XFAIL) passed=$((passed + 1)) ;;
            SKIP) skipped=$((skipped + 1)) ;;
            *) failed=$((failed + 1)) ;;
        esac
    done < "$trs"
done
echo "$passed passed, $failed failed, $skipped skipped"
