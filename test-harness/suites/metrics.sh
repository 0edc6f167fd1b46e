#!/bin/bash
# metrics.sh - Prometheus /metrics and the JSON summary line, across the
# wire: real NSD, real Postfix, build/san/authmilter (TAP)
#
# Phase 1 (TCP milter socket, log.format text, metrics on a free
# loopback port): scrape, send a DMARC-reject spoof of a.example, scrape
# again; every scrape passes `promtool check metrics' and the counters
# move by exactly what the message did. Then SIGUSR1 with log.format
# json: the reload is counted, no counter is reset, and a message with
# two recipients and a hostile HELO (quote, backslash, control and
# 8-bit bytes, through XCLIENT's xtext) gives one summary line that `jq'
# parses, with those bytes in it.
#
# Phase 2 (a new process on a unix socket, where RCPT is asked without a
# reply; dmarc.reject_action = quarantine, metrics on [::1] when the
# host has IPv6): three recipients are counted, and why=, policy= and
# action= are the decision, the published policy and the applied action.
# Then NSD stops: failed DNS queries are counted by outcome.
#
# No time is asserted; every wait is a bounded poll.
set -u
cd "$(dirname "$0")/../.." || exit 1
. test-harness/integration/lib.sh

n=0
check() {	# check NAME STATUS [DETAIL]
	if [ "$2" -eq 0 ]; then echo "ok - metrics/$1"
	else echo "not ok - metrics/$1"; [ -n "${3:-}" ] &&
	    printf '%s\n' "$3" | head -40 | sed 's/^/# /'
	fi
	return "$2"
}

for tool in jq promtool nsd postfix swaks; do
	command -v "$tool" >/dev/null 2>&1 || {
		check "tools" 1 "missing $tool (test-harness/deps.sh)"; exit 1; }
done
[ -x "$AUTHMILTER" ] || { check "build" 1 "$AUTHMILTER missing"; exit 1; }

it_init || exit 1
PF_MAILBOXES="m1 m2 m3 m4 m5"
IT=test-harness/integration
"$IT/mkkeys.sh" "$T/keys" 2>"$T/setup.err" &&
    mkdir -p "$T/dns" &&
    $PY "$IT/it.py" zone "$IT/zones/example.zone" "$T/keys" \
    "$T/dns/example.zone" 2>>"$T/setup.err" &&
    dns_start "$T/dns/example.zone" 2>>"$T/setup.err" &&
    MILTER_PORT=$(free_port) && METRICS_PORT=$(free_port) &&
    postfix_start "inet:127.0.0.1:$MILTER_PORT" 2>>"$T/setup.err"
check "setup" $? "$(cat "$T/setup.err")" || exit 1

# conf OUT OVERRIDE-LINES - base.conf with our keys
conf() {
	printf '%s\n' "$2" >"$T/over"
	$PY "$IT/it.py" conf "$IT/base.conf" "$T/over" "$1" \
	    MILTER_PORT="$MILTER_PORT" DNS_PORT="$DNS_PORT"
}

URL="http://127.0.0.1:$METRICS_PORT/metrics"
# http_get URL - GET with python (no curl on a clean CI machine): the
#	status code on the first line, then the body
http_get() {
	$PY - "$1" <<'EOF'
import sys, urllib.error, urllib.request
try:
    with urllib.request.urlopen(sys.argv[1], timeout=10) as r:
        body, code = r.read(), r.status
except urllib.error.HTTPError as e:
    body, code = e.read(), e.code
sys.stdout.write("%d\n" % code)
sys.stdout.flush()
sys.stdout.buffer.write(body)
EOF
}
# scrape FILE - GET /metrics into FILE; fails unless 200
scrape() {
	http_get "$URL" >"$1.raw" 2>/dev/null &&
	    [ "$(head -1 "$1.raw")" = 200 ] && tail -n +2 "$1.raw" >"$1"
}
# val FILE SERIES - value of one series (0 if absent)
val() {
	awk -v s="$2" '$1 == s { v = $2 } END { print v + 0 }' "$1"
}
# delta A B SERIES - value in B minus value in A
delta() {
	echo $(( $(val "$2" "$3") - $(val "$1" "$3") ))
}
# promcheck FILE - promtool's linter on one scrape
promcheck() {
	promtool check metrics <"$1" >"$T/promtool.out" 2>&1
}
# want NAME A B SERIES N - the series moved by exactly N
want() {
	local d

	d=$(delta "$2" "$3" "$4")
	[ "$d" -eq "$5" ]
	check "$1" $? "$4: moved by $d, want $5"
}

