#!/bin/bash
# run.sh - authmilter against OpenDKIM + OpenDMARC and a do-nothing milter
#
# SYNOPSIS
#	test-harness/bench/run.sh [--smoke] [--duration SECONDS]
#	    [--transport unix|inet] [--cold | --no-cold] [--keep]
#
# DESCRIPTION
#	In one run, as root: builds mload and nullmilter (gcc -O2) and
#	authmilter (make build/authmilter; AUTHMILTER=path uses that binary
#	instead), makes fresh keys (RSA-2048, Ed25519), a DNS zone and the
#	message sets (genmsgs.py), creates a network namespace of its own
#	with only a loopback interface, and inside it starts NSD on
#	127.0.0.1:53 (the namespace's resolv.conf points there, so
#	OpenDMARC's system resolver finds it), authmilter, OpenDKIM (verify)
#	and OpenDMARC (SPF, reject on failure) chained as Postfix chains
#	them, and the do-nothing milter three times: answering every step,
#	negotiating no-reply (SMFIP_NR_*) for every step, and (null-am)
#	negotiating exactly authmilter's steps and adding one header field
#	at end of message as authmilter adds Authentication-Results: the
#	floor for authmilter's CPU per message in the same protocol mode.
#
#	mload drives each setup at c=1, 8, 32, 128 (--duration seconds a
#	cell, after a warm-up pass over the set), then authmilter alone for
#	body sizes 4 KB..1 MB, null-am for the same sizes (the protocol's
#	own cost per MB: the socket reads and libmilter's copy, which
#	authmilter pays too), 1..10 signatures and c=256, 512. It prints
#	one table: msg/s, latency, milter CPU per message (utime+stime of
#	the milter processes), their peak RSS, and authmilter's ratio to the
#	pair and to the no-reply do-nothing milter at the same concurrency.
#
#	Cold DNS (--cold, the default unless --smoke): a delaying proxy
#	(dnsdelay.py, 50 ms per answer) in front of NSD; freshly started
#	milters, one message, latency with and without the delay, and the
#	lookups the proxy saw.
#
#	--smoke: 20 messages, c=1 and 8, 2 messages per extra row, cold DNS
#	for authmilter only; the same table. Every setup prints a TAP line,
#	"ok - bench/smoke/SETUP" when it processed every message with the
#	expected verdict (20% DMARC failures rejected; accept for the
#	do-nothing milter), else "not ok". No line depends on a time.
#
#	Sockets are unix-domain by default, so the table shows the cost of
#	the protocol and the checks without TCP's Nagle and delayed-ACK
#	effects; --transport inet uses TCP on 127.0.0.1 (see postfix_tcp.sh
#	for the TCP story through a real Postfix).
#
#	Only loopback addresses are used; the namespace, its
#	/etc/netns/NAME/ and the temp dir are removed at exit (--keep keeps
#	the temp dir with every log and the raw mload output).
#
# ENVIRONMENT
#	AUTHMILTER	authmilter binary to use instead of building one
#	BENCH_CONC	main concurrencies (default "1 8 32 128")
#	BENCH_SETUPS	setups to run (default "authmilter pair null null-nr
#			null-am")
#	BENCH_EXTRA	0 to skip the body size, signature and c=256/512 rows
#	DKIM_QUERYCACHE	1 to run OpenDKIM with QueryCache yes
#	BENCH_AM_CONF	lines added to authmilter's configuration, e.g.
#			'milter = { thread_stack = 8192; };'
set -u

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH_DIR/../.." && pwd)
PY=/usr/bin/python3

SMOKE=0
DUR=5
TRANSPORT=unix
COLD=""
KEEP=0
while [ $# -gt 0 ]; do
	case $1 in
	--smoke) SMOKE=1 ;;
	--duration) DUR=$2; shift ;;
	--transport) TRANSPORT=$2; shift ;;
	--cold) COLD=1 ;;
	--no-cold) COLD=0 ;;
	--keep) KEEP=1 ;;
	-h|--help) sed -n '2,/^set -u/p' "$0" | sed 's/^# \{0,1\}//;$d'; exit 0 ;;
	*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
