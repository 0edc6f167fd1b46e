#!/bin/bash
# sign.sh - DKIM key handling of build/san/authmilter (TAP; issue 10)
#
# genkey writes keys whose printed TXT records load into a real NSD zone
# (on loopback, lib.sh) and testkey, asking that NSD through our
# resolver, passes them; a record of another key is reported as a
# mismatch; -n refuses a key file that is missing, unparseable, too
# short, or readable by others, with the key table's file:line.
# Signing itself is tested through Postfix (integration/cases/sign_*).
set -u
cd "$(dirname "$0")/../.." || exit 1
. test-harness/integration/lib.sh
bin=$AUTHMILTER

check() {	# check NAME STATUS [DETAIL]
	if [ "$2" -eq 0 ]; then echo "ok - sign/$1"
	else echo "not ok - sign/$1"; [ -n "${3:-}" ] && printf '%s\n' "$3" |
	    sed 's/^/# /'
	fi
}

if [ ! -x "$bin" ] || ! command -v nsd >/dev/null 2>&1; then
	echo "not ok - sign/setup: $bin or nsd missing"
	exit 1
fi
it_init || exit 1
k=$T/keys
mkdir -p "$k"

# genkey: key files 0600, one TXT line each
$bin genkey sign.example r1 --dir "$k" >"$T/r1.txt" 2>"$T/err"
check genkey-rsa $? "$(cat "$T/err")"
$bin genkey sign.example e1 --type ed25519 --dir "$k" >"$T/e1.txt" \
    2>"$T/err"
check genkey-ed25519 $? "$(cat "$T/err")"
$bin genkey sign.example big --bits 3072 --dir "$k" >"$T/big.txt" \
    2>"$T/err"
check genkey-bits $? "$(cat "$T/err")"
[ "$(stat -c %a "$k/sign.example.r1.key")" = 600 ] &&
    [ "$(stat -c %a "$k/sign.example.e1.key")" = 600 ]
check genkey-mode-0600 $? "$(ls -l "$k")"
grep -q 'k=rsa; ' "$T/r1.txt" && grep -q 'k=ed25519; ' "$T/e1.txt"
check genkey-record-type $? "$(cat "$T/r1.txt" "$T/e1.txt")"
$bin genkey sign.example r1 --dir "$k" >"$T/out" 2>&1
[ $? -eq 1 ] && grep -q 'File exists' "$T/out"
check genkey-never-overwrites $? "$(cat "$T/out")"
$bin genkey sign.example tiny --bits 512 --dir "$k" >"$T/out" 2>&1
[ $? -eq 1 ] && [ ! -e "$k/sign.example.tiny.key" ]
check genkey-refuses-512-bits $? "$(cat "$T/out")"

# a mismatched record: "wrong" publishes r1's key under selector wrong,
# whose private key is another one
$bin genkey sign.example wrong --dir "$k" >/dev/null 2>&1
sed 's/^r1\._domainkey/wrong._domainkey/' "$T/r1.txt" >"$T/wrong.txt"

# the zone: genkey's lines as they are
{
	printf '$ORIGIN example.\n$TTL 300\n'
	printf '@ SOA ns hostmaster 1 3600 600 86400 300\n@ NS ns\nns A 127.0.0.1\n'
	cat "$T/r1.txt" "$T/e1.txt" "$T/big.txt" "$T/wrong.txt"
} >"$T/example.zone"
dns_start "$T/example.zone" 2>"$T/err"
check zone-loads-genkey-output $? "$(cat "$T/err")"

cat >"$k/KeyTable" <<KT
# name	domain:selector:file
r1	sign.example:r1:$k/sign.example.r1.key
e1	sign.example:e1:$k/sign.example.e1.key
wrong	sign.example:wrong:$k/sign.example.wrong.key
absent	sign.example:absent:$k/sign.example.r1.key
KT
cat >"$T/a.conf" <<CF
dns = { nameservers = "127.0.0.1@$DNS_PORT"; timeout = 2000; };
sign = { key_table = "$k/KeyTable"; };
CF
$bin testkey -c "$T/a.conf" r1 e1 >"$T/out" 2>&1
[ $? -eq 0 ] && grep -q '^r1 r1._domainkey.sign.example: ok (rsa 2048)' \
    "$T/out" && grep -q '^e1 e1._domainkey.sign.example: ok (ed25519' "$T/out"
check testkey-genkey-keys-pass $? "$(cat "$T/out")"
$bin testkey -c "$T/a.conf" wrong >"$T/out" 2>&1
[ $? -eq 1 ] && grep -q '^wrong .*: mismatch: the published key is not' \
    "$T/out"
check testkey-reports-mismatch $? "$(cat "$T/out")"
$bin testkey -c "$T/a.conf" absent >"$T/out" 2>&1
[ $? -eq 1 ] && grep -q 'no key record published' "$T/out"
check testkey-reports-missing-record $? "$(cat "$T/out")"
$bin testkey -c "$T/a.conf" >"$T/out" 2>&1
[ $? -eq 1 ] && [ "$(grep -c ': ok ' "$T/out")" -eq 2 ]
check testkey-whole-table $? "$(cat "$T/out")"
$bin testkey -c "$T/a.conf" --domain sign.example --selector big \
    --key "$k/sign.example.big.key" >"$T/out" 2>&1
