#!/bin/bash
# hard.sh - hardening (issue 14 items 1, 2, 3, 5) across the wire (TAP)
#
#   test-harness/suites/hard.sh [headers] [limits] [budget] [outage]
#
# A real NSD, a real Postfix and build/san/authmilter on loopback (the
# integration harness's lib.sh), plus the small tools in suites/hard/:
#
#   headers  header fields with a bare CR, bare LF or NUL: through the
#            milter protocol directly (mproto.py) and through Postfix
#            with the bytes sent as they are (rawsmtp.py, no fix-up)
#   limits   milter.max_connections: connections beyond it are
#            tempfailed at connect and logged; stalled connections (half
#            a packet, then silence) are dropped after milter.timeout;
#            then the daemon takes mail again
#   budget   a black-holed resolver (blackhole.py reads queries, never
#            answers): the message gets its 451 and the log shows the
#            message budget ran out
#   outage   NSD hung with SIGSTOP long enough for libunbound to mark it
#            down, then resumed: "resolver down", every message 451
#            during the hang, "resolver back", and mail judged normally
#            again (bounded polling; the recovery time is printed)
#
# Every message asks DNS names it alone uses (NAME.w.example, a wildcard
# with an SPF and a DMARC record), so no answer comes from a cache.
# Nothing asserts a time: waits are bounded polls.
set -u
cd "$(dirname "$0")/../.." || exit 1
. test-harness/integration/lib.sh
HD=$REPO_ROOT/test-harness/suites/hard
BH_PID=""
HOLD_PID=""

n_fail=0
check() {	# check NAME STATUS [DETAIL]
	if [ "$2" -eq 0 ]; then echo "ok - hard/$1"
	else echo "not ok - hard/$1"; n_fail=$((n_fail + 1))
		[ -n "${3:-}" ] && printf '%s\n' "$3" | sed 's/^/# /'
	fi
}

# tree_pids PID - PID and all its descendants (NSD serves from a
#	grandchild: main -> xfrd -> server)
tree_pids() {
	local c

	echo "$1"
	for c in $(pgrep -P "$1"); do
		tree_pids "$c"
	done
}

cleanup() {
	[ -n "$HOLD_PID" ] && kill "$HOLD_PID" 2>/dev/null
	[ -n "$BH_PID" ] && kill "$BH_PID" 2>/dev/null
	[ -n "$NSD_PID" ] && kill -CONT $(tree_pids "$NSD_PID") 2>/dev/null
	it_teardown
}

it_init || exit 1
trap cleanup EXIT
PF_MAILBOXES="ok"
cat >"$T/example.zone" <<'EOF'
$ORIGIN example.
$TTL 300
@	SOA	ns hostmaster 1 3600 600 86400 300
@	NS	ns
ns	A	127.0.0.1
; every NAME.w.example: SPF for the test client, DMARC p=reject
*.w	TXT	"v=spf1 ip4:203.0.113.0/24 -all"
*.w	TXT	"v=DMARC1; p=reject"
EOF
dns_start "$T/example.zone" || { echo "not ok - hard/setup: nsd"; exit 1; }
MILTER_PORT=$(free_port)
postfix_start "inet:127.0.0.1:$MILTER_PORT" ||
    { echo "not ok - hard/setup: postfix"; exit 1; }

# conf FILE NAMESERVERS DNS-TIMEOUT MILTER-GROUP [LINE...]
conf() {
	local f=$1 ns=$2 to=$3 mg=$4

	shift 4
	{
		echo "socket = \"inet:$MILTER_PORT@127.0.0.1\";"
		echo 'authserv_id = "mx.test.example";'
		echo "dns = { nameservers = \"$ns\"; timeout = $to; $DNS_EXTRA };"
		echo "milter = { $mg };"
		printf '%s\n' "$@"
	} >"$f"
}
DNS_EXTRA=""

# start CONF - (re)start authmilter with CONF
start() {
	milter_stop >/dev/null 2>&1
	milter_start "$1" || { echo "not ok - hard/setup: authmilter $1"; exit 1; }
}