case $TRANSPORT in unix|inet) ;; *) echo "run.sh: --transport unix|inet" >&2; exit 2 ;; esac
[ -n "$COLD" ] || COLD=$((1 - SMOKE))
MODE=full
[ "$SMOKE" = 1 ] && MODE=smoke

T=""
NS=""
PIDS=""
KILLPIDS=""
NPASS=0
NFAIL=0

say() { echo "# $*"; }
die() { echo "run.sh: $*" >&2; echo "not ok - bench/$MODE/setup # $*"; echo "0 passed, 1 failed"; exit 1; }

tap() {		# tap OK NAME [COMMENT]
	if [ "$1" = 1 ]; then
		echo "ok - bench/$MODE/$2${3:+ # $3}"
		NPASS=$((NPASS + 1))
	else
		echo "not ok - bench/$MODE/$2${3:+ # $3}"
		NFAIL=$((NFAIL + 1))
	fi
}

# nsx CMD... - run CMD inside our namespace (or here, without one)
nsx() {
	if [ -n "$NS" ]; then
		ip netns exec "$NS" "$@"
	else
		"$@"
	fi
}

# bg NAME CMD... - start CMD in the namespace in the background, log in $T
#	LAST_PID is CMD's own pid: "ip netns exec" execs it in place.
bg() {
	local name=$1

	shift
	if [ -n "$NS" ]; then
		ip netns exec "$NS" "$@" </dev/null >>"$T/log/$name.log" 2>&1 &
	else
		"$@" </dev/null >>"$T/log/$name.log" 2>&1 &
	fi
	LAST_PID=$!
	PIDS="$PIDS $LAST_PID"
}

# stop PID... - SIGTERM (SIGKILL for the do-nothing milter, which libmilter
#	takes ~5 s to stop and which has no state), wait up to 5 s, SIGKILL
stop() {
	local p n

	for p in "$@"; do
		case " $KILLPIDS " in
		*" $p "*) kill -KILL "$p" 2>/dev/null ;;
		*) [ -n "$p" ] && kill -TERM "$p" 2>/dev/null ;;
		esac
	done
	for p in "$@"; do
		[ -n "$p" ] || continue
		n=50
		while kill -0 "$p" 2>/dev/null && [ $n -gt 0 ]; do
			sleep 0.1
			n=$((n - 1))
		done
		kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
		PIDS=$(echo "$PIDS" | sed "s/ $p\b//")
	done
}

