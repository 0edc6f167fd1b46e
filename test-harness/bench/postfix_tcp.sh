#!/bin/bash
# postfix_tcp.sh - per-message time through a real Postfix, milter over TCP vs unix
#
# SYNOPSIS
#	test-harness/bench/postfix_tcp.sh [--smoke] [--messages N]
#	    [--sessions S] [--setups "authmilter null null-a null-n"] [--keep]
#
# DESCRIPTION
#	A loopback Postfix (test-harness/integration/lib.sh: own config and
#	queue under a temp dir, smtpd on 127.0.0.1 on a free port) and NSD
#	with the benchmark zone. Postfix's smtp-source sends N copies of one
#	DKIM-signed message (genmsgs.py's postfix.eml), one message per SMTP
#	session, S sessions at a time (default 1), through each milter set-up
#	in turn:
#
#	    no milter                the floor
#	    authmilter               over inet (127.0.0.1) and over unix
#	    null                     the do-nothing milter, every step answered
#	    null-a                   the same, adding one header at end of
#	                             message (two reply packets, as a milter
#	                             that adds Authentication-Results)
#	    null-n                   negotiating no-reply for every step
#
#	and prints the wall time per message (smtp-source's elapsed time / N,
#	after a warm-up of 5 messages) and its ratio TCP/unix. A TCP figure
#	near 40 ms or 80 ms more than its unix twin is Nagle's algorithm on
#	one side meeting delayed ACKs on the other.
#
#	A set-up "ok"s when every message was accepted (smtp-source exits 0
#	and the milter is still alive). Nothing asserts a time.
#
# ENVIRONMENT
#	AUTHMILTER	authmilter binary (default: make build/authmilter)
#	MILTER_PRELOAD	an LD_PRELOAD for the milters (measurement shims)
#	IT_KEEP		keep the temp dir (as --keep)
set -u

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH_DIR/../.." && pwd)
LIB=$REPO/test-harness/integration/lib.sh

N=200
S=1
SMOKE=0
SETUPS="authmilter null null-a null-n"
while [ $# -gt 0 ]; do
	case $1 in
	--smoke) SMOKE=1; N=10 ;;
	--messages) N=$2; shift ;;
	--sessions) S=$2; shift ;;
	--setups) SETUPS=$2; shift ;;
	--keep) IT_KEEP=1; export IT_KEEP ;;
	-h|--help) sed -n '2,/^set -u/p' "$0" | sed 's/^# \{0,1\}//;$d'; exit 0 ;;
	*) echo "postfix_tcp.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done

[ -f "$LIB" ] || { echo "postfix_tcp.sh: needs $LIB" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "postfix_tcp.sh: needs root (Postfix)" >&2; exit 2; }
command -v smtp-source >/dev/null || { echo "postfix_tcp.sh: needs smtp-source (postfix)" >&2; exit 2; }

# lib.sh's authmilter default is the sanitizer build; we want ours
AUTHMILTER=${AUTHMILTER:-}
want_build=0
[ -n "$AUTHMILTER" ] || { want_build=1; AUTHMILTER=$REPO/build/authmilter; }
# shellcheck source=../integration/lib.sh
. "$LIB"

MPIDS=""
NULLPIDS=""
NPASS=0
NFAIL=0

# stop_milters - the milters we started, by pid; the do-nothing milter
#	gets SIGKILL (libmilter takes ~5 s to honour SIGTERM; no state is lost)
stop_milters() {
	local p

	for p in $MPIDS; do
		case " $NULLPIDS " in
		*" $p "*) kill -KILL "$p" 2>/dev/null ;;
		*) stop_pid "$p" milter >/dev/null 2>&1 ;;
		esac
		wait "$p" 2>/dev/null
	done
	MPIDS=""
	NULLPIDS=""
}

it_init || exit 1
trap 'stop_milters; it_teardown' EXIT

mkdir -p "$T/bin" "$T/sock" "$T/log"
chmod 755 "$T/sock"
if [ $want_build = 1 ]; then
	make -C "$REPO" build/authmilter >"$T/log/build.log" 2>&1 ||
	    { tail -20 "$T/log/build.log" >&2; echo "postfix_tcp.sh: make failed" >&2; exit 1; }
fi
gcc -O2 -Wall -o "$T/bin/nullmilter" "$BENCH_DIR/nullmilter.c" -lmilter -lpthread ||
    exit 1
"$PY" "$BENCH_DIR/genmsgs.py" "$T/gen" --std 0 --per-set 0 --sizes "" \
    --sigs "" >"$T/log/gen.log" 2>&1 || { cat "$T/log/gen.log" >&2; exit 1; }

