#!/bin/bash
# policy_reload.sh - a reload (SIGUSR1) changes a policy rule without a
# restart, across the wire: real NSD, Postfix and authmilter on loopback
# (test-harness/integration/lib.sh). A rule refuses a sender at MAIL;
# after the file is changed and SIGUSR1 sent, the same process tags the
# same sender's message instead, and a bad policy on reload keeps the
# running rules. TAP lines "policy_reload/NAME".
set -u
. "$(dirname "$0")/../integration/lib.sh"

n_fail=0
check() {	# check NAME STATUS [DETAIL]
	if [ "$2" -eq 0 ]; then echo "ok - policy_reload/$1"
	else echo "not ok - policy_reload/$1"; n_fail=$((n_fail + 1))
		[ -n "${3:-}" ] && printf '%s\n' "$3" | sed 's/^/# /'
	fi
}
if [ "$(id -u)" -ne 0 ] || ! command -v postfix >/dev/null ||
    ! command -v nsd >/dev/null || [ ! -x "$AUTHMILTER" ]; then
	echo "not ok - policy_reload/setup: needs root, postfix, nsd, $AUTHMILTER"
	exit 1
fi
it_init || exit 1

cat >"$T/example.zone" <<'ZONE'
$ORIGIN example.
$TTL 300
@	SOA	ns hostmaster 1 3600 600 86400 300
@	NS	ns
ns	A	127.0.0.1
ZONE
printf 'From: <news@reload.example>\nTo: <reload@rcpt.example>\nSubject: reload\nDate: Sat, 05 Dec 2026 10:00:00 +0000\nMessage-ID: <reload.1@test.example>\n\nHello.\n' >"$T/msg.eml"
dns_start "$T/example.zone" 2>"$T/setup.err" &&
    MILTER_PORT=$(free_port) && PF_MAILBOXES=reload &&
    postfix_start "inet:127.0.0.1:$MILTER_PORT" 2>>"$T/setup.err"
check setup $? "$(cat "$T/setup.err" 2>/dev/null)"

# conf RULE-ACTION - the configuration with one rule on the sender
conf() {
	cat <<CONF
socket = "inet:$MILTER_PORT@127.0.0.1";
authserv_id = "mx.test.example";
dns = { nameservers = "127.0.0.1@$DNS_PORT"; timeout = 2000; };
policy = (
  { name = "reload-$1"; mail_from_domain = ["reload.example"];
    action = "$1"; }
);
CONF
}

# send - one message from a client the rules do not trust
send() {
	send_mail "$T/smtp" --addr 203.0.113.66 --helo relay.c.example \
	    --from news@reload.example --to reload@rcpt.example \
	    --data "$T/msg.eml"
	smtp_final_reply "$T/smtp"
}

conf reject >"$T/a.conf"
milter_start "$T/a.conf" 2>"$T/start.err"
check start $? "$(cat "$T/start.err")"
pid=$MILTER_PID

reply=$(send)
case $reply in 550\ 5.7.1\ *reload-reject*) st=0 ;; *) st=1 ;; esac
check before-reload-refused $st "$reply"

off=$(log_size "$MILTER_LOG")
conf tag >"$T/a.conf"
kill -USR1 "$pid"
poll 10 eval 'log_since "$MILTER_LOG" $off | grep -q "reload: $T/a.conf loaded"'
check reload-logged $? "$(log_since "$MILTER_LOG" "$off" | tail -3)"

reply=$(send)
qid=$(smtp_queue_id "$T/smtp")
f=$(maildir_wait reload@rcpt.example)
[ "${reply%% *}" = 250 ] && [ -n "$f" ] &&
    grep -q "^X-Authmilter-Verdict: fail (why=rule; rule=reload-tag;" "$f" &&
    log_since "$MILTER_LOG" "$off" | grep -q "$qid: verdict=tag why=rule"
check after-reload-tagged $? "reply: $reply; $(log_since "$MILTER_LOG" "$off" | tail -3)"
[ "$MILTER_PID" = "$pid" ] && proc_alive "$pid"
check same-process $?

# a reload with a broken rule keeps the rules that run
off=$(log_size "$MILTER_LOG")
sed 's/action = "tag"/action = "drop"/' "$T/a.conf" >"$T/b.conf" &&
    cat "$T/b.conf" >"$T/a.conf"
kill -USR1 "$pid"
poll 10 eval 'log_since "$MILTER_LOG" $off | grep -q "keeping the running configuration"'
st=$?
log_since "$MILTER_LOG" "$off" | grep -q "a.conf:6: policy: rule \"reload-tag\": action: want accept"
check bad-reload-kept "$((st + $?))" "$(log_since "$MILTER_LOG" "$off" | tail -3)"
reply=$(send)
[ "${reply%% *}" = 250 ]
check bad-reload-rules-still-run $? "$reply"

milter_stop 2>"$T/stop.err"
check clean-exit $? "$(cat "$T/stop.err")"
[ "$n_fail" -eq 0 ]
