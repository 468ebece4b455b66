#!/bin/sh
# 37-ca-file.sh - mtasts_ca_file replaces the system CAs, it does not add
# to them: with it set, a policy host whose certificate only a CA of the
# system's CA directory (libcurl's CURLOPT_CAPATH, /etc/ssl/certs on
# Debian) signed is not trusted. The system directory is replaced, in a
# private mount namespace, by one that holds the test world's CA.
. "$top_srcdir/t/lib.sh"

t_need "DNS on port 53, HTTPS on 443 of 127.77.87.x, a mount namespace" nsd unbound ldns-signzone nginx openssl unshare
t_world 127.77.87
[ -f "$T_DIR/world/https/access.log" ] || { t_result 1 "the world's HTTPS server runs (nginx)"; t_done; }
chmod 755 "$T_DIR/world" "$T_DIR/world/https"
STS="secure match=mx.sts-enforce.test:.sts-enforce.test servername=hostname"

# the system CAs in the namespace: the world's CA, hashed as c_rehash
# does, and as the bundle file too
mkdir "$T_DIR/certs"
cp "$WORLD_CA" "$T_DIR/certs/world.pem"
cp "$WORLD_CA" "$T_DIR/certs/ca-certificates.crt"
openssl rehash "$T_DIR/certs" 2> /dev/null || c_rehash "$T_DIR/certs" > /dev/null
chmod -R a+rX "$T_DIR/certs"
# a private CA that signed nothing the world serves
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj /CN=tlspolicyd-test-other-ca -keyout "$T_DIR/other.key" -out "$T_DIR/other.crt" 2> /dev/null
chmod 644 "$T_DIR/other.crt"
printf '%s\n' "dns_resolver = $WORLD_RESOLVER" "cache_file =" \
    "mtasts_fetch_timeout = $T_FETCH_TIMEOUT" > "$T_DIR/q.cf"
# sysq [ARGS]: -q sts-enforce.test with /etc/ssl/certs replaced
sysq() {
    unshare -m sh -c "mount --bind '$T_DIR/certs' /etc/ssl/certs && exec \"\$@\"" sh \
        "$TP" -c "$T_DIR/q.cf" "$@" -v -q sts-enforce.test 2> "$T_DIR/err"
}

t_is "$(sysq)" "$STS" "mtasts_ca_file empty: the system CAs are used (the world's CA among them)"
t_is "$(sysq -o "mtasts_ca_file=$WORLD_CA")" "$STS" "mtasts_ca_file = the world's CA: trusted"
out=$(sysq -o "mtasts_ca_file=$T_DIR/other.crt")
t_unlike "$out" "^secure" "mtasts_ca_file = another CA: the system's CA directory is not trusted as well"
t_like "$(grep 'policy fetch for sts-enforce.test failed' "$T_DIR/err")" "certificate|SSL|issuer" \
    "mtasts_ca_file = another CA: the fetch fails on the certificate"
t_done
