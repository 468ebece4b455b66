#!/bin/sh
# 09-synopsis.sh - headers are the contract: every function a lib/*.h
# declares is in the SYNOPSIS of its lib/*.c (tools/check-synopsis.sh),
# and every function in lib/NAME.c is called NAME_... (one prefix per
# module, so a name says where it lives).
. "$top_srcdir/t/lib.sh"
out=$(sh "$top_srcdir/tools/check-synopsis.sh" "$top_srcdir" 2>&1)
t_like "$out" "every exported function is in its SYNOPSIS" "every exported function is in its SYNOPSIS"
bad=
for f in "$top_srcdir"/lib/*.c; do
    n=$(basename "$f" .c)
    for fn in $(grep -oE '^[A-Za-z_][A-Za-z0-9_ ]*[ *]\**[a-z][a-z0-9_]*\(' "$f" \
        | sed -E 's/.*[ *]([a-z][a-z0-9_]*)\($/\1/'); do
        case $fn in "${n}_"*) ;; *) bad="$bad $n.c:$fn" ;; esac
    done
done
t_is "$bad" "" "every function in lib/NAME.c is called NAME_..."
t_done
