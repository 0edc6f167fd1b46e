#!/bin/bash
# soak.sh - authmilter under load, faults and hostile input; nothing lost
#
# SYNOPSIS
#	test-harness/soak/soak.sh [--short | --long] [--keep]
#
# DESCRIPTION
#	As root, in a network namespace of its own (amsoak-PID, only a
#	loopback interface), with everything on 127.0.0.1 there: NSD serving
#	the benchmark zone of test-harness/bench/genmsgs.py with every TTL
#	cut to 2 s (so that outages bite), a switchable DNS proxy in front of
#	it (dnsfault.py: pass, SERVFAIL, black hole) as authmilter's only
#	resolver, authmilter (inet socket, trusted_networks empty), and a
#	real Postfix (test-harness/integration/lib.sh) with authmilter as its
#	milter and milter_default_action = tempfail. Load comes from the
#	project's load generator (test-harness/bench/mload.c, milter
#	protocol) and, through Postfix, from soak.py's SMTP client (one
#	session per message, XCLIENT presenting the message's client).
#	Message set: genmsgs.py's standard set, 80% passing DMARC (accept),
#	20% failing a p=reject policy (reject).
#
#	Phases, each a row of the table and TAP lines:
#
#	baseline	mload, no fault: every verdict as expected
#	postfix		SMTP through Postfix, no fault: every 250 delivered,
#			every 550 an expected reject
#	kill-9		SMTP through Postfix while authmilter is killed
#			(SIGKILL) and restarted: the 451s are sent again
#			after the restart; nothing lost
#	pf-servfail	SMTP through Postfix while the resolver answers
#			SERVFAIL to everything; 451s retried after the fault
#	dns-killed, dns-servfail, dns-blackhole, dns-hung-S
#			mload load while the resolver is killed, answers
#			SERVFAIL, reads and never answers, or is stopped
#			(SIGSTOP) for S seconds, then back; every message
#			gets its expected verdict or a 451, never the
#			opposite verdict and never no reply; "recovery" is
#			the time from the resolver's return to the first
#			message judged normally again (polled, one probe
#			message every 0.5 s, for at most SOAK_RECOVER_MAX
#			seconds)
#	reload		mload load while authmilter reloads its
#			configuration 20 times (SIGUSR1): every verdict as
#			expected
#	stall		1,000 connections that send half a milter packet and
#			stall: authmilter keeps judging other mail (expected
#			verdict or a 451 at connect), and its threads come
#			back down when they close; long mode: they are
#			dropped by authmilter's I/O timeout
#	hostile		10,000 header fields, a 50 MB body, 200
#			DKIM-Signature fields, a From: with 1,000 mailboxes
#			(each refused: 550 or 451, never accepted, always
#			a reply), a last body line without CRLF signed
#			validly (accept) and tampered (reject), a bare CR in
#			a header field (reject)
#
#	After every phase authmilter must be alive; at the end its thread
#	and open file counts must be back to the baseline taken after the
#	warm-up (polled), and it must exit cleanly on SIGTERM with no
#	sanitizer report. A table of the figures is printed at the end:
#	messages, errors (no final reply), the verdict tally, violations,
#	recovery time, peak RSS (VmHWM, reset at each phase) and threads
#	(peak during the phase / after it). Nothing asserts a time: the
#	recovery and release waits are bounded polls that fail only when
#	the thing waited for does not happen within the bound.
#
#	--short (default; make check runs it through
#	test-harness/suites/soak.sh) runs about three minutes: a 50-message
#	set, c=16, dns.timeout = 2000 so that 5 s faults bite, one 15 s
#	hang, 30 messages per Postfix phase sent over 6 s (authmilter killed
#	1.5 s in, back 2 s later).
#	--long (make soak) runs the issue's figures with the default
#	dns.timeout: c=512 for the baseline (peak RSS must stay within 64
#	MiB; optimised build), 20 s faults, hangs of 60 s and 180 s, 200
#	messages per Postfix phase over 20 s, the stalled connections held
#	past authmilter's I/O timeout.
#
#	Checks of issue 14's items are tagged; a tag listed in SOAK_PENDING
#	prints its failure as "not ok ... # TODO" (counted as skipped by
#	run-tests, never as passed) naming what it waits for:
#	item1	recovery from a resolver hung 60 s or more (hard)
#	item3	stalled connections dropped by the milter I/O timeout (hard)
#	item4	a final body line without CRLF (perf)
#	item5	bare CR in a header field refused (hard)
#	item6	peak RSS at c=512 within 64 MiB (hard)
#
# ENVIRONMENT
#	AUTHMILTER	binary under test (default: build/san/authmilter for
#			--short, build/authmilter for --long)
#	SOAK_PENDING	tags whose checks are TODO (default
#			"item6": 75 MiB, see README, Reliability)
#	SOAK_RECOVER_MAX	recovery poll bound, seconds (default 30: three
#			times issue 14's 10 s target)
#	SOAK_STALL_HOLD	long mode: seconds the stalled connections are held
#			(default 330: Postfix's milter_content_timeout + 30)
#	IT_KEEP		keep the temp dir (as --keep)
# EXIT STATUS
#	0 when no line is "not ok" (TODO lines aside), 1 otherwise.
set -u