cleanup() {
	local rc=$?

	# shellcheck disable=SC2086
	stop $PIDS 2>/dev/null		# bash reports killed jobs on stderr
	if [ -n "$NS" ]; then
		ip netns del "$NS" 2>/dev/null
		rm -rf "/etc/netns/$NS"
	fi
	if [ -n "$T" ] && [ -d "$T" ]; then
		if [ "$KEEP" = 1 ]; then
			echo "# kept $T" >&2
		else
			rm -rf "$T"
		fi
	fi
	return $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------- preflight ---
[ "$(id -u)" = 0 ] || die "needs root (network namespace, NSD on port 53)"
for t in gcc make nsd nsd-checkconf opendkim opendmarc ip; do
	command -v "$t" >/dev/null 2>&1 || die "missing $t (test-harness/deps.sh test)"
done
"$PY" -c 'import dkim, nacl.signing' 2>/dev/null ||
    die "missing python3-dkim or python3-nacl"
[ -f /usr/include/libmilter/mfapi.h ] || die "missing libmilter-dev"
ulimit -n 65536 2>/dev/null || ulimit -n 4096 2>/dev/null

T=$(mktemp -d /tmp/authmilter-bench.XXXXXX) || die "mktemp"
chmod 755 "$T"
mkdir -p "$T/log" "$T/sock" "$T/bin" "$T/nsd" "$T/raw"
chmod 777 "$T/sock"

# -------------------------------------------------------------- build ---
say "building mload, nullmilter, authmilter"
gcc -O2 -std=c17 -D_GNU_SOURCE -Wall -Wextra -Wno-unused-parameter \
    -o "$T/bin/mload" "$BENCH_DIR/mload.c" "$BENCH_DIR/mwire.c" -lpthread \
    >"$T/log/build.log" 2>&1 ||
    { cat "$T/log/build.log" >&2; die "mload does not build"; }
gcc -O2 -Wall -Wextra -Wno-unused-parameter -o "$T/bin/nullmilter" \
    "$BENCH_DIR/nullmilter.c" -lmilter -lpthread >>"$T/log/build.log" 2>&1 ||
    { cat "$T/log/build.log" >&2; die "nullmilter does not build"; }
if [ -z "${AUTHMILTER:-}" ]; then
	make -C "$REPO" build/authmilter >>"$T/log/build.log" 2>&1 ||
	    { tail -20 "$T/log/build.log" >&2; die "make build/authmilter failed"; }
	AUTHMILTER=$REPO/build/authmilter
fi
[ -x "$AUTHMILTER" ] || die "$AUTHMILTER: not executable"
MLOAD=$T/bin/mload

# ---------------------------------------------------------- test data ---
say "generating keys, zone and messages"
if [ "$SMOKE" = 1 ]; then
	GENARGS="--std 20 --per-set 2"
else
	GENARGS="--std 200 --per-set 20"
fi
# shellcheck disable=SC2086
"$PY" "$BENCH_DIR/genmsgs.py" "$T/gen" $GENARGS >"$T/log/gen.log" 2>&1 ||
    { cat "$T/log/gen.log" >&2; die "genmsgs.py failed"; }
NSTD=$(find "$T/gen/std" -name '*.eml' | wc -l)
NSET=$(find "$T/gen/size/4" -name '*.eml' | wc -l)

# ----------------------------------------------------------- namespace ---
NS=amb$$
# OpenDKIM's libunbound refuses to forward to 127/8: a documentation
# address on the namespace's own loopback interface, reachable only there
DKIM_NS=192.0.2.53
if ip netns add "$NS" 2>/dev/null && ip netns exec "$NS" ip link set lo up &&
    ip netns exec "$NS" ip addr add "$DKIM_NS/32" dev lo; then
	mkdir -p "/etc/netns/$NS"
	printf 'nameserver 127.0.0.1\noptions timeout:2 attempts:2\n' \
	    >"/etc/netns/$NS/resolv.conf"
	DNS_PORT=53
else
	say "no network namespace: OpenDKIM + OpenDMARC are skipped"
	ip netns del "$NS" 2>/dev/null
	NS=""
	DNS_PORT=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
fi

# free_port - a free TCP+UDP port on 127.0.0.1 where we run things
free_port() {
	nsx "$PY" -c '
import socket
while True:
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        u.bind(("127.0.0.1", p)); print(p); break
    except OSError:
        pass'
}

# can_connect SPEC - true if a milter accepts on SPEC (mload syntax)
can_connect() {
	nsx "$PY" - "$1" <<'EOF' 2>/dev/null
import socket, sys
spec = sys.argv[1]
if spec.startswith("unix:"):
    s = socket.socket(socket.AF_UNIX); s.connect(spec[5:])
else:
    h, p = spec[5:].rsplit(":", 1)
    s = socket.socket(); s.connect((h, int(p)))
EOF
}

# wait_for PID SPEC WHAT - poll up to 10 s for SPEC to accept
wait_for() {
	local n=100

	while [ $n -gt 0 ]; do
		kill -0 "$1" 2>/dev/null || break
		can_connect "$2" && return 0
		sleep 0.1
		n=$((n - 1))
	done
	echo "run.sh: $3 does not accept on $2" >&2
	tail -5 "$T/log/$3.log" >&2 2>/dev/null
	return 1
}

# sock NAME PORT - milter socket spec for the milter side and for mload
sock() {
	if [ "$TRANSPORT" = unix ]; then
		MSOCK="unix:$T/sock/$1.sock"
		LSOCK="$MSOCK"
		rm -f "$T/sock/$1.sock"
	else
		local port=$2

		# fixed ports only inside our own namespace
		[ -n "$NS" ] || port=$(free_port)
		MSOCK="inet:$port@127.0.0.1"
		LSOCK="inet:127.0.0.1:$port"
	fi
}

# -------------------------------------------------------------- NSD ---
# nsd_start PORT [ADDR] - NSD with the benchmark zone on 127.0.0.1:PORT
#	(and ADDR:PORT)
nsd_start() {
	local d=$T/nsd

	cp "$T/gen/example.zone" "$d/"
	cat >"$d/nsd.conf" <<EOF
server:
	ip-address: 127.0.0.1${2:+
	ip-address: $2}
	port: $1
	do-ip6: no
	username: ""
	database: ""
	zonesdir: "$d"
	zonelistfile: "$d/zone.list"
	xfrdfile: "$d/xfrd.state"
	xfrdir: "$d"
	pidfile: "$d/nsd.pid"
	logfile: "$T/log/nsd.log"
	server-count: 1
	verbosity: 1
	hide-version: yes
	rrl-ratelimit: 0
	rrl-whitelist-ratelimit: 0
remote-control:
	control-enable: no
zone:
	name: "example"
	zonefile: "example.zone"
EOF
	nsd-checkconf "$d/nsd.conf" >&2 || return 1
	bg nsd nsd -d -c "$d/nsd.conf"
	NSD_PID=$LAST_PID
	local n=100
	while [ $n -gt 0 ]; do
		nsx "$PY" - "$1" <<'EOF' 2>/dev/null && return 0
import socket, struct, sys
q = struct.pack("!HHHHHH", 1, 0, 1, 0, 0, 0) + b"\x07example\x00\x00\x06\x00\x01"
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(0.2)
s.sendto(q, ("127.0.0.1", int(sys.argv[1])))
sys.exit(0 if s.recv(512)[3] & 15 == 0 else 1)
EOF
		sleep 0.1
		n=$((n - 1))
	done
	echo "run.sh: nsd does not answer" >&2
	return 1
}

# --------------------------------------------------------- the milters ---
# start_authmilter NAME DNSPORT - authmilter, socket from sock()
start_authmilter() {
	local name=$1 conf=$T/$1.conf

	sock "$name" 8891
	cat >"$conf" <<EOF
socket = "$MSOCK";
authserv_id = "mx.bench.example";
mode = "enforce";
trusted_networks = [ ];
dns = {
	nameservers = "127.0.0.1@$2";
	timeout = 5000;
};
${BENCH_AM_CONF:-}
EOF
	bg "$name" "$AUTHMILTER" -f -c "$conf"
	AM_PID=$LAST_PID
	AM_SOCK=$LSOCK
	wait_for "$AM_PID" "$AM_SOCK" "$name"
}

# start_pair NAME DNSPORT - OpenDKIM (verify) and OpenDMARC (SPF, reject)
start_pair() {
	local name=$1

	# Debian's OpenDKIM resolves with libunbound, one context per
	# connection. "ResolverConfiguration" makes each parse a file with
	# unbound's non-reentrant parser: under concurrency that fails and
	# crashes OpenDKIM. "Nameservers" needs no file, but libunbound will
	# not forward to 127/8: hence $DKIM_NS on our namespace's lo.
	sock "$name-dkim" 8892
	cat >"$T/$name-opendkim.conf" <<EOF
Mode			v
Socket			$MSOCK
PidFile			$T/$name-opendkim.pid
Syslog			no
AuthservID		mx.bench.example
UMask			000
MinimumKeyBits		1024
DNSTimeout		5
Nameservers		$DKIM_NS
On-BadSignature		accept
On-NoSignature		accept
On-DNSError		tempfail
EOF
	[ "${DKIM_QUERYCACHE:-0}" = 1 ] && echo "QueryCache		yes" >>"$T/$name-opendkim.conf"
	bg "$name-opendkim" opendkim -f -x "$T/$name-opendkim.conf"
	DKIM_PID=$LAST_PID
	DKIM_SOCK=$LSOCK
	sock "$name-dmarc" 8893
	cat >"$T/$name-opendmarc.conf" <<EOF
Socket			$MSOCK
PidFile			$T/$name-opendmarc.pid
Syslog			false
AuthservID		mx.bench.example
TrustedAuthservIDs	mx.bench.example
UMask			000
RejectFailures		true
SPFSelfValidate		true
SPFIgnoreResults	true
IgnoreAuthenticatedClients true
FailureReports		false
PublicSuffixList	/usr/share/publicsuffix/public_suffix_list.dat
EOF
	bg "$name-opendmarc" opendmarc -f -c "$T/$name-opendmarc.conf"
	DMARC_PID=$LAST_PID
	DMARC_SOCK=$LSOCK
	wait_for "$DKIM_PID" "$DKIM_SOCK" "$name-opendkim" &&
	    wait_for "$DMARC_PID" "$DMARC_SOCK" "$name-opendmarc"
}

# start_null NAME PORT FLAGS... - the do-nothing milter
start_null() {
	local name=$1 port=$2

	shift 2
	sock "$name" "$port"
	bg "$name" "$T/bin/nullmilter" -p "$MSOCK" "$@"
	NULL_PID=$LAST_PID
	NULL_SOCK=$LSOCK
	KILLPIDS="$KILLPIDS $NULL_PID"
	wait_for "$NULL_PID" "$NULL_SOCK" "$name"
}

# ------------------------------------------------------------ running ---
# setup_args SETUP - mload's -s and -p options for a setup
setup_args() {
	case $1 in
	authmilter) echo "-s $AM_SOCK -p $AM_PID" ;;
	pair) echo "-s $DKIM_SOCK -s $DMARC_SOCK -p $DKIM_PID -p $DMARC_PID" ;;
	null) echo "-s $NULLR_SOCK -p $NULLR_PID" ;;
	null-nr) echo "-s $NULLNR_SOCK -p $NULLNR_PID" ;;
	null-am) echo "-s $NULLAM_SOCK -p $NULLAM_PID" ;;
	esac
}

