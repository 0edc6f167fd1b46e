#!/bin/bash
# check.sh - `authmilter check DOMAIN' against zones served by a real NSD (TAP)
#
# The zone test-harness/suites/check/zones/example.zone holds one domain
# per defect (and good.example, where everything is right) plus a reverse
# zone for the MX addresses. Each line of the table below runs
#   build/san/authmilter check NAME.example --json --nameserver NSD [ARGS]
# and asserts the exit status and that each listed finding id is present
# (ids prefixed with "!" must be absent). Then: the text report, usage
# errors (exit 2, naming the argument), no connection to port 25
# (strace), and a resolver that stops answering mid-check (dnsstall.py):
# the check ends by itself, exits 2 and says what it could not check.
set -u
cd "$(dirname "$0")/../.." || exit 1
. test-harness/integration/lib.sh
SUITE=test-harness/suites/check
BIN=$REPO_ROOT/build/san/authmilter

n_fail=0
tap() {	# tap STATUS NAME [DETAIL-FILE]
	if [ "$1" -eq 0 ]; then echo "ok - check/$2"; else
		echo "not ok - check/$2"; n_fail=$((n_fail + 1))
		[ -n "${3:-}" ] && [ -s "$3" ] && sed 's/^/# /' "$3" | head -40
	fi
}

for t in jq nsd strace; do
	command -v $t >/dev/null || { echo "not ok - check/setup: $t missing"; exit 1; }
done
it_init || exit 1
test-harness/integration/mkkeys.sh "$T/keys" 2>"$T/err" ||
    { tap 1 setup-keys "$T/err"; exit 1; }
mkdir -p "$T/zsrc"
"$PY" test-harness/integration/it.py zone "$SUITE/zones/example.zone" \
    "$T/keys" "$T/zsrc/example.zone" 2>"$T/err" ||
    { tap 1 setup-zone "$T/err"; exit 1; }
dns_start "$T/zsrc/example.zone" "$SUITE/zones/2.0.192.in-addr.arpa.zone" \
    2>"$T/err" || { tap 1 setup-nsd "$T/err"; exit 1; }
NS="127.0.0.1@$DNS_PORT"

# run_check NAME WANT-EXIT ARGS... - JSON report in $T/NAME.json
run_check() {
	local name=$1 want=$2 rc
	shift 2
	timeout 120 "$BIN" check "$name.example" --json --nameserver "$NS" \
	    "$@" >"$T/$name.json" 2>"$T/$name.err"
	rc=$?
	if [ "$rc" -ne "$want" ]; then
		echo "exit $rc, want $want" >>"$T/$name.why"
	fi
	jq -e . "$T/$name.json" >/dev/null 2>&1 ||
	    echo "output is not JSON" >>"$T/$name.why"
}

# has NAME ID... - the report of NAME has (or, for !ID, lacks) each id
has() {
	local name=$1 id
	shift
	for id in "$@"; do
		case $id in
		!*) jq -e --arg id "${id#!}" 'any(.findings[]; .id == $id)' \
		    "$T/$name.json" >/dev/null 2>&1 &&
		    echo "finding ${id#!} present" >>"$T/$name.why" ;;
		*) jq -e --arg id "$id" 'any(.findings[]; .id == $id)' \
		    "$T/$name.json" >/dev/null 2>&1 ||
		    echo "finding $id missing" >>"$T/$name.why" ;;
		esac
	done
}

# case NAME EXIT "ARGS" IDS...
case_() {
	local name=$1 want=$2 args=$3
	shift 3
	: >"$T/$name.why"
	run_check "$name" "$want" $args
	has "$name" "$@"
	[ -s "$T/$name.why" ] && cat "$T/$name.json" >>"$T/$name.why"
	tap "$( [ ! -s "$T/$name.why" ]; echo $? )" "$name" "$T/$name.why"
}

# --- the well-configured domain: all ok, spoof rejected ----------------------
case_ good 0 "--selector s1,s2" mx.ok spf.lookups spf.fail_all \
    spf.mx_authorized dmarc.record dmarc.p_reject dkim.key tls.mta_sts \
    tls.tlsrpt
jq -e '([.findings[] | select(.level == "warn" or .level == "fail")] |
    length == 0) and .summary.spoof_rejected and .complete and
    ([.findings[] | select(.id == "dkim.key")] | length == 2) and
    (.spf_tree | length == 1)' "$T/good.json" >/dev/null
tap $? good-all-ok "$T/good.json"

# --- MX ----------------------------------------------------------------------
case_ nomx 1 "" mx.implicit dmarc.none
case_ nothing 1 "" mx.none
case_ nullmx 1 "" mx.null '!mx.ok' '!spf.mx_not_authorized'
case_ mx0 1 "" mx.priority_zero
case_ mxcname 1 "" mx.cname
case_ mxip 1 "" mx.ip_literal
case_ mxnoaddr 1 "" mx.unresolved
case_ noptr 1 "" mx.ptr_missing
case_ badptr 1 "" mx.fcrdns_mismatch
case_ shortptr 1 "" mx.ptr_not_fqdn '!mx.fcrdns_mismatch'