[ $? -eq 0 ] && grep -q ': ok (rsa 3072)' "$T/out"
check testkey-one-file $? "$(cat "$T/out")"

# -n: the key table's file:line for every key file problem
n_refuses() {	# n_refuses NAME LINE-IN-TABLE PATTERN
	$bin -n -c "$T/n.conf" >"$T/out" 2>&1
	rc=$?
	[ $rc -eq 1 ] && grep -q "$k/KT2:$2: .*$3" "$T/out"
	check "$1" $? "rc=$rc $(cat "$T/out")"
}
printf 'sign = { key_table = "%s"; };\n' "$k/KT2" >"$T/n.conf"
printf '# ok first\nr1 sign.example:r1:%s\n' "$k/sign.example.r1.key" >"$k/KT2"
$bin -n -c "$T/n.conf" >"$T/out" 2>&1
check n-accepts-key-table $? "$(cat "$T/out")"
printf 'x sign.example:x:%s\n' "$k/missing.key" >>"$k/KT2"
n_refuses n-refuses-missing-key 3 "cannot read: No such file"
echo "not a key" >"$k/garbage.key"; chmod 600 "$k/garbage.key"
sed -i '3d' "$k/KT2"
printf 'x sign.example:x:%s\n' "$k/garbage.key" >>"$k/KT2"
n_refuses n-refuses-unparseable-key 3 "cannot parse"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:512 \
    -out "$k/short.key" 2>/dev/null; chmod 600 "$k/short.key"
sed -i '3d' "$k/KT2"
printf 'x sign.example:x:%s\n' "$k/short.key" >>"$k/KT2"
n_refuses n-refuses-512-bit-key 3 "RSA key of 512 bits"
cp "$k/sign.example.r1.key" "$k/open.key"; chmod 644 "$k/open.key"
sed -i '3d' "$k/KT2"
printf 'x sign.example:x:%s\n' "$k/open.key" >>"$k/KT2"
n_refuses n-refuses-world-readable-key 3 "other users may read"
printf 'sign = { key_table = "%s"; require_safe_keys = false; };\n' \
    "$k/KT2" >"$T/n.conf"
$bin -n -c "$T/n.conf" >"$T/out" 2>&1
[ $? -eq 0 ] && grep -q 'other users may read' "$T/out"
check n-warns-world-readable-key-when-allowed $? "$(cat "$T/out")"
printf 'sign = { key_table = "%s"; signing_table = "%s"; };\n' \
    "$k/KT2" "$k/ST" >"$T/n.conf"
printf '*@sign.example r1\n*@other.example nosuchkey\n' >"$k/ST"
sed -i '3d' "$k/KT2"
$bin -n -c "$T/n.conf" >"$T/out" 2>&1
[ $? -eq 1 ] && grep -q "$k/ST:2: no key nosuchkey" "$T/out"
check n-refuses-unknown-key-name $? "$(cat "$T/out")"

# the daemon reads key files before dropping privileges: a root-only key
# (0600, owned by root) works with user = nobody; a reload re-reads the
# key table as nobody, so root-only keys make the reload fail and
# the running configuration (with its keys) stays
if [ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1; then
	printf 'r1 sign.example:r1:%s\n' "$k/sign.example.r1.key" >"$k/KT3"
	chmod 755 "$k"
	MILTER_PORT=$(free_port)
	cat >"$T/d.conf" <<CF
socket = "inet:$MILTER_PORT@127.0.0.1";
user = "nobody";
dns = { nameservers = "127.0.0.1@$DNS_PORT"; timeout = 2000; };
sign = { key_table = "$k/KT3"; };
CF
	milter_start "$T/d.conf" 2>"$T/err"
	rc=$?
	# the socket listens before the drop: wait for the drop itself
	poll 10 grep -q "listening on" "$MILTER_LOG"
	uid=$(awk '/^Uid:/ { print $2 }' "/proc/$MILTER_PID/status" 2>/dev/null)
	[ $rc -eq 0 ] && [ "$uid" = "$(id -u nobody)" ] &&
	    [ "$(stat -c %U:%a "$k/sign.example.r1.key")" = root:600 ]
	check daemon-reads-keys-before-privilege-drop $? \
	    "rc=$rc uid=$uid $(cat "$T/err")"
	printf 'e1 sign.example:e1:%s\n' "$k/sign.example.e1.key" >>"$k/KT3"
	kill -USR1 "$MILTER_PID"
	poll 10 grep -q "keeping the running configuration" "$MILTER_LOG"
	rc=$?
	[ $rc -eq 0 ] && grep -q "KT3:1: key file .*: cannot read: Permission denied" \
	    "$MILTER_LOG" && milter_alive
	check reload-rereads-keys-as-user $? "$(tail -3 "$MILTER_LOG")"
	milter_stop 2>"$T/err"
	check daemon-exit $? "$(cat "$T/err")"
else
	echo "ok - sign/daemon-reads-keys-before-privilege-drop # SKIP needs root and nobody"
fi
