#!/bin/sh
# 34-alerts.sh - the Prometheus alert rules (contrib/tlspolicyd-alerts.yml)
# with the real promtool of Debian's prometheus package: "check rules",
# "test rules" with the unit tests (every alert fires in one case and stays
# quiet in another), every alert has a severity, a summary and a
# description; the rules use only metrics a helper exports; "promtool
# check metrics" accepts a real /metrics response from a helper that a
# real Postfix master spawned; the Grafana dashboard is valid JSON and
# shows the new series.
. "$top_srcdir/t/lib.sh"
. "$top_srcdir/t/postfix.sh"

command -v promtool >/dev/null 2>&1 \
    || t_skip_all "promtool is not installed (Debian package prometheus; not in every release)"
RULES=$top_srcdir/contrib/tlspolicyd-alerts.yml
TESTS=$top_srcdir/contrib/tlspolicyd-alerts.test.yml
DASH=$top_srcdir/contrib/grafana-tlspolicyd.json
t_tmpdir

out=$(promtool check rules "$RULES" 2>&1); rc=$?
t_like "$rc:$(echo $out)" "^0:.* SUCCESS: 8 rules found$" "promtool check rules: 8 rules"
out=$(promtool test rules "$TESTS" 2>&1); rc=$?
t_like "$rc:$(echo $out)" "^0:.* SUCCESS$" "promtool test rules: every test passes"
[ "$rc" -eq 0 ] || printf '%s\n' "$out" | head -40 | sed 's/^/# /'

# each alert: tested firing (exp_alerts follows its alertname) and quiet
alerts=$(sed -n 's/^ *- alert: *//p' "$RULES")
t_is "$(echo "$alerts" | wc -l)" 8 "8 alerts in the rules file"
awk '/alertname:/ { name = $2; getline; print name, ($1 == "exp_alerts:" ? "firing" : "quiet") }' \
    "$TESTS" | sort -u > "$T_DIR/cases"
for a in $alerts; do
    t_is "$(grep -c "^$a " "$T_DIR/cases")" 2 "$a: a test where it fires and one where it does not"
done
# each alert: severity critical or warning, a summary, a description
awk '/^ *- alert:/ { if (name) print name, sev, sum, desc; name = $3; sev = sum = desc = "-" }
     /^ *severity:/ { sev = $2 } /^ *summary:/ { sum = "summary" }
     /^ *description:/ { desc = "description" }
     END { print name, sev, sum, desc }' "$RULES" > "$T_DIR/annot"
t_is "$(grep -Evc ' (critical|warning) summary description$' "$T_DIR/annot")" 0 \
    "every alert has a severity (critical or warning), a summary and a description"
t_is "$(awk '/^ *- alert:/ { n = $3 } n { b[n] = b[n] " " $0 } END { for (k in b) print b[k] }' "$RULES" \
        | tr -s ' ' | grep -c '"When protection drops or mail defers"')" 8 \
    "every description points at README \"When protection drops or mail defers\""

# the dashboard: valid JSON, with panels for the new series
t_ok "contrib/grafana-tlspolicyd.json is valid JSON" python3 -m json.tool "$DASH"
for m in tlspolicyd_protection_drops_total tlspolicyd_deferrals_total tlspolicyd_config_error; do
    t_like "$(cat "$DASH")" "$m" "the dashboard shows $m"
done

# /metrics from a helper spawned by a real Postfix master
if ! t_is_root || ! command -v postfix >/dev/null 2>&1 || ! command -v curl >/dev/null 2>&1 \
    || ! command -v sqlite3 >/dev/null 2>&1; then
    t_skip "promtool check metrics on a real /metrics response" "needs root, postfix, curl and sqlite3"
    t_done
fi
t_user
t_binary
mkdir -p "$T_DIR/cache"; chown "$T_USER:$T_USER" "$T_DIR/cache"
printf 'partner.example encrypt\n' > "$T_DIR/overrides"
LISTEN=127.77.34.1:10028
pf_tlspolicyd_conf "$T_DIR" "policy_overrides = $T_DIR/overrides" \
    "dns_resolver = 127.77.34.3:53" "cache_file = $T_DIR/cache/cache.db"
"$TP" -c "$T_DIR/tlspolicyd.cf" -q partner.example > /dev/null 2>&1
sqlite3 "$T_DIR/cache/cache.db" "insert or replace into state values ('resolver 127.77.34.3:53',
    'validating', 'test', strftime('%s', 'now'))"
chown -R "$T_USER:$T_USER" "$T_DIR/cache"
pf_setup "$T_DIR" "$LISTEN" "$TP -c $T_DIR/tlspolicyd.cf"
pf_start "$T_DIR" || { t_result 1 "postfix starts"; t_done; }
printf 'partner.example\n[x.example]\n' | pf_postmap "$T_DIR" -q - "tcp:$LISTEN" > /dev/null
pf_postmap "$T_DIR" -q partner.example "socketmap:inet:$LISTEN:QUERY" > /dev/null
curl -s --max-time 5 "http://$LISTEN/metrics" > "$T_DIR/metrics"
t_like "$(cat "$T_DIR/metrics")" '^tlspolicyd_lookups_total\{protocol="socketmap",answer="override"\} 1$' \
    "a real /metrics response, through the Postfix spawn service"
out=$(promtool check metrics < "$T_DIR/metrics" 2>&1); rc=$?
t_is "$rc:$out" "0:" "promtool check metrics: no problem"

# every metric the rules use is exported (up comes from Prometheus)
for m in $(grep -o 'tlspolicyd_[a-z_]*' "$RULES" | sort -u); do
    t_ok "the rules use $m, which /metrics exports" grep -q "^# TYPE $m " "$T_DIR/metrics"
done
# the labelled series the rules group by are there from the start
t_like "$(cat "$T_DIR/metrics")" '^tlspolicyd_protection_drops_total\{what="dane"\} 0$' \
    "drops are shown from 0 (what=\"dane\"), so increase() sees the first one"
t_done
