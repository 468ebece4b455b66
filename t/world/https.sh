#!/bin/sh
# https.sh - the MTA-STS policy hosts of the test world: a private CA made
# on the spot, certificates for mta-sts.sts-*.test, and nginx on ADDR:443
# serving one policy (or one way of failing) per name.
#
#   sh t/world/https.sh start DIR ADDR    (world.sh calls it; nginx PID in
#                                          DIR/nginx.pid, stopped by world.sh)
# DIR/https/ca.crt is the CA for mtasts_ca_file.
set -u
dir=$2 addr=$3
h=$dir/https
mkdir -p "$h/www" "$h/tmp" || exit 1

fail() { echo "https.sh: $*" >&2; [ -f "$h/error.log" ] && tail -5 "$h/error.log" >&2; exit 1; }

policy() {	# policy NAME [LINE-END]: an enforce policy for sts-NAME.test
    _nl='\r\n'
    [ $# -gt 1 ] && _nl=$2
    mkdir -p "$h/www/$1/.well-known"
    printf "version: STSv1${_nl}mode: enforce${_nl}mx: mx.sts-$1.test${_nl}mx: *.sts-$1.test${_nl}max_age: 604800${_nl}" \
        > "$h/www/$1/.well-known/mta-sts.txt"
}
body() {	# body NAME TEXT: any policy text
    mkdir -p "$h/www/$1/.well-known"
    printf '%b' "$2" > "$h/www/$1/.well-known/mta-sts.txt"
}

make_certs() {
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
        -subj "/CN=tlspolicyd test CA" -keyout "$h/ca.key" -out "$h/ca.crt" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign" \
        2>/dev/null || fail "CA"
    san=""
    for n in $GOOD; do san="$san,DNS:$(host_of "$n")"; done
    san=${san#,}
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=mta-sts" \
        -keyout "$h/good.key" -out "$h/good.csr" 2>/dev/null || fail "csr"
    printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\n' "$san" > "$h/good.ext"
    openssl x509 -req -in "$h/good.csr" -CA "$h/ca.crt" -CAkey "$h/ca.key" -CAcreateserial \
        -days 30 -extfile "$h/good.ext" -out "$h/good.crt" 2>/dev/null || fail "good cert"
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=mta-sts.other.test" \
        -keyout "$h/wrong.key" -out "$h/wrong.csr" 2>/dev/null || fail "csr"
    printf 'subjectAltName=DNS:mta-sts.other.test\n' > "$h/wrong.ext"
    openssl x509 -req -in "$h/wrong.csr" -CA "$h/ca.crt" -CAkey "$h/ca.key" -CAcreateserial \
        -days 30 -extfile "$h/wrong.ext" -out "$h/wrong.crt" 2>/dev/null || fail "wrong cert"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
        -subj "/CN=mta-sts.sts-selfsigned.test" -addext "subjectAltName=DNS:mta-sts.sts-selfsigned.test" \
        -keyout "$h/self.key" -out "$h/self.crt" 2>/dev/null || fail "self-signed cert"
}

host_of() {	# host_of NAME: mta-sts.sts-NAME.test, or mta-sts.NAME for a NAME with a dot
    case $1 in *.*) echo "mta-sts.$1" ;; *) echo "mta-sts.sts-$1.test" ;; esac
}

server() {	# server NAME CERT [EXTRA-DIRECTIVES [CONTENT-TYPE]]
    cat <<EOC
  server {
    listen $addr:443 ssl;
    server_name $(host_of "$1");
    ssl_certificate $h/$2.crt;
    ssl_certificate_key $h/$2.key;
    root $h/www/$1;
    location = /.well-known/mta-sts.txt { default_type ${4:-text/plain}; ${3:-} }
  }
EOC
}