# send N [FILE] - one message from NAME.w.example through Postfix; the
#	final reply. FILE: send its bytes as they are (rawsmtp.py).
seq_n=0
send() {
	local n=$1 f=${2:-}

	if [ -z "$f" ]; then
		f="$T/msg.$n"
		printf 'From: <u@n%s.w.example>\r\nTo: <ok@rcpt.example>\r\nSubject: hard %s\r\nMessage-ID: <%s@test.example>\r\n\r\nhello\r\n' \
		    "$n" "$n" "$n" >"$f"
	fi
	"$PY" "$HD/rawsmtp.py" "$SMTP_PORT" 203.0.113.5 mail.w.example \
	    "u@n$n.w.example" ok@rcpt.example "$f" 2>&1 | tail -1
}

# log_has TEXT - the milter log has TEXT (fixed string)
log_has() {
	grep -qF -- "$1" "$MILTER_LOG"
}

# ------------------------------------------------------------ headers ---
t_headers() {
	local r f

	conf "$T/h.conf" "127.0.0.1@$DNS_PORT" 2000 ""
	start "$T/h.conf"
	"$PY" "$HD/mproto.py" headers "$MILTER_PORT" | while IFS= read -r l; do
		echo "$l"
	done | tee "$T/proto.tap"
	grep -q '^not ok' "$T/proto.tap" && n_fail=$((n_fail + 1))

	r=$(send hdr0)
	case $r in 250\ *) st=0 ;; *) st=1 ;; esac
	check postfix-clean-accepted $st "reply: $r"

	# a bare CR in Subject, bytes as they are: Postfix's cleanup turns
	# it into a space before any milter sees the field (so these bytes
	# are tested through the milter protocol above)
	f="$T/cr.eml"
	printf 'From: <u@nhdr1.w.example>\r\nTo: <ok@rcpt.example>\r\nSubject: report\rFrom: <ceo@a.example>\r\nMessage-ID: <hdr1@test.example>\r\n\r\nhello\r\n' >"$f"
	r=$(send hdr1 "$f")
	qid=${r##* }
	case $r in 250\ *) st=0 ;; *) st=1 ;; esac
	check postfix-bare-cr-passed-on-normalised $st "reply: $r"
	poll 10 eval 'grep -lq "hdr1@test.example" "$PF_DIR"/mail/ok/new/* 2>/dev/null'
	got=$(grep -l "hdr1@test.example" "$PF_DIR"/mail/ok/new/* 2>/dev/null | head -1)
	[ -n "$got" ] && grep -a "^Subject:" "$got" | grep -q "report From:" &&
	    ! grep -a "^Subject:" "$got" | grep -q $'\r'
	check postfix-bare-cr-became-space $? "$(grep -a "^Subject:" "$got" 2>/dev/null | od -c | head -3)"
	! grep -F "$qid: header:" "$MILTER_LOG" >/dev/null
	check postfix-bare-cr-not-seen-by-milter $?

	# a bare LF: Postfix ends the header line there, so the milter gets
	# two proper fields (here a second From:, refused as such)
	printf 'From: <u@nhdr2.w.example>\r\nTo: <ok@rcpt.example>\r\nSubject: report\nFrom: <ceo@a.example>\r\n\r\nhello\r\n' >"$f"
	r=$(send hdr2 "$f")
	echo "# through Postfix, a bare LF in Subject: $r"
	case $r in 5*) st=0 ;; *) st=1 ;; esac
	check postfix-bare-lf-refused $st "reply: $r"

	# a NUL: Postfix drops the rest of the line; the milter never sees it
	printf 'From: <u@nhdr3.w.example>\r\nTo: <ok@rcpt.example>\r\nSubject: report\0From: <ceo@a.example>\r\n\r\nhello\r\n' >"$f"
	r=$(send hdr3 "$f")
	echo "# through Postfix, a NUL in Subject: $r"
	case $r in 250\ *|550\ *) st=0 ;; *) st=1 ;; esac
	check postfix-nul-defined-verdict $st "reply: $r"
	milter_alive
	check headers-daemon-alive $?

	conf "$T/ht.conf" "127.0.0.1@$DNS_PORT" 2000 "" \
	    'on_bad_header_bytes = "tag";'
	start "$T/ht.conf"
	"$PY" "$HD/mproto.py" headers-tag "$MILTER_PORT" | tee "$T/tag.tap"
	grep -q '^not ok' "$T/tag.tap" && n_fail=$((n_fail + 1))
	log_has "HARDTAG: header: field=Subject bytes=bare-cr verdict=tag"
	check proto-tag-logged $? "$(tail -3 "$MILTER_LOG")"
}

# ------------------------------------------------------------- limits ---
t_limits() {
	local i n r fifo="$T/hold.in"

	conf "$T/l.conf" "127.0.0.1@$DNS_PORT" 2000 \
	    "max_connections = 4; timeout = 3;"
	start "$T/l.conf"
	mkfifo "$fifo"
	"$PY" "$HD/mproto.py" hold "$MILTER_PORT" 4 <"$fifo" >"$T/hold.out" &
	HOLD_PID=$!
	exec 7>"$fifo"			# keeps the held connections open
	poll 20 eval '[ "$(grep -c "^c$" "$T/hold.out")" -eq 4 ]'
	check cap-4-connections-served $? "$(cat "$T/hold.out")"

	r=$("$PY" "$HD/mproto.py" connect "$MILTER_PORT" 2>&1)
	[ "$r" = t ]
	check cap-fifth-tempfailed-at-connect $? "connect reply: $r"
	poll 10 log_has "connect: refused ip=203.0.113.66 open=4 max=4"
	check cap-refusal-logged $? "$(tail -3 "$MILTER_LOG")"

	# 200 connections that send half a packet and stall: every one is
	# dropped by libmilter's I/O timeout (milter.timeout = 3 s)
	n=$("$PY" "$HD/mproto.py" stall "$MILTER_PORT" 200 120 2>&1)
	[ "$n" = 200 ]
	check stalled-connections-dropped $? "dropped: $n of 200"

	# the held ones stall too: dropped, their slots free again
	exec 7>&-
	wait "$HOLD_PID" 2>/dev/null
	HOLD_PID=""
	poll 30 eval '[ "$("$PY" "$HD/mproto.py" connect "$MILTER_PORT" 2>&1)" = c ]'
	check cap-slots-freed $?

	r=$(send lim1)
	case $r in 250\ *) st=0 ;; *) st=1 ;; esac
	check limits-daemon-responsive $st "reply: $r; $(tail -3 "$MILTER_LOG")"
	rm -f "$fifo"
}

# ------------------------------------------------------------- budget ---
t_budget() {
	local bh r

	bh=$(free_port)
	"$PY" "$HD/blackhole.py" "$bh" >"$T/bh.out" 2>&1 &
	BH_PID=$!
	poll 10 grep -q ready "$T/bh.out"
	DNS_EXTRA="message_budget = 3000;"
	conf "$T/b.conf" "127.0.0.1@$bh" 2000 ""
	DNS_EXTRA=""
	start "$T/b.conf"
	r=$(send bud1)
	case $r in 451\ *) st=0 ;; *) st=1 ;; esac
	check budget-blackhole-451 $st "reply: $r"
	log_has "dns: message budget of 3000ms spent; undecided checks are temperror"
	check budget-expiry-logged $? "$(tail -5 "$MILTER_LOG")"
	grep -F "verdict=tempfail why=dns-temp" "$MILTER_LOG" | grep -q nbud1
	check budget-verdict-given $? "$(tail -3 "$MILTER_LOG")"

	# libopendkim fetches the keys at end of header: that wait is the
	# message's too. Monitor mode delivers the message, so its A-R shows
	# why the key lookup failed: the budget (spent at MAIL on the PTR
	# wait, or cut at end of header), never a full dns.timeout of its own
	DNS_EXTRA="message_budget = 1500;"
	conf "$T/b2.conf" "127.0.0.1@$bh" 2000 "" 'mode = "monitor";'
	DNS_EXTRA=""
	start "$T/b2.conf"
	f="$T/msg.bud2"
	printf 'DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=nbud2.w.example;\r\n s=sel; h=from:subject; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hGWSU=; b=AAAA\r\nFrom: <u@nbud2.w.example>\r\nTo: <ok@rcpt.example>\r\nSubject: hard bud2\r\nMessage-ID: <bud2@test.example>\r\n\r\n\r\n' >"$f"
	r=$(send bud2 "$f")
	case $r in 250\ *) st=0 ;; *) st=1 ;; esac
	check budget-monitor-delivered $st "reply: $r"
	poll 20 eval 'grep -l "^Message-ID: <bud2@" $(maildir_files ok@rcpt.example) >"$T/bud2.f" 2>/dev/null'
	tr -d '\r\n\t' <"$(head -1 "$T/bud2.f")" |
	    grep -q 'dkim=temperror (key lookup failed [^)]*budget'
	check budget-covers-key-fetch-at-eoh $? \
	    "$(grep -h -A8 "^Authentication-Results" "$(head -1 "$T/bud2.f")" 2>/dev/null)"
	kill "$BH_PID" 2>/dev/null
	wait "$BH_PID" 2>/dev/null
	BH_PID=""
}

# ------------------------------------------------------------- outage ---
t_outage() {
	local r i t0 t1 bad="" nsd_pids

	DNS_EXTRA="message_budget = 4000;"
	conf "$T/o.conf" "127.0.0.1@$DNS_PORT" 2000 ""
	DNS_EXTRA=""
	start "$T/o.conf"
	r=$(send out0)
	case $r in 250\ *) st=0 ;; *) st=1 ;; esac
	check outage-before-accepted $st "reply: $r"

	nsd_pids=$(tree_pids "$NSD_PID" | tr '\n' ' ')
	kill -STOP $nsd_pids
	t0=$SECONDS
	i=0
	# hang at least 45 s (libunbound's defaults: 26 s to recover after
	# 60 s), and until the down line is logged
	while [ $((SECONDS - t0)) -lt 45 ] || ! log_has "dns: resolver down:"; do
		i=$((i + 1))
		r=$(send "hang$i")
		case $r in 451\ *) ;; *) bad="$bad hang$i: $r;" ;; esac
		[ $i -ge 60 ] && break
		sleep 1
	done
	check outage-hang-451-only "$([ -z "$bad" ]; echo $?)" "$bad"
	log_has "dns: resolver down:"
	check outage-down-logged $? "$(tail -3 "$MILTER_LOG")"
	echo "# resolver hung for $((SECONDS - t0)) s, $i messages sent"

	kill -CONT $nsd_pids
	t1=$SECONDS
	i=0
	st=1
	while [ $i -lt 30 ]; do
		i=$((i + 1))
		r=$(send "back$i")
		case $r in 250\ *) st=0; break ;; esac
		sleep 1
	done
	check outage-mail-accepted-again $st "last reply: $r"
	echo "# first accepted message $((SECONDS - t1)) s after the resolver resumed (attempt $i)"
	poll 10 log_has "dns: resolver back:"
	check outage-back-logged $? "$(tail -3 "$MILTER_LOG")"
	[ "$(grep -c "dns: resolver down:" "$MILTER_LOG")" -ge 1 ] &&
	    [ "$(grep -n "dns: resolver down:" "$MILTER_LOG" | tail -1 | cut -d: -f1)" -lt \
	    "$(grep -n "dns: resolver back:" "$MILTER_LOG" | tail -1 | cut -d: -f1)" ]
	check outage-down-before-back $?
}

what=${*:-headers limits budget outage}
for w in $what; do
	"t_$w"
done
milter_stop 2>"$T/stop.err"
check daemon-exit-clean $? "$(cat "$T/stop.err")"
exit $((n_fail > 0))