# kv KEY LINE - a value of mload's KV line
kv() {
	echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"
}

# cell SETUP C DIR WARMUP ROWLABEL - one mload run; appends a table row,
#	checks the verdicts, records failures in BAD_<setup>
ROWS=()
declare -A RATE P99 CPU BAD
cell() {
	local setup=$1 c=$2 dir=$3 warm=$4 label=$5 n args out line
	local msgs acc rej mm err dk ok=1 why=""

	n=$(find "$dir" -name '*.eml' | wc -l)
	args=$(setup_args "$setup")
	if [ "$SMOKE" = 1 ]; then
		amount="-n $n"
	else
		amount="-d $DUR"
	fi
	out=$T/raw/$label-c$c.txt
	# shellcheck disable=SC2086
	nsx "$MLOAD" $args -c "$c" $amount -w "$warm" --kv \
	    --timeout 10000 -e dkim=pass "$dir" >"$out" 2>&1
	line=$(grep '^KV ' "$out")
	if [ -z "$line" ]; then
		BAD[$setup]="${BAD[$setup]:-}mload failed ($label c=$c) "
		ROWS+=("$(printf '| %-26s | %4s | %8s | %7s | %7s | %7s | %7s | %6s | %6s | %s |' \
		    "$label" "$c" - - - - - - - "mload failed: $(tail -1 "$out")")")
		return
	fi
	msgs=$(kv msgs "$line")
	acc=$(kv accept "$line")
	rej=$(kv reject "$line")
	mm=$(kv mismatch "$line")
	err=$(kv error "$line")
	dk=$(kv grep "$line")
	[ "$err" = 0 ] || { ok=0; why="$why errors=$err ($(sed -n 's/^first error: //p' "$out"))"; }
	[ "$msgs" -gt 0 ] || { ok=0; why="$why no messages"; }
	[ "$SMOKE" = 1 ] && [ "$msgs" != "$n" ] && { ok=0; why="$why $msgs/$n messages"; }
	case $setup in
	null*)
		[ "$acc" = "$msgs" ] || { ok=0; why="$why accept=$acc of $msgs"; } ;;
	*)
		[ "$mm" = 0 ] || { ok=0; why="$why $mm unexpected verdicts"; }
		# every accepted message got a dkim=pass Authentication-Results
		[ "$dk" -ge "$acc" ] || { ok=0; why="$why dkim=pass in $dk edits for $acc accepted"; } ;;
	esac
	[ $ok = 1 ] || BAD[$setup]="${BAD[$setup]:-}$label c=$c:$why; "
	RATE[$label/$c]=$(kv rate "$line")
	P99[$label/$c]=$(kv p99 "$line")
	CPU[$label/$c]=$(kv cpu_ms_msg "$line")
	ROWS+=("$label|$c|$(kv rate "$line")|$(kv p50 "$line")|$(kv p99 "$line")|$(kv cpu_ms_msg "$line")|$(kv rss_kb "$line")|acc=$acc rej=$rej tmp=$(kv tempfail "$line") err=$err")
}

