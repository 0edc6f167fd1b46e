# lib.sh - loopback NSD, Postfix and authmilter for the integration tests
#
# SYNOPSIS
#	. test-harness/integration/lib.sh
#	it_init				# temp dir $T, teardown trap
#	dns_start ZONEFILE...		# NSD on 127.0.0.1:$DNS_PORT
#	postfix_start [MILTER]		# Postfix on 127.0.0.1:$SMTP_PORT
#	milter_start CONF		# authmilter on 127.0.0.1:$MILTER_PORT
#	send_mail OUT ARGS...		# swaks transcript to OUT
#	smtp_final_reply OUT		# "CODE ENH text" ending the transaction
#	smtp_stage_reply OUT STAGE	# ... of the reply to MAIL, RCPT, ., ...
#	smtp_queue_id OUT		# "queued as" id
#	mail_wait QID RCPT		# "delivered FILE", "held QID" or "lost"
#	maildir_wait RCPT		# path of the delivered message
#	msg_headers FILE		# unfolded header fields
#	hold_queue_ids			# queue ids on hold (postqueue -j)
#	queue_headers QID		# headers of a queued (held) message
#	dns_query NAME TYPE		# ask our NSD (dnspython)
#	milter_stop; postfix_stop; dns_stop; it_teardown
#
# DESCRIPTION
#	Everything runs as real servers on 127.0.0.1, on free ports picked
#	at run time, with all state under one temp dir $T that it_teardown
#	(run from an EXIT trap) removes after stopping every process that
#	we started.  Set IT_KEEP=1 to keep $T for a post-mortem.
#
#	Nothing here asserts a time: the waits are bounded polls that fail
#	when the thing waited for never happens.
#
#	Functions print diagnostics on stderr and return non-zero on failure;
#	the caller decides whether that is fatal.
#
# ENVIRONMENT
#	AUTHMILTER	the binary under test (default build/san/authmilter)
#	IT_KEEP		keep the temp dir
#	IT_VERBOSE	echo what is being started
#	TMPDIR		where the temp dir goes (default /tmp); it must be
#			traversable by the postfix and nsd users

PY=/usr/bin/python3
IT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$IT_DIR/../.." && pwd)
AUTHMILTER=${AUTHMILTER:-$REPO_ROOT/build/san/authmilter}

T=""
DNS_PORT=""
SMTP_PORT=""
MILTER_PORT=""
NSD_PID=""
MILTER_PID=""
MILTER_LOG=""
PF_DIR=""
PF_STARTED=""
PF_MAILBOXES=${PF_MAILBOXES:-}
IT_PORTS_USED=""

# Sanitizer reports end the process and land in its log (stderr).
. "$REPO_ROOT/test-harness/lib/sanitizers.sh"

SAN_PATTERN='ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:|SUMMARY: UndefinedBehaviorSanitizer'

it_log() {
	[ -n "${IT_VERBOSE:-}" ] && echo "# $*" >&2
	return 0
}

