#!/bin/sh
# check-synopsis.sh - every function a lib/*.h header declares must appear
# in the SYNOPSIS block of the matching lib/*.c file (headers are the
# contract; the man-page-style header block documents it, as Postfix's
# sources do). Prints one line per missing function; exits 1 if any.
#
#   sh tools/check-synopsis.sh [SRCDIR]
set -u
src=${1:-$(cd "$(dirname "$0")/.." && pwd)}
missing=0
for h in "$src"/lib/*.h; do
    c=${h%.h}.c
    [ -f "$c" ] || continue
    # prototypes: a line starting a declaration "type name(" (not a
    # typedef, macro or struct member), possibly "type *name("
    names=$(sed -n 's/^[A-Za-z_][A-Za-z0-9_ ]*[ *]\**\([a-z][a-z0-9_]*\)(.*/\1/p' "$h" \
        | grep -v '^typedef' | sort -u)
    synopsis=$(awk '/^ \* SYNOPSIS/ { on = 1; next } /^ \* [A-Z]+$/ { on = 0 } on' "$c")
    for n in $names; do
        printf '%s\n' "$synopsis" | grep -q "[ *	]$n(" && continue
        echo "${c#"$src"/}: $n is declared in ${h#"$src"/} but not in the SYNOPSIS"
        missing=$((missing + 1))
    done
done
[ "$missing" -eq 0 ] || { echo "check-synopsis: $missing exported function(s) undocumented"; exit 1; }
echo "check-synopsis: every exported function is in its SYNOPSIS"