# ratio A B - A/B with one decimal, or -
ratio() {
	awk -v a="${1:-}" -v b="${2:-}" 'BEGIN { if (a == "" || b == "" || b == 0) print "-"; else printf "%.2f", a / b }'
}

print_table() {
	local r label c rate p50 p99 cpu rss tally xp xn xc

	printf '| %-26s | %4s | %8s | %7s | %7s | %7s | %7s | %6s | %6s | %6s | %s |\n' \
	    setup c msg/s "p50 ms" "p99 ms" "CPU ms" "RSS MiB" "x pair" "x NR-0" "CPU/AM-0" verdicts
	printf '|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|\n' ---------------------------- ------ \
	    ---------- --------- --------- --------- --------- -------- -------- -------- --------------------------
	for r in "${ROWS[@]}"; do
		case $r in '|'*) echo "$r"; continue ;; esac
		IFS='|' read -r label c rate p50 p99 cpu rss tally <<<"$r"
		xp=""
		xn=""
		xc=""
		if [ "$label" = authmilter ]; then
			xp=$(ratio "$rate" "${RATE[pair/$c]:-}")
			xn=$(ratio "$rate" "${RATE[null-nr/$c]:-}")
			xc=$(ratio "$cpu" "${CPU[null-am/$c]:-}")
		fi
		printf '| %-26s | %4s | %8.0f | %7.2f | %7.2f | %7.3f | %7.1f | %6s | %6s | %6s | %s |\n' \
		    "$label" "$c" "$rate" "$p50" "$p99" "$cpu" "$(awk -v k="$rss" 'BEGIN{print k/1024}')" \
		    "${xp:--}" "${xn:--}" "${xc:--}" "$tally"
	done
}

