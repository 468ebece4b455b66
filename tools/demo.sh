#!/bin/sh
# demo.sh - the bundled demo world: the DNSSEC test world (nsd, unbound,
# nginx with a private CA, all made on the spot, on 127.77.63.x) and a
# throw-away Postfix instance whose master(8) spawns the freshly built
# tlspolicyd, asked for overrides, DANE and MTA-STS domains over the map
# form the Postfix version wants (socketmap QUERYwithTLSRPT, with its
# TLSRPT attributes, on 3.10 and later; tcp: and socketmap QUERY before);
# then one log line per source of an answer, the cache as sqlite3 shows
# it and the metrics.
# Everything is stopped (by PID) when the demo ends. Needs root and a
# built tree.
top_srcdir=$(cd "$(dirname "$0")/.." && pwd)
: "${top_builddir:=$top_srcdir}"
TLSPOLICYD=${TLSPOLICYD:-$top_builddir/daemon/tlspolicyd}
export top_srcdir top_builddir TLSPOLICYD
. "$top_srcdir/t/lib.sh"
. "$top_srcdir/t/postfix.sh"

[ "$(id -u)" -eq 0 ] || { echo "demo: run as root (it starts a private Postfix instance)" >&2; exit 1; }
[ -x "$TLSPOLICYD" ] || { echo "demo: build first (sh tools/quickstart.sh build)" >&2; exit 1; }

LISTEN=127.77.9.1:10028
t_tmpdir
t_user
t_binary
export WORLD_NET=127.77.63
echo "starting the demo world (DNSSEC zones signed now, unbound, nginx)..."
sh "$top_srcdir/t/world/world.sh" start "$T_DIR/world" > "$T_DIR/world.log" 2>&1 \
    || { cat "$T_DIR/world.log"; exit 1; }
t_at_exit "sh '$top_srcdir/t/world/world.sh' stop '$T_DIR/world'"
. "$T_DIR/world/world.env"
mkdir -p "$T_DIR/cache"; chown "$T_USER:$T_USER" "$T_DIR/cache"
cat > "$T_DIR/overrides" <<EOC
# demo overrides: "domain policy [attributes]"; ".domain" matches subdomains
partner.example     encrypt
legacy.example      may
bank.example        secure match=.bank.example servername=hostname
.corp.example       dane-only
EOC
pf_tlspolicyd_conf "$T_DIR" "policy_overrides = $T_DIR/overrides" \
    "dns_resolver = $WORLD_RESOLVER" "cache_file = $T_DIR/cache/cache.db" \
    "mtasts_ca_file = $WORLD_CA" "mtasts_fetch_timeout = 3s"
# the map form this Postfix wants (README, "Postfix setup"): socketmap
# with QUERYwithTLSRPT on 3.10 and later, which takes the TLSRPT
# attributes; tcp: (or socketmap QUERY) before, where they defer mail
PF_VERSION=$(postconf -dh mail_version 2>/dev/null)
case $PF_VERSION in
    3.[0-9]|3.[0-9].*|[0-2].*|"")
        MAPS="tcp:$LISTEN socketmap:inet:$LISTEN:QUERY" ;;
    *)
        MAPS="socketmap:inet:$LISTEN:QUERYwithTLSRPT" ;;
esac
pf_setup "$T_DIR" "$LISTEN" "$TP -c $T_DIR/tlspolicyd.cf"
sed -i "s|^smtp_tls_policy_maps = .*|smtp_tls_policy_maps = ${MAPS%% *}|" "$T_DIR/etc/main.cf"
pf_start "$T_DIR" || { echo "demo: postfix did not start"; cat "$T_DIR/start.log"; exit 1; }

echo "tlspolicyd demo: Postfix $PF_VERSION, master pid $PF_MASTER_PID spawns $TP"
echo "main.cf:   $(grep '^smtp_tls_policy_maps' "$T_DIR/etc/main.cf")"
echo "master.cf: $(grep spawn "$T_DIR/etc/master.cf")"
echo
printf '%-22s %-40s %s\n' "KEY" "MAP" "ANSWER"
for key in partner.example Legacy.Example. bank.example mx1.corp.example \
           dane-only.test mixed.test no-tlsa.test sts-enforce.test sts-dane.test \
           expired.test .corp.example '[partner.example]:25' 192.0.2.1 \
           dane-only.test sts-enforce.test; do
    for map in $MAPS; do
        ans=$(pf_postmap "$T_DIR" -q "$key" "$map" 2>"$T_DIR/err")
        case $? in
            0) ;;
            *) if grep -q . "$T_DIR/err"; then ans="(temporary failure)"; else ans="(not found)"; fi ;;
        esac
        printf '%-22s %-40s %s\n' "$key" "${map%%:$LISTEN*}${map##*$LISTEN}" "$ans"
    done
done
echo
echo "the helper's log, one line per source of an answer:"
for src in override dns cache mta-sts mta-sts-cache; do
    grep -m 1 "lookup domain=.* source=$src " "$T_DIR/tlspolicyd.log" | sed 's/^/  /'
done
echo
echo "the shared cache, as sqlite3 shows it (policy_view):"
sqlite3 -header -column "$T_DIR/cache/cache.db" \
    "select domain, answer, dane, mta_sts, expires_in from policy_view order by domain" | sed 's/^/  /'
echo
echo "metrics (curl http://$LISTEN/metrics), lookups:"
curl -s --max-time 5 "http://$LISTEN/metrics" | grep '^tlspolicyd_lookups_total' | sed 's/^/  /'
echo
echo "demo done; stopping Postfix (pid $PF_MASTER_PID)"
