#!/bin/bash
# package.sh - the Debian package (issue 12), installed on this machine
#
# Takes build/deb/authmilter_*.deb (make deb, which make check runs):
# lintian finds no error; dpkg -i installs it (binary, man pages, the
# conffile, the system user in group postfix, the unit, which
# systemd-analyze verify accepts); the service starts as the unit would
# start it (no systemd here: its ExecStart, as user authmilter, with
# /run/authmilter made as RuntimeDirectory= would, NOTIFY_SOCKET set as
# for Type=notify); the harness's real Postfix reaches it over the unix
# socket as user postfix, and two messages get their verdicts (a DMARC
# pass delivered with our Authentication-Results, a spoof refused 550);
# ExecReload reloads; SIGTERM lets a message in flight finish, then stops;
# dpkg --purge removes it all (TAP).
#
# The configuration is the installed one plus the test's DNS server.
set -u
cd "$(dirname "$0")/../.." || exit 1
. test-harness/integration/lib.sh

check() {	# check NAME STATUS [DETAIL]
	if [ "$2" -eq 0 ]; then echo "ok - package/$1"
	else echo "not ok - package/$1"; [ -n "${3:-}" ] && printf '%s\n' "$3" |
	    sed 's/^/# /' | tail -n 30
	fi
}
skip() { echo "ok - package/$1 # SKIP $2"; }

deb=$(ls build/deb/authmilter_*.deb 2>/dev/null | head -1)
if [ -z "$deb" ]; then
	check built 1 "no build/deb/authmilter_*.deb: run make deb"
	exit 0
fi
check built 0
if [ "$(id -u)" -ne 0 ]; then
	skip installs "needs root (dpkg -i)"
	exit 0
fi

out=$(lintian --fail-on error "$deb" 2>&1)
check lintian-no-errors $? "$out"

# dpkg_retry ARGS... - dpkg, waiting while another engineer holds the lock
dpkg_retry() {
	local i=0 out
	while :; do
		out=$(dpkg "$@" 2>&1) && { echo "$out"; return 0; }
		case $out in
		*lock*) [ $i -lt 60 ] || { echo "$out"; return 1; } ;;
		*) echo "$out"; return 1 ;;
		esac
		sleep 2; i=$((i + 1))
	done
}
purged=0
it_init
trap 'stop_pkg; it_teardown; [ $purged = 1 ] ||
    dpkg_retry --purge authmilter >/dev/null 2>&1' EXIT

out=$(dpkg_retry -i "$deb")
check installs $? "$out"

conf=/etc/authmilter/authmilter.conf
unit=/lib/systemd/system/authmilter.service
[ -x /usr/sbin/authmilter ] && /usr/sbin/authmilter -V | grep -q authmilter &&
    [ -f /usr/share/man/man8/authmilter.8.gz ] &&
    [ -f /usr/share/man/man5/authmilter.conf.5.gz ]
check binary-and-man-pages $?
dpkg-query -W -f='${Conffiles}\n' authmilter | grep -q " $conf "
check conffile $? "$(dpkg-query -W -f='${Conffiles}\n' authmilter)"
grep -qx 'user = "authmilter";' "$conf" &&
    grep -qx 'socket = "unix:/run/authmilter/authmilter.sock";' "$conf"
check conffile-user-and-socket $? "$(cat "$conf")"
id authmilter >/dev/null 2>&1 && id -nG authmilter | grep -qw postfix
check user-in-group-postfix $? "$(id authmilter 2>&1)"

# systemd-analyze verify works without a running systemd: it checks the
# syntax, the commands (executable) and the Documentation= man pages
if command -v systemd-analyze >/dev/null; then
	out=$(systemd-analyze verify "$unit" 2>&1)
	[ $? -eq 0 ] && [ -z "$out" ]
	check unit-verifies $? "$out"
else
	skip unit-verifies "no systemd-analyze"
fi
grep -qx 'Type=notify' "$unit" && grep -qx 'RuntimeDirectory=authmilter' \
    "$unit" && grep -qx 'ExecReload=/bin/kill -HUP $MAINPID' "$unit"
check unit-notify-reload-runtimedir $?

# --- run it as the unit would, behind a real Postfix -------------------
pkg_pid=""
stop_pkg() {
	[ -n "$pkg_pid" ] || return 0
	kill -TERM "$pkg_pid" 2>/dev/null
	poll 10 eval "! kill -0 $pkg_pid 2>/dev/null" || kill -9 "$pkg_pid"
	wait "$pkg_pid" 2>/dev/null
	pkg_rc=$?
	pkg_pid=""
}
"$IT_DIR/mkkeys.sh" "$T/keys" >/dev/null 2>&1 &&
    mkdir -p "$T/dns" &&
    "$PY" "$IT_DIR/it.py" zone "$IT_DIR/zones/example.zone" "$T/keys" \
    "$T/dns/example.zone" >/dev/null 2>&1 &&
    dns_start "$T/dns/example.zone" 2>"$T/setup.err"
st=$?
PF_MAILBOXES=pkg
[ $st -eq 0 ] && postfix_start unix:/run/authmilter/authmilter.sock \
    2>>"$T/setup.err"
st=$?
check harness-up $st "$(cat "$T/setup.err")"

# RuntimeDirectory=authmilter, RuntimeDirectoryMode=0755, User=authmilter
rm -rf /run/authmilter
install -d -o authmilter -g authmilter -m 0755 /run/authmilter
{ cat "$conf"; echo "dns = { nameservers = \"127.0.0.1@$DNS_PORT\"; };"; } \
    >"$T/pkg.conf"
