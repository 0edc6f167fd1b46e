#!/bin/bash
# run.sh - integration tests: real NSD, Postfix and authmilter on 127.0.0.1
#
# SYNOPSIS
#	test-harness/integration/run.sh [CASE...]
#
# DESCRIPTION
#	Runs every case under cases/ (or the named ones) through a real
#	Postfix with build/san/authmilter as its milter and a real NSD
#	serving the zone "example.", and prints one TAP line per case:
#
#	  ok - integration/NAME
#	  not ok - integration/NAME: why
#	  # diagnostics
#
#	plus, for every authmilter process, "integration/exit:NAME" (NAME:
#	the first case it served): on SIGTERM it exited with status 0 and
#	no sanitizer report (LeakSanitizer reports at exit).
#
#	A case is a directory cases/NAME/ holding
#
#	  send		envelope and message preparation, one directive a line
#			("#" starts a comment line):
#			  client IP	   XCLIENT ADDR ("local": no XCLIENT, the
#					   client is 127.0.0.1 itself)
#			  helo NAME	   XCLIENT HELO and the EHLO after it
#			  login USER	   XCLIENT LOGIN (SASL-authenticated)
#			  mail-from ADDR   envelope sender, "<>" for null
#			  rcpt ADDR	   default NAME@rcpt.example; may repeat
#					   (all go in one transaction; the
#					   first is the one waited for, see
#					   rcpt-delivered in it.py for others)
#			  sign key=K d=D s=S [a=ALG] [c=H/B] [h=F:T:S] [l]
#					   DKIM-sign with mkkeys.sh key K
#					   (rsa2048 rsa1024 rsa512 ed25519
#					   attacker); in order; d= and s=
#					   take Python escapes (\x00)
#			  tamper OLD NEW   after signing, replace the first OLD
#					   in the body by NEW
#			  prepend FIELD	   add the header line FIELD (Python
#					   escapes: \t, \n for a fold, \x00)
#					   at the top, e.g. after signing
#			  append TEXT	   add the line TEXT (escapes) at the
#					   end of the body
#			  subject-tag TEXT put TEXT and a space at the start of
#					   the first Subject: value, as a
#					   mailing list does (after signing,
#					   it breaks the author signature)
#			  arc key=K d=D s=S srv-id=ID [n=N]
#					   prepend an ARC set sealed by D
#					   (sign.py --arc); in order; n=N:
#					   N sets, each cv=pass after the 1st
#			  dns stop	   stop NSD before sending (such cases
#					   run last)
#	  msg.eml	the message; @RCPT@ and @CASE@ are replaced
#	  expect	assertions, see it.py
#	  zone		optional: records added to the zone "example."
#			(relative names; @DKIM:K@ is key K's TXT rdata;
#			@REV:ADDR@ an address reversed; absolute names
#			under .arpa. go to the zone "arpa.", see it.py)
#	  conf		optional: "key = value;" lines over base.conf
#			(@KEYDIR@: the run's key directory, which also holds
#			tables/* with @KEYDIR@ filled in)
#
#	Cases sharing a configuration share one authmilter process.
#
# ENVIRONMENT
#	IT_KEEP=1	keep the temp dir (its path is printed)
#	IT_VERBOSE=1	say what is started
set -u

. "$(dirname "$0")/lib.sh"

CASES_DIR="$IT_DIR/cases"
ASID="mx.test.example"
n_ok=0
n_fail=0

tap_ok() {
	echo "ok - integration/$1"
	n_ok=$((n_ok + 1))
}

# tap_fail NAME WHY [DIAGFILE]
tap_fail() {
	echo "not ok - integration/$1: $2"
	[ -n "${3:-}" ] && [ -s "$3" ] && sed 's/^/# /' "$3"
	n_fail=$((n_fail + 1))
}

# diag FILE TITLE - append a titled excerpt of FILE to $CT/diag
diag() {
	[ -s "$1" ] || return 0
	echo "--- $2" >>"$CT/diag"
	tail -n "${3:-40}" "$1" >>"$CT/diag"
}

