#!/bin/bash
# run.sh - the core verdict cases through a real Sendmail (TAP)
#
# SYNOPSIS
#	test-harness/sendmail/run.sh [CASE...]
#
# DESCRIPTION
#	Debian's sendmail-bin cannot be installed beside Postfix, so its
#	package (with sendmail-base and sendmail-cf) is unpacked with dpkg -x
#	into the run's temp dir (the .deb files are fetched once with
#	apt-get download into build/sendmail-debs, by test-harness/deps.sh).
#	Nothing of the system's mail set-up is read or touched.
#
#	Sendmail has no XCLIENT, so the run happens inside a network
#	namespace of its own (ip netns), whose loopback also carries the
#	documentation addresses the cases send from (192.0.2.10,
#	203.0.113.66, ...); swaks binds its source address to the case's
#	client address and Sendmail sees a real TCP peer with that address.
#	NSD, authmilter (build/san) and Sendmail run in the namespace; the
#	namespace is removed on exit.
#
#	The cases are those of test-harness/integration/cases named below
#	(their send, msg.eml, zone, conf and expect files; it.py checks the
#	expectations), plus Sendmail's own: the queue id of the 250 reply is
#	the one in authmilter's log line (Sendmail gives the milter the "i"
#	macro at end of message only when confMILTER_MACROS_EOM lists it),
#	and a quarantined message sits in Sendmail's quarantine (mailq -qQ),
#	not in the delivery queue.
#
#	Each case prints one TAP line; "sendmail/setup" fails them all when
#	something could not be started.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
CASES_DEFAULT="spf_pass spf_fail dkim_pass_rsa2048 dkim_pass_ed25519
dmarc_pass_spf dmarc_reject dmarc_quarantine forged_ar multiple_from
trusted_client
dns_down"

if [ "${1:-}" != --inside ]; then
	[ "$(id -u)" -eq 0 ] || { echo "not ok - sendmail/setup: needs root"; exit 1; }
	debs="$ROOT/build/sendmail-debs"
	if ! ls "$debs"/sendmail-bin_*.deb >/dev/null 2>&1; then
		# unpacked, never installed (they conflict with Postfix)
		mkdir -p "$debs" && (cd "$debs" && { apt-get download \
		    sendmail-bin sendmail-base sendmail-cf >/dev/null 2>&1 ||
		    { apt-get update -qq >/dev/null 2>&1 && apt-get download \
		    sendmail-bin sendmail-base sendmail-cf >/dev/null 2>&1; }; }) ||
		    { echo "not ok - sendmail/setup: cannot fetch sendmail debs"; exit 1; }
	fi
	NS="amsm$$"
	ip netns add "$NS" || { echo "not ok - sendmail/setup: ip netns add"; exit 1; }
	trap 'ip netns del "$NS" 2>/dev/null' EXIT
	ip netns exec "$NS" bash "$0" --inside "$@"
	exit $?
fi
shift

# ---------------------------------------------------------------- inside ---
ip link set lo up
for a in 192.0.2.10 192.0.2.77 203.0.113.66 198.51.100.20 198.51.100.25; do
	ip addr add "$a/32" dev lo
done
. "$ROOT/test-harness/integration/lib.sh"
CASES_DIR="$IT_DIR/cases"
SMTP_ADDR=198.51.100.25
n_fail=0

tap() {	# tap STATUS NAME [DETAIL-FILE]
	if [ "$1" -eq 0 ]; then echo "ok - sendmail/$2"; else
		echo "not ok - sendmail/$2"; n_fail=$((n_fail + 1))
		[ -n "${3:-}" ] && [ -s "$3" ] && sed 's/^/# /' "$3" | tail -40
	fi
}
setup_fail() {
	echo "not ok - sendmail/setup: $1"
	[ -n "${2:-}" ] && [ -s "$2" ] && sed 's/^/# /' "$2" | tail -30
	exit 1
}

