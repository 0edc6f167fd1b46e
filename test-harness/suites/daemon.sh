#!/bin/sh
# daemon.sh - the daemon's life: privilege drop, pid file, unix socket,
# SIGUSR1 reload (good and bad configuration), SIGTERM stop (TAP)
#
# Runs build/san/authmilter -f on a unix socket in a temp dir; no MTA is
# needed for these (the integration tests drive it through Postfix).
set -u
cd "$(dirname "$0")/../.." || exit 1
bin=$PWD/build/san/authmilter
[ -x "$bin" ] || { echo "not ok - daemon/build: $bin missing"; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/daemon.XXXXXX") || exit 1
chmod 755 "$tmp"
pid=""
trap '[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT

check() {	# check NAME STATUS [DETAIL]
	if [ "$2" -eq 0 ]; then echo "ok - daemon/$1"
	else echo "not ok - daemon/$1"; [ -n "${3:-}" ] && printf '# %s\n' "$3"
	fi
}
wait_for() {	# wait_for TEST... : up to 10 s
	i=0
	while ! "$@" && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	"$@"
}

if [ "$(id -u)" -ne 0 ] || ! id nobody >/dev/null 2>&1; then
	echo "ok - daemon/privileges # SKIP needs root and user nobody"
	user=""
else
	user=nobody
	chown nobody "$tmp"	# the pid file's directory: removed as nobody
fi
cat >"$tmp/a.conf" <<CONF
socket = "unix:$tmp/milter.sock";
pidfile = "$tmp/authmilter.pid";
user = "$user";
dns = { nameservers = "127.0.0.1@9"; timeout = 300; };
CONF
"$bin" -f -c "$tmp/a.conf" 2>"$tmp/log" &
pid=$!
wait_for test -S "$tmp/milter.sock"
check "unix-socket" $? "$(cat "$tmp/log")"

wait_for test -s "$tmp/authmilter.pid"
[ "$(cat "$tmp/authmilter.pid" 2>/dev/null)" = "$pid" ]
check "pidfile" $? "pidfile: $(cat "$tmp/authmilter.pid" 2>/dev/null) pid: $pid"

if [ -n "$user" ]; then
	# the drop comes after the snapshot (it reads key files as root),
	# before "listening on"
	wait_for grep -q "listening on" "$tmp/log"
	uid=$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status")
	[ "$uid" = "$(id -u nobody)" ]
	check "privileges-dropped" $? "uid $uid"
fi

# a good reload
sed 's/timeout = 300;/timeout = 400;/' "$tmp/a.conf" >"$tmp/b.conf" &&
    cat "$tmp/b.conf" >"$tmp/a.conf"
kill -USR1 "$pid"
wait_for grep -q "reload: $tmp/a.conf loaded" "$tmp/log"
check "reload" $? "$(tail -3 "$tmp/log")"
grep -q "reload: dns.timeout changed; it takes effect only after a restart" \
    "$tmp/log"
check "reload-restart-keys-warned" $? "$(tail -3 "$tmp/log")"

# a bad reload keeps the running configuration
echo 'mode = "sometimes";' >>"$tmp/a.conf"
kill -USR1 "$pid"
wait_for grep -q "keeping the running configuration" "$tmp/log"
rc=$?
kill -0 "$pid" 2>/dev/null && [ $rc -eq 0 ]
check "bad-reload-kept" $? "$(tail -3 "$tmp/log")"

kill -TERM "$pid"
i=0
while kill -0 "$pid" 2>/dev/null && [ $i -lt 150 ]; do
	sleep 0.1; i=$((i + 1)); done
if kill -0 "$pid" 2>/dev/null; then
	check "sigterm-stops" 1 "still running after 15 s"
else
	wait "$pid"
	rc=$?
	pid=""
	[ $rc -eq 0 ] && ! grep -q -e "ERROR: AddressSanitizer" \
	    -e "runtime error" -e "LeakSanitizer" "$tmp/log"
	check "sigterm-stops" $? "exit $rc; $(tail -5 "$tmp/log")"
	[ ! -e "$tmp/authmilter.pid" ]
	check "pidfile-removed" $?
fi
exit 0
