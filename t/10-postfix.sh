#!/bin/sh
# 10-postfix.sh - tlspolicyd spawned by a real Postfix master(8):
# tcp_table and socketmap through postmap, one connection for many lookups,
# garbage over the socket, and smtp(8) obeying an "encrypt" override.
. "$top_srcdir/t/lib.sh"
. "$top_srcdir/t/postfix.sh"

t_is_root || t_skip_all "needs root to run a Postfix instance"
command -v postfix >/dev/null 2>&1 || t_skip_all "postfix is not installed"
command -v python3 >/dev/null 2>&1 || t_skip_all "python3 is not installed"

ADDR=127.77.10.1
PORT=10028
LISTEN=$ADDR:$PORT
SINK=127.77.10.2
SINKPORT=25
t_tmpdir
t_user
t_binary

cat > "$T_DIR/overrides" <<EOC
# test overrides
partner.example      encrypt
legacy.example       may
mixed.case.example   secure match=.mixed.case.example servername=hostname
.sub.example         dane-only
enc.example          encrypt
plain.example        may
xn--bcher-kva.example encrypt
EOC
. "$top_srcdir/t/unbound.sh"
ub_start "$T_DIR/ub" 127.77.10.3 5353 other.example unknown.example -- \
    "other.example. 300 IN MX 10 other.example." "other.example. 300 IN A $SINK" \
    || { t_result 1 "local unbound starts"; t_done; }
pf_tlspolicyd_conf "$T_DIR" "policy_overrides = $T_DIR/overrides" "verbose = yes" \
    "dns_resolver = 127.77.10.3:5353" "cache_file ="
pf_setup "$T_DIR" "$LISTEN" "$TP -c $T_DIR/tlspolicyd.cf"
# the forced-TLS recipe from master.cf.example / main.cf.example
sed -n '/^forceenc/,$p' "$top_builddir/master.cf.example" \
    | sed "s|/etc/postfix/forceenc_status_filter|$T_DIR/forceenc_status_filter|" >> "$T_DIR/etc/master.cf"
sed -n 's/^#       \(\/\^4.*\)$/\1/p' "$top_srcdir/main.cf.example" > "$T_DIR/forceenc_status_filter"
pf_main "$T_DIR" "sender_dependent_default_transport_maps = inline:{ ceo@tlspd-test.invalid=forceenc: }"
printf '127.0.0.1 localhost\n%s enc.example plain.example other.example\n' "$SINK" > "$T_DIR/hosts"

python3 "$top_srcdir/t/smtpsink.py" "$SINK" "$SINKPORT" "$T_DIR/sink.pid" \
    > "$T_DIR/sink.log" 2>&1 &
SINK_PID=$!
t_at_exit "t_kill_pid $SINK_PID"
t_ok "SMTP sink listens" t_wait_file "$T_DIR/sink.pid" 10

if ! pf_start "$T_DIR" "$T_DIR/hosts"; then
    echo "# postfix did not start:"; sed 's/^/#   /' "$T_DIR/start.log" "$T_DIR/maillog"
    t_result 1 "postfix instance starts"; t_done
fi
t_result 0 "postfix instance starts"