mapfile -t CASES < <(if [ $# -gt 0 ]; then printf '%s\n' "$@"; else
    printf '%s\n' $CASES_DEFAULT; fi)
it_init || exit 1

# --- the DNS zone, keys and authmilter --------------------------------------
"$IT_DIR/mkkeys.sh" "$T/keys" 2>"$T/err" || setup_fail mkkeys "$T/err"
mkdir -p "$T/dns"
dirs=()
for c in "${CASES[@]}"; do dirs+=("$CASES_DIR/$c"); done
"$PY" "$IT_DIR/it.py" zone "$IT_DIR/zones/example.zone" "$T/keys" \
    "$T/dns/example.zone" "${dirs[@]}" 2>"$T/err" || setup_fail zone "$T/err"
dns_start "$T/dns/example.zone" 2>"$T/err" || setup_fail nsd "$T/err"
MILTER_PORT=$(free_port) || setup_fail port
SMTP_PORT=$(free_port) || setup_fail port

# --- Sendmail, unpacked and configured under $T/sm -----------------------------
SM="$T/sm"
mkdir -p "$SM/root" "$SM/etc" "$SM/mqueue" "$SM/mail"
for d in "$ROOT"/build/sendmail-debs/sendmail-*.deb; do
	dpkg -x "$d" "$SM/root" || setup_fail "dpkg -x $d"
done
BIN="$SM/root/usr/libexec/sendmail"
CF="$SM/root/usr/share/sendmail/cf"
SENDMAIL="$BIN/sendmail"
chmod 700 "$SM/mqueue"
chmod 1777 "$SM/mail"
cp "$SM/root/etc/mail/helpfile" "$SM/etc/helpfile" 2>/dev/null || : >"$SM/etc/helpfile"
: >"$SM/etc/statistics"
printf 'hosts files\naliases files\n' >"$SM/etc/service.switch"
printf '127.0.0.1 localhost mx.sm.example\n' >"$SM/etc/hosts"
# every case's recipient goes through the deliver program into a maildir
printf '#!/bin/sh\n# deliver LOCALPART - a message on stdin into %s/mail/LOCALPART/\n# (without the mbox "From " line the local mailer adds)\nmkdir -p "%s/mail/$1" && sed "1{/^From /d}" >"%s/mail/$1/$$.$(date +%%s%%N).eml"\n' \
    "$SM" "$SM" "$SM" >"$SM/deliver"
chmod 755 "$SM/deliver"
: >"$SM/etc/aliases"
for c in "${CASES[@]}"; do
	printf '%s: "|%s %s"\n' "$c" "$SM/deliver" "$c" >>"$SM/etc/aliases"
done
printf 'postmaster: root\nMAILER-DAEMON: postmaster\n' >>"$SM/etc/aliases"
sed -e "s|@SM@|$SM|g" -e "s|@CF@|$CF|g" -e "s|@BIN@|$BIN|g" \
    -e "s|@SMTP_ADDR@|$SMTP_ADDR|g" -e "s|@SMTP_PORT@|$SMTP_PORT|g" \
    -e "s|@MILTER_PORT@|$MILTER_PORT|g" "$HERE/sendmail.mc.in" >"$SM/sendmail.mc"
m4 "$SM/sendmail.mc" >"$SM/sendmail.cf" 2>"$T/err" || setup_fail m4 "$T/err"
"$SENDMAIL" -C "$SM/sendmail.cf" -bi >"$T/err" 2>&1 || setup_fail newaliases "$T/err"

sm_start() {
	"$SENDMAIL" -C "$SM/sendmail.cf" -bd -q30m -L sm-test >"$SM/stderr" 2>&1
	poll 20 sh -c "ss -tln | grep -q '$SMTP_ADDR:$SMTP_PORT '"
}
sm_stop() {
	[ -f "$SM/sendmail.pid" ] && kill "$(head -1 "$SM/sendmail.pid")" 2>/dev/null
	rm -f "$SM/sendmail.pid"
}
trap 'sm_stop; it_teardown' EXIT
sm_start || setup_fail "sendmail does not listen" "$SM/stderr"

# milter_for CASE - authmilter with base.conf plus the case's conf lines
milter_for() {
	local over=- c=$1
	[ -f "$CASES_DIR/$c/conf" ] && over="$CASES_DIR/$c/conf"
	"$PY" "$IT_DIR/it.py" conf "$IT_DIR/base.conf" "$over" "$T/$c.conf" \
	    MILTER_PORT="$MILTER_PORT" DNS_PORT="$DNS_PORT" || return 1
	cmp -s "$T/$c.conf" "$T/cur.conf" && milter_alive && return 0
	milter_stop >/dev/null 2>&1
	cp "$T/$c.conf" "$T/cur.conf"
	milter_start "$T/cur.conf"
}

send_get() {	# send_get CASE KEY
	sed -n "s/^$2[ 	][ 	]*//p" "$CASES_DIR/$1/send" | head -1
}

# prepare CASE - the message, signed as the case's send file says
prepare() {
	local c=$1 cur="$T/$c.0" i=0 line key d s a cc kv
	sed -e "s/@RCPT@/$c@rcpt.example/g" -e "s/@CASE@/$c/g" \
	    "$CASES_DIR/$c/msg.eml" >"$cur"
	while read -r line; do
		case $line in
		sign\ *) ;;
		*) continue ;;
		esac
		key="" d="" s="" a=rsa-sha256 cc=relaxed/simple
		for kv in ${line#sign }; do
			case $kv in
			key=*) key=${kv#key=} ;; d=*) d=${kv#d=} ;;
			s=*) s=${kv#s=} ;; a=*) a=${kv#a=} ;; c=*) cc=${kv#c=} ;;
			esac
		done
		i=$((i + 1))
		"$PY" "$IT_DIR/sign.py" -k "$T/keys/$key.key" -d "$d" -s "$s" \
		    -a "$a" -c "$cc" "$cur" "$T/$c.$i" || return 1
		cur="$T/$c.$i"
	done <"$CASES_DIR/$c/send"
	cp "$cur" "$T/$c.eml"
}