# --------------------------------------------------------------- main ---
CONCS=${BENCH_CONC:-"1 8 32 128"}
[ "$SMOKE" = 1 ] && CONCS="1 8"
SETUPS=${BENCH_SETUPS:-"authmilter pair null null-nr null-am"}
[ -n "$NS" ] || SETUPS=$(echo " $SETUPS " | sed 's/ pair / /')

LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
if [ "$AUTHMILTER" = "$REPO/build/authmilter" ]; then
	AMREV="build/authmilter of $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null)$(git -C "$REPO" diff --quiet HEAD 2>/dev/null || echo '+local changes')"
else
	AMREV=$AUTHMILTER
fi
say "mode $MODE, transport $TRANSPORT, namespace ${NS:-none}, $NSTD standard messages"
say "authmilter: $AMREV"
nsd_start "$DNS_PORT" ${NS:+"$DKIM_NS"} || die "nsd"
start_authmilter authmilter "$DNS_PORT" || die "authmilter does not start"
case " $SETUPS " in
*" pair "*) start_pair pair "$DNS_PORT" || die "opendkim/opendmarc do not start" ;;
esac
start_null null 8894 || die "nullmilter"
NULLR_PID=$NULL_PID NULLR_SOCK=$NULL_SOCK
start_null null-nr 8895 -n || die "nullmilter -n"
NULLNR_PID=$NULL_PID NULLNR_SOCK=$NULL_SOCK
start_null null-am 8896 -m -a || die "nullmilter -m -a"
NULLAM_PID=$NULL_PID NULLAM_SOCK=$NULL_SOCK