SOAK_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$SOAK_DIR/../.." && pwd)
MODE=short
INNER=0
for a in "$@"; do
	case $a in
	--short) MODE=short ;;
	--long) MODE=long ;;
	--keep) IT_KEEP=1; export IT_KEEP ;;
	--inner) INNER=1 ;;
	-h|--help) sed -n '2,/^set -u/p' "$0" | sed 's/^# \{0,1\}//;$d'; exit 0 ;;
	*) echo "soak.sh: unknown option $a" >&2; exit 2 ;;
	esac
done

# ----------------------------------------------- the namespace, outside ---
if [ "$INNER" = 0 ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "not ok - soak/$MODE/setup # needs root (network namespace, Postfix)"
		exit 1
	fi
	NS=amsoak-$$
	ip netns add "$NS" && ip netns exec "$NS" ip link set lo up || {
		echo "not ok - soak/$MODE/setup # cannot make network namespace $NS"
		ip netns del "$NS" 2>/dev/null
		exit 1
	}
	trap 'ip netns del "$NS" 2>/dev/null' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	ip netns exec "$NS" bash "$0" --inner "$@"
	exit $?
fi

# ------------------------------------------------- inside the namespace ---
if [ -z "${AUTHMILTER:-}" ]; then
	if [ "$MODE" = long ]; then
		AUTHMILTER=$REPO/build/authmilter
	else
		AUTHMILTER=$REPO/build/san/authmilter
	fi
fi
export AUTHMILTER
# shellcheck disable=SC2034 # read by lib.sh: mail for user@rcpt.example
PF_MAILBOXES=user
# shellcheck source=../integration/lib.sh
. "$REPO/test-harness/integration/lib.sh"

PY=/usr/bin/python3
SOAKPY="$PY $SOAK_DIR/soak.py"
PENDING=${SOAK_PENDING-"item6"}
RECOVER_MAX=${SOAK_RECOVER_MAX:-30}
if [ "$MODE" = long ]; then
	NSTD=200 CONC=64 BASE_CONC=512 BASE_SECS=60 PF_N=200 PF_CONC=8
	HANGS="60 180" FAULT_HOLD=20 STALL_HOLD=${SOAK_STALL_HOLD:-330}
	DNS_TIMEOUT=""				# the default, 5000 ms
	PF_SPREAD=20 KILL_AT=5 KILL_DOWN=5
else
	NSTD=50 CONC=16 BASE_CONC=16 BASE_SECS=5 PF_N=30 PF_CONC=4
	HANGS="15" FAULT_HOLD=5 STALL_HOLD=0
	DNS_TIMEOUT=2000			# faults longer than it bite
	PF_SPREAD=6 KILL_AT=1.5 KILL_DOWN=2
fi
NSTALL=1000

NPASS=0
NFAIL=0
NTODO=0
ROWS=()
EXTRA_PIDS=""

# tap OK NAME [TAG] [COMMENT] - one TAP line; TAG in PENDING makes a
#	failure a TODO
tap() {
	local ok=$1 name=$2 tag=${3:-} com=${4:-} todo=""

	case " $PENDING " in
	*" $tag "*) [ -n "$tag" ] && todo="TODO needs issue 14 $tag" ;;
	esac
	if [ "$ok" = 1 ]; then
		echo "ok - soak/$MODE/$name${todo:+ # $todo (passes already)}${com:+ # $com}"
		NPASS=$((NPASS + 1))
	elif [ -n "$todo" ]; then
		echo "not ok - soak/$MODE/$name # $todo${com:+; $com}"
		NTODO=$((NTODO + 1))
	else
		echo "not ok - soak/$MODE/$name${com:+ # $com}"
		NFAIL=$((NFAIL + 1))
	fi
}