case_names() {
	local d

	if [ $# -gt 0 ]; then
		printf '%s\n' "$@"
		return
	fi
	for d in "$CASES_DIR"/*/; do
		[ -f "$d/expect" ] && basename "$d"
	done
}

# send_get KEY - value of the first "KEY value" line of the case's send
send_get() {
	sed -n "s/^$1[ 	][ 	]*//p" "$CASES_DIR/$C/send" 2>/dev/null |
	    head -1 | sed 's/[ 	]*$//'
}

case_rcpt() {
	local r

	C=$1 r=$(send_get rcpt)
	echo "${r:-$1@rcpt.example}"
}

# case_rcpts NAME - every recipient of the case, one a line
case_rcpts() {
	local r

	r=$(sed -n "s/^rcpt[ 	][ 	]*//p" "$CASES_DIR/$1/send" 2>/dev/null |
	    sed 's/[ 	]*$//')
	echo "${r:-$1@rcpt.example}"
}

case_stops_dns() {
	grep -q '^dns[ 	][ 	]*stop' "$CASES_DIR/$1/send" 2>/dev/null
}

# prepare_message - $CT/msg.eml from the case's msg.eml, signed, tampered
prepare_message() {
	local src="$CASES_DIR/$C/msg.eml" cur="$CT/msg.0" i=0 line
	local key d s a c h l kv n

	[ -f "$src" ] || { echo "no msg.eml" >&2; return 1; }
	sed -e "s/@RCPT@/$RCPT/g" -e "s/@CASE@/$C/g" "$src" >"$cur"
	while read -r line; do
		case $line in
		sign\ *)
			key="" d="" s="" a=rsa-sha256 c=relaxed/simple h="" l=""
			for kv in ${line#sign }; do
				case $kv in
				key=*) key=${kv#key=} ;;
				d=*) d=${kv#d=} ;;
				s=*) s=${kv#s=} ;;
				a=*) a=${kv#a=} ;;
				c=*) c=${kv#c=} ;;
				h=*) h=${kv#h=} ;;
				l) l=-l ;;
				*) echo "bad sign word $kv" >&2; return 1 ;;
				esac
			done
			i=$((i + 1))
			"$PY" "$IT_DIR/sign.py" -k "$T/keys/$key.key" -d "$d" \
			    -s "$s" -a "$a" -c "$c" ${h:+-H "$h"} $l \
			    "$cur" "$CT/msg.$i" || return 1
			cur="$CT/msg.$i"
			;;
		arc\ *)
			key="" d="" s="" a="" n=1
			for kv in ${line#arc }; do
				case $kv in
				key=*) key=${kv#key=} ;;
				d=*) d=${kv#d=} ;;
				s=*) s=${kv#s=} ;;
				srv-id=*) a=${kv#srv-id=} ;;
				n=*) n=${kv#n=} ;;
				*) echo "bad arc word $kv" >&2; return 1 ;;
				esac
			done
			i=$((i + 1))
			"$PY" "$IT_DIR/sign.py" --arc "$a" --arc-sets "$n" \
			    -k "$T/keys/$key.key" -d "$d" -s "$s" "$cur" \
			    "$CT/msg.$i" || return 1
			cur="$CT/msg.$i"
			;;
		prepend\ * | append\ *)
			i=$((i + 1))
			"$PY" - "$cur" "$CT/msg.$i" "${line%% *}" \
			    "${line#* }" <<'EOF' || return 1
import codecs, sys
src, dst, how, text = sys.argv[1:5]
data = open(src, "rb").read()
eol = b"\r\n" if b"\r\n" in data else b"\n"
text = codecs.escape_decode(text.encode())[0]
text = text.replace(b"\r\n", b"\n").replace(b"\n", eol) + eol
if how == "prepend":
    data = text + data
else:
    if not data.endswith(eol):
        data += eol
    data += text
open(dst, "wb").write(data)
EOF
			cur="$CT/msg.$i"
			;;
		subject-tag\ *)
			i=$((i + 1))
			"$PY" - "$cur" "$CT/msg.$i" "${line#subject-tag }" \
			    <<'EOF' || return 1
import re, sys
src, dst, tag = sys.argv[1:4]
data = open(src, "rb").read()
new, n = re.subn(rb"(?im)^(Subject:[ \t]*)", lambda m: m.group(1) +
                 tag.encode() + b" ", data, count=1)