# --- SPF ---------------------------------------------------------------------
case_ nospf 1 "" spf.none
case_ twospf 1 "" spf.multiple
case_ spfsyntax 1 "" spf.syntax
case_ plusall 1 "" spf.plus_all
case_ neutralall 1 "" spf.neutral_all
case_ softall 1 "" spf.softfail_all
case_ noall 1 "" spf.no_all
case_ spfptr 1 "" spf.ptr
case_ inclmissing 1 "" spf.include_missing
case_ spf11 1 "" spf.too_many_lookups '!spf.lookups'
case_ spf10 1 "" spf.lookups '!spf.too_many_lookups'
case_ voids 1 "" spf.void_lookups
case_ mxnotauth 1 "" spf.mx_not_authorized
jq -e '.spf_tree | length == 12 and (.[1].depth == 1)' "$T/spf11.json" \
    >/dev/null
tap $? spf11-tree "$T/spf11.json"

# --- DMARC -------------------------------------------------------------------
case_ nodmarc 1 "" dmarc.none
jq -e '.summary.spoof_rejected == false' "$T/nodmarc.json" >/dev/null
tap $? nodmarc-spoof-not-rejected "$T/nodmarc.json"
case_ twodmarc 1 "" dmarc.multiple
case_ pnone 1 "" dmarc.p_none
case_ sub.orgonly 1 "" dmarc.found_at_parent dmarc.p_reject
case_ pct 1 "" dmarc.obsolete_tag
case_ badtag 1 "" dmarc.bad_tag
case_ testing 1 "" dmarc.testing
jq -e '.summary.spoof_rejected == false' "$T/testing.json" >/dev/null
tap $? testing-spoof-not-rejected "$T/testing.json"
case_ extok 1 "" dmarc.external_authorized '!dmarc.external_unauthorized'
case_ extno 1 "" dmarc.external_unauthorized

# --- DKIM (selector given) ---------------------------------------------------
case_ dk1024 1 "--selector s1" dkim.rsa_short
case_ dk512 1 "--selector s1" dkim.rsa_too_short
case_ dktest 1 "--selector s1" dkim.testing
case_ dksha1 1 "--selector s1" dkim.sha1_only
case_ dkrevoked 1 "--selector s1" dkim.revoked
case_ dkbad 1 "--selector s1" dkim.bad_record
case_ nodmarc 1 "--selector s9" dkim.missing

# --- transport ---------------------------------------------------------------
case_ badsts 1 "" tls.mta_sts_bad tls.tlsrpt_bad
case_ nomx 1 "" tls.mta_sts_missing tls.tlsrpt_missing

# --- the text report ---------------------------------------------------------
"$BIN" check good.example --nameserver "$NS" --selector s1 >"$T/text" 2>&1
rc=$?
[ $rc -eq 0 ] && grep -q '^  ok    mx.ok ' "$T/text" &&
    grep -q 'be rejected by a DMARC-enforcing receiver? yes' "$T/text" &&
    ! grep -q $'\033' "$T/text"
tap $? text-report "$T/text"

# --- usage errors: exit 2, the argument named ----------------------------------
"$BIN" check >"$T/u1" 2>&1; rc1=$?
"$BIN" check good.example --max-queries x >"$T/u2" 2>&1; rc2=$?
"$BIN" check 'bad domain!' >"$T/u3" 2>&1; rc3=$?
"$BIN" check good.example --bogus >"$T/u4" 2>&1; rc4=$?
[ $rc1 -eq 2 ] && grep -q 'no DOMAIN' "$T/u1" && [ $rc2 -eq 2 ] &&
    grep -q -- '--max-queries' "$T/u2" && [ $rc3 -eq 2 ] &&
    grep -q 'not a domain' "$T/u3" && [ $rc4 -eq 2 ] &&
    grep -q -- '--bogus' "$T/u4"
tap $? usage-errors "$T/u4"

# --- it makes no connection but DNS (never port 25) ----------------------------
ASAN_OPTIONS=detect_leaks=0 strace -f -e trace=connect -o "$T/strace" "$BIN" check good.example \
    --nameserver "$NS" --json >/dev/null 2>&1
grep -q 'connect(' "$T/strace" && ! grep -q 'htons(25)' "$T/strace" &&
    ! grep 'connect(' "$T/strace" | grep -v "htons($DNS_PORT)" |
    grep -q 'sin_port'
tap $? no-smtp-connection "$T/strace"

# --- the resolver stops answering mid-check: bounded, says what is missing ----
SPORT=$(free_port)
"$PY" $SUITE/dnsstall.py --listen "127.0.0.1:$SPORT" \
    --upstream "127.0.0.1:$DNS_PORT" --answer 6 --max-seconds 120 &
stall=$!
poll 5 sh -c "ss -uln | grep -q '127.0.0.1:$SPORT '"
timeout 120 "$BIN" check good.example --json --nameserver "127.0.0.1@$SPORT" \
    --time-limit 10 >"$T/stall.json" 2>"$T/stall.err"
rc=$?
kill "$stall" 2>/dev/null; wait "$stall" 2>/dev/null
[ $rc -eq 2 ] && jq -e '.complete == false and (.missing | length > 0) and
    (.findings | length > 0)' "$T/stall.json" >/dev/null
tap $? resolver-stops-mid-check "$T/stall.json"

[ "$n_fail" -eq 0 ]