say() { echo "# $*"; }

fatal() {
	tap 0 "$1" "" "$2"
	finish
}

soak_teardown() {
	local p

	for p in $EXTRA_PIDS; do
		kill -CONT "$p" 2>/dev/null
		kill -TERM "$p" 2>/dev/null
	done
	for p in $EXTRA_PIDS; do
		wait "$p" 2>/dev/null
	done
	it_teardown
}

# ---------------------------------------------------- process figures ---
am_status() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$MILTER_PID/status" 2>/dev/null; }
am_threads() { am_status Threads; }
am_fds() { ls "/proc/$MILTER_PID/fd" 2>/dev/null | wc -l; }
am_hwm_mib() { awk -v k="$(am_status VmHWM)" 'BEGIN { printf "%.1f", k / 1024 }'; }
am_hwm_reset() { echo 5 >"/proc/$MILTER_PID/clear_refs" 2>/dev/null; }

# sampler_start / sampler_stop - peak thread count during a phase
sampler_start() {
	echo 0 >"$T/peak"
	(
		peak=0
		while [ ! -e "$T/peak.stop" ]; do
			n=$(am_threads)
			if [ -n "$n" ] && [ "$n" -gt "$peak" ]; then
				peak=$n
				echo "$peak" >"$T/peak"
			fi
			sleep 0.2
		done
	) &
	SAMPLER=$!
}
sampler_stop() {
	touch "$T/peak.stop"
	wait "$SAMPLER" 2>/dev/null
	rm -f "$T/peak.stop"
	PEAK_THREADS=$(cat "$T/peak")
}

# kv KEY LINE - a value of a key=value line
kv() { echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }

# row PHASE MSGS ERRORS ACCEPT REJECT TEMPFAIL VIOLATIONS RECOVERY
row() {
	ROWS+=("$1|$2|$3|$4|$5|$6|$7|$8|$(am_hwm_mib)|${PEAK_THREADS:--}/$(am_threads)")
}

# ----------------------------------------------------------- services ---
# dnsf_start - the fault proxy on $DNSF_PORT, in the mode of $T/dns.mode
dnsf_start() {
	"$PY" "$SOAK_DIR/dnsfault.py" --listen "127.0.0.1:$DNSF_PORT" \
	    --upstream "127.0.0.1:$DNS_PORT" --mode-file "$T/dns.mode" \
	    >>"$T/dnsfault.log" 2>&1 &
	DNSF_PID=$!
	EXTRA_PIDS="$EXTRA_PIDS $DNSF_PID"
	poll 10 eval "dig_ok" >/dev/null 2>&1
}

# dig_ok - the proxy answers for example. (in pass mode)
dig_ok() {
	"$PY" - "$DNSF_PORT" <<'EOF'
import socket, struct, sys
q = struct.pack("!HHHHHH", 7, 0x100, 1, 0, 0, 0) + b"\x07example\x00\x00\x06\x00\x01"
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(0.3)
s.sendto(q, ("127.0.0.1", int(sys.argv[1])))
sys.exit(0 if s.recv(512)[3] & 15 == 0 else 1)
EOF
}

dns_mode() { echo "$1" >"$T/dns.mode"; }

write_conf() {
	cat >"$T/authmilter.conf" <<EOF
socket = "inet:$MILTER_PORT@127.0.0.1";
authserv_id = "mx.soak.example";
mode = "enforce";
trusted_networks = [ ];
dns = {
	nameservers = "127.0.0.1@$DNSF_PORT";${DNS_TIMEOUT:+
	timeout = $DNS_TIMEOUT;}
};
EOF
}

am_start() {
	milter_start "$T/authmilter.conf" || fatal setup "authmilter does not start"
}

# alive PHASE - a TAP line: authmilter still runs
alive() {
	if milter_alive; then
		tap 1 "$1/alive"
	else
		tap 0 "$1/alive" "" "authmilter died; see $MILTER_LOG"
		finish
	fi
}

# ---------------------------------------------------------- mload load ---
mload_cmd() { "$T/bin/mload" -s "inet:127.0.0.1:$MILTER_PORT" --max-errors 0 "$@"; }