if n != 1:
    sys.exit("subject-tag: no Subject field")
open(dst, "wb").write(new)
EOF
			cur="$CT/msg.$i"
			;;
		tamper\ *)
			i=$((i + 1))
			"$PY" - "$cur" "$CT/msg.$i" ${line#tamper } <<'EOF' || return 1
import sys
src, dst, old, new = sys.argv[1:5]
data = open(src, "rb").read()
sep = b"\r\n\r\n" if b"\r\n\r\n" in data else b"\n\n"
head, _, body = data.partition(sep)
if old.encode() not in body:
    sys.exit("tamper: %r not in body" % old)
body = body.replace(old.encode(), new.encode(), 1)
open(dst, "wb").write(head + sep + body)
EOF
			cur="$CT/msg.$i"
			;;
		esac
	done <"$CASES_DIR/$C/send"
	cp "$cur" "$CT/msg.eml"
}

# run_case NAME - one TAP line
run_case() {
	local client helo login from qid st file="" reply why off n dot r
	local -a opts

	C=$1
	CT="$T/cases/$C"
	mkdir -p "$CT"
	: >"$CT/diag"
	: >"$CT/reply"
	: >"$CT/headers"
	why=$(grep -vE '^[[:space:]]*(#|$)' "$CASES_DIR/$C/send" 2>/dev/null |
	    grep -vE '^(client|helo|login|mail-from|rcpt|sign|tamper|prepend|append|subject-tag|arc|dns)[[:space:]]' |
	    head -1)
	if [ -n "$why" ]; then
		tap_fail "$C" "send: unknown directive: $why"
		return
	fi
	RCPT=$(case_rcpt "$C")
	client=$(send_get client)
	helo=$(send_get helo)
	login=$(send_get login)
	from=$(send_get mail-from)
	if [ -z "$client" ] || [ -z "$from" ]; then
		tap_fail "$C" "send needs client and mail-from"
		return
	fi
	if ! prepare_message 2>>"$CT/diag"; then
		tap_fail "$C" "cannot prepare the message" "$CT/diag"
		return
	fi
	if case_stops_dns "$C"; then
		dns_stop
	elif [ -z "$NSD_PID" ]; then
		dns_start "$T/dns/example.zone" "$T/dns/arpa.zone" \
		    2>>"$CT/diag" || {
			tap_fail "$C" "cannot restart nsd" "$CT/diag"
			return
		}
	fi
	if ! milter_alive; then
		milter_start "$CUR_CONF" 2>>"$CT/diag" || {
			tap_fail "$C" "authmilter is not running" "$CT/diag"
			return
		}
	fi

	opts=(--from "$from" --to "$(case_rcpts "$C" | paste -sd,)"
	    --data "$CT/msg.eml")
	[ -n "$helo" ] && opts+=(--helo "$helo")
	if [ "$client" != local ]; then
		opts+=(--addr "$client")
		[ -n "$login" ] && opts+=(--login "$login")
	fi
	off=$(log_size "$MILTER_LOG")
	send_mail "$CT/smtp" "${opts[@]}"

	# what became of it
	reply=$(smtp_final_reply "$CT/smtp") || reply=""
	# several recipients: one refused is not the end if the data went in
	dot=$(smtp_stage_reply "$CT/smtp" .) || dot=""
	case $dot in 250\ *) reply=$dot ;; esac
	echo "$reply" >"$CT/reply"
	: >"$CT/delivered"
	case $reply in
	250\ *)
		qid=$(smtp_queue_id "$CT/smtp")
		set -- $(mail_wait "$qid" "$RCPT")
		st=${1:-lost}
		file=${2:-}
		[ "$st" = delivered ] && echo "$RCPT" >>"$CT/delivered"
		# other recipients the case expects delivered
		sed -n 's/^rcpt-delivered[ 	][ 	]*//p' \
		    "$CASES_DIR/$C/expect" | while read -r r; do
			[ "$r" = "$RCPT" ] && continue
			maildir_wait "$r" >/dev/null && echo "$r" \
			    >>"$CT/delivered"
		done
		case $st in
		delivered) msg_headers "$file" >"$CT/headers" ;;
		held) queue_headers "$qid" | "$PY" "$IT_DIR/it.py" headers \
		    /dev/stdin >"$CT/headers" ;;
		esac
		;;
	5*) st=refused ;;
	4*) st=tempfailed ;;
	*) st=broken ;;
	esac

	# the milter's log lines we wait for (logged before it replies,
	# but give a slow sanitized build a bounded while)
	n=100
	while [ "$n" -gt 0 ]; do
		log_since "$MILTER_LOG" "$off" >"$CT/milter.log"
		why=""
		while IFS= read -r want; do
			grep -qF -- "$want" "$CT/milter.log" || why=1
		done < <(sed -n 's/^log-has[ 	][ 	]*//p' "$CASES_DIR/$C/expect")
		[ -z "$why" ] && break
		sleep 0.1
		n=$((n - 1))
	done

	why=$("$PY" "$IT_DIR/it.py" check "$CASES_DIR/$C/expect" \
	    --state "$st" --reply "$CT/reply" --headers "$CT/headers" \
	    --log "$CT/milter.log" --smtp "$CT/smtp" --authserv-id "$ASID" \
	    --delivered "$CT/delivered" \
	    ${file:+--message "$file"} --dns-port "$DNS_PORT" \
	    --authmilter "$AUTHMILTER" --conf "$CUR_CONF" 2>&1)
	if milter_sanitizer_errors "$CT/milter.log" >"$CT/san"; then
		why="${why:+$why; }sanitizer report"
		diag "$CT/san" "sanitizer" 60
	fi
	if ! milter_alive; then
		why="${why:+$why; }authmilter died"
	fi
	if [ -z "$why" ]; then
		tap_ok "$C"
		return
	fi
	echo "state: $st; reply: ${reply:-none}" >>"$CT/diag"
	diag "$CT/headers" "headers" 30
	diag "$CT/milter.log" "authmilter log" 30
	grep -vE '^(<-  250[- ]|=== )' "$CT/smtp" >"$CT/smtp.short"
	diag "$CT/smtp.short" "smtp" 25
	[ -n "${qid:-}" ] && maillog_for "$qid" >"$CT/maillog" &&
	    diag "$CT/maillog" "postfix log" 10
	tap_fail "$C" "$(echo "$why" | paste -sd '\t' | sed 's/\t/ | /g')" \
	    "$CT/diag"
}