for s in $SETUPS; do
	first=1
	for c in $CONCS; do
		warm=0
		[ $first = 1 ] && warm=$NSTD
		first=0
		say "$s c=$c"
		cell "$s" "$c" "$T/gen/std" "$warm" "$s"
	done
done

# extra_rows - authmilter alone: body size, signatures, high concurrency
extra_rows() {
	local xc=8 kb n c

	ROWS+=("|   | authmilter, c=$xc: body size | | | | | | | | | |")
	for kb in 4 64 256 1024; do
		say "authmilter body ${kb} KB"
		cell authmilter $xc "$T/gen/size/$kb" "$NSET" "body $kb KB"
	done
	# the floor: what receiving the body through libmilter costs
	ROWS+=("|   | null-am, c=$xc: body size | | | | | | | | | |")
	for kb in 4 64 256 1024; do
		say "null-am body ${kb} KB"
		cell null-am $xc "$T/gen/size/$kb" "$NSET" "null-am body $kb KB"
	done
	ROWS+=("|   | authmilter, c=$xc: DKIM signatures per message | | | | | | | | | |")
	for n in 1 2 5 10; do
		say "authmilter $n signatures"
		cell authmilter $xc "$T/gen/sigs/$n" "$NSET" "$n signature(s)"
	done
	ROWS+=("|   | authmilter: concurrency | | | | | | | | | |")
	for c in 256 512; do
		say "authmilter c=$c"
		cell authmilter "$c" "$T/gen/std" 0 "authmilter c=$c"
	done
}
if [ "${BENCH_EXTRA:-1}" != 0 ]; then
	case " $SETUPS " in *" authmilter "*) extra_rows ;; esac
fi

# a milter that died is a failure of its setup
kill -0 "$AM_PID" 2>/dev/null || BAD[authmilter]="${BAD[authmilter]:-}authmilter died; "
case " $SETUPS " in
*" pair "*)
	kill -0 "$DKIM_PID" 2>/dev/null && kill -0 "$DMARC_PID" 2>/dev/null ||
	    BAD[pair]="${BAD[pair]:-}opendkim or opendmarc died; " ;;
esac

echo
echo "## authmilter benchmark ($MODE, $TRANSPORT sockets, $(nproc) cores, $(date -u +%Y-%m-%d))"
echo
echo "authmilter: $AMREV; $(opendkim -V 2>&1 | head -1 | sed 's/: / /'), $(opendmarc -V 2>&1 | head -1 | sed 's/: / /')"
echo "load average before the run: $LOAD0"
echo
echo "CPU ms = utime+stime of the milter process(es) per message; RSS = peak (VmHWM)"
echo "during the cell; x pair / x NR-0 = authmilter msg/s over OpenDKIM+OpenDMARC"
echo "and over the no-reply do-nothing milter at the same c. null = do-nothing"
echo "milter answering every step; null-nr = negotiating SMFIP_NR_* for every step;"
echo "null-am = negotiating exactly authmilter's steps, adding one field at end of"
echo "message; CPU/AM-0 = authmilter's CPU per message over null-am's at the same c."
echo
print_table
echo