# load_start NAME C - mload in 2-second batches until load_stop
load_start() {
	: >"$T/raw/$1.v"
	rm -f "$T/load.stop"
	(
		while [ ! -e "$T/load.stop" ]; do
			mload_cmd -c "$2" -d 2 -v --timeout 600000 "$T/gen/std" \
			    >>"$T/raw/$1.out" 2>>"$T/raw/$1.v"
		done
	) &
	LOAD_PID=$!
	EXTRA_PIDS="$EXTRA_PIDS $LOAD_PID"
}
load_stop() { touch "$T/load.stop"; wait "$LOAD_PID" 2>/dev/null; }

# judge NAME FAULT - classify a phase's mload log; sets LINE; TAP line
judge() {
	local name=$1 fault=$2 flags=""

	[ "$fault" = 1 ] && flags=--fault
	[ "$fault" = kill ] && flags="--fault --allow-error"
	$SOAKPY classify $flags "$T/raw/$name.v" >"$T/raw/$name.cls"
	grep '^# ' "$T/raw/$name.cls"
	LINE=$(grep -v '^# ' "$T/raw/$name.cls")
	local v m
	v=$(kv violations "$LINE")
	m=$(kv msgs "$LINE")
	[ "${m:-0}" -gt 0 ] && [ "${v:-1}" = 0 ]
	tap $((1 - $?)) "$name/verdicts" "" "msgs=$m violations=$v slowest=$(kv max_ms "$LINE") ms"
}

