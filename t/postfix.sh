# postfix.sh - a throw-away Postfix instance whose master(8) spawns tlspolicyd
#
#   pf_setup DIR LISTEN TLSPOLICYD_ARGV
#       DIR/etc/main.cf and master.cf, DIR/queue, DIR/data, DIR/maillog.
#       LISTEN is ADDR:PORT for the spawn service, TLSPOLICYD_ARGV the
#       command line master.cf runs for it (as user tlspolicy).
#   pf_main DIR "name = value"...   append main.cf settings
#   pf_start DIR [HOSTS [RESOLV]]
#       start master; with HOSTS, in a private mount namespace whose
#       /etc/hosts is that file (so smtp(8) can resolve test names), and
#       with RESOLV too, whose /etc/resolv.conf is that file.
#   pf_stop DIR     stop master and wait for it, by its PID
#   pf_postmap DIR ARGS...   postmap -c DIR/etc ARGS...
#   pf_answer DIR DOMAIN MAP postmap -q's answer as an expect word:
#                            the text, notfound, temp (errors) or exit-N
# Needs root and the Debian postfix package. Source t/lib.sh first.

# Built-in defaults (postconf -d): a fresh Debian install configured as
# "No configuration" has no /etc/postfix/main.cf, and postconf -h fails there.
pf_default() { postconf -dh "$1" 2>/dev/null || echo "$2"; }
PF_DAEMON_DIR=$(pf_default daemon_directory /usr/lib/postfix/sbin)

pf_setup() {
    _d=$1 _listen=$2 _argv=$3
    mkdir -p "$_d/etc" "$_d/queue" "$_d/data"
    chown postfix "$_d/data"
    : > "$_d/maillog"
    cat > "$_d/etc/main.cf" <<EOC
compatibility_level = 3.6
queue_directory = $_d/queue
data_directory = $_d/data
command_directory = $(pf_default command_directory /usr/sbin)
daemon_directory = $PF_DAEMON_DIR
meta_directory = $(pf_default meta_directory /etc/postfix)
shlib_directory = $(pf_default shlib_directory /usr/lib/postfix)
mail_owner = postfix
setgid_group = postdrop
myhostname = tlspd-test.invalid
mydomain = tlspd-test.invalid
myorigin = tlspd-test.invalid
mydestination =
mynetworks = 127.0.0.0/8
inet_interfaces = loopback-only
inet_protocols = ipv4
relayhost =
alias_maps =
alias_database =
biff = no
maillog_file = $_d/maillog
maillog_file_prefixes = /var, /dev/stdout, /tmp
smtp_tls_policy_maps = tcp:$_listen
smtp_tls_security_level = may
smtp_tls_loglevel = 1
smtp_dns_support_level = disabled
smtp_host_lookup = native
smtp_connect_timeout = 5s
minimal_backoff_time = 300s
queue_run_delay = 300s
EOC
    cat > "$_d/etc/master.cf" <<EOC
# service type  private unpriv  chroot  wakeup  maxproc command + args
$_listen inet n n n - 0 spawn -o ${_listen}_time_limit=86400s user=tlspolicy argv=$_argv
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOC
}

pf_main() {
    _d=$1; shift
    for _kv in "$@"; do printf '%s\n' "$_kv" >> "$_d/etc/main.cf"; done
}

pf_start() {
    _d=$1 _hosts=${2:-} _resolv=""
    [ -z "${3:-}" ] || _resolv="mount --bind '$3' /etc/resolv.conf &&"
    if [ -n "$_hosts" ]; then
        unshare -m sh -c "mount --bind '$_hosts' /etc/hosts && $_resolv exec postfix -c '$_d/etc' start" \
            >> "$_d/start.log" 2>&1 || return 1
    else
        postfix -c "$_d/etc" start >> "$_d/start.log" 2>&1 || return 1
    fi
    t_wait_file "$_d/queue/pid/master.pid" 10 || return 1
    PF_MASTER_PID=$(tr -dc 0-9 < "$_d/queue/pid/master.pid")
    t_at_exit "pf_stop '$_d'"
}

pf_stop() {
    _d=$1
    [ -s "$_d/queue/pid/master.pid" ] || return 0
    _pid=$(tr -dc 0-9 < "$_d/queue/pid/master.pid")
    postfix -c "$_d/etc" stop >/dev/null 2>&1
    _i=0
    while [ -n "$_pid" ] && kill -0 "$_pid" 2>/dev/null && [ "$_i" -lt 100 ]; do
        sleep 0.1; _i=$((_i + 1))
    done
    [ -n "$_pid" ] && kill -9 "$_pid" 2>/dev/null
    rm -f "$_d/queue/pid/master.pid"
    return 0
}

pf_postmap() {
    _d=$1; shift
    postmap -c "$_d/etc" "$@"
}

pf_answer() {	# postmap exits 1 for errors too: they log a warning
    _out=$(pf_postmap "$1" -q "$2" "$3" 2>"$1/pm.err"); _rc=$?
    if grep -Eq "error|fatal|warning" "$1/pm.err"; then echo temp
    elif [ $_rc -eq 0 ]; then echo "$_out"
    elif [ $_rc -eq 1 ]; then echo notfound
    else echo "exit-$_rc"; fi
}

# pf_tlspolicyd_conf DIR: config for the spawned helper, log file it can write
pf_tlspolicyd_conf() {
    _d=$1; shift
    : > "$_d/tlspolicyd.log"
    chown "$T_USER" "$_d/tlspolicyd.log"
    {
        echo "log_file = $_d/tlspolicyd.log"
        for _kv in "$@"; do printf '%s\n' "$_kv"; done
    } > "$_d/tlspolicyd.cf"
}