# --- overrides come back exactly, over both protocols
for proto in "tcp:$LISTEN" "socketmap:inet:$LISTEN:QUERY"; do
    for d in partner.example:encrypt legacy.example:may \
             a.sub.example:dane-only b.a.sub.example:dane-only; do
        dom=${d%%:*} want=${d#*:}
        got=$(pf_postmap "$T_DIR" -q "$dom" "$proto")
        t_is "$got" "$want" "$proto: $dom -> $want"
    done
    # Postfix with smtputf8_enable sends a UTF-8 domain as it is: the
    # A-label's entry answers (UTS #46, as Postfix's own conversion)
    got=$(pf_postmap "$T_DIR" -q "bücher.example" "$proto")
    t_is "$got" encrypt "$proto: UTF-8 key bücher.example -> xn--bcher-kva.example's entry"
    got=$(pf_postmap "$T_DIR" -q Mixed.CASE.example "$proto")
    t_is "$got" "secure match=.mixed.case.example servername=hostname" \
        "$proto: Mixed.CASE.example found, attributes intact"
    pf_postmap "$T_DIR" -q .example "$proto" >/dev/null 2>&1
    t_is "$?" 1 "$proto: walk key .example not found"
    pf_postmap "$T_DIR" -q sub.example "$proto" >/dev/null 2>&1
    t_is "$?" 1 "$proto: .sub.example does not match sub.example itself"
    pf_postmap "$T_DIR" -q unknown.example "$proto" >/dev/null 2>&1
    t_is "$?" 1 "$proto: unknown domain not found"
    pf_postmap "$T_DIR" -q "[partner.example]:25" "$proto" >/dev/null 2>&1
    t_is "$?" 1 "$proto: bracketed next hop not found"
done
got=$(pf_postmap "$T_DIR" -q partner.example "socketmap:inet:$LISTEN:NOSUCHMAP" 2>&1)
t_like "$got" "PERM|unknown map|fail" "socketmap: unknown map name is an error"

# --- 20 lookups on one connection
i=0; : > "$T_DIR/keys"
while [ $i -lt 20 ]; do echo "h$i.sub.example" >> "$T_DIR/keys"; i=$((i + 1)); done
: > "$T_DIR/tlspolicyd.log"
start=$(date +%s%N)
got=$(pf_postmap "$T_DIR" -q - "tcp:$LISTEN" < "$T_DIR/keys" | grep -c 'dane-only$')
end=$(date +%s%N)
t_is "$got" 20 "20 lookups on one connection all answered"
# how fast is the benchmark's business (make bench, line 1), not a test's
echo "# 20 lookups took $(( (end - start) / 1000000 )) ms"
pids=$(grep 'lookup domain=h' "$T_DIR/tlspolicyd.log" | sed 's/.*tlspolicyd\[\([0-9]*\)\].*/\1/' | sort -u | wc -l)
t_is "$pids" 1 "one helper process served all 20 (one connection)"

# --- garbage over the spawn socket: bounded answers or a logged close
raw() { python3 "$top_srcdir/t/rawclient.py" "$ADDR" "$PORT" 10; }
got=$(printf 'get partner.example\nget %%zz\nget x\001y.example\n' | raw)
t_is "$(printf '%s' "$got" | tr '\n' '|')" "200 encrypt|400 malformed%20request:%20bad%20%25XX%20escape%20in%20key|500 key%20contains%20control%20or%20non-ASCII%20bytes" \
    "tcp_table: good, bad escape, control byte answered in order"
printf 'get a\000b.example\nget partner.example\n' | raw > "$T_DIR/out"
t_like "$(tr '\n' '|' < "$T_DIR/out")" "^400 [^|]*\|200 encrypt\|$" "NUL inside a request: 400, connection goes on"
head -c 1048576 /dev/zero | tr '\0' a | raw > "$T_DIR/out"; rc=$?
t_is "$rc:$(wc -c < "$T_DIR/out")" "0:0" "1 MB line: connection closed, no reply"
t_ok "1 MB line logged" t_wait_grep "$T_DIR/tlspolicyd.log" "request line longer than 4096 bytes" 5
printf '100000000000000000000:QUERY x,' | raw > "$T_DIR/out"; rc=$?
t_is "$rc:$(wc -c < "$T_DIR/out")" "0:0" "netstring claiming 10^20 bytes: closed, no reply"
t_ok "huge netstring logged" t_wait_grep "$T_DIR/tlspolicyd.log" "over-long .*netstring header" 5
printf '21:QUERY partner.example,5:QUERY,' | raw > "$T_DIR/out"
t_is "$(cat "$T_DIR/out")" "10:OK encrypt,22:PERM malformed request," "socketmap: found, then malformed -> PERM"
head -c 3000 /dev/urandom | tr -d '0-9\n' | raw > "$T_DIR/out"; rc=$?
t_is "$rc" 0 "binary garbage: server closes (no hang)"

# --- smtp(8) obeys the answer
msg() { printf 'From: s@tlspd-test.invalid\nTo: %s\nSubject: t\n\nbody\n' "$1"; }
msg u@enc.example | sendmail -C "$T_DIR/etc" -f s@tlspd-test.invalid u@enc.example
msg u@plain.example | sendmail -C "$T_DIR/etc" -f s@tlspd-test.invalid u@plain.example
t_ok "encrypt override: delivery deferred with 'TLS is required, but was not offered'" \
    t_wait_grep "$T_DIR/maillog" "to=<u@enc.example>.*status=deferred.*TLS is required, but was not offered" 30
t_ok "may override: same sink, message sent in plain text" \
    t_wait_grep "$T_DIR/maillog" "to=<u@plain.example>.*status=sent" 30
t_unlike "$(cat "$T_DIR/maillog")" "to=<u@enc.example>.*status=sent" "encrypt domain never delivered in plain text"
t_is "$(wc -l < "$T_DIR/forceenc_status_filter")" 3 "status filter taken from main.cf.example"
msg u@other.example | sendmail -C "$T_DIR/etc" -f ceo@tlspd-test.invalid u@other.example
msg u@other.example | sendmail -C "$T_DIR/etc" -f s@tlspd-test.invalid u@other.example
t_ok "forceenc recipe: chosen sender's mail to a plain-text host bounces at once (5.x)" \
    t_wait_grep "$T_DIR/maillog" "to=<u@other.example>.*dsn=5\.[0-9.]*, status=bounced.*TLS is required" 30
t_ok "forceenc recipe: other senders' mail to the same host is sent" \
    t_wait_grep "$T_DIR/maillog" "to=<u@other.example>.*status=sent" 30
t_unlike "$(cat "$T_DIR/maillog")" "warning: .*tcp:$LISTEN" "no Postfix warnings about the tcp table"
t_done