# it_init - make the temp dir and arm the teardown trap
it_init() {
	T=$(mktemp -d "${TMPDIR:-/tmp}/authmilter-it.XXXXXX") || return 1
	# postfix (queue, virtual delivery) and nsd need to traverse it
	chmod 755 "$T"
	trap 'it_teardown' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

# it_teardown - stop whatever runs, remove $T unless IT_KEEP
it_teardown() {
	local rc=$?

	milter_stop >/dev/null 2>&1
	postfix_stop >/dev/null 2>&1
	dns_stop >/dev/null 2>&1
	if [ -n "$T" ] && [ -d "$T" ]; then
		if [ -n "${IT_KEEP:-}" ]; then
			echo "# kept $T" >&2
		else
			rm -rf "$T"
		fi
	fi
	return $rc
}

# free_port - print a port free for TCP and UDP on 127.0.0.1, outside the
#	kernel's ephemeral range: a port in it can be taken by any outgoing
#	connection while its server is down, and the restart then fails
free_port() {
	local p

	p=$("$PY" - $IT_PORTS_USED <<'EOF'
import random, socket, sys
used = {int(x) for x in sys.argv[1:]}
try:
    with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
        lo, hi = (int(x) for x in f.read().split())
except (OSError, ValueError):
    lo, hi = 32768, 60999
pool = [p for p in range(10000, 65536) if not lo <= p <= hi]
if len(pool) < 1000:
    pool = list(range(20000, 60000))
for _ in range(500):
    p = random.choice(pool)
    if p in used:
        continue
    ok = True
    for typ in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
        s = socket.socket(socket.AF_INET, typ)
        try:
            s.bind(("127.0.0.1", p))
        except OSError:
            ok = False
        finally:
            s.close()
    if ok:
        print(p)
        sys.exit(0)
sys.exit(1)
EOF
) || { echo "free_port: no free port" >&2; return 1; }
	IT_PORTS_USED="$IT_PORTS_USED $p"
	echo "$p"
}

# tcp_accepts PORT - true if something accepts on 127.0.0.1:PORT
tcp_accepts() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# poll SECONDS CMD... - run CMD every 0.1 s until it succeeds or time runs out
poll() {
	local n=$(($1 * 10))

	shift
	while [ "$n" -gt 0 ]; do
		"$@" && return 0
		sleep 0.1
		n=$((n - 1))
	done
	"$@"
}

# proc_alive PID
proc_alive() {
	[ -n "$1" ] && kill -0 "$1" 2>/dev/null
}

# stop_pid PID WHAT - SIGTERM, wait up to 10 s, then SIGKILL; 1 if it had to
stop_pid() {
	local pid=$1 what=$2

	proc_alive "$pid" || return 0
	kill -TERM "$pid" 2>/dev/null
	if ! poll 10 eval "! kill -0 $pid 2>/dev/null"; then
		echo "$what (pid $pid) ignored SIGTERM; killed" >&2
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		return 1
	fi
	return 0
}

# ---------------------------------------------------------------- DNS ---

# dns_query NAME TYPE - print the answer rdata from our NSD, one a line
dns_query() {
	"$PY" - "$DNS_PORT" "$1" "$2" <<'EOF'
import sys
import dns.message, dns.query, dns.rcode
port, name, rdtype = int(sys.argv[1]), sys.argv[2], sys.argv[3]
q = dns.message.make_query(name, rdtype)
r = dns.query.udp(q, "127.0.0.1", port=port, timeout=1)
if r.rcode() != dns.rcode.NOERROR:
    print(dns.rcode.to_text(r.rcode()))
    sys.exit(1)
for rrset in r.answer:
    for rd in rrset:
        print(rd.to_text())
EOF
}

# dns_start ZONEFILE... - serve each ORIGIN.zone with NSD on $DNS_PORT
#	The zone name is the file name less ".zone".
dns_start() {
	local d="$T/dns" z name

	mkdir -p "$d"
	[ -n "$DNS_PORT" ] || DNS_PORT=$(free_port) || return 1
	cat >"$d/nsd.conf" <<EOF
server:
	ip-address: 127.0.0.1
	port: $DNS_PORT
	do-ip6: no
	username: ""
	database: ""
	zonesdir: "$d"
	zonelistfile: "$d/zone.list"
	xfrdfile: "$d/xfrd.state"
	xfrdir: "$d"
	pidfile: "$d/nsd.pid"
	logfile: "$d/nsd.log"
	server-count: 1
	verbosity: 1
	hide-version: yes
remote-control:
	control-enable: no
EOF
	for z in "$@"; do
		name=$(basename "$z" .zone)
		[ "$z" -ef "$d/$name.zone" ] || cp "$z" "$d/$name.zone"
		nsd-checkzone "$name" "$d/$name.zone" >"$d/checkzone.out" 2>&1 || {
			echo "dns_start: bad zone $name:" >&2
			sed 's/^/  /' "$d/checkzone.out" >&2
			return 1
		}
		printf 'zone:\n\tname: "%s"\n\tzonefile: "%s.zone"\n' \
		    "$name" "$name" >>"$d/nsd.conf"
	done
	nsd-checkconf "$d/nsd.conf" >&2 || return 1
	it_log "nsd on 127.0.0.1:$DNS_PORT"
	nsd -d -c "$d/nsd.conf" >>"$d/nsd.stderr" 2>&1 &
	NSD_PID=$!
	name=$(basename "$1" .zone)
	if ! poll 10 eval 'proc_alive $NSD_PID && dns_query "$name." SOA >/dev/null 2>&1'; then
		echo "dns_start: nsd does not answer for $name." >&2
		cat "$d/nsd.stderr" "$d/nsd.log" 2>/dev/null | sed 's/^/  /' >&2
		dns_stop
		return 1
	fi
}

# dns_stop - stop NSD
dns_stop() {
	[ -n "$NSD_PID" ] || return 0
	stop_pid "$NSD_PID" nsd
	wait "$NSD_PID" 2>/dev/null
	NSD_PID=""
}

# ------------------------------------------------------------ Postfix ---

# postfix_start [MILTER] - start Postfix on $SMTP_PORT with smtpd_milters=MILTER
#	MILTER is in Postfix syntax (inet:127.0.0.1:PORT) or empty.
#	Mail for LOCALPART@rcpt.example goes to the maildir
#	$PF_DIR/mail/LOCALPART/ for each LOCALPART in $PF_MAILBOXES; other
#	recipients are refused at RCPT.
postfix_start() {
	local milter=${1:-} uid gid lp

	PF_DIR="$T/postfix"
	mkdir -p "$PF_DIR/etc" "$PF_DIR/queue" "$PF_DIR/data" \
	    "$PF_DIR/mail" "$PF_DIR/log"
	[ -n "$SMTP_PORT" ] || SMTP_PORT=$(free_port) || return 1
	uid=$(id -u postfix) && gid=$(id -g postfix) || {
		echo "postfix_start: no postfix user" >&2
		return 1
	}
	chown postfix:postfix "$PF_DIR/data" "$PF_DIR/mail"
	chmod 755 "$PF_DIR/log"

	# Postfix forbids $1 substitution in virtual_mailbox_maps, so
	# every recipient is listed: LOCALPART@rcpt.example -> LOCALPART/
	: >"$PF_DIR/etc/vmailbox"
	for lp in $PF_MAILBOXES; do
		printf '%s@rcpt.example\t%s/\n' "$lp" "$lp" >>"$PF_DIR/etc/vmailbox"
	done

	cat >"$PF_DIR/etc/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $PF_DIR/queue
data_directory = $PF_DIR/data
mail_owner = postfix
setgid_group = postdrop
maillog_file = $PF_DIR/log/maillog
# the file must be under one of these (default /var /dev/stdout)
maillog_file_prefixes = $T
myhostname = mx.test.example
mydomain = test.example
myorigin = \$myhostname
inet_interfaces = 127.0.0.1
# all: XCLIENT may then present IPv6 clients (it listens on 127.0.0.1 only)
inet_protocols = all
mydestination =
relay_domains =
mynetworks = 127.0.0.0/8
alias_maps =
alias_database =
local_recipient_maps =
local_transport = error:5.1.1 no local delivery here
default_transport = error:5.1.2 no relaying from here
relay_transport = error:5.1.2 no relaying from here
virtual_mailbox_domains = rcpt.example
virtual_mailbox_base = $PF_DIR/mail
virtual_mailbox_maps = texthash:$PF_DIR/etc/vmailbox
virtual_uid_maps = static:$uid
virtual_gid_maps = static:$gid
smtpd_banner = \$myhostname ESMTP
# cleanup must not add a missing From:, Date: or Message-ID: (it would for
# "local" clients, and the one behind XCLIENT is still 127.0.0.1): the
# milter has to see the message as the client sent it
local_header_rewrite_clients =
always_add_missing_headers = no
smtpd_peername_lookup = no
smtpd_authorized_xclient_hosts = 127.0.0.0/8
# XCLIENT LOGIN=user sets the SASL login, and with it the milter macros
# {auth_type}=XCLIENT and {auth_authen}=user at MAIL FROM, only when SASL
# is enabled.  No client ever authenticates, but smtpd dies ("fatal: no
# SASL authentication mechanisms") unless Cyrus finds at least one
# mechanism plugin: Debian package libsasl2-modules.
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = cyrus
smtpd_sasl_path = smtpd
smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination
smtpd_recipient_restrictions =
smtpd_helo_restrictions =
smtpd_sender_restrictions =
smtpd_client_restrictions =
smtpd_milters = $milter
non_smtpd_milters =
milter_protocol = 6
milter_default_action = tempfail
biff = no
append_dot_mydomain = no
readme_directory = no
default_process_limit = 20
EOF
	# master.cf: the stock one, smtpd on our port, nothing chrooted
	awk -v port="$SMTP_PORT" '
	/^#/ || /^[ \t]/ || NF == 0 { print; next }
	$1 == "smtp" && $2 == "inet" {
		$1 = "127.0.0.1:" port
	}
	NF >= 8 { $5 = "n" }
	{ print }
	' /usr/share/postfix/master.cf.dist >"$PF_DIR/etc/master.cf"

	it_log "postfix on 127.0.0.1:$SMTP_PORT, milter '${milter}'"
	postfix -c "$PF_DIR/etc" check >"$PF_DIR/log/check.out" 2>&1 &&
	    postfix -c "$PF_DIR/etc" start >"$PF_DIR/log/start.out" 2>&1 || {
		echo "postfix_start: postfix failed to start:" >&2
		cat "$PF_DIR/log/check.out" "$PF_DIR/log/start.out" \
		    "$PF_DIR/log/maillog" 2>/dev/null | sed 's/^/  /' >&2
		return 1
	}
	PF_STARTED=1
	if ! poll 20 tcp_accepts "$SMTP_PORT"; then
		echo "postfix_start: nothing listens on $SMTP_PORT" >&2
		sed 's/^/  /' "$PF_DIR/log/maillog" >&2 2>/dev/null
		return 1
	fi
}

# postfix_set NAME=VALUE... - change main.cf and reload
postfix_set() {
	postconf -c "$PF_DIR/etc" -e "$@" && postfix -c "$PF_DIR/etc" reload >/dev/null 2>&1
}

# postfix_master_pid
postfix_master_pid() {
	[ -n "$PF_DIR" ] && head -1 "$PF_DIR/queue/pid/master.pid" 2>/dev/null | tr -d ' '
}

# postfix_stop - stop Postfix, kill what is left of it
postfix_stop() {
	local pid

	[ -n "$PF_STARTED" ] || return 0
	pid=$(postfix_master_pid)
	postfix -c "$PF_DIR/etc" stop >/dev/null 2>&1
	if [ -n "$pid" ]; then
		poll 10 eval "! kill -0 $pid 2>/dev/null" ||
		    kill -KILL "$pid" 2>/dev/null
		# children of a killed master
		pkill -KILL -P "$pid" 2>/dev/null
	fi
	PF_STARTED=""
}

# postfix_queue_idle - true if nothing waits in maildrop, incoming, active
postfix_queue_idle() {
	local n

	n=$(find "$PF_DIR/queue/incoming" "$PF_DIR/queue/active" \
	    "$PF_DIR/queue/maildrop" -type f 2>/dev/null | wc -l)
	[ "$n" -eq 0 ]
}

# hold_queue_ids - print the queue ids of the messages on hold
hold_queue_ids() {
	postqueue -c "$PF_DIR/etc" -j 2>/dev/null | "$PY" -c '
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("queue_name") == "hold":
        print(m["queue_id"])
'
}

# queue_headers QID - print the headers of a queued message
queue_headers() {
	postcat -c "$PF_DIR/etc" -h -q "$1" 2>/dev/null |
	    sed -e '/^\*\*\* HEADER EXTRACTED/,$d' -e '/^\*\*\* MESSAGE CONTENTS/d'
}

# maillog_for QID - the Postfix log lines of one queue id
maillog_for() {
	grep -F "$1" "$PF_DIR/log/maillog" 2>/dev/null
}

# ------------------------------------------------------------- milter ---

# milter_start CONF - run $AUTHMILTER -f -c CONF, wait for its socket
#	CONF must listen on inet:$MILTER_PORT@127.0.0.1.
milter_start() {
	local conf=$1

	[ -x "$AUTHMILTER" ] || {
		echo "milter_start: $AUTHMILTER not built" >&2
		return 1
	}
	MILTER_LOG="$T/milter.log"
	echo "=== milter_start $conf" >>"$MILTER_LOG"
	it_log "authmilter on 127.0.0.1:$MILTER_PORT"
	"$AUTHMILTER" -f -c "$conf" </dev/null >>"$MILTER_LOG" 2>&1 &
	MILTER_PID=$!
	if ! poll 20 eval 'proc_alive $MILTER_PID && tcp_accepts $MILTER_PORT'; then
		echo "milter_start: authmilter does not accept on $MILTER_PORT" >&2
		tail -n 30 "$MILTER_LOG" | sed 's/^/  /' >&2
		milter_stop >/dev/null 2>&1
		return 1
	fi
}

# milter_sanitizer_errors FILE - print sanitizer report lines, true if any
milter_sanitizer_errors() {
	grep -E "$SAN_PATTERN" "$1" 2>/dev/null
}

# milter_stop - SIGTERM; fails if it does not exit cleanly or a sanitizer spoke
milter_stop() {
	local pid=$MILTER_PID rc=0 st

	[ -n "$pid" ] || return 0
	MILTER_PID=""
	if ! proc_alive "$pid"; then
		wait "$pid" 2>/dev/null
		st=$?
		echo "milter_stop: authmilter had already exited (status $st)" >&2
		rc=1
	else
		stop_pid "$pid" authmilter || rc=1
		wait "$pid" 2>/dev/null
		st=$?
		if [ "$st" -gt 128 ]; then
			# its exit path, and with it LeakSanitizer, never ran
			echo "milter_stop: authmilter killed by signal $((st - 128)) instead of exiting" >&2
			rc=1
		elif [ "$st" -ne 0 ]; then
			echo "milter_stop: authmilter exit status $st" >&2
			rc=1
		fi
	fi
	if milter_sanitizer_errors "$MILTER_LOG" >/dev/null; then
		echo "milter_stop: sanitizer report in $MILTER_LOG" >&2
		rc=1
	fi
	return $rc
}

# milter_alive
milter_alive() {
	proc_alive "$MILTER_PID"
}

# log_size FILE - bytes in FILE (0 if absent), to slice a log per case
log_size() {
	stat -c %s "$1" 2>/dev/null || echo 0
}

# log_since FILE OFFSET - what FILE gained after OFFSET bytes
log_since() {
	tail -c +"$(($2 + 1))" "$1" 2>/dev/null
}

# --------------------------------------------------------------- SMTP ---

# send_mail OUT [--addr IP] [--helo NAME] [--login USER] --from ADDR
#	--to ADDR --data FILE
#	swaks through our Postfix; the transcript goes to OUT.  With --addr,
#	XCLIENT presents that client address (and --helo, --login); the EHLO
#	after XCLIENT uses the same HELO name so the milter sees ours.
#	Without --addr the client is 127.0.0.1 itself.  A from of "<>" is
#	the null sender.
send_mail() {
	local out=$1 addr="" helo="client.test.example" login="" from="" to=""
	local data="" xc=()

	shift
	while [ $# -gt 0 ]; do
		case $1 in
		--addr) addr=$2 ;;
		--helo) helo=$2 ;;
		--login) login=$2 ;;
		--from) from=$2 ;;
		--to) to=$2 ;;
		--data) data=$2 ;;
		*) echo "send_mail: unknown option $1" >&2; return 2 ;;
		esac
		shift 2
	done
	if [ -n "$addr" ]; then
		xc=(--xclient-addr "$addr" --xclient-helo "$helo")
		[ -n "$login" ] && xc+=(--xclient-login "$login")
	fi
	swaks --server 127.0.0.1 --port "$SMTP_PORT" --timeout 120 \
	    --helo "$helo" "${xc[@]}" \
	    --from "$from" --to "$to" --data "@$data" \
	    </dev/null >"$out" 2>&1
	return 0
}

