#!/bin/sh
# cli.sh - the command line of build/san/authmilter (TAP)
#
# -n on the example configuration and on broken ones (exit status and
# the "file:line: reason" line), -n -p, -V, usage errors, and -t on
# stored messages. The -t checks point the resolver at a closed loopback
# port: a trusted client is accepted unevaluated, a missing From: is
# refused, and a DNS failure gives the tempfail reply. Verdicts that
# need answers are tested through Postfix and NSD (integration/).
set -u
cd "$(dirname "$0")/../.." || exit 1
bin=build/san/authmilter
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cli.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

n=0
check() {	# check NAME CONDITION-EXIT-STATUS [DETAIL]
	n=$((n + 1))
	if [ "$2" -eq 0 ]; then echo "ok - cli/$1"
	else echo "not ok - cli/$1"; [ -n "${3:-}" ] && printf '# %s\n' "$3"
	fi
}

if [ ! -x "$bin" ]; then
	echo "not ok - cli/build: $bin missing (make san)"
	exit 1
fi

# -n: the example configuration is valid
$bin -n -c conf/authmilter.conf >"$tmp/out" 2>&1
check "n-example-ok" $? "$(cat "$tmp/out")"

# -n -p: every key with its effective value
$bin -n -p -c conf/authmilter.conf >"$tmp/out" 2>&1
grep -qx 'mode = "enforce";' "$tmp/out" && grep -qx '	timeout = 5000;' "$tmp/out"
check "n-p-prints-keys" $? "$(head -3 "$tmp/out")"

# -n -p output is itself a valid configuration
$bin -n -c "$tmp/out" >"$tmp/out2" 2>&1
check "n-p-output-loads" $? "$(cat "$tmp/out2")"

# -n: errors give exit 1 and file:line: reason
printf 'mode = "enforce";\ndns = { timeout = 7; };\n' >"$tmp/bad1.conf"
$bin -n -c "$tmp/bad1.conf" >"$tmp/out" 2>&1
rc=$?
[ $rc -eq 1 ] && grep -q "$tmp/bad1.conf:2: dns.timeout: 7 is not a number" "$tmp/out"
check "n-bad-value" $? "rc=$rc $(cat "$tmp/out")"

printf 'mode = "enforce";\nmodee = "monitor";\n' >"$tmp/bad2.conf"
$bin -n -c "$tmp/bad2.conf" >"$tmp/out" 2>&1
rc=$?
[ $rc -eq 1 ] && grep -q "$tmp/bad2.conf:2: unknown key \"modee\"" "$tmp/out"
check "n-unknown-key" $? "rc=$rc $(cat "$tmp/out")"

printf 'mode = "enforce"\nsocket = ;\n' >"$tmp/bad3.conf"
$bin -n -c "$tmp/bad3.conf" >"$tmp/out" 2>&1
rc=$?
[ $rc -eq 1 ] && grep -q "$tmp/bad3.conf:2: " "$tmp/out"
check "n-syntax-error" $? "rc=$rc $(cat "$tmp/out")"

$bin -n -c "$tmp/missing.conf" >"$tmp/out" 2>&1
[ $? -eq 1 ] && grep -qx "authmilter: $tmp/missing.conf: No such file or directory" "$tmp/out"
check "n-missing-file" $? "$(cat "$tmp/out")"

printf 'dmarc = { org_domain = "psl"; public_suffix_list = "%s/none.dat"; };\n' \
    "$tmp" >"$tmp/bad4.conf"
$bin -n -c "$tmp/bad4.conf" >"$tmp/out" 2>&1
check "n-psl-missing" "$( [ $? -eq 1 ]; echo $? )" "$(cat "$tmp/out")"

# -V and usage
$bin -V | grep -q '^authmilter [0-9]'
check "version" $?
$bin -x >/dev/null 2>&1
check "usage-error" "$( [ $? -eq 1 ]; echo $? )"
$bin -t "$tmp/x.eml" -c conf/authmilter.conf >/dev/null 2>&1
check "t-needs-envelope" "$( [ $? -eq 1 ]; echo $? )"

# -t: same stages as the daemon
printf 'From: a@a.example\nSubject: t\n\nbody\n' >"$tmp/m.eml"
printf 'dns = { nameservers = "127.0.0.1@9"; timeout = 300; };\n' \
    >"$tmp/t.conf"
$bin -t "$tmp/m.eml" -c "$tmp/t.conf" --client-ip 127.0.0.1 --helo h.example \
    --mail-from a@a.example >"$tmp/out" 2>"$tmp/err"
[ $? -eq 0 ] && grep -qx 'action: accept' "$tmp/out" &&
    grep -q 'why=trusted' "$tmp/err"
check "t-trusted-client" $? "$(cat "$tmp/out" "$tmp/err")"

$bin -t "$tmp/m.eml" -c "$tmp/t.conf" --client-ip 192.0.2.1 --helo h.example \
    --mail-from a@a.example >"$tmp/out" 2>"$tmp/err"
[ $? -eq 0 ] && grep -q '^action: tempfail 451 4.7.5 ' "$tmp/out"
check "t-dns-down-tempfails" $? "$(cat "$tmp/out" "$tmp/err")"

printf 'Subject: no author\n\nbody\n' >"$tmp/nofrom.eml"
$bin -t "$tmp/nofrom.eml" -c "$tmp/t.conf" --client-ip 192.0.2.1 \
    --helo h.example --mail-from a@a.example >"$tmp/out" 2>"$tmp/err"
[ $? -eq 0 ] && grep -q '^action: reject 550 5.7.1 ' "$tmp/out"
check "t-no-from-rejected" $? "$(cat "$tmp/out" "$tmp/err")"

# "From :" is a From: field, as Postfix passes it to milters
printf 'From : a@a.example\nFrom: b@b.example\nSubject: two\n\nbody\n' \
    >"$tmp/twofrom.eml"
$bin -t "$tmp/twofrom.eml" -c "$tmp/t.conf" --client-ip 192.0.2.1 \
    --helo h.example --mail-from a@a.example >"$tmp/out" 2>"$tmp/err"
[ $? -eq 0 ] && grep -q '^action: reject 550 5.7.1 .*multiple-fields' "$tmp/out"
check "t-from-space-colon" $? "$(cat "$tmp/out" "$tmp/err")"

echo "# cli: $n checks"
exit 0