# ------------------------------------------------------------ cold DNS ---
# cold_one SETUP MSG DELAY - fresh milter(s) behind the proxy, one message;
#	sets CL (latency ms), CQ (lookups), CU (distinct lookups)
cold_one() {
	local setup=$1 msg=$2 delay=$3 px args out line pids

	CL=- CQ=- CU=-

	: >"$T/log/q.log"
	bg dnsdelay "$PY" "$BENCH_DIR/dnsdelay.py" --listen "127.0.0.1:$CDNS" \
	    ${NS:+--listen "$DKIM_NS:$CDNS"} \
	    --upstream "127.0.0.1:$CNSD" --delay-ms "$delay" \
	    --log "$T/log/q.log" --max-seconds 120
	px=$LAST_PID
	sleep 0.5
	if [ "$setup" = authmilter ]; then
		start_authmilter cold-am "$CDNS" || { stop $px; COLD_BAD="$COLD_BAD start"; return; }
		args="-s $AM_SOCK"
		pids=$AM_PID
	else
		start_pair cold-pair "$CDNS" || { stop $px; COLD_BAD="$COLD_BAD start"; return; }
		args="-s $DKIM_SOCK -s $DMARC_SOCK"
		pids="$DKIM_PID $DMARC_PID"
	fi
	out=$T/raw/cold-$setup-$delay-$(basename "$(dirname "$msg")")-$(basename "$msg").txt
	# shellcheck disable=SC2086
	nsx "$MLOAD" $args -n 1 --kv --timeout 10000 "$msg" >"$out" 2>&1
	line=$(grep '^KV ' "$out")
	# shellcheck disable=SC2086
	stop $pids $px 2>/dev/null
	if [ -z "$line" ] || [ "$(kv error "$line")" != 0 ] ||
	    [ "$(kv mismatch "$line")" != 0 ] || [ ! -s "$T/log/q.log" ]; then
		COLD_BAD="$COLD_BAD $setup/$delay/$(basename "$msg")"
	fi
	cp "$T/log/q.log" "$out.lookups"
	CL=$(kv max "$line")
	CQ=$(wc -l <"$T/log/q.log")
	CU=$(sort -u "$T/log/q.log" | wc -l)
}

COLD_BAD=""
if [ "$COLD" = 1 ] || [ "$SMOKE" = 1 ]; then
	say "cold DNS"
	stop "$NSD_PID" "$AM_PID" 2>/dev/null
	case " $SETUPS " in *" pair "*) stop "$DKIM_PID" "$DMARC_PID" 2>/dev/null ;; esac
	# NSD moves aside; the proxy takes the port resolv.conf names
	if [ -n "$NS" ]; then
		CDNS=53
		CNSD=5300
	else
		CDNS=$DNS_PORT
		CNSD=$(free_port)
	fi
	nsd_start "$CNSD" || die "nsd (cold)"
	CSETUPS="authmilter"
	[ -n "$NS" ] && [ "$SMOKE" = 0 ] && CSETUPS="authmilter pair"
	CMSGS="$T/gen/std/m0000.eml $T/gen/sigs/10/m0000.eml"
	[ "$SMOKE" = 1 ] && CMSGS="$T/gen/std/m0000.eml"
	echo "Cold DNS: fresh milter, one message, DNS answers delayed by 50 ms (dnsdelay.py)"
	echo
	echo "| setup | message | ms, no delay | ms, 50 ms delay | added ms | = DNS round trips | lookups (distinct) |"
	echo "|---|---|---|---|---|---|---|"
	for s in $CSETUPS; do
		for m in $CMSGS; do
			cold_one "$s" "$m" 0
			l0=$CL
			cold_one "$s" "$m" 50
			l1=$CL q1=$CQ u1=$CU
			case $m in */sigs/*) mn="10 signatures" ;; *) mn="1 signature" ;; esac
			add=$(awk -v a="$l1" -v b="$l0" 'BEGIN { printf "%.1f", a - b }')
			echo "| $s | $mn | $l0 | $l1 | $add | $(awk -v a="$add" 'BEGIN { printf "%.1f", a / 50 }') | $q1 ($u1) |"
		done
	done
	echo
	[ -z "$COLD_BAD" ]; tap $((1 - $?)) cold-dns "${COLD_BAD:+wrong verdict, error or no lookup seen:$COLD_BAD}"
fi

for s in $SETUPS; do
	tap "$([ -z "${BAD[$s]:-}" ] && echo 1 || echo 0)" "$s" "${BAD[$s]:-}"
done
[ -n "$NS" ] || tap 1 pair "SKIP no network namespace"
echo "1..$((NPASS + NFAIL))"
echo "$NPASS passed, $NFAIL failed"
[ "$NFAIL" = 0 ]
