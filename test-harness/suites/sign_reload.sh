#!/bin/bash
# sign_reload.sh - a reload (SIGUSR1) picks up a new signing key, across
# the wire (issue 10): real NSD, Postfix and authmilter on loopback
# (test-harness/integration/lib.sh). The key table names key k1; an
# authenticated submission is signed s=k1. The key table is changed to a
# new key and selector k2, SIGUSR1 sent, and the same process signs the
# next message s=k2; python3-dkim (asking the test NSD) verifies both.
# TAP lines "sign_reload/NAME".
set -u
. "$(dirname "$0")/../integration/lib.sh"
IT=$(cd "$(dirname "$0")/../integration" && pwd)

n_fail=0
check() {	# check NAME STATUS [DETAIL]
	if [ "$2" -eq 0 ]; then echo "ok - sign_reload/$1"
	else echo "not ok - sign_reload/$1"; n_fail=$((n_fail + 1))
		[ -n "${3:-}" ] && printf '%s\n' "$3" | sed 's/^/# /'
	fi
}
if [ "$(id -u)" -ne 0 ] || ! command -v postfix >/dev/null ||
    ! command -v nsd >/dev/null || [ ! -x "$AUTHMILTER" ]; then
	echo "not ok - sign_reload/setup: needs root, postfix, nsd, $AUTHMILTER"
	exit 1
fi
it_init || exit 1
k=$T/keys
mkdir -p "$k"

# two keys of sign.example, both published
"$AUTHMILTER" genkey sign.example k1 --dir "$k" >"$T/k1.txt" 2>"$T/setup.err" &&
    "$AUTHMILTER" genkey sign.example k2 --dir "$k" >"$T/k2.txt" \
    2>>"$T/setup.err" && {
	printf '$ORIGIN example.\n$TTL 300\n'
	printf '@ SOA ns hostmaster 1 3600 600 86400 300\n@ NS ns\nns A 127.0.0.1\n'
	cat "$T/k1.txt" "$T/k2.txt"
} >"$T/example.zone" &&
    dns_start "$T/example.zone" 2>>"$T/setup.err" &&
    MILTER_PORT=$(free_port) && PF_MAILBOXES=reload &&
    postfix_start "inet:127.0.0.1:$MILTER_PORT" 2>>"$T/setup.err"
check setup $? "$(cat "$T/setup.err" 2>/dev/null)"

printf 'From: <alice@sign.example>\nTo: <reload@rcpt.example>\nSubject: key reload\nDate: Sat, 05 Dec 2026 10:00:00 +0000\nMessage-ID: <reload.1@sign.example>\n\nHello.\n' >"$T/msg.eml"
printf 'k1\tsign.example:k1:%s\n' "$k/sign.example.k1.key" >"$k/KeyTable"
cat >"$T/a.conf" <<CONF
socket = "inet:$MILTER_PORT@127.0.0.1";
authserv_id = "mx.test.example";
skip_authenticated = true;
dns = { nameservers = "127.0.0.1@$DNS_PORT"; timeout = 2000; };
sign = { key_table = "$k/KeyTable"; };
CONF

# send_signed SELECTOR - one authenticated submission; its delivered
#	file is signed d=sign.example s=SELECTOR and python3-dkim verifies it
send_signed() {
	local reply f

	rm -f "$PF_DIR"/mail/reload/new/* 2>/dev/null
	send_mail "$T/smtp" --addr 203.0.113.66 --helo relay.c.example \
	    --login alice --from alice@sign.example --to reload@rcpt.example \
	    --data "$T/msg.eml"
	reply=$(smtp_final_reply "$T/smtp")
	f=$(maildir_wait reload@rcpt.example)
	if [ "${reply%% *}" != 250 ] || [ -z "$f" ]; then
		echo "reply: $reply; not delivered"
		return 1
	fi
	msg_headers "$f" | grep -i '^DKIM-Signature:' >"$T/sig"
	if [ "$(wc -l <"$T/sig")" -ne 1 ] ||
	    ! grep -q 'd=sign.example;' "$T/sig" ||
	    ! grep -q "s=$1;" "$T/sig"; then
		echo "want one signature s=$1: $(cat "$T/sig")"
		return 1
	fi
	(cd "$IT" && "$PY" -c 'import sys, dkimcheck
f = dkimcheck.check("dkim-verify", "1", sys.argv[1], sys.argv[2], None, None)
print("\n".join(f)); sys.exit(1 if f else 0)' "$f" "$DNS_PORT")
}

milter_start "$T/a.conf" 2>"$T/start.err"
check start $? "$(cat "$T/start.err")"
pid=$MILTER_PID

out=$(send_signed k1)
check before-reload-signed-k1 $? "$out"

off=$(log_size "$MILTER_LOG")
printf 'k2\tsign.example:k2:%s\n' "$k/sign.example.k2.key" >"$k/KeyTable"
kill -USR1 "$pid"
poll 10 eval 'log_since "$MILTER_LOG" $off | grep -q "reload: $T/a.conf loaded"'
check reload-logged $? "$(log_since "$MILTER_LOG" "$off" | tail -3)"

out=$(send_signed k2)
check after-reload-signed-k2 $? "$out"
[ "$MILTER_PID" = "$pid" ] && proc_alive "$pid"
check same-process $?

milter_stop 2>"$T/stop.err"
check clean-exit $? "$(cat "$T/stop.err")"
[ "$n_fail" -eq 0 ]