chmod 644 "$T/pkg.conf"
cmd=$(sed -n 's/^ExecStart=//p' "$unit" | sed "s|-c $conf|-c $T/pkg.conf|")
python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
out = open(sys.argv[2], "a", buffering=1)
while True:
	out.write(s.recv(4096).decode().replace("\n", " ") + "\n")
' "$T/notify.sock" "$T/notify.log" &
notify_pid=$!
poll 10 test -S "$T/notify.sock"
chmod 777 "$T/notify.sock"
# shellcheck disable=SC2086  # the unit's ExecStart, split as systemd does
setpriv --reuid=authmilter --regid=authmilter --init-groups \
    env NOTIFY_SOCKET="$T/notify.sock" $cmd </dev/null >"$T/pkg.log" 2>&1 &
pkg_pid=$!
poll 20 grep -q "READY=1" "$T/notify.log"
check starts-type-notify $? "$(cat "$T/pkg.log")"
got=$(stat -c '%a %U %G' /run/authmilter/authmilter.sock 2>&1)
[ "$got" = "660 authmilter postfix" ]
check socket-authmilter-postfix-0660 $? "got: $got"
uid=$(awk '/^Uid:/ { print $2 }' "/proc/$pkg_pid/status" 2>/dev/null)
[ "$uid" = "$(id -u authmilter)" ]
check runs-as-authmilter $? "uid $uid"

# a DMARC pass, delivered with our Authentication-Results
sed -e 's/@RCPT@/pkg@rcpt.example/' -e 's/@CASE@/pkg-pass/' \
    "$IT_DIR/cases/dmarc_pass_spf/msg.eml" >"$T/pass.eml"
send_mail "$T/pass.out" --addr 192.0.2.10 --helo mail.a.example \
    --from alice@a.example --to pkg@rcpt.example --data "$T/pass.eml"
f=$(maildir_wait pkg@rcpt.example 20)
[ -n "$f" ] && msg_headers "$f" | grep -q \
    '^Authentication-Results: mx.test.example;.*dmarc=pass'
check postfix-unix-socket-pass-delivered $? \
    "$(cat "$T/pass.out" | tail -5; grep -i milter "$PF_DIR/log/maillog" | tail -5)"

# a spoof of a.example (p=reject): refused through the same socket
sed -e 's/@RCPT@/pkg@rcpt.example/' -e 's/@CASE@/pkg-spoof/' \
    "$IT_DIR/cases/dmarc_pass_spf/msg.eml" >"$T/spoof.eml"
send_mail "$T/spoof.out" --addr 203.0.113.66 --helo relay.c.example \
    --from ceo@a.example --to pkg@rcpt.example --data "$T/spoof.eml"
reply=$(smtp_final_reply "$T/spoof.out")
case $reply in 550\ 5.7.26*) st=0 ;; *) st=1 ;; esac
[ $st -eq 0 ] && grep -q "verdict=reject" "$T/pkg.log"
check postfix-unix-socket-spoof-refused $? "reply: $reply; $(tail -3 "$T/pkg.log")"

# ExecReload, as systemd runs it
reload=$(sed -n 's/^ExecReload=//p' "$unit" | sed "s/\$MAINPID/$pkg_pid/")
$reload
poll 10 grep -q "reload: $T/pkg.conf loaded" "$T/pkg.log" &&
    poll 10 test "$(grep -c READY=1 "$T/notify.log")" -ge 2 &&
    grep -q RELOADING=1 "$T/notify.log" && kill -0 "$pkg_pid"
check exec-reload $? "$(tail -3 "$T/pkg.log")"

# SIGTERM with a message in flight: an SMTP session is open (smtpd holds
# its milter connection), the daemon stops accepting but answers the rest
# of that message, then exits
cat >"$T/inflight.py" <<'PY'
import os, smtplib, sys, time
port, d = int(sys.argv[1]), sys.argv[2]
s = smtplib.SMTP("127.0.0.1", port, timeout=60)
s.ehlo("client.test.example")
s.mail("alice@a.example")
s.rcpt("pkg@rcpt.example")
open(d + "/inflight.ready", "w").close()
while not os.path.exists(d + "/inflight.go"):
	time.sleep(0.1)
code, _ = s.data(b"From: <alice@a.example>\r\nSubject: in flight\r\n"
    b"\r\nbody\r\n")
open(d + "/inflight.code", "w").write(str(code))
s.quit()
PY
python3 "$T/inflight.py" "$SMTP_PORT" "$T" 2>"$T/inflight.err" &
inflight_pid=$!
poll 20 test -e "$T/inflight.ready"
kill -TERM "$pkg_pid"
poll 10 grep -q STOPPING=1 "$T/notify.log"
sleep 1
kill -0 "$pkg_pid" 2>/dev/null
check sigterm-waits-for-message-in-flight $? "$(tail -3 "$T/pkg.log")"
touch "$T/inflight.go"
wait "$inflight_pid"
[ "$(cat "$T/inflight.code" 2>/dev/null)" = 250 ]
check in-flight-message-answered $? "$(cat "$T/inflight.err")"
stop_pkg
[ "${pkg_rc:-1}" -eq 0 ] && grep -q STOPPING=1 "$T/notify.log"
check sigterm-stops $? "exit ${pkg_rc:-?}; $(tail -3 "$T/pkg.log")"
kill "$notify_pid" 2>/dev/null
rm -rf /run/authmilter

out=$(dpkg_retry --purge authmilter)
st=$?
purged=1
[ $st -eq 0 ] && [ ! -e /usr/sbin/authmilter ] && [ ! -e "$conf" ] &&
    [ ! -e "$unit" ]
check purges $? "$out"
exit 0
