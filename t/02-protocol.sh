#!/bin/sh
# 02-protocol.sh - service mode on stdin/stdout without Postfix: pipelined
# requests, one reply each, garbage, idle timeout, configuration errors
# answered as temporary failures, silence on stderr.
. "$top_srcdir/t/lib.sh"
t_tmpdir
t_user
t_binary
. "$top_srcdir/t/unbound.sh"
ub_start "$T_DIR/ub" 127.77.2.1 5353 nope.example -- "nope.example. 300 IN MX 10 mx.nope.example." \
    || { t_result 1 "local unbound starts"; t_done; }
chmod 777 "$T_DIR"

printf 'partner.example encrypt\nlegacy.example may\nxn--bcher-kva.example secure match=.xn--bcher-kva.example\n' > "$T_DIR/overrides"
: > "$T_DIR/log"; chmod 666 "$T_DIR/log"
cat > "$T_DIR/ok.cf" <<EOC
policy_overrides = $T_DIR/overrides
log_file = $T_DIR/log
verbose = yes
dns_resolver = 127.77.2.1:5353
cache_file = $T_DIR/cache.db
EOC
serve() { t_as_user timeout 20 "$TP" -c "$T_DIR/ok.cf" "$@"; }
ns() { printf '%d:%s,' "${#1}" "$1"; }

out=$(printf 'get partner.example\nget LEGACY.example\nget nope.example\nget .example\n' | serve 2>"$T_DIR/err")
t_is "$(printf '%s' "$out" | tr '\n' '|')" "200 encrypt|200 may|500 no%20DANE,%20no%20MTA-STS%20policy|500 parent-domain%20key%20is%20not%20looked%20up" \
    "tcp_table: four pipelined requests, four replies in order"
t_is "$(wc -c < "$T_DIR/err")" 0 "nothing on stderr"
out=$({ ns "QUERY partner.example"; ns "QUERYwithTLSRPT legacy.example"; ns "QUERY nope.example"; } | serve)
t_is "$out" "$(ns "OK encrypt")$(ns "OK may")$(ns "NOTFOUND ")" "socketmap: QUERY and QUERYwithTLSRPT pipelined"
out=$(ns "OTHER a.b" | serve)
t_is "$out" "$(ns "PERM unknown map name (expected QUERY or QUERYwithTLSRPT)")" "socketmap: unknown map -> PERM"
out=$(printf '5:QUERY;' | serve); rc=$?
t_is "$rc:$out" "0:" "socketmap: missing comma: closed without reply"
t_like "$(cat "$T_DIR/log")" "not terminated by ','" "missing comma logged"
out=$(printf '7:QUERY a' | serve); rc=$?
t_is "$rc:$out" "0:" "socketmap: EOF mid-request: exit 0, no reply"
t_like "$(cat "$T_DIR/log")" "closed the connection in the middle of a request" "EOF mid-request logged"
out=$(printf 'get partner.example' | serve)
t_is "$out" "" "tcp_table: no newline before EOF: no reply"
out=$(head -c 5000 /dev/zero | serve | head -c 100 | od -An -c | tr -d ' \n')
t_is "$out" "" "5000 NUL bytes: closed, no reply"
t_like "$(cat "$T_DIR/log")" "tcp_table request line longer than 4096 bytes" "NUL flood logged as an over-long line"
out=$(printf 'get %s\n' "$(head -c 300 /dev/zero | tr '\0' a)" | serve)
t_is "$out" "500 key%20too%20long" "300-byte key: not found"
out=$(printf 'get b%%C3%%BCcher.example\nget B%%C3%%9CCHER.example:25\n' | serve)
t_is "$(printf '%s' "$out" | tr '\n' '|')" "200 secure%20match=.xn--bcher-kva.example|200 secure%20match=.xn--bcher-kva.example" \
    "UTF-8 key (smtputf8): looked up as its A-label"
out=$(ns "QUERY $(printf 'b\303\274cher.example')" | serve)
t_is "$out" "$(ns "OK secure match=.xn--bcher-kva.example")" "socketmap: UTF-8 key as its A-label"
printf 'get \377\376\375.example\n' | serve >/dev/null
t_like "$(cat "$T_DIR/log")" 'key "\\xff\\xfe\\xfd.example"|non-ASCII' "8-bit key logged in printable form"

start=$(date +%s)
(sleep 5; printf 'get partner.example\n') | serve -o idle_timeout=1 > "$T_DIR/out"
end=$(date +%s)
t_is "$(cat "$T_DIR/out")" "" "idle_timeout: exits before the late request"
t_ok "idle_timeout: exited within the timeout (not after the writer)" test $((end - start)) -le 6
t_like "$(cat "$T_DIR/log")" "idle for 1s after 0 requests" "idle exit logged"

out=$({ printf 'GGG\n\n'; head -c 4155 /dev/zero | tr '\0' G; } | serve | head -n 1)
t_like "$out" "^HTTP/1.0 405" "4160-byte HTTP request without a space: 405 (T_WRAP=asan: no over-read)"

# A client that sends lookups but never reads the replies: the helper
# must give up after idle_timeout, not block in write() for ever.
mkfifo "$T_DIR/noread"; chmod 666 "$T_DIR/noread"
sleep 60 < "$T_DIR/noread" & holder=$!
start=$(date +%s)
yes 'get .example' | head -n 200000 | serve -o idle_timeout=2 > "$T_DIR/noread"
rc=$?; end=$(date +%s)
t_kill_pid "$holder"
t_ok "client that never reads: helper exits within idle_timeout (rc $rc, $((end - start))s)" \
    test "$rc" -ne 124 -a $((end - start)) -le 8
t_like "$(cat "$T_DIR/log")" "client did not take the reply in time" "unread reply logged"

printf 'log_file = %s\nno_such = 1\n' "$T_DIR/log" > "$T_DIR/bad.cf"
out=$(printf 'get partner.example\n' | t_as_user "$TP" -c "$T_DIR/bad.cf" 2>"$T_DIR/err")
t_is "$out" "400 tlspolicyd%20configuration%20error,%20see%20its%20log" "config error: 400 for every lookup"
t_is "$(wc -c < "$T_DIR/err")" 0 "config error: still nothing on stderr"
t_like "$(cat "$T_DIR/log")" "bad.cf, line 2: unknown parameter \"no_such\"" "config error logged with file and line"
out=$(ns "QUERY partner.example" | t_as_user "$TP" -c "$T_DIR/bad.cf")
t_is "$out" "$(ns "TEMP tlspolicyd configuration error, see its log")" "config error: socketmap TEMP"
t_done