# a listen address that is not ADDR:PORT is refused by -n, with the reason
conf "$T/bad.conf" "metrics.listen = \"localhost:9895\";"
out=$("$AUTHMILTER" -n -c "$T/bad.conf" 2>&1)
rc=$?
[ "$rc" -eq 1 ] && case $out in *'metrics.listen: "localhost:9895" is not'*) true ;; *) false ;; esac
check "bad-listen-refused" $? "exit $rc: $out"

# --- phase 1: TCP, text log ------------------------------------------
conf "$T/m1.conf" "metrics.listen = \"127.0.0.1:$METRICS_PORT\";
report.store = \"sqlite:$T/rows.db\";
log.format = \"text\";
dmarc.reject_action = \"reject\";"
milter_start "$T/m1.conf" 2>"$T/start.err"
check "start" $? "$(cat "$T/start.err")" || exit 1

poll 10 scrape "$T/s0"
check "scrape" $? "$(tail -5 "$MILTER_LOG")"
promcheck "$T/s0"
check "promtool-before" $? "$(cat "$T/promtool.out")"
grep -qx 'authmilter_build_info{version="[^"]*"} 1' "$T/s0"
check "build-info" $?
grep -qx 'authmilter_messages_total{verdict="reject"} 0' "$T/s0"
check "series-preset-at-zero" $?
code=$(http_get "http://127.0.0.1:$METRICS_PORT/" 2>/dev/null | head -1)
[ "$code" = 404 ]
check "other-path-404" $? "got $code"

cat >"$T/spoof.eml" <<'EOF'
From: CEO <ceo@a.example>
To: m1@rcpt.example
Subject: metrics spoof
Message-ID: <metrics-spoof@relay.c.example>
Date: Sat, 05 Dec 2026 12:00:00 +0000

Pay this invoice.
EOF
off=$(log_size "$MILTER_LOG")
send_mail "$T/smtp1" --addr 203.0.113.66 --helo relay.c.example \
    --from ceo@a.example --to m1@rcpt.example --data "$T/spoof.eml"
reply=$(smtp_final_reply "$T/smtp1")
case $reply in 550\ 5.7.26*) true ;; *) false ;; esac
check "spoof-rejected" $? "reply: $reply"
scrape "$T/s1"
promcheck "$T/s1"
check "promtool-after" $? "$(cat "$T/promtool.out")"
want "reject+1" "$T/s0" "$T/s1" 'authmilter_messages_total{verdict="reject"}' 1
want "accept+0" "$T/s0" "$T/s1" 'authmilter_messages_total{verdict="accept"}' 0
want "dmarc-fail+1" "$T/s0" "$T/s1" 'authmilter_dmarc_results_total{result="fail"}' 1
want "spf-mailfrom-fail+1" "$T/s0" "$T/s1" \
    'authmilter_spf_results_total{identity="mailfrom",result="fail"}' 1
want "dkim-none+1" "$T/s0" "$T/s1" 'authmilter_dkim_results_total{result="none"}' 1
want "message-latency-count+1" "$T/s0" "$T/s1" \
    'authmilter_message_duration_seconds_count' 1
want "report-row-queued+1" "$T/s0" "$T/s1" \
    'authmilter_report_rows_total{outcome="queued"}' 1
poll 10 eval "scrape '$T/s1r' && [ \$(val '$T/s1r' 'authmilter_report_rows_total{outcome=\"written\"}') -eq 1 ]"
check "report-row-written" $? "$(grep report_rows "$T/s1r")"
n=$(sqlite3 "$T/rows.db" "SELECT count(*) FROM msg WHERE header_from = 'a.example'" 2>&1)
[ "$n" = 1 ]
check "report-row-in-store" $? "rows: $n"
want "report-row-dropped+0" "$T/s0" "$T/s1r" \
    'authmilter_report_rows_total{outcome="dropped"}' 0
want "message-latency-inf+1" "$T/s0" "$T/s1" \
    'authmilter_message_duration_seconds_bucket{le="+Inf"}' 1
