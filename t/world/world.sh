#!/bin/sh
# world.sh - a private DNSSEC world for the tests, made at test time.
#
#   sh t/world/world.sh start DIR     make keys, zones, sign, start servers
#   sh t/world/world.sh stop DIR      stop them (by PID)
#
# Everything lives in DIR. Addresses (our block 127.77.53.0/24; set
# WORLD_NET=127.77.N to run a second world beside it, as parallel tests do):
#   127.77.53.10:53     nsd: the root "." and "test.", signed with keys
#                       made on the spot
#   127.77.53.11:53     nsd: the child zones insecure.test. (unsigned),
#                       expired.test., badds.test. and hosts.test., so
#                       that they are reached through real referrals
#   127.77.53.20:53     a server that never answers (dead.test)
#   127.77.53.21:53     a server that answers REFUSED (refused.test)
#   127.77.53.1:5300    unbound, validating, the root key as its only
#                       trust anchor: the resolver tlspolicyd uses; also
#                       on port 53 of the same address, for software that
#                       only reads nameserver lines (bench/run.sh's peer)
#   127.77.53.30:443    nginx with certificates from a private CA made at
#                       start (t/world/https.sh): the MTA-STS policy hosts
#   127.77.53.2:5300    fakedns.py breaker: forwards to unbound and breaks
#                       the answers DIR/breaker.rules names (see README)
# On success DIR/world.env holds WORLD_RESOLVER=127.77.53.1:5300 (and
# more: see README); on failure, a message on stderr, what was started is
# stopped, exit 1. Each name's expected answer is in t/world/expect.txt;
# t/world/selfcheck.sh DIR checks a running world against it.
set -u
here=$(cd "$(dirname "$0")" && pwd)
cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: world.sh start|stop DIR" >&2; exit 2; }
[ "$cmd" = start ] && { mkdir -p "$dir" || exit 1; }
[ -d "$dir" ] || exit 0			# stop: nothing was started there
dir=$(cd "$dir" && pwd)			# nsd and unbound need absolute paths

NET=${WORLD_NET:-127.77.53}
NSD_ADDR=$NET.10 NSD_PORT=53 NSD2_ADDR=$NET.11
DEAD_ADDR=$NET.20 REFUSED_ADDR=$NET.21
UB_ADDR=$NET.1 UB_PORT=5300
BREAKER_ADDR=$NET.2
HOST=$NET.100
HTTPS_ADDR=$NET.30
H1=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
H2=fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210
H3=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff

alive() {	# alive PID: running; an exited process that its parent (here
		# often PID 1, which reaps slowly) has not reaped yet is not
    [ -r "/proc/$1/stat" ] || { kill -0 "$1" 2>/dev/null; return; }
    _st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null)
    [ -n "$_st" ] && [ "${_st%% *}" != Z ]
}

ours() {	# ours PID: its command line names DIR (not a recycled PID)
    [ -r "/proc/$1/cmdline" ] || return 0
    tr '\0' ' ' < "/proc/$1/cmdline" | grep -qF "$dir/"
}

children() {	# children PID...: every descendant (nsd forks, nginx too)
    ps -e -o pid= -o ppid= 2>/dev/null | awk -v p=" $* " '
        { parent[$1] = $2 }
        END { do { n = 0; for (c in parent) if (index(p, " " parent[c] " ") && !index(p, " " c " ")) { p = p c " "; n++ } } while (n)
              print p }'
}

world_stop() {	# TERM every process of the world at once, wait, KILL the rest
    _pids=
    for p in nginx unbound nsd nsd2 dead refused breaker; do
        _f=$dir/$p.pid
        [ -s "$_f" ] || continue
        _pid=$(tr -dc 0-9 < "$_f")
        [ -n "$_pid" ] && alive "$_pid" && ours "$_pid" && _pids="$_pids $_pid"
    done
    [ -n "$_pids" ] && _pids=$(children $_pids) && kill $_pids 2>/dev/null
    _i=0
    while [ $_i -lt 50 ]; do
        _left=
        for _pid in $_pids; do alive "$_pid" && _left="$_left $_pid"; done
        [ -z "$_left" ] && break
        sleep 0.1; _i=$((_i + 1))
    done
    if [ -n "$_left" ]; then
        echo "world.sh: still running after 5 s, killing:$_left" >&2
        kill -9 $_left 2>/dev/null
    fi
    for p in nginx unbound nsd nsd2 dead refused breaker; do rm -f "$dir/$p.pid"; done
    return 0
}

