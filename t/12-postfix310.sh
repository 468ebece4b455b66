#!/bin/sh
# 12-postfix310.sh - Postfix >= 3.10 delivering through the test world over
# socketmap:...:QUERYwithTLSRPT: to an MTA-STS domain whose MX shows a
# certificate for its own name (sent); to one whose MX shows a certificate
# valid only for another MX name of the policy (refused, because
# smtp_tls_enforce_sts_mx_patterns = yes checks the MX name once the TLSRPT
# attributes arrive); no "invalid attribute" warning; the TLSRPT events
# smtp(8) emits carry the policy we sent; and a helper killed by
# <service>_time_limit mid-connection leaves the cache intact. Skips on
# Postfix < 3.10.
. "$top_srcdir/t/lib.sh"
. "$top_srcdir/t/postfix.sh"

t_need "DNS on port 53, HTTPS and SMTP on 127.77.66.x, Postfix" nsd unbound ldns-signzone nginx openssl postfix sqlite3 python3
PF_VERSION=$(postconf -dh mail_version 2>/dev/null)
case $PF_VERSION in
    3.[0-9]|3.[0-9].*|[0-2].*|"") t_skip_all "Postfix $PF_VERSION < 3.10 has no TLSRPT attributes" ;;
esac
t_world 127.77.66
t_result 0 "the test world starts (Postfix $PF_VERSION)"
ADDR=127.77.66.5
PORT=10028 SHORT=10029
MX=$WORLD_MX_ADDR

# --- the MX: STARTTLS with a certificate chosen by SNI, from the world's CA
mkdir -p "$T_DIR/certs" "$T_DIR/spawn" "$T_DIR/rpt"
chown "$T_USER:$T_USER" "$T_DIR/spawn"
chmod 755 "$T_DIR/world" "$T_DIR/world/https"
# cert NAME FILE: a certificate for NAME, signed by the world's CA
cert() {
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$1" \
        -keyout "$T_DIR/certs/k" -out "$T_DIR/certs/csr" 2>/dev/null &&
    printf 'subjectAltName=DNS:%s\n' "$1" > "$T_DIR/certs/ext" &&
    openssl x509 -req -in "$T_DIR/certs/csr" -CA "$WORLD_CA" -CAkey "$WORLD_DIR/https/ca.key" \
        -CAcreateserial -days 2 -extfile "$T_DIR/certs/ext" -out "$T_DIR/certs/c" 2>/dev/null &&
    cat "$T_DIR/certs/c" "$T_DIR/certs/k" > "$T_DIR/certs/$2.pem"
}
cert mx.sts-enforce.test mx.sts-enforce.test && cert mx2.sts-lf.test mx.sts-lf.test \
    && cert default.invalid default
t_is "$?" 0 "certificates for the MX names, from the world's CA"
python3 "$top_srcdir/t/smtpsink.py" "$MX" 25 "$T_DIR/sink.pid" "$T_DIR/certs" \
    > "$T_DIR/sink.log" 2>&1 &
SINK_PID=$!
t_at_exit "t_kill_pid $SINK_PID"
t_ok "STARTTLS sink listens on $MX:25" t_wait_file "$T_DIR/sink.pid" 10

# --- TLSRPT events: a datagram socket smtp(8) (user postfix) can write to
python3 -c '
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1]); os.chmod(sys.argv[1], 0o666)
open(sys.argv[2] + ".tmp", "w").write("%d\n" % os.getpid()); os.rename(sys.argv[2] + ".tmp", sys.argv[2])
out = open(sys.argv[3], "ab", buffering=0)
while True:
    out.write(s.recv(65536).replace(b"\n", b" ") + b"\n")
' "$T_DIR/rpt/sock" "$T_DIR/rpt.pid" "$T_DIR/rpt.log" > "$T_DIR/rpt.err" 2>&1 &
RPT_PID=$!
t_at_exit "t_kill_pid $RPT_PID"
chmod 755 "$T_DIR/rpt"
t_ok "TLSRPT socket ready" t_wait_file "$T_DIR/rpt.pid" 10

# --- Postfix: MX lookups through the world's resolver, our helper over socketmap
pf_tlspolicyd_conf "$T_DIR" "dns_resolver = $WORLD_RESOLVER" "cache_file = $T_DIR/spawn/cache.db" \
    "mtasts_ca_file = $WORLD_CA" "mtasts_fetch_timeout = $T_FETCH_TIMEOUT" "verbose = yes"
pf_setup "$T_DIR" "$ADDR:$PORT" "$TP -c $T_DIR/tlspolicyd.cf"
printf '%s\n' "$ADDR:$SHORT inet n n n - 0 spawn -o $ADDR:${SHORT}_time_limit=3s user=tlspolicy argv=$TP -c $T_DIR/tlspolicyd.cf" \
    >> "$T_DIR/etc/master.cf"
for n in smtp_tls_policy_maps smtp_host_lookup smtp_dns_support_level; do
    sed -i "/^$n *=/d" "$T_DIR/etc/main.cf"
done
pf_main "$T_DIR" "smtp_tls_policy_maps = socketmap:inet:$ADDR:$PORT:QUERYwithTLSRPT" \
    "smtp_host_lookup = dns" "smtp_dns_support_level = enabled" \
    "smtp_tls_CAfile = $WORLD_CA" "smtp_tls_enforce_sts_mx_patterns = yes" \
    "smtp_tlsrpt_enable = yes" "smtp_tlsrpt_socket_name = $T_DIR/rpt/sock"