dns_start "$T/gen/example.zone" || exit 1
PF_MAILBOXES=user
postfix_start "" || exit 1
MPORT=$(free_port) || exit 1

# milter_run KIND TRANSPORT - start one milter; sets PF_MILTER (Postfix syntax)
milter_run() {
	local kind=$1 tr=$2 sock pid

	if [ "$tr" = inet ]; then
		sock="inet:$MPORT@127.0.0.1"
		PF_MILTER="inet:127.0.0.1:$MPORT"
	else
		sock="unix:$T/sock/m.sock"
		PF_MILTER="unix:$T/sock/m.sock"
		rm -f "$T/sock/m.sock"
	fi
	case $kind in
	authmilter)
		cat >"$T/am.conf" <<EOF
socket = "$sock";
authserv_id = "mx.bench.example";
trusted_networks = [ ];
dns = { nameservers = "127.0.0.1@$DNS_PORT"; timeout = 5000; };
EOF
		# umask 0: smtpd runs as postfix and must connect to the socket
		(umask 0; LD_PRELOAD=${MILTER_PRELOAD:-} exec "$AUTHMILTER" -f \
		    -c "$T/am.conf") </dev/null >>"$T/log/milter.log" 2>&1 &
		;;
	null*)
		local flags=${kind#null}

		# shellcheck disable=SC2086
		(umask 0; LD_PRELOAD=${MILTER_PRELOAD:-} exec "$T/bin/nullmilter" \
		    -p "$sock" ${flags:+-${flags#-}}) </dev/null \
		    >>"$T/log/milter.log" 2>&1 &
		NULLPIDS="$NULLPIDS $!"
		;;
	esac
	pid=$!
	MPIDS="$MPIDS $pid"
	MPID=$pid
	if [ "$tr" = inet ]; then
		poll 10 eval 'proc_alive $pid && tcp_accepts $MPORT'
	else
		poll 10 eval 'proc_alive $pid && [ -S "$T/sock/m.sock" ]'
	fi
}

# send N - smtp-source, one message per session; prints seconds elapsed
send() {
	local t0 t1

	t0=$(date +%s.%N)
	smtp-source -s "$S" -m "$1" -F "$T/gen/postfix.eml" -f b@lo.example \
	    -t user@rcpt.example -M client.test.example \
	    "127.0.0.1:$SMTP_PORT" >>"$T/log/smtp-source.log" 2>&1 || return 1
	t1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }'
}

declare -A MS
ROWS=()
# one KIND TRANSPORT - one set-up: warm up, measure, record
one() {
	local kind=$1 tr=$2 secs ok=1 label

	label="$kind${tr:+ ($tr)}"
	if [ "$kind" != none ]; then
		milter_run "$kind" "$tr" || ok=0
		postfix_set "smtpd_milters=$PF_MILTER"
	else
		postfix_set "smtpd_milters="
	fi
	sleep 0.5
	if [ $ok = 1 ] && send 5 >/dev/null && secs=$(send "$N"); then
		MS[$kind/$tr]=$(awk -v s="$secs" -v n="$N" 'BEGIN { printf "%.2f", s * 1000 / n }')
	else
		ok=0
		MS[$kind/$tr]=-
	fi
	[ "$kind" = none ] || proc_alive "$MPID" || ok=0
	stop_milters
	if [ $ok = 1 ]; then
		echo "ok - bench/postfix/$kind/${tr:-direct}"
		NPASS=$((NPASS + 1))
	else
		echo "not ok - bench/postfix/$kind/${tr:-direct}"
		NFAIL=$((NFAIL + 1))
	fi
}

echo "# Postfix on 127.0.0.1:$SMTP_PORT, $N messages, $S session(s) at a time${MILTER_PRELOAD:+, milters run with LD_PRELOAD=$MILTER_PRELOAD}"
one none ""
for k in $SETUPS; do
	one "$k" unix
	one "$k" inet
done

echo
echo "## Through Postfix: wall time per message (smtp-source -s $S, one message per session, $N messages)"
echo
echo "| milter | unix ms/msg | inet ms/msg | inet - unix ms | inet / unix |"
echo "|---|---|---|---|---|"
echo "| none | ${MS[none/]} | | | |"
for k in $SETUPS; do
	u=${MS[$k/unix]}
	i=${MS[$k/inet]}
	echo "| $k | $u | $i | $(awk -v a="$i" -v b="$u" 'BEGIN { if (a == "-" || b == "-") print "-"; else printf "%.2f", a - b }') | $(awk -v a="$i" -v b="$u" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f", a / b }') |"
done
echo
echo "1..$((NPASS + NFAIL))"
echo "$NPASS passed, $NFAIL failed"
[ "$NFAIL" = 0 ]