# issue 10 (DANE and MTA-STS together): hostfail ... sts.insecure.test
NEW10="hostfail underscore unusable some cname-insecure maxage0 seq short sts.insecure.test"
GOOD="enforce testing none wildcard maxage ctype charset 404 redirect big slow lf hostile outage ratelimit notxt twotxt spf dane nohost long $NEW10"
make_certs
policy enforce; policy ctype; policy charset; policy redirect; policy slow; policy outage
policy ratelimit; policy notxt; policy twotxt; policy spf; policy dane; policy lf '\n'
for n in hostfail underscore unusable some cname-insecure seq; do policy $n; done
body maxage0 'version: STSv1\r\nmode: enforce\r\nmx: mx.sts-maxage0.test\r\nmax_age: 0\r\n'
body short 'version: STSv1\r\nmode: enforce\r\nmx: mx.sts-short.test\r\nmax_age: 40\r\n'
body sts.insecure.test 'version: STSv1\r\nmode: enforce\r\nmx: securehost.test\r\nmax_age: 86400\r\n'
body testing 'version: STSv1\r\nmode: testing\r\nmx: mx.sts-testing.test\r\nmax_age: 86400\r\n'
body none 'version: STSv1\r\nmode: none\r\nmax_age: 86400\r\n'
body wildcard 'version: STSv1\r\nmode: enforce\r\nmx: *.mail.sts-wildcard.test\r\nmax_age: 86400\r\n'
body maxage 'version: STSv1\r\nmode: enforce\r\nmx: mx.sts-maxage.test\r\nmax_age: 9999999999\r\n'
body hostile 'version: STSv1\r\nmode: enforce\r\nmx: mx.sts-hostile.test servername=evil.example\r\nmax_age: 86400\r\n'
mkdir -p "$h/www/long/.well-known"
{ printf 'version: STSv1\r\nmode: enforce\r\n'
  i=0; while [ $i -lt 60 ]; do printf 'mx: mx%02d.a-rather-long-host-name.sts-long.test\r\n' $i; i=$((i + 1)); done
  printf 'max_age: 86400\r\n'; } > "$h/www/long/.well-known/mta-sts.txt"
mkdir -p "$h/www/big/.well-known"
{ printf 'version: STSv1\r\nmode: enforce\r\nmx: mx.sts-big.test\r\nmax_age: 86400\r\n'
  head -c 70000 /dev/zero | tr '\0' '#'; } > "$h/www/big/.well-known/mta-sts.txt"
{ policy wrongcert; policy selfsigned; } 2>/dev/null
# workers as root: DIR may be a mktemp -d directory (mode 0700) that
# nginx's default worker user (nobody) cannot enter
cat > "$h/nginx.conf" <<EOC
user root root;
worker_processes 1;
daemon off;
pid $dir/nginx.pid.nginx;
error_log $h/error.log;
events { worker_connections 64; }
http {
  # combined, plus the policy host: tests count fetches per domain
  log_format withhost '\$remote_addr - \$remote_user [\$time_local] "\$request" \$status \$body_bytes_sent "\$http_referer" "\$http_user_agent" \$host';
  access_log $h/access.log withhost;
  client_body_temp_path $h/tmp/body;
  proxy_temp_path $h/tmp/proxy;
  fastcgi_temp_path $h/tmp/fastcgi;
  uwsgi_temp_path $h/tmp/uwsgi;
  scgi_temp_path $h/tmp/scgi;
  types { }
  ssl_protocols TLSv1.2 TLSv1.3;
$(for n in enforce testing none wildcard maxage big lf hostile outage ratelimit notxt twotxt spf dane 404 long $NEW10; do server $n good ""; done)
$(server ctype good "" text/html)
$(server charset good "charset utf-8; charset_types text/plain;")
$(server redirect good "return 301 https://mta-sts.sts-enforce.test/.well-known/mta-sts.txt;")
$(server slow good "limit_rate 4;")
$(server wrongcert wrong "")
$(server selfsigned self "")
}
EOC
nginx -t -q -p "$h" -e "$h/error.log" -c "$h/nginx.conf" 2>"$h/check.log" || { cat "$h/check.log" >&2; fail "nginx.conf does not check"; }
nginx -p "$h" -e "$h/error.log" -c "$h/nginx.conf" > "$h/nginx.out" 2>&1 &
echo $! > "$dir/nginx.pid"
i=0
while [ $i -lt 50 ]; do
    curl -sf --cacert "$h/ca.crt" --resolve "mta-sts.sts-enforce.test:443:$addr" \
        https://mta-sts.sts-enforce.test/.well-known/mta-sts.txt >/dev/null 2>&1 && exit 0
    sleep 0.1; i=$((i + 1))
done
fail "nginx does not answer"