printf 'nameserver %s\n' "$WORLD_RESOLVER_ADDR" > "$T_DIR/resolv.conf"
printf '127.0.0.1 localhost\n' > "$T_DIR/hosts"
if ! pf_start "$T_DIR" "$T_DIR/hosts" "$T_DIR/resolv.conf"; then
    echo "# postfix did not start:"; sed 's/^/#   /' "$T_DIR/start.log" "$T_DIR/maillog"
    t_result 1 "postfix instance starts"; t_done
fi
t_result 0 "postfix instance starts"

got=$(pf_postmap "$T_DIR" -q sts-enforce.test "socketmap:inet:$ADDR:$PORT:QUERYwithTLSRPT")
t_like "$got" "^secure match=mx.sts-enforce.test:.sts-enforce.test servername=hostname policy_type=sts policy_domain=sts-enforce.test mx_host_pattern=mx.sts-enforce.test" \
    "QUERYwithTLSRPT: the policy with its TLSRPT attributes"

# --- delivery: valid certificate sent; a certificate for another MX refused
msg() { printf 'From: s@tlspd-test.invalid\nTo: %s\nSubject: t\n\nbody\n' "$1"; }
msg u@sts-enforce.test | sendmail -C "$T_DIR/etc" -f s@tlspd-test.invalid u@sts-enforce.test
msg u@sts-lf.test | sendmail -C "$T_DIR/etc" -f s@tlspd-test.invalid u@sts-lf.test
t_ok "MTA-STS domain, MX certificate for its name: sent over verified TLS" \
    t_wait_grep "$T_DIR/maillog" "to=<u@sts-enforce.test>.*relay=mx.sts-enforce.test.*status=sent" 30
t_ok "the MX saw SNI mx.sts-enforce.test and took the message" \
    t_wait_grep "$T_DIR/sink.log" "sent rcpt=<u@sts-enforce.test> tls=True" 5
t_like "$(cat "$T_DIR/maillog")" "Verified TLS connection established to mx.sts-enforce.test" \
    "smtp(8) logs a verified TLS connection"
t_ok "certificate valid only for mx2.sts-lf.test at mx.sts-lf.test: deferred" \
    t_wait_grep "$T_DIR/maillog" "to=<u@sts-lf.test>.*status=deferred" 30
t_unlike "$(cat "$T_DIR/sink.log")" "rcpt=<u@sts-lf.test>" "the wrong-name MX never got the message"
t_unlike "$(cat "$T_DIR/maillog")" "invalid attribute" "no 'invalid attribute' warning"

# --- TLSRPT events carry what we sent
t_ok "TLSRPT events arrived" t_wait_grep "$T_DIR/rpt.log" "sts-lf.test" 10 \
    || { grep -i "tlsrpt\|warning" "$T_DIR/maillog" | sed 's/^/#   /'; sed 's/^/#   /' "$T_DIR/rpt.err"; }
ev=$(grep -m1 '"d": "sts-enforce.test"' "$T_DIR/rpt.log")
echo "# event: $(printf '%s' "$ev" | head -c 400)"
t_like "$ev" '"policy-type":2,"policy-domain": "sts-enforce.test"' "success event: policy type sts (2), our policy_domain"
t_like "$ev" '"policy-string":\["version: STSv1","mode: enforce","mx: mx.sts-enforce.test","mx: \*.sts-enforce.test","max_age: 604800"\]' \
    "success event: the policy strings we sent"
t_like "$ev" '"mx-host":\["mx.sts-enforce.test","\*.sts-enforce.test"\]' "success event: the mx_host_patterns we sent"
ev=$(grep -m1 '"d": "sts-lf.test"' "$T_DIR/rpt.log")
t_like "$ev" '"policy-domain": "sts-lf.test","policy-string":\["version: STSv1","mode: enforce"' \
    "failure event: our policy_domain and policy strings"
t_like "$(cat "$T_DIR/maillog")" "TLSRPT: status=failure, domain=sts-lf.test, .*failure_type=certificate_host_mismatch" \
    "smtp(8) reports certificate_host_mismatch for the wrong-name MX"

# --- <service>_time_limit kills a helper mid-connection; the cache stays intact
python3 -c '
import socket, sys, time
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=10)
s.sendall(b"get sts-enforce.test\n"); print(s.recv(4096).decode().strip())
time.sleep(5)
try:
    s.sendall(b"get sts-enforce.test\n"); r = s.recv(4096)
    print("after-limit:" + (r.decode().strip() or "closed"))
except OSError as e:
    print("after-limit:closed")
' "$ADDR" "$SHORT" > "$T_DIR/limit.out" 2>&1
t_like "$(head -1 "$T_DIR/limit.out")" "^200 secure%20match=" "short-limit service: first lookup answered"
t_like "$(tail -1 "$T_DIR/limit.out")" "^after-limit:closed$" "after ${SHORT}_time_limit=3s the helper is gone"
t_ok "spawn logs the kill" t_wait_grep "$T_DIR/maillog" "tlspolicyd: process id [0-9]+: command time limit exceeded" 5
t_is "$(sqlite3 "$T_DIR/spawn/cache.db" 'pragma integrity_check')" "ok" "cache intact after the kill"
got=$(printf 'get sts-enforce.test\n' | python3 "$top_srcdir/t/rawclient.py" "$ADDR" "$SHORT" 10)
t_like "$got" "^200 secure%20match=" "the next helper answers"
t_done