# sm_queue_id OUT - the queue id of Sendmail's 250 reply to the data
sm_queue_id() {
	sed -n 's/^<-  250 2\.0\.0 \([0-9A-Za-z]*\) Message accepted.*/\1/p' "$1" | tail -1
}

# quarantined QID - the message is in Sendmail's quarantine (mailq -qQ)
quarantined() {
	"$SENDMAIL" -C "$SM/sendmail.cf" -bp -qQ 2>/dev/null | grep -q "^$1"
}

# qf_headers QID - the header fields of a queued message (qf H lines)
qf_headers() {
	"$PY" - "$(ls "$SM"/mqueue/[qh]f"$1" 2>/dev/null | head -1)" <<'PYEOF'
import re, sys
out = []
for line in open(sys.argv[1], errors="replace").read().split("\n"):
    if line.startswith("H"):
        out.append(re.sub(r"^H(\?[^?]*\?)?", "", line))
    elif line.startswith("\t") and out:
        out[-1] += " " + line.strip()
for h in out:
    print(h)
PYEOF
}

run_case() {
	local c=$1 client helo from st reply qid="" off f why d="$T/$c.d"
	mkdir -p "$d"
	: >"$d/headers"
	client=$(send_get "$c" client)
	helo=$(send_get "$c" helo)
	from=$(send_get "$c" mail-from)
	[ "$client" = local ] && client=127.0.0.1
	prepare "$c" 2>"$d/diag" || { tap 1 "$c" "$d/diag"; return; }
	grep -q '^dns[ 	]*stop' "$CASES_DIR/$c/send" && dns_stop
	milter_for "$c" 2>>"$d/diag" || { tap 1 "$c" "$d/diag"; return; }
	off=$(log_size "$MILTER_LOG")
	swaks --server "$SMTP_ADDR" --port "$SMTP_PORT" --local-interface "$client" \
	    --helo "${helo:-client.example}" --from "$from" --to "$c@rcpt.example" \
	    --data "@$T/$c.eml" --timeout 120 </dev/null >"$d/smtp" 2>&1
	reply=$(smtp_final_reply "$d/smtp") || reply=""
	echo "$reply" >"$d/reply"
	case $reply in
	250\ *)
		qid=$(sm_queue_id "$d/smtp")
		st=lost
		for _ in $(seq 100); do
			f=$(ls "$SM/mail/$c"/*.eml 2>/dev/null | head -1)
			if [ -n "$f" ]; then
				st=delivered
				msg_headers "$f" >"$d/headers"
				break
			fi
			if [ -n "$qid" ] && quarantined "$qid"; then
				st=held
				qf_headers "$qid" >"$d/headers"
				break
			fi
			sleep 0.1
		done ;;
	5*) st=refused ;;
	4*) st=tempfailed ;;
	*) st=broken ;;
	esac
	sleep 0.2
	log_since "$MILTER_LOG" "$off" >"$d/milter.log"
	why=$("$PY" "$IT_DIR/it.py" check "$CASES_DIR/$c/expect" --state "$st" \
	    --reply "$d/reply" --headers "$d/headers" --log "$d/milter.log" \
	    --smtp "$d/smtp" --authserv-id mx.test.example 2>&1)
	# Sendmail's own: the log line of the message names its queue id
	if [ "$st" = delivered ] || [ "$st" = held ]; then
		grep -q " $qid: verdict=" "$d/milter.log" ||
		    why="${why:+$why; }no log line with queue id $qid"
	fi
	if [ -z "$why" ]; then
		tap 0 "$c"
		return
	fi
	{ echo "$why"; echo "state $st reply $reply"; tail -15 "$d/milter.log"
	  grep -v '^ *[~<]\?-> ' "$d/smtp" | tail -15; cat "$d/headers"
	  tail -5 "$SM/stderr"; } >>"$d/diag"
	tap 1 "$c" "$d/diag"
}

for c in "${CASES[@]}"; do
	run_case "$c"
done

# F=T: with authmilter down, Sendmail tempfails; nothing is delivered
milter_stop >/dev/null 2>&1
[ -n "$NSD_PID" ] || dns_start "$T/dns/example.zone" 2>/dev/null
c=${CASES[0]}
swaks --server "$SMTP_ADDR" --port "$SMTP_PORT" --local-interface 192.0.2.10 \
    --helo mail.a.example --from alice@a.example --to "$c@rcpt.example" \
    --data "@$T/$c.eml" --timeout 120 </dev/null >"$T/down.smtp" 2>&1
n_before=$(ls "$SM/mail/$c" 2>/dev/null | wc -l)
reply=$(smtp_final_reply "$T/down.smtp")
sleep 1
[ "${reply%% *}" = 451 ] && [ "$(ls "$SM/mail/$c" 2>/dev/null | wc -l)" -eq "$n_before" ]
tap $? milter-down-tempfails "$T/down.smtp"
[ "$n_fail" -eq 0 ]