d=$(delta "$T/s0" "$T/s1" 'authmilter_dns_queries_total{type="TXT",outcome="ok"}')
[ "$d" -ge 2 ]		# a.example SPF, _dmarc.a.example at least
check "dns-txt-ok-counted" $? "moved by $d"
q=$(awk '/^authmilter_dns_queries_total/ { s += $2 } END { print s + 0 }' "$T/s1")
c=$(val "$T/s1" authmilter_dns_query_duration_seconds_count)
[ "$q" -ge 2 ] && [ "$c" -eq "$q" ]
check "dns-latency-per-query" $? "queries $q, observations $c"
d=$(delta "$T/s0" "$T/s1" authmilter_dns_prefetch_hits_total)
[ "$d" -ge 1 ]		# MAIL FROM's SPF record was prefetched
check "dns-prefetch-hit" $? "moved by $d"
poll 10 eval "scrape '$T/s1b' && [ \$(val '$T/s1b' authmilter_sessions_active) -eq 0 ]"
check "sessions-back-to-zero" $? "$(grep sessions_active "$T/s1b")"
log_since "$MILTER_LOG" "$off" | grep -E 'verdict=reject why=dmarc-fail .* policy=reject arc=none action=reject rule=- rcpts=1' >/dev/null
check "text-line-why-policy-action" $? "$(log_since "$MILTER_LOG" "$off")"

# an NXDOMAIN: the MAIL FROM domain does not exist
cat >"$T/nx.eml" <<'EOF'
From: <x@nx-metrics.example>
To: m2@rcpt.example
Subject: nx

nx
EOF
send_mail "$T/smtp2" --addr 203.0.113.66 --helo relay.c.example \
    --from x@nx-metrics.example --to m2@rcpt.example --data "$T/nx.eml"
scrape "$T/s2"
d=$(delta "$T/s1" "$T/s2" 'authmilter_dns_queries_total{type="TXT",outcome="nxdomain"}')
[ "$d" -ge 1 ]
check "dns-nxdomain-counted" $? "moved by $d"

# reload to JSON: counted, nothing reset
sed 's/format = "text"/format = "json"/' "$T/m1.conf" >"$T/m1b.conf" &&
    cp "$T/m1b.conf" "$T/m1.conf"
grep -q 'format = "json"' "$T/m1.conf"
check "conf-json" $? "$(cat "$T/m1.conf")"
kill -USR1 "$MILTER_PID"
poll 10 eval "scrape '$T/s3' && [ \$(val '$T/s3' 'authmilter_reloads_total{result=\"ok\"}') -eq 1 ]"
check "reload-counted" $? "$(grep reloads "$T/s3")"
[ "$(val "$T/s3" 'authmilter_messages_total{verdict="reject"}')" -eq \
    "$(val "$T/s2" 'authmilter_messages_total{verdict="reject"}')" ] &&
    [ "$(val "$T/s3" 'authmilter_messages_total{verdict="reject"}')" -ge 1 ]
check "counters-survive-reload" $?

# a pass for a.example, two recipients, a hostile HELO: quote, backslash,
# \x01, \xff (no UTF-8) and \xc3\xbc (u-umlaut in UTF-8); swaks sends it
# xtext-encoded in XCLIENT and as is in the EHLO after it
cat >"$T/pass.eml" <<'EOF'
From: Alice <alice@a.example>
To: m3@rcpt.example, m4@rcpt.example
Subject: metrics pass
Message-ID: <metrics-pass@mail.a.example>

Hello.
EOF
# with SMTPUTF8 on, Postfix refuses a command that is not UTF-8
postfix_set smtputf8_enable=no
check "postfix-8bit" $?
off=$(log_size "$MILTER_LOG")
send_mail "$T/smtp3" --addr 192.0.2.10 \
    --helo $'h"q\\x\x01y\xffz\xc3\xbc.example' \
    --from alice@a.example --to m3@rcpt.example,m4@rcpt.example \
    --data "$T/pass.eml"
reply=$(smtp_final_reply "$T/smtp3")
case $reply in 250*) true ;; *) false ;; esac
check "pass-accepted" $? "reply: $reply; $(tail -5 "$T/smtp3")"
scrape "$T/s4"
promcheck "$T/s4"
check "promtool-json-phase" $? "$(cat "$T/promtool.out")"
want "accept+1" "$T/s3" "$T/s4" 'authmilter_messages_total{verdict="accept"}' 1
want "dmarc-pass+1" "$T/s3" "$T/s4" 'authmilter_dmarc_results_total{result="pass"}' 1
want "spf-mailfrom-pass+1" "$T/s3" "$T/s4" \
    'authmilter_spf_results_total{identity="mailfrom",result="pass"}' 1

log_since "$MILTER_LOG" "$off" | grep -aF '{"qid"' | grep -avF '"why":"trusted"' | sed 's/^[^{]*//' \
    >"$T/json1"
[ "$(wc -l <"$T/json1")" -eq 1 ] && jq -e . "$T/json1" >/dev/null 2>&1
check "json-line-valid" $? "$(log_since "$MILTER_LOG" "$off")"
jq -e '.verdict == "accept" and .dmarc == "pass" and .rcpts == 2 and
    (.rcpts | type) == "number" and .policy == "reject" and
    .action == "accept" and (.qid | test("^[0-9A-Za-z]+$"))' \
    "$T/json1" >/dev/null 2>&1
