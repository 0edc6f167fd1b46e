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

# -n -p: every key with its effective value (on stdout; warnings such as
# "no user set" go to stderr and are not part of it)
$bin -n -p -c conf/authmilter.conf >"$tmp/out" 2>"$tmp/err"
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

# local policy: -n checks the rules (file:line: reason), warns about
# allow rules anyone can forge and rules after a catch-all
cat >"$tmp/pol.conf" <<'CONF'
dns = { nameservers = "127.0.0.1@9"; timeout = 300; };
policy = (
  { name = "deny-spammer"; mail_from_domain = ["spam.example"];
    action = "reject"; },
  { name = "from-only"; from_domain = ["a.example"]; action = "accept"; },
  { name = "postmaster"; rcpt = ["postmaster@*"]; action = "accept"; },
  { name = "all"; action = "tag"; },
  { name = "late"; helo = ["x.example"]; action = "reject"; }
);
CONF
$bin -n -c "$tmp/pol.conf" >"$tmp/out" 2>&1
rc=$?
[ $rc -eq 0 ] &&
    grep -q "$tmp/pol.conf:5: warning: policy: rule \"from-only\" accepts on from_domain" "$tmp/out" &&
    grep -q "$tmp/pol.conf:8: warning: policy: rule \"late\" is never reached" "$tmp/out"
check "n-policy-warnings" $? "rc=$rc $(cat "$tmp/out")"

sed 's/action = "tag"/action = "drop"/' "$tmp/pol.conf" >"$tmp/polbad.conf"
$bin -n -c "$tmp/polbad.conf" >"$tmp/out" 2>&1
rc=$?
[ $rc -eq 1 ] && grep -q "^authmilter: $tmp/polbad.conf:7: policy: rule \"all\": action: want accept" "$tmp/out"
check "n-policy-error" $? "rc=$rc $(cat "$tmp/out")"

# -n -p prints the policy section, and that output loads again
$bin -n -p -c "$tmp/pol.conf" >"$tmp/out" 2>/dev/null &&
    grep -q '{ name = "postmaster"; rcpt = \["postmaster@\*"\]; action = "accept"; }' "$tmp/out" &&
    $bin -n -c "$tmp/out" >/dev/null 2>&1
check "n-p-policy-roundtrip" $? "$(tail -8 "$tmp/out")"

# -t: the rule that decided, a refusal at MAIL, two recipients of
# different classes, and with -v why the earlier rules did not match
$bin -t "$tmp/m.eml" -c "$tmp/pol.conf" --client-ip 192.0.2.1 \
    --helo h.example --mail-from x@spam.example >"$tmp/out" 2>/dev/null
[ $? -eq 0 ] && grep -qx 'rule: deny-spammer' "$tmp/out" &&
    grep -q '^action: reject 550 5.7.1 .*(before the message)$' "$tmp/out"
check "t-rule-refuses-at-mail" $? "$(cat "$tmp/out")"

$bin -t "$tmp/m.eml" -c "$tmp/pol.conf" --client-ip 192.0.2.1 \
    --helo h.example --mail-from x@b.example --rcpt u@b.example \
    --rcpt postmaster@b.example -v >"$tmp/out" 2>/dev/null
[ $? -eq 0 ] &&
    grep -q '^rcpt: postmaster@b.example: 452 4.5.3 ' "$tmp/out" &&
    grep -q '^rule deny-spammer (line 3): no match: mail_from_domain is x@b.example$' "$tmp/out" &&
    grep -qx 'rule: from-only' "$tmp/out"
check "t-rcpt-split-and-explain" $? "$(cat "$tmp/out")"

# --client-name stands for the verified reverse DNS name
printf 'dns = { nameservers = "127.0.0.1@9"; timeout = 300; };\npolicy = ( { name = "host"; client_name = [".mail.partner.example"]; action = "accept"; } );\n' >"$tmp/host.conf"
$bin -t "$tmp/m.eml" -c "$tmp/host.conf" --client-ip 192.0.2.1 \
    --helo h.example --mail-from x@b.example \
    --client-name out1.mail.partner.example >"$tmp/out" 2>/dev/null
[ $? -eq 0 ] && grep -qx 'rule: host' "$tmp/out" && grep -qx 'action: accept' "$tmp/out"
check "t-client-name" $? "$(cat "$tmp/out")"
$bin -t "$tmp/m.eml" -c "$tmp/host.conf" --client-ip 192.0.2.1 \
    --helo h.example --mail-from x@b.example >"$tmp/out" 2>/dev/null
grep -qx 'rule: none (built-in verdict)' "$tmp/out"
check "t-no-client-name" $? "$(cat "$tmp/out")"

# usage errors name the argument
$bin -t "$tmp/m.eml" -c "$tmp/pol.conf" --client-ip 192.0.2.1 \
    --mail-from x@b.example >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] && grep -q '^authmilter: --helo: missing' "$tmp/err"
check "t-usage-names-argument" $? "$(cat "$tmp/err")"
$bin -t "$tmp/m.eml" -c "$tmp/pol.conf" --client-ip 192.0.2.300 \
    --helo h --mail-from x@b.example >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] && grep -q '^authmilter: --client-ip: not an IP address' "$tmp/err"
check "t-usage-bad-ip" $? "$(cat "$tmp/err")"

echo "# cli: $n checks"
exit 0