# probe_recovery - seconds until a passing message is accepted again
probe_recovery() {
	local t0 now i=0 f out
	local files=("$T"/gen/std/m00[0-9][0-3].eml)

	t0=$(date +%s.%N)
	while :; do
		f=${files[$((i % ${#files[@]}))]}
		i=$((i + 1))
		out=$(mload_cmd -n 1 -v --timeout 60000 "$f" 2>&1 >/dev/null)
		now=$(date +%s.%N)
		case $out in
		*" $(sed -n 's/^X-Bench-Expect: *//p' "$f" | tr -d '\r') "*)
			RECOVERY=$(awk -v a="$now" -v b="$t0" 'BEGIN { printf "%.1f", a - b }')
			return 0 ;;
		esac
		if awk -v a="$now" -v b="$t0" -v m="$RECOVER_MAX" 'BEGIN { exit !(a - b > m) }'; then
			RECOVERY=">$RECOVER_MAX"
			return 1
		fi
		sleep 0.5
	done
}

# fault_phase NAME INJECT CLEAR HOLD TAG - load, fault for HOLD s, back
fault_phase() {
	local name=$1 inject=$2 clear=$3 hold=$4 tag=$5 rc

	say "phase $name: $inject for ${hold}s, then $clear"
	am_hwm_reset
	sampler_start
	load_start "$name" "$CONC"
	sleep 2
	eval "$inject"
	sleep "$hold"
	eval "$clear"
	tback=$(date +%s.%N)
	probe_recovery
	rc=$?
	sleep 2
	load_stop
	sampler_stop
	if [ $rc != 0 ]; then
		# the next phases need a working resolver: wait (bounded) and
		# note how long recovery really took
		say "$name: not recovered within ${RECOVER_MAX}s; waiting up to 1200s"
		if RECOVER_MAX=1200 probe_recovery; then
			RECOVERY=$(awk -v a="$(date +%s.%N)" -v b="$tback" \
			    'BEGIN { printf "%.0f (over the bound)", a - b }')
		fi
	fi
	judge "$name" 1
	tap $((1 - rc)) "$name/recovered" "$tag" "recovery ${RECOVERY} s after the resolver came back (bound ${RECOVER_MAX}s)"
	row "$name" "$(kv msgs "$LINE")" "$(kv error "$LINE")" "$(kv accept "$LINE")" \
	    "$(kv reject "$LINE")" "$(kv tempfail "$LINE")" "$(kv violations "$LINE")" "$RECOVERY"
	alive "$name"
}

# ------------------------------------------------------------- Postfix ---
# pf_phase NAME FIRST_ID [DURING] - SMTP batch, DURING run while it goes,
#	then retries and the delivery check
pf_phase() {
	local name=$1 first=$2 during=${3:-} send out rc

	say "phase $name: $PF_N messages through Postfix${during:+ while: $during}"
	am_hwm_reset
	sampler_start
	$SOAKPY smtp-send --port "$SMTP_PORT" --out "$T/raw/$name.json" \
	    --conc "$PF_CONC" --count "$PF_N" --first-id "$first" \
	    --spread "$PF_SPREAD" "$T/gen/std" >"$T/raw/$name.send" 2>&1 &
	send=$!
	[ -n "$during" ] && eval "$during"
	wait "$send"
	cat "$T/raw/$name.send" | sed 's/^/# /'
	[ -n "$during" ] && eval "${PF_AFTER:-:}"
	$SOAKPY smtp-retry --port "$SMTP_PORT" --rounds 30 --pause 1 \
	    "$T/raw/$name.json" | sed 's/^/# /'
	out=$($SOAKPY smtp-verify --maildir "$PF_DIR/mail/user" --wait 60 \
	    "$T/raw/$name.json")
	rc=$?
	sampler_stop
	echo "$out" | grep '^# '
	LINE=$(echo "$out" | grep -v '^# ')
	tap $((1 - rc)) "$name/nothing-lost" "" "$LINE"
	row "$name" "$(kv messages "$LINE")" 0 "$(kv delivered "$LINE")" \
	    "$(kv rejected "$LINE")" "$(kv first_4xx "$LINE")" "$(kv problems "$LINE")" -
	alive "$name"
}

# kill9_during - kill -9 authmilter while Postfix sends, restart it
kill9_during() {
	sleep "$KILL_AT"
	kill -KILL "$MILTER_PID"
	wait "$MILTER_PID" 2>/dev/null
	MILTER_PID=""
	sleep "$KILL_DOWN"
	am_start
}

# servfail_during - SERVFAIL from the start until the batch is sent
servfail_during() {
	dns_mode servfail
}

# ----------------------------------------------------------- the run ---
finish() {
	local r

	echo
	echo "## authmilter soak ($MODE, $(nproc) cores, $(date -u +%Y-%m-%d))"
	echo
	echo "authmilter: $AUTHMILTER ($(git -C "$REPO" rev-parse --short HEAD 2>/dev/null))"
	echo "load: mload c=$CONC (baseline c=$BASE_CONC), $NSTD messages (80% accept, 20% reject);"
	echo "Postfix phases: $PF_N messages each; errors = no final reply; RSS = VmHWM of the phase"
	echo
	echo "| phase | messages | errors | accept/250 | reject/550 | tempfail/451 | violations | recovery s | peak RSS MiB | threads peak/after |"
	echo "|---|---|---|---|---|---|---|---|---|---|"
	for r in "${ROWS[@]}"; do
		echo "| ${r//|/ | } |"
	done
	echo
	echo "1..$((NPASS + NFAIL + NTODO))"
	if [ "$NTODO" -gt 0 ]; then
		echo "$NPASS passed, $NFAIL failed, $NTODO TODO ($PENDING)"
	else
		echo "$NPASS passed, $NFAIL failed"
	fi
	[ "$NFAIL" = 0 ]
	exit $?
}

# as it_init, under a name of our own
T=$(mktemp -d /tmp/authmilter-soak.XXXXXX) ||
    { echo "not ok - soak/$MODE/setup # mktemp"; exit 1; }
chmod 755 "$T"
trap 'soak_teardown' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
mkdir -p "$T/bin" "$T/raw"
ulimit -n 65536 2>/dev/null || ulimit -n 8192 2>/dev/null
[ -x "$AUTHMILTER" ] || fatal setup "$AUTHMILTER not built"
gcc -O2 -std=c17 -D_GNU_SOURCE -Wall -Wextra -Wno-unused-parameter \
    -o "$T/bin/mload" "$REPO/test-harness/bench/mload.c" \
    "$REPO/test-harness/bench/mwire.c" -lpthread >"$T/build.log" 2>&1 ||
    fatal setup "mload does not build"
say "generating keys, zone and $NSTD messages"
"$PY" "$REPO/test-harness/bench/genmsgs.py" "$T/gen" --std "$NSTD" \
    --per-set 1 --sizes 4 --sigs 1 >"$T/gen.log" 2>&1 ||
    fatal setup "genmsgs.py failed: $(tail -1 "$T/gen.log")"
# short TTLs, positive and negative, so that outages bite
sed -i -e 's/^\$TTL 3600/$TTL 2/' -e 's/ 1 3600 600 86400 3600$/ 1 3600 600 86400 2/' \
    "$T/gen/example.zone"
$SOAKPY hostile --gen "$T/gen" "$T/hostile" || fatal setup "hostile messages"
dns_start "$T/gen/example.zone" || fatal setup "nsd does not start"
DNSF_PORT=$(free_port) && MILTER_PORT=$(free_port) || fatal setup "no free port"
dns_mode pass
dnsf_start || fatal setup "dnsfault.py does not answer"
write_conf
am_start
postfix_start "inet:127.0.0.1:$MILTER_PORT" || fatal setup "postfix does not start"
say "authmilter $MILTER_PID on $MILTER_PORT, resolver 127.0.0.1:$DNSF_PORT -> nsd $DNS_PORT, postfix $SMTP_PORT"

# --- baseline
say "phase baseline: c=$BASE_CONC for ${BASE_SECS}s"
mload_cmd -c "$BASE_CONC" -n "$NSTD" -v --timeout 600000 "$T/gen/std" \
    >/dev/null 2>"$T/raw/warmup.v"			# warm-up, fills the cache
am_hwm_reset
sampler_start
mload_cmd -c "$BASE_CONC" -d "$BASE_SECS" -v --timeout 600000 \
    "$T/gen/std" >"$T/raw/baseline.out" 2>"$T/raw/baseline.v"
sampler_stop
judge baseline 0
row baseline "$(kv msgs "$LINE")" "$(kv error "$LINE")" "$(kv accept "$LINE")" \
    "$(kv reject "$LINE")" "$(kv tempfail "$LINE")" "$(kv violations "$LINE")" -
if [ "$MODE" = long ]; then
	rss=$(am_hwm_mib)
	awk -v r="$rss" 'BEGIN { exit !(r <= 64) }'
	tap $((1 - $?)) "baseline/rss-c$BASE_CONC" item6 "peak RSS ${rss} MiB at c=$BASE_CONC (target 64)"
fi
alive baseline

# --- through Postfix: clean, kill -9, resolver SERVFAIL
pf_phase postfix 1
pf_phase kill-9 100001 kill9_during
PF_AFTER="dns_mode pass; sleep 3" pf_phase pf-servfail 200001 servfail_during

# baseline of the process now running (restarted by kill-9), after load
mload_cmd -c "$CONC" -n "$NSTD" --timeout 600000 "$T/gen/std" >/dev/null 2>&1
sleep 1
BASE_THREADS=$(am_threads)
BASE_FDS=$(am_fds)
say "idle baseline: $BASE_THREADS threads, $BASE_FDS open files"

# --- resolver faults under mload load
fault_phase dns-killed 'kill -KILL $DNSF_PID; wait $DNSF_PID 2>/dev/null' \
    'dnsf_start' "$FAULT_HOLD" ""
fault_phase dns-servfail 'dns_mode servfail' 'dns_mode pass' "$FAULT_HOLD" ""
fault_phase dns-blackhole 'dns_mode blackhole' 'dns_mode pass' "$FAULT_HOLD" ""
for h in $HANGS; do
	# a 10 s hang recovered at once before issue 14, a 60 s one did not
	tag=""
	[ "$h" -ge 60 ] && tag=item1
	fault_phase "dns-hung-$h" 'kill -STOP $DNSF_PID' 'kill -CONT $DNSF_PID' "$h" "$tag"
done

# --- 20 reloads under load
say "phase reload: 20 reloads (SIGUSR1) under load"
am_hwm_reset
sampler_start
n0=$(grep -c 'reload: .* loaded' "$MILTER_LOG")
load_start reload "$CONC"
sleep 1
# each reload is logged before the next signal: two SIGUSR1 sent while a
# reload is still running are one pending signal, so one reload
for i in $(seq 20); do
	kill -USR1 "$MILTER_PID"
	poll 10 eval "[ \$(grep -c 'reload: .* loaded' '$MILTER_LOG') -ge $((n0 + i)) ]"
	sleep 0.3
done
sleep 1
load_stop
sampler_stop
judge reload 0
n1=$(grep -c 'reload: .* loaded' "$MILTER_LOG")
[ $((n1 - n0)) -eq 20 ]
tap $((1 - $?)) reload/reloaded "" "$((n1 - n0)) of 20 reloads logged as loaded"
row reload "$(kv msgs "$LINE")" "$(kv error "$LINE")" "$(kv accept "$LINE")" \
    "$(kv reject "$LINE")" "$(kv tempfail "$LINE")" "$(kv violations "$LINE")" -
alive reload

# --- stalled connections
say "phase stall: $NSTALL connections send half a packet and stall"
am_hwm_reset
sampler_start
rm -f "$T/stall.ready" "$T/stall.ready.n"
$SOAKPY stall --port "$MILTER_PORT" --count "$NSTALL" --ready "$T/stall.ready" &
STALL_PID=$!
EXTRA_PIDS="$EXTRA_PIDS $STALL_PID"
poll 60 test -s "$T/stall.ready"
nstalled=$(cat "$T/stall.ready" 2>/dev/null || echo 0)
# libmilter takes a while to accept them all: until the count settles
prev=-1
stall_threads=$(am_threads)
for i in $(seq 30); do
	[ "$stall_threads" = "$prev" ] && break
	prev=$stall_threads
	sleep 1
	stall_threads=$(am_threads)
done
: >"$T/raw/stall.v"
mload_cmd -c 4 -n 20 -v --timeout 120000 "$T/gen/std" >/dev/null 2>"$T/raw/stall.v"
judge stall 1
say "$stall_threads threads, $(am_fds) open files with $nstalled stalled connections"
if [ "$MODE" = long ]; then
	say "holding them ${STALL_HOLD}s (past the milter I/O timeout)"
	sleep "$STALL_HOLD"
	kill -USR1 "$STALL_PID"
	poll 10 test -s "$T/stall.ready.n"
	dropped=$(cat "$T/stall.ready.n" 2>/dev/null || echo 0)
	[ "$dropped" -ge "$nstalled" ]
	tap $((1 - $?)) stall/timed-out item3 \
	    "authmilter closed $dropped of $nstalled stalled connections within ${STALL_HOLD}s"
fi
kill -TERM "$STALL_PID"
wait "$STALL_PID" 2>/dev/null
poll 30 eval '[ "$(am_threads)" -le "$BASE_THREADS" ]'
tap $((1 - $?)) stall/threads-released "" "$(am_threads) threads after they closed, baseline $BASE_THREADS"
sampler_stop
row stall "$(kv msgs "$LINE")" "$(kv error "$LINE")" "$(kv accept "$LINE")" \
    "$(kv reject "$LINE")" "$(kv tempfail "$LINE")" "$(kv violations "$LINE")" -
alive stall

# --- hostile sizes and bytes
say "phase hostile: sizes and bytes"
am_hwm_reset
sampler_start
mload_cmd -c 1 -v --timeout 600000 "$T/hostile" >/dev/null 2>"$T/raw/hostile.v"
sampler_stop
for f in "$T"/hostile/*.eml; do
	b=$(basename "$f" .eml)
	got=$(awk -v p="$f" '$1 == p { print $2 }' "$T/raw/hostile.v")
	want=$(sed -n 's/^X-Bench-Expect: *//p' "$f" | head -1 | tr -d '\r')
	case $b in
	partial-*) tag=item4; [ "$got" = "$want" ] ;;
	bare-cr) tag=item5; [ "$got" = "$want" ] ;;
	*) tag=""; [ "$got" = reject ] || [ "$got" = tempfail ] ;;
	esac
	tap $((1 - $?)) "hostile/$b" "$tag" "got ${got:-nothing}, want $want"
done
$SOAKPY classify --fault "$T/raw/hostile.v" >"$T/raw/hostile.cls"
LINE=$(grep -v '^# ' "$T/raw/hostile.cls")
row hostile "$(kv msgs "$LINE")" "$(kv error "$LINE")" "$(kv accept "$LINE")" \
    "$(kv reject "$LINE")" "$(kv tempfail "$LINE")" "$(kv violations "$LINE")" -
alive hostile

# --- back to baseline, clean exit
poll 30 eval '[ "$(am_threads)" -le "$BASE_THREADS" ] && [ "$(am_fds)" -le "$BASE_FDS" ]'
tap $((1 - $?)) end/baseline "" "threads $(am_threads) (baseline $BASE_THREADS), open files $(am_fds) (baseline $BASE_FDS)"
PEAK_THREADS=""
milter_stop
tap $((1 - $?)) end/clean-exit "" "SIGTERM: exit 0, no sanitizer report in the log"
finish