check "json-fields" $? "$(cat "$T/json1")"
helo=$(jq -r .helo "$T/json1" 2>/dev/null)
case $helo in *'h"q\x'*) true ;; *) false ;; esac
check "json-helo-quote-backslash" $? "helo: $helo"
jq -r .helo "$T/json1" | od -An -tx1 | tr -d ' \n' | grep -q 'c3bc'
check "json-helo-utf8-kept" $? "$(jq -r .helo "$T/json1" | od -c | head -3)"
jq -e '.helo | test("\u0001") and test("\u00ff")' "$T/json1" >/dev/null 2>&1
check "json-helo-control-8bit-escaped" $? \
    "$(grep -o '"helo":"[^,]*' "$T/json1")"

milter_stop 2>"$T/stop.err"
check "exit-phase1" $? "$(cat "$T/stop.err")"

# --- phase 2: unix socket (RCPT without reply), quarantine action ----
SOCK="$T/milter.sock"
MLISTEN="[::1]:$METRICS_PORT"
URL="http://[::1]:$METRICS_PORT/metrics"
if ! $PY -c 'import socket; s = socket.socket(socket.AF_INET6); s.bind(("::1", 0))' 2>/dev/null; then
	MLISTEN="127.0.0.1:$METRICS_PORT"
	URL="http://127.0.0.1:$METRICS_PORT/metrics"
	echo "# no IPv6 loopback: metrics on 127.0.0.1"
fi
conf "$T/m2.conf" "socket = \"unix:$SOCK\";
metrics.listen = \"$MLISTEN\";
log.format = \"json\";
dns.timeout = 500;
dmarc.reject_action = \"quarantine\";"
"$AUTHMILTER" -f -c "$T/m2.conf" </dev/null >>"$MILTER_LOG" 2>&1 &
MILTER_PID=$!
poll 20 test -S "$SOCK" && chmod 666 "$SOCK" &&
    postfix_set "smtpd_milters=unix:$SOCK" && poll 10 scrape "$T/u0"
check "unix-start" $? "$(tail -5 "$MILTER_LOG")"
promcheck "$T/u0"
check "promtool-unix" $? "$(cat "$T/promtool.out")"

off=$(log_size "$MILTER_LOG")
send_mail "$T/smtp4" --addr 203.0.113.66 --helo relay.c.example \
    --from ceo@a.example --to m1@rcpt.example,m2@rcpt.example,m5@rcpt.example \
    --data "$T/spoof.eml"
reply=$(smtp_final_reply "$T/smtp4")
case $reply in 250*) true ;; *) false ;; esac
check "quarantine-accepted-held" $? "reply: $reply; $(tail -5 "$T/smtp4")"
log_since "$MILTER_LOG" "$off" | grep -aF '{"qid"' | grep -avF '"why":"trusted"' | sed 's/^[^{]*//' \
    >"$T/json2"
jq -e '.verdict == "quarantine" and .why == "dmarc-fail" and
    .policy == "reject" and .action == "quarantine" and .rcpts == 3' \
    "$T/json2" >/dev/null 2>&1
check "json-why-policy-action-distinct" $? "$(cat "$T/json2")"
scrape "$T/u1"
want "quarantine+1" "$T/u0" "$T/u1" \
    'authmilter_messages_total{verdict="quarantine"}' 1

# DNS down: the failed queries are counted by outcome, the message
# tempfailed (on_dns_error)
dns_stop
send_mail "$T/smtp5" --addr 203.0.113.66 --helo relay.c.example \
    --from x@down-metrics.example --to m1@rcpt.example --data "$T/nx.eml"
reply=$(smtp_final_reply "$T/smtp5")
case $reply in 4*) true ;; *) false ;; esac
check "dns-down-tempfail" $? "reply: $reply"
scrape "$T/u2"
promcheck "$T/u2"
check "promtool-dns-down" $? "$(cat "$T/promtool.out")"
d=$(awk '/^authmilter_dns_queries_total/ && /outcome="(servfail|timeout|error)"/ {
    s += $2 } END { print s + 0 }' "$T/u2")
[ "$d" -ge 1 ]
check "dns-failures-counted" $? "$(grep '^authmilter_dns_queries_total' "$T/u2")"
want "tempfail+1" "$T/u1" "$T/u2" \
    'authmilter_messages_total{verdict="tempfail"}' 1

postfix_set "smtpd_milters="
milter_stop 2>"$T/stop.err"
check "exit-phase2" $? "$(cat "$T/stop.err")"
exit 0