fail() {
    echo "world.sh: $*" >&2
    for f in "$dir"/*.log; do [ -f "$f" ] && sed 's/^/  /' "$f" | tail -15 >&2; done
    world_stop
    exit 1
}

keygen() {	# keygen ZONE: a CSK (SEP flag), prints its base name
    (cd "$dir/keys" && ldns-keygen -a ECDSAP256SHA256 -k "$1") || fail "ldns-keygen $1"
}

ds_of() {	# ds_of BASE: the DS record (SHA-256) of a key
    [ -n "$1" ] || fail "no key (ldns-keygen failed)"
    ldns-key2ds -n -2 "$dir/keys/$1.key" || fail "ldns-key2ds $1"
}

sign() {	# sign ZONEFILE ORIGIN KEYBASE [INCEPTION EXPIRATION]
    _inc=${4:-$(date -u -d '-1 day' +%Y%m%d%H%M%S)}
    _exp=${5:-$(date -u -d '+30 days' +%Y%m%d%H%M%S)}
    [ -n "$3" ] || fail "no key for $2 (ldns-keygen failed)"
    ldns-signzone -i "$_inc" -e "$_exp" -o "$2" -f "$1.signed" "$1" "$dir/keys/$3" \
        || fail "ldns-signzone $2"
}

soa() {		# soa ORIGIN [NS]: SOA and NS lines for a zone
    cat <<EOZ
\$TTL 300
$1 300 IN SOA ns.test. hostmaster\\.dots.test. 1 3600 600 86400 60
$1 300 IN NS ${2:-ns.test.}
EOZ
}

zone_test_names() {	# the names that live directly in "test."
    cat <<EOZ
ns.test. 3600 IN A $NSD_ADDR
ns2.test. 3600 IN A $NSD2_ADDR
; all MX hosts secure with usable TLSA
dane-only.test. 600 IN MX 10 mx1.dane-only.test.
dane-only.test. 600 IN MX 20 mx2.dane-only.test.
mx1.dane-only.test. 300 IN A $HOST
mx2.dane-only.test. 300 IN A $HOST
mx2.dane-only.test. 300 IN AAAA 2001:db8::25
_25._tcp.mx1.dane-only.test. 3600 IN TLSA 3 1 1 $H1
_25._tcp.mx2.dane-only.test. 3600 IN TLSA 2 0 1 $H2
; four MX hosts, all with TLSA
four-mx.test. 300 IN MX 10 mx1.four-mx.test.
four-mx.test. 300 IN MX 10 mx2.four-mx.test.
four-mx.test. 300 IN MX 20 mx3.four-mx.test.
four-mx.test. 300 IN MX 30 mx4.four-mx.test.
EOZ
    for i in 1 2 3 4; do
        echo "mx$i.four-mx.test. 300 IN A $HOST"
        echo "_25._tcp.mx$i.four-mx.test. 300 IN TLSA 3 1 1 $H1"
    done
    cat <<EOZ
; signed, MX hosts without TLSA
no-tlsa.test. 300 IN MX 10 mx1.no-tlsa.test.
mx1.no-tlsa.test. 300 IN A $HOST
; no MX: the domain itself is the host
implicit.test. 300 IN A $HOST
_25._tcp.implicit.test. 300 IN TLSA 3 1 1 $H1
; null MX
null-mx.test. 300 IN MX 0 .
; CNAME on the domain
cname-domain.test. 300 IN CNAME dane-only.test.
; MX host is an alias, TLSA at the target
cname-mx.test. 300 IN MX 10 alias.cname-mx.test.
alias.cname-mx.test. 300 IN CNAME real.cname-mx.test.
real.cname-mx.test. 300 IN A $HOST
_25._tcp.real.cname-mx.test. 300 IN TLSA 3 1 1 $H1
; MX host is an alias, TLSA only at the original name
cname-mx-orig.test. 300 IN MX 10 alias.cname-mx-orig.test.
alias.cname-mx-orig.test. 300 IN CNAME real.cname-mx-orig.test.
real.cname-mx-orig.test. 300 IN A $HOST
_25._tcp.alias.cname-mx-orig.test. 300 IN TLSA 3 1 1 $H2
; secure host used by the insecure MX
securehost.test. 300 IN A $HOST
_25._tcp.securehost.test. 300 IN TLSA 3 1 1 $H1
; mixed hosts
mixed.test. 300 IN MX 10 mx1.mixed.test.
mixed.test. 300 IN MX 20 mx2.mixed.test.
mx1.mixed.test. 300 IN A $HOST
mx2.mixed.test. 300 IN A $HOST
_25._tcp.mx1.mixed.test. 300 IN TLSA 3 1 1 $H1
; only unusable TLSA records
unusable-pkix.test. 300 IN MX 10 mx.unusable-pkix.test.
mx.unusable-pkix.test. 300 IN A $HOST
_25._tcp.mx.unusable-pkix.test. 300 IN TLSA 1 1 1 $H1
_25._tcp.mx.unusable-pkix.test. 300 IN TLSA 0 0 1 $H2
unusable-len.test. 300 IN MX 10 mx.unusable-len.test.
mx.unusable-len.test. 300 IN A $HOST
_25._tcp.mx.unusable-len.test. 300 IN TLSA 3 1 1 0123456789abcdef0123456789abcdef01234567
unusable-mtype.test. 300 IN MX 10 mx.unusable-mtype.test.
mx.unusable-mtype.test. 300 IN A $HOST
_25._tcp.mx.unusable-mtype.test. 300 IN TLSA 3 1 7 $H1
unusable-der.test. 300 IN MX 10 mx.unusable-der.test.
mx.unusable-der.test. 300 IN A $HOST
_25._tcp.mx.unusable-der.test. 300 IN TLSA 3 1 0 $H1
; usable and unusable records in one set
mixed-usable.test. 300 IN MX 10 mx.mixed-usable.test.
mx.mixed-usable.test. 300 IN A $HOST
_25._tcp.mx.mixed-usable.test. 300 IN TLSA 3 1 1 $H3
_25._tcp.mx.mixed-usable.test. 300 IN TLSA 1 1 1 $H1
_25._tcp.mx.mixed-usable.test. 300 IN TLSA 3 1 7 $H2
; MX host whose address lives in the unsigned zone
insecure-addr.test. 300 IN MX 10 host.insecure.test.
; MX host whose TLSA name leads into the bogus zone
tlsa-bogus.test. 300 IN MX 10 mx.tlsa-bogus.test.
mx.tlsa-bogus.test. 300 IN A $HOST
_25._tcp.mx.tlsa-bogus.test. 300 IN CNAME tlsa.expired.test.
; MX host in the bogus zone: its address lookup fails
addr-bogus.test. 300 IN MX 10 mx.expired.test.
;
; MTA-STS: every name below has an MX host without TLSA (no DANE), a
; _mta-sts TXT record and an mta-sts host served by t/world/https.sh
; (sts-enforce.test and sts-lf.test also a TLSRPT policy: Postfix 3.10
; reports only for domains that publish one)
_smtp._tls.sts-enforce.test. 300 IN TXT "v=TLSRPTv1; rua=mailto:tlsrpt@sts-enforce.test"
_smtp._tls.sts-lf.test. 300 IN TXT "v=TLSRPTv1; rua=mailto:tlsrpt@sts-lf.test"
EOZ
    for d in enforce testing none wildcard maxage ctype charset 404 redirect big \
             wrongcert selfsigned slow lf hostile outage ratelimit long \
             hostfail underscore unusable maxage0 seq short; do
        echo "sts-$d.test. 300 IN MX 10 mx.sts-$d.test."
        echo "mx.sts-$d.test. 300 IN A $HOST"
        echo "_mta-sts.sts-$d.test. 300 IN TXT \"v=STSv1; id=20261123$d;\""
        echo "mta-sts.sts-$d.test. 300 IN A $HTTPS_ADDR"
    done
    cat <<EOZ
; no TXT record
sts-notxt.test. 300 IN MX 10 mx.sts-notxt.test.
mx.sts-notxt.test. 300 IN A $HOST
mta-sts.sts-notxt.test. 300 IN A $HTTPS_ADDR
; two v=STSv1 records
sts-twotxt.test. 300 IN MX 10 mx.sts-twotxt.test.
mx.sts-twotxt.test. 300 IN A $HOST
_mta-sts.sts-twotxt.test. 300 IN TXT "v=STSv1; id=one;"
_mta-sts.sts-twotxt.test. 300 IN TXT "v=STSv1; id=two;"
mta-sts.sts-twotxt.test. 300 IN A $HTTPS_ADDR
; an SPF record next to the STS one, and a multi-string STS record
sts-spf.test. 300 IN MX 10 mx.sts-spf.test.
mx.sts-spf.test. 300 IN A $HOST
_mta-sts.sts-spf.test. 300 IN TXT "v=spf1 -all"
_mta-sts.sts-spf.test. 300 IN TXT "v=STSv1; " "id=spf1;"
mta-sts.sts-spf.test. 300 IN A $HTTPS_ADDR
; TXT record, but no policy host
sts-nohost.test. 300 IN MX 10 mx.sts-nohost.test.
mx.sts-nohost.test. 300 IN A $HOST
_mta-sts.sts-nohost.test. 300 IN TXT "v=STSv1; id=nohost;"
; DANE and MTA-STS: DANE wins
sts-dane.test. 300 IN MX 10 mx.sts-dane.test.
mx.sts-dane.test. 300 IN A $HOST
_25._tcp.mx.sts-dane.test. 300 IN TLSA 3 1 1 $H1
_mta-sts.sts-dane.test. 300 IN TXT "v=STSv1; id=dane;"
mta-sts.sts-dane.test. 300 IN A $HTTPS_ADDR
;
; issue 10: DANE and MTA-STS together (each with an enforce policy whose
; mx patterns are mx.sts-NAME.test and *.sts-NAME.test, unless said)
; a second MX host in the bogus zone: its address and TLSA lookups fail
sts-hostfail.test. 300 IN MX 20 mx.expired.test.
; a second MX host named with "_", as Postfix accepts; no TLSA anywhere
sts-underscore.test. 300 IN MX 20 mx_2.sts-underscore.test.
mx_2.sts-underscore.test. 300 IN A $HOST
; the only TLSA record is unusable (usage 1)
_25._tcp.mx.sts-unusable.test. 300 IN TLSA 1 1 1 $H1
; mx1 with usable TLSA, mx2 without; policy mx: *.sts-some.test
sts-some.test. 300 IN MX 10 mx1.sts-some.test.
sts-some.test. 300 IN MX 20 mx2.sts-some.test.
mx1.sts-some.test. 300 IN A $HOST
mx2.sts-some.test. 300 IN A $HOST
_25._tcp.mx1.sts-some.test. 300 IN TLSA 3 1 1 $H1
_mta-sts.sts-some.test. 300 IN TXT "v=STSv1; id=some1;"
mta-sts.sts-some.test. 300 IN A $HTTPS_ADDR
; both MX hosts with usable TLSA, one named with "_"; no MTA-STS
underscore.test. 300 IN MX 10 mx1.underscore.test.
underscore.test. 300 IN MX 20 mx_2.underscore.test.
mx1.underscore.test. 300 IN A $HOST
mx_2.underscore.test. 300 IN A $HOST
_25._tcp.mx1.underscore.test. 300 IN TLSA 3 1 1 $H1
_25._tcp.mx_2.underscore.test. 300 IN TLSA 3 1 1 $H2
; MX host: a secure CNAME to a host in the unsigned zone; TLSA at the
; original name (RFC 7672 2.2.2, Postfix tls_dane.c)
cname-insecure.test. 300 IN MX 10 alias.cname-insecure.test.
alias.cname-insecure.test. 300 IN CNAME mail.insecure.test.
_25._tcp.alias.cname-insecure.test. 300 IN TLSA 3 1 1 $H1
; no MX: the domain is a secure CNAME to an unsigned host; TLSA at the domain
cname-implicit.test. 300 IN CNAME mail.insecure.test.
_25._tcp.cname-implicit.test. 300 IN TLSA 3 1 1 $H1
; like cname-insecure.test, plus an enforce policy (mx: alias.sts-cname-insecure.test)
sts-cname-insecure.test. 300 IN MX 10 alias.sts-cname-insecure.test.
alias.sts-cname-insecure.test. 300 IN CNAME mail.insecure.test.
_25._tcp.alias.sts-cname-insecure.test. 300 IN TLSA 3 1 1 $H1
_mta-sts.sts-cname-insecure.test. 300 IN TXT "v=STSv1; id=cnameinsecure1;"
mta-sts.sts-cname-insecure.test. 300 IN A $HTTPS_ADDR
; unsigned delegation (no DS)
insecure.test. 300 IN NS ns2.test.
; delegations to misbehaving servers
dead.test. 300 IN NS ns.dead.test.
ns.dead.test. 300 IN A $DEAD_ADDR
refused.test. 300 IN NS ns.refused.test.
ns.refused.test. 300 IN A $REFUSED_ADDR
expired.test. 300 IN NS ns2.test.
badds.test. 300 IN NS ns2.test.
EOZ
}

zone_test_xzone() {	# names in "test." that lead into the zone hosts.test.
    cat <<EOZ
; CNAMEs into another signed zone, hosts.test. (on ns2, DS in test.)
; TTLs differ on purpose: the smallest one used is in expect.txt
cname-domain-xzone.test. 1200 IN CNAME mail.hosts.test.
cname-mx-xzone.test. 2400 IN MX 10 alias.cname-mx-xzone.test.
alias.cname-mx-xzone.test. 3600 IN CNAME mx.hosts.test.
cname-mx-orig-xzone.test. 3600 IN MX 10 alias.cname-mx-orig-xzone.test.
alias.cname-mx-orig-xzone.test. 3600 IN CNAME notlsa.hosts.test.
_25._tcp.alias.cname-mx-orig-xzone.test. 2400 IN TLSA 3 1 1 $H2
hosts.test. 3600 IN NS ns2.test.
EOZ
}

zone_hosts() {	# hosts.test.: negative TTL 900 (SOA MINIMUM), not 60
    cat <<EOZ
\$TTL 3600
hosts.test. 3600 IN SOA ns.test. hostmaster\\.dots.test. 1 3600 600 86400 900
hosts.test. 3600 IN NS ns2.test.
mail.hosts.test. 1800 IN MX 10 mx.hosts.test.
mx.hosts.test. 3600 IN A $HOST
mx.hosts.test. 3600 IN AAAA 2001:db8::25
_25._tcp.mx.hosts.test. 1800 IN TLSA 3 1 1 $H1
notlsa.hosts.test. 3600 IN A $HOST
notlsa.hosts.test. 3600 IN AAAA 2001:db8::26
EOZ
}

make_zones() {
    z=$dir/zones
    # unsigned child: insecure MX, insecure host
    { soa insecure.test. ns2.test.
      echo "insecure.test. 300 IN MX 10 securehost.test."
      echo "plain.insecure.test. 300 IN MX 10 mx.plain.insecure.test."
      echo "mx.plain.insecure.test. 300 IN A $HOST"
      echo "host.insecure.test. 300 IN A $HOST"
      echo "mail.insecure.test. 300 IN A $HOST"
      # issue 10: unsigned domain, MX to a signed host with usable TLSA
      # (what a forged MX looks like), and an enforce policy
      echo "sts.insecure.test. 300 IN MX 10 securehost.test."
      echo "_mta-sts.sts.insecure.test. 300 IN TXT \"v=STSv1; id=stsinsecure1;\""
      echo "mta-sts.sts.insecure.test. 300 IN A $HTTPS_ADDR"
      echo "_25._tcp.host.insecure.test. 300 IN TLSA 3 1 1 $H1"; } > "$z/insecure.test.zone"
    # signed child with expired signatures
    k_exp=$(keygen expired.test.)
    { soa expired.test. ns2.test.
      echo "expired.test. 300 IN MX 10 mx.expired.test."
      echo "mx.expired.test. 300 IN A $HOST"
      echo "_25._tcp.mx.expired.test. 300 IN TLSA 3 1 1 $H1"
      echo "tlsa.expired.test. 300 IN TLSA 3 1 1 $H1"; } > "$z/expired.test.zone"
    sign "$z/expired.test.zone" expired.test. "$k_exp" 20200101000000 20200201000000
    # signed child whose DS in the parent matches no key
    k_bad=$(keygen badds.test.)
    k_other=$(keygen badds.test.)
    { soa badds.test. ns2.test.
      echo "badds.test. 300 IN MX 10 mx.badds.test."
      echo "mx.badds.test. 300 IN A $HOST"
      echo "_25._tcp.mx.badds.test. 300 IN TLSA 3 1 1 $H1"; } > "$z/badds.test.zone"
    sign "$z/badds.test.zone" badds.test. "$k_bad"
    # signed child, target of the cross-zone CNAMEs
    k_hosts=$(keygen hosts.test.)
    zone_hosts > "$z/hosts.test.zone"
    sign "$z/hosts.test.zone" hosts.test. "$k_hosts"
    # test.
    k_test=$(keygen test.)
    { soa test.; zone_test_names; zone_test_xzone
      ds_of "$k_exp"; ds_of "$k_other"; ds_of "$k_hosts"; } > "$z/test.zone"
    sign "$z/test.zone" test. "$k_test"
    # the root
    k_root=$(keygen .)
    { soa .
      echo "ns.test. 3600 IN A $NSD_ADDR"
      echo "test. 300 IN NS ns.test."
      ds_of "$k_test"; } > "$z/root.zone"
    sign "$z/root.zone" . "$k_root"
    ds_of "$k_root" > "$dir/root.ds"
}

nsd_conf() {	# nsd_conf NAME ADDR ZONE...
    _n=$1 _a=$2; shift 2
    cat <<EOC
server:
  ip-address: $_a@$NSD_PORT
  port: $NSD_PORT
  username: ""
  chroot: ""
  zonesdir: "$dir/zones"
  database: ""
  zonelistfile: "$dir/$_n.zonelist"
  xfrdfile: "$dir/$_n.xfrd"
  xfrdir: "$dir"
  pidfile: "$dir/$_n.pid.nsd"
  logfile: "$dir/$_n.log"
  server-count: 1
  verbosity: 1
  do-ip6: no
remote-control:
  control-enable: no
EOC
    for zn in "$@"; do
        f=$zn; [ "$zn" = . ] && f=root.; f=${f%.}.zone
        [ -f "$dir/zones/$f.signed" ] && f=$f.signed
        printf 'zone:\n  name: "%s"\n  zonefile: "%s"\n' "$zn" "$f"
    done
}

unbound_conf() {
    cat <<EOC
server:
  interface: $UB_ADDR@$UB_PORT
  interface: $UB_ADDR@53
  port: $UB_PORT
  do-daemonize: no
  username: ""
  chroot: ""
  directory: "$dir"
  pidfile: ""
  use-syslog: no
  logfile: "$dir/unbound.log"
  verbosity: 1
  val-log-level: 2
  access-control: 127.0.0.0/8 allow
  do-ip6: no
  do-not-query-localhost: no
  qname-minimisation: no
  harden-referral-path: no
  trust-anchor-file: "$dir/root.ds"
  module-config: "validator iterator"
  infra-cache-max-rtt: 1500
  infra-keep-probing: yes
  # Debian's 1.17.1 (CVE-2024-33655 fix) silently drops replies that
  # took over 1.9 s: the SERVFAIL for dead.test (about 2.3 s) would
  # never reach the client. 0 turns that off; world_start removes the
  # line for an unbound that does not know it.
  discard-timeout: 0
  serve-expired: no
  prefetch: no
  local-zone: "test." nodefault
stub-zone:
  name: "."
  stub-addr: $NSD_ADDR@$NSD_PORT
remote-control:
  control-enable: no
EOC
}

start_bg() {	# start_bg NAME PIDFILE CMD...: background, PID recorded
    _name=$1 _pidf=$2; shift 2
    "$@" > "$dir/$_name.out" 2>&1 &
    echo $! > "$_pidf"
}

wait_answer() {	# wait_answer ADDR PORT NAME [PIDFILE [DRILL-OPTION]]: until
		# the server answers NOERROR
    i=0
    while [ $i -lt 100 ]; do
        timeout 0.5 drill ${5:-} -p "$2" @"$1" "$3" SOA 2>/dev/null | grep -q "rcode: NOERROR" && return 0
        [ -n "${4:-}" ] && ! alive "$(cat "$4")" && return 1
        sleep 0.1; i=$((i + 1))
    done
    return 1
}

wait_bound() {	# wait_bound NAME: fakedns.py writes DIR/NAME.pid.py once bound
    i=0
    while [ ! -s "$dir/$1.pid.py" ]; do
        alive "$(cat "$dir/$1.pid")" && [ $i -lt 100 ] || return 1
        sleep 0.05; i=$((i + 1))
    done
}

check_free() {	# check_free ADDR:PORT...: nothing listens there yet
    python3 - "$@" <<'EOP'
import socket, sys
busy = []
for ap in sys.argv[1:]:
    addr, port = ap.rsplit(":", 1)
    for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
        s = socket.socket(socket.AF_INET, kind)
        if kind == socket.SOCK_STREAM:  # TIME_WAIT is fine, a listener is not
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((addr, int(port)))
        except OSError as e:
            busy.append("%s/%s (%s)" % (ap, "udp" if kind == socket.SOCK_DGRAM else "tcp", e.strerror))
        s.close()
if busy:
    sys.exit("in use: " + ", ".join(busy))
EOP
}

world_start() {
    command -v nsd >/dev/null && command -v unbound >/dev/null && command -v ldns-signzone >/dev/null \
        || fail "needs nsd, unbound and ldnsutils"
    # checks that must not stop anything (fail would): a running world
    # in DIR, or anything on our addresses
    for p in unbound nsd nsd2 dead refused nginx breaker; do
        [ -s "$dir/$p.pid" ] && alive "$(tr -dc 0-9 < "$dir/$p.pid")" \
            && { echo "world.sh: a world is running in $dir; stop it first" >&2; exit 1; }
    done
    _https=; command -v nginx >/dev/null 2>&1 && _https=$HTTPS_ADDR:443
    check_free "$NSD_ADDR:$NSD_PORT" "$NSD2_ADDR:$NSD_PORT" "$DEAD_ADDR:53" "$REFUSED_ADDR:53" \
        "$UB_ADDR:$UB_PORT" "$BREAKER_ADDR:$UB_PORT" $_https \
        || { echo "world.sh: another world (or DNS server) is running on $NET.x; stop it or set WORLD_NET" >&2; exit 1; }
    rm -rf "$dir/keys" "$dir/zones" "$dir/world.env" "$dir/breaker.log"	# left by an earlier run
    : > "$dir/breaker.rules" || fail "cannot create $dir/breaker.rules"
    mkdir -p "$dir/keys" "$dir/zones" || fail "cannot create $dir"
    make_zones
    nsd_conf nsd "$NSD_ADDR" . test. > "$dir/nsd.conf"
    nsd_conf nsd2 "$NSD2_ADDR" insecure.test. expired.test. badds.test. hosts.test. > "$dir/nsd2.conf"
    unbound_conf > "$dir/unbound.conf"
    if ! unbound-checkconf "$dir/unbound.conf" > "$dir/unbound-checkconf.out" 2>&1; then
        sed -i '/discard-timeout/d' "$dir/unbound.conf"
        unbound-checkconf "$dir/unbound.conf" > "$dir/unbound-checkconf.out" 2>&1 \
            || { cat "$dir/unbound-checkconf.out" >&2; fail "unbound.conf does not check"; }
    fi
    for n in nsd nsd2; do
        nsd-checkconf "$dir/$n.conf" || fail "$n.conf does not check"
        start_bg $n "$dir/$n.pid" nsd -d -c "$dir/$n.conf"
    done
    start_bg dead "$dir/dead.pid" python3 "$here/fakedns.py" blackhole "$DEAD_ADDR" 53 "$dir/dead.pid.py"
    start_bg refused "$dir/refused.pid" python3 "$here/fakedns.py" refused "$REFUSED_ADDR" 53 "$dir/refused.pid.py"
    wait_answer "$NSD_ADDR" "$NSD_PORT" test. "$dir/nsd.pid" || fail "nsd does not answer"
    wait_answer "$NSD2_ADDR" "$NSD_PORT" insecure.test. "$dir/nsd2.pid" || fail "nsd2 does not answer"
    wait_bound dead || fail "fakedns.py blackhole did not start: $(cat "$dir/dead.out")"
    wait_bound refused || fail "fakedns.py refused did not start: $(cat "$dir/refused.out")"
    start_bg unbound "$dir/unbound.pid" unbound -d -c "$dir/unbound.conf"
    # with CD: a world that does not validate should fail below, at once
    wait_answer "$UB_ADDR" "$UB_PORT" test. "$dir/unbound.pid" "-oCD" || fail "unbound does not answer"
    drill -D -p "$UB_PORT" @"$UB_ADDR" test. SOA 2>&1 | grep -q '^;; flags:.* ad ' \
        || fail "unbound answers, but test. does not validate (trust anchor? clock?)"
    start_bg breaker "$dir/breaker.pid" python3 "$here/fakedns.py" breaker "$BREAKER_ADDR" "$UB_PORT" \
        "$dir/breaker.pid.py" "$dir" "$UB_ADDR:$UB_PORT"
    wait_bound breaker || fail "fakedns.py breaker did not start: $(cat "$dir/breaker.out")"
    wait_answer "$BREAKER_ADDR" "$UB_PORT" test. "$dir/breaker.pid" || fail "the breaker does not forward"
    if command -v nginx >/dev/null 2>&1; then
        sh "$here/https.sh" start "$dir" "$HTTPS_ADDR" || fail "the HTTPS server does not start"
    fi
    { echo "WORLD_RESOLVER=$UB_ADDR:$UB_PORT"
      echo "WORLD_BREAKER=$BREAKER_ADDR:$UB_PORT"
      echo "WORLD_HTTPS=$HTTPS_ADDR"
      echo "WORLD_CA=$dir/https/ca.crt"
      echo "WORLD_DIR=$dir"
      echo "WORLD_NET=$NET"
      echo "WORLD_RESOLVER_ADDR=$UB_ADDR"
      echo "WORLD_RESOLVER_PORT=$UB_PORT"
      echo "WORLD_ROOT_DS=$dir/root.ds"
      echo "WORLD_MX_ADDR=$HOST"
      echo "WORLD_PIDFILES='$(for p in unbound nsd nsd2 dead refused nginx breaker; do
          [ -s "$dir/$p.pid" ] && printf '%s ' "$dir/$p.pid"; done)'"; } > "$dir/world.env"
}

case $cmd in
start) world_start ;;
stop) world_stop ;;
*) echo "usage: world.sh start|stop DIR" >&2; exit 2 ;;
esac