# milter_finish LABEL - stop authmilter, TAP line for its exit
milter_finish() {
	local lbl=$1 err="$T/exit.$1"

	[ -n "$MILTER_PID" ] || return 0
	if milter_stop 2>"$err"; then
		tap_ok "exit:$lbl"
	else
		milter_sanitizer_errors "$MILTER_LOG" >>"$err"
		tap_fail "exit:$lbl" "$(head -1 "$err")" "$err"
	fi
}

# --- main -------------------------------------------------------------

mapfile -t CASES < <(case_names "$@")
if [ ${#CASES[@]} -eq 0 ]; then
	echo "not ok - integration: no cases"
	exit 1
fi

missing=""
for tool in nsd nsd-checkzone postfix postconf postqueue postcat swaks openssl; do
	command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
done
"$PY" -c 'import dkim, dns.message, nacl' 2>/dev/null ||
    missing="$missing python3-dkim/python3-dnspython/python3-nacl"
# smtpd with SASL enabled (for XCLIENT LOGIN) needs a Cyrus mechanism
if command -v dpkg-query >/dev/null 2>&1 &&
    ! dpkg-query -W -f='${Status}' libsasl2-modules 2>/dev/null |
    grep -q 'ok installed'; then
	missing="$missing libsasl2-modules"
fi
[ -x "$AUTHMILTER" ] || missing="$missing $AUTHMILTER"
[ "$(id -u)" -eq 0 ] || missing="$missing root"
if [ -n "$missing" ]; then
	for c in "${CASES[@]}"; do
		echo "not ok - integration/$c: missing:$missing"
	done
	echo "# integration: ${#CASES[@]} failed (missing:$missing)"
	exit 1
fi

it_init || exit 1
setup_fail() {
	local c

	for c in "${CASES[@]}"; do
		echo "not ok - integration/$c: setup: $1"
	done
	[ -s "$T/setup.err" ] && sed 's/^/# /' "$T/setup.err"
	exit 1
}

"$IT_DIR/mkkeys.sh" "$T/keys" 2>"$T/setup.err" || setup_fail "mkkeys.sh"
# the signing cases' key and signing tables (sign_*), paths filled in
for f in "$IT_DIR"/tables/*; do
	[ -f "$f" ] || continue
	sed "s|@KEYDIR@|$T/keys|g" "$f" >"$T/keys/${f##*/}" ||
	    setup_fail "tables"
done
mkdir -p "$T/dns"
case_dirs=()
for c in "${CASES[@]}"; do
	[ -f "$CASES_DIR/$c/expect" ] || setup_fail "no case $c (cases/$c/expect)"
	# the name is also the recipient's local part and maildir
	[[ $c =~ ^[a-z0-9][a-z0-9_-]*$ ]] ||
	    setup_fail "case name $c: use a-z 0-9 _ -"
	case_dirs+=("$CASES_DIR/$c")
done
"$PY" "$IT_DIR/it.py" zone "$IT_DIR/zones/example.zone" "$T/keys" \
    "$T/dns/example.zone" "${case_dirs[@]}" 2>"$T/setup.err" ||
    setup_fail "zone"
dns_start "$T/dns/example.zone" "$T/dns/arpa.zone" 2>"$T/setup.err" ||
    setup_fail "nsd"
MILTER_PORT=$(free_port) || setup_fail "no port"

# one configuration per case; cases sharing one share a process
mkdir -p "$T/conf"
"$PY" "$IT_DIR/it.py" conf "$IT_DIR/base.conf" - "$T/conf/base.conf" \
    MILTER_PORT="$MILTER_PORT" DNS_PORT="$DNS_PORT" KEYDIR="$T/keys" \
    2>"$T/setup.err" || setup_fail "base.conf"
base_sum=$(md5sum <"$T/conf/base.conf" | cut -c1-12)
cp "$T/conf/base.conf" "$T/conf/$base_sum.conf"
order=()
for c in "${CASES[@]}"; do
	over=-
	[ -f "$CASES_DIR/$c/conf" ] && over="$CASES_DIR/$c/conf"
	"$PY" "$IT_DIR/it.py" conf "$IT_DIR/base.conf" "$over" "$T/conf/x" \
	    MILTER_PORT="$MILTER_PORT" DNS_PORT="$DNS_PORT" \
	    KEYDIR="$T/keys" 2>"$T/setup.err" || setup_fail "conf of $c"
	sum=$(md5sum <"$T/conf/x" | cut -c1-12)
	mv "$T/conf/x" "$T/conf/$sum.conf"
	last=0
	case_stops_dns "$c" && last=1
	other=1
	[ "$sum" = "$base_sum" ] && other=0
	order+=("$last $other $sum $c")
done

mailboxes=""
for c in "${CASES[@]}"; do
	for r in $(case_rcpts "$c"); do
		mailboxes="$mailboxes ${r%%@*}"
	done
done
PF_MAILBOXES=$mailboxes
postfix_start "inet:127.0.0.1:$MILTER_PORT" 2>"$T/setup.err" ||
    setup_fail "postfix"

CUR_CONF=""
CUR_LABEL=""
while read -r _ _ sum c <&3; do
	conf="$T/conf/$sum.conf"
	if [ "$conf" != "$CUR_CONF" ]; then
		milter_finish "$CUR_LABEL"
		CUR_CONF=$conf
		CUR_LABEL=$c
		if ! "$AUTHMILTER" -n -c "$conf" >"$T/check.err" 2>&1; then
			tap_fail "$c" "authmilter -n rejects the config" \
			    "$T/check.err"
			continue
		fi
		milter_start "$conf" 2>"$T/start.err" || {
			tap_fail "$c" "authmilter does not start" "$T/start.err"
			continue
		}
	fi
	run_case "$c"
done 3< <(printf '%s\n' "${order[@]}" | sort -k1,1n -k2,2n -k3,3 -k4,4)
milter_finish "$CUR_LABEL"

echo "# integration: $n_ok passed, $n_fail failed"
[ "$n_fail" -eq 0 ]
