# unbound.sh - a small non-validating unbound with local data, for tests
# that need real DNS answers but no DNSSEC (then no answer is secure, so
# every domain without an override is "no DANE": not found).
#
#   ub_start DIR ADDR PORT ZONE... -- "local-data text"...
#       writes DIR/unbound.conf, starts unbound in the foreground (PID in
#       $UB_PID, stopped at exit), waits until it answers.
# Source t/lib.sh first.

ub_start() {
    _d=$1 _addr=$2 _port=$3; shift 3
    mkdir -p "$_d"
    {
        echo "server:"
        echo "  interface: $_addr@$_port"
        echo "  port: $_port"
        echo "  do-daemonize: no"
        echo "  username: \"\""
        echo "  chroot: \"\""
        echo "  directory: \"$_d\""
        echo "  pidfile: \"\""
        echo "  use-syslog: no"
        echo "  logfile: \"$_d/unbound.log\""
        echo "  access-control: 127.0.0.0/8 allow"
        echo "  do-ip6: no"
        echo "  module-config: \"iterator\""
        while [ $# -gt 0 ] && [ "$1" != "--" ]; do
            echo "  local-zone: \"$1.\" static"; shift
        done
        [ $# -gt 0 ] && shift
        for _rr in "$@"; do echo "  local-data: \"$_rr\""; done
        echo "remote-control:"
        echo "  control-enable: no"
    } > "$_d/unbound.conf"
    unbound -d -c "$_d/unbound.conf" > "$_d/unbound.out" 2>&1 &
    UB_PID=$!
    t_at_exit "t_kill_pid $UB_PID"
    _i=0
    while [ "$_i" -lt 50 ]; do
        drill -p "$_port" @"$_addr" localhost A >/dev/null 2>&1 && return 0
        kill -0 "$UB_PID" 2>/dev/null || break
        sleep 0.1; _i=$((_i + 1))
    done
    echo "# unbound did not start:"; sed 's/^/#   /' "$_d/unbound.out" "$_d/unbound.log" 2>/dev/null
    return 1
}