# smtp_final_reply OUT - print "CODE ENH TEXT" of the reply that ended the
#	transaction: the first refused command, else the reply to the end
#	of DATA; fails if the session broke before either.
smtp_final_reply() {
	"$PY" "$IT_DIR/it.py" reply "$1"
}

# smtp_stage_reply OUT STAGE - "CODE ENH TEXT" of the last reply to the
#	command starting with STAGE (EHLO, MAIL, RCPT, DATA, "." = end of data)
smtp_stage_reply() {
	"$PY" "$IT_DIR/it.py" reply "$1" "$2"
}

# smtp_queue_id OUT - the queue id from "250 ... queued as ID"
smtp_queue_id() {
	sed -n 's/^<-  250 .*queued as \([0-9A-Za-z]*\).*/\1/p' "$1" | tail -1
}

# maildir_files RCPT - delivered message files of recipient RCPT
maildir_files() {
	local lp=${1%%@*}

	find "$PF_DIR/mail/$lp/new" "$PF_DIR/mail/$lp/cur" -type f 2>/dev/null | sort
}

# maildir_wait RCPT [SECONDS] - wait for a delivery to RCPT, print its path
maildir_wait() {
	local n=$((${2:-20} * 10)) f

	while :; do
		f=$(maildir_files "$1" | tail -1)
		[ -n "$f" ] && break
		[ "$n" -gt 0 ] || return 1
		sleep 0.1
		n=$((n - 1))
	done
	echo "$f"
}

# mail_wait QID RCPT [SECONDS] - wait until the accepted message QID is in
#	RCPT's maildir or on hold; print "delivered FILE", "held QID" or
#	"lost" (neither: bounced, deferred or stuck; see the maillog)
mail_wait() {
	local qid=$1 rcpt=$2 n=$((${3:-20} * 10)) f

	while :; do
		f=$(maildir_files "$rcpt" | tail -1)
		if [ -n "$f" ]; then
			echo "delivered $f"
			return 0
		fi
		# hold is not a hashed queue: queue/hold/QID
		if [ -n "$qid" ] && [ -f "$PF_DIR/queue/hold/$qid" ]; then
			echo "held $qid"
			return 0
		fi
		if [ "$n" -le 0 ]; then
			echo lost
			return 1
		fi
		sleep 0.1
		n=$((n - 1))
	done
}

# msg_headers FILE - the header section of a message, unfolded, one field a line
msg_headers() {
	"$PY" "$IT_DIR/it.py" headers "$1"
}
