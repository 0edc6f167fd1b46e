#!/bin/bash
# report.sh - DMARC reporting end to end (TAP)
#
# Real NSD, Postfix and authmilter (integration/lib.sh): messages for three
# policy domains go through Postfix; authmilter records one row each in an
# SQLite store; `authmilter report send' submits the aggregate reports
# through Postfix's own sendmail; the test reads the delivered report from
# the maildir, checks Subject, attachment name, the RFC 9990 schema
# (xmllint), counts, grouping and metadata, and reads it with an
# independent parser (dmarc-cat). Then: the external-destination check
# (authorized and not), !size, duplicates, exclusion, no second sending,
# --dry-run, show and digest. Then a real PostgreSQL server with two
# authmilter instances writing to it (one report covers both), and the
# faults: store unreachable, unopenable, locked, queue full - every
# message keeps its verdict (mload's expectations) and the rows not
# recorded are counted in the log.
set -u
cd "$(dirname "$0")/../.." || exit 1
. test-harness/integration/lib.sh
R=test-harness/suites/report
XSD=../shared/testsuites/dmarc-rfc9990/dmarc-2.0.xsd

n_fail=0
tap() {	# tap STATUS NAME [DETAIL-FILE]
	if [ "$1" -eq 0 ]; then echo "ok - report/$2"; else
		echo "not ok - report/$2"; n_fail=$((n_fail + 1))
		[ -n "${3:-}" ] && [ -s "$3" ] && sed 's/^/# /' "$3" | tail -40
	fi
}
die() { echo "not ok - report/setup: $1"; [ -n "${2:-}" ] && sed 's/^/# /' "$2" | tail -30; exit 1; }

for t in sqlite3 xmllint dmarc-cat jq gcc; do
	command -v $t >/dev/null || die "$t missing"
done
[ -f "$XSD" ] || die "$XSD missing (../shared beside the repository)"
it_init || exit 1
test-harness/integration/mkkeys.sh "$T/keys" 2>"$T/err" || die mkkeys "$T/err"
mkdir -p "$T/dns" "$T/zsrc"
"$PY" test-harness/integration/it.py zone test-harness/integration/zones/example.zone \
    "$T/keys" "$T/dns/example.zone" "$R" 2>"$T/err" || die zone "$T/err"
dns_start "$T/dns/example.zone" 2>"$T/err" || die nsd "$T/err"
MILTER_PORT=$(free_port) || die port
PF_MAILBOXES="user1 user2 agg-a agg-small agg-u agg-x fr fr2"
postfix_start "inet:127.0.0.1:$MILTER_PORT" 2>"$T/err" || die postfix "$T/err"

# conf FILE STORE [EXTRA-LINES] - a configuration over integration's base
conf() {
	cat >"$T/over" <<EOF2
report.store = "$2";
report.host = "mx.test.example";
report.email = "dmarc-reports@mx.test.example";
report.org_name = "Test Receiver";
report.exclude_domains = "rpt3.example";
report.send_command = "MAIL_CONFIG=$PF_DIR/etc /usr/sbin/sendmail -i -t";
${3:-}
EOF2
	"$PY" test-harness/integration/it.py conf \
	    test-harness/integration/base.conf "$T/over" "$1" \
	    MILTER_PORT="$MILTER_PORT" DNS_PORT="$DNS_PORT"
}

# msg FILE DOMAIN RCPT SUBJECT - a message from news@DOMAIN
n_msg=0
msg() {
	n_msg=$((n_msg + 1))
	sed -e "s/@DOMAIN@/$2/" -e "s/@RCPT@/$3/" -e "s/@SUBJECT@/$4/" \
	    -e "s/@ID@/m$n_msg/" $R/msg.eml >"$1"
}

# send IP DOMAIN RCPT [SUBJECT] - one message through Postfix; its reply
send() {
	msg "$T/m.eml" "$2" "$3" "${4:-a message}"
	send_mail "$T/smtp" --addr "$1" --helo "mail.$2" --from "news@$2" \
	    --to "$3" --data "$T/m.eml"
	smtp_final_reply "$T/smtp"
}

conf "$T/am.conf" "sqlite:$T/reports.db" || die conf
milter_start "$T/am.conf" 2>"$T/err" || die "authmilter start" "$T/err"
t0=$(date +%s)
: >"$T/replies"
for i in 1 2 3; do send 192.0.2.10 rpt1.example user1@rcpt.example >>"$T/replies"; done
for i in 1 2; do send 203.0.113.66 rpt1.example user2@rcpt.example >>"$T/replies"; done
send 192.0.2.10 rpt2.example user1@rcpt.example >>"$T/replies"
send 192.0.2.10 rpt3.example user1@rcpt.example >>"$T/replies"
# a DMARC report coming in is not recorded (no report about reports)
send 192.0.2.10 rpt1.example user1@rcpt.example \
    "Report Domain: rpt1.example Submitter: x.example" >>"$T/replies"
t1=$(( $(date +%s) + 1 ))
[ "$(grep -c '^250 ' "$T/replies")" -eq 8 ]
tap $? messages-accepted "$T/replies"

count_rows() { sqlite3 "$T/reports.db" "SELECT COUNT(*) FROM msg" 2>/dev/null; }
poll 20 sh -c "[ \"\$(sqlite3 '$T/reports.db' 'SELECT COUNT(*) FROM msg' 2>/dev/null)\" = 7 ]"
rc=$?
sqlite3 "$T/reports.db" "SELECT policy_domain, source_ip, disposition, verdict, rcpt FROM msg" >"$T/rows" 2>&1
tap $rc rows-recorded-not-reports "$T/rows"
grep -q '^rpt1.example|203.0.113.66|quarantine|quarantine|user2@rcpt.example$' "$T/rows" &&
    grep -q '^rpt1.example|192.0.2.10|pass|accept|$' "$T/rows"
tap $? rows-dispositions-and-rcpt "$T/rows"
sqlite3 "$T/reports.db" "SELECT v FROM am_meta WHERE k = 'schema'" >"$T/schema" 2>&1
grep -qx 1 "$T/schema"
tap $? schema-versioned "$T/schema"

# --- report send through Postfix --------------------------------------------
"$AUTHMILTER" report send --from "$t0" --to "$t1" -c "$T/am.conf" >"$T/send.out" 2>&1
rc=$?
tap $rc send-exit "$T/send.out"
f=$(maildir_wait agg-a 30) || f=""
mkdir -p "$T/r1"
if [ -n "$f" ] && "$PY" $R/report_check.py "$f" "$XSD" "$T/r1" >"$T/r1.json" 2>"$T/r1.err"; then
	tap 0 delivered-report-valid-schema
else
	cat "$T/send.out" "$T/r1.err" "$PF_DIR/log/maillog" >"$T/r1.diag" 2>/dev/null
	tap 1 delivered-report-valid-schema "$T/r1.diag"
fi
jq -e '.domain == "rpt1.example" and .file_domain == "rpt1.example" and
    .p == "quarantine" and .org_name == "Test Receiver" and
    .report_id == .subject_id and .messages == 5 and
    (.records | length == 2) and
    any(.records[]; .ip == "192.0.2.10" and .count == 3 and
        .disposition == "pass" and .spf == "pass" and .spf_result == "pass") and
    any(.records[]; .ip == "203.0.113.66" and .count == 2 and
        .disposition == "quarantine" and .spf == "fail" and .dkim == "fail" and
        .envelope_to == "rcpt.example")' "$T/r1.json" >/dev/null 2>&1
tap $? report-counts-grouping-metadata "$T/r1.json"
gz=$(ls "$T"/r1/*.xml.gz 2>/dev/null | head -1)
# -j 1: with parallel jobs dmarc-cat 0.15 can print one record's count and
# results on another record's address line
( cd "$T/r1" && dmarc-cat -N -j 1 "$(basename "$gz")" ) >"$T/dmarc-cat.out" 2>&1
grep -q 'Domain: rpt1.example' "$T/dmarc-cat.out" &&
    grep -Eq '192\.0\.2\.10 +3 ' "$T/dmarc-cat.out" &&
    grep -Eq '203\.0\.113\.66 +2 ' "$T/dmarc-cat.out"
tap $? independent-parser-dmarc-cat "$T/dmarc-cat.out"

sleep 1	# Postfix has delivered what it will
[ "$(maildir_files agg-a | wc -l)" -eq 1 ]
tap $? duplicate-destination-once "$T/send.out"
[ "$(maildir_files agg-u | wc -l)" -eq 0 ] &&
    grep -q 'rpt2.example: not sent to agg-u@rcpt.example: external destination not authorized' "$T/send.out"
tap $? external-unauthorized-not-sent "$T/send.out"
[ "$(maildir_files agg-small | wc -l)" -eq 0 ] &&
    grep -q 'not sent to agg-small@rcpt.example: .* over its limit of 1024' "$T/send.out"
tap $? size-limit-honoured "$T/send.out"
[ "$(maildir_files agg-x | wc -l)" -eq 0 ] && grep -q 'rpt3.example: excluded' "$T/send.out"
tap $? excluded-domain "$T/send.out"
grep -q 'rua URI not used: https://reports.example/dmarc' "$T/send.out"
tap $? non-mailto-ignored "$T/send.out"

"$AUTHMILTER" report send --from "$t0" --to "$t1" -c "$T/am.conf" >"$T/send2.out" 2>&1
sleep 1
[ "$(maildir_files agg-a | wc -l)" -eq 1 ] && grep -q 'sent to agg-a@rcpt.example before' "$T/send2.out"
tap $? rerun-never-sends-twice "$T/send2.out"

mkdir -p "$T/dry"
"$AUTHMILTER" report send --from "$t0" --to "$t1" --dry-run "$T/dry" -c "$T/am.conf" >"$T/dry.out" 2>&1
ls "$T/dry" >"$T/dry.ls"
grep -q '^mx.test.example!rpt1.example!'"$t0"'!'"$t1"'![0-9a-f]*\.xml\.gz$' "$T/dry.ls" &&
    grep -q 'xml.gz.0.eml$' "$T/dry.ls" && gunzip -c "$T"/dry/*rpt1*.xml.gz |
    xmllint --noout --schema "$XSD" - 2>>"$T/dry.ls"
tap $? dry-run-writes-files "$T/dry.ls"

"$AUTHMILTER" report show --from "$t0" --to "$t1" -c "$T/am.conf" >"$T/show" 2>&1
grep -Eq 'rpt1.example +quarantine +2' "$T/show" && grep -Eq 'rpt1.example +2 +5' "$T/show"
tap $? show "$T/show"
# rows hold the recipient bare; --rcpt takes it with or without <>, and the
# domain in any case
for a in '<user2@rcpt.example>' 'user2@rcpt.example' 'user2@RCPT.Example'; do
	"$AUTHMILTER" report digest --rcpt "$a" --from "$t0" --to "$t1" -c "$T/am.conf" >"$T/digest" 2>&1
	[ "$(grep -c 'quarantine' "$T/digest")" -eq 2 ] && ! grep -q 'user1' "$T/digest" &&
	    grep -q '^Messages for user2@RCPT.Example from\|^Messages for user2@rcpt.example from' "$T/digest" ||
	    break
done
tap $? digest-for-one-recipient "$T/digest"
"$AUTHMILTER" report digest --rcpt 'user3@rcpt.example' --from "$t0" --to "$t1" -c "$T/am.conf" >"$T/digest" 2>&1
[ $? -eq 0 ] && ! grep -q 'quarantine' "$T/digest"
tap $? digest-other-recipient-empty "$T/digest"
"$AUTHMILTER" report bogus -c "$T/am.conf" >"$T/u" 2>&1; rc=$?
[ $rc -eq 2 ] && grep -q 'unknown subcommand' "$T/u"
tap $? usage-error "$T/u"
# --- failure reports (RFC 9991): off by default ------------------------------
r=$(send 203.0.113.66 frp1.example user1@rcpt.example)
sleep 2
[ "${r%% *}" = 550 ] && [ "$(maildir_files fr | wc -l)" -eq 0 ]
tap $? failure-reports-off-by-default "$T/smtp"
milter_stop >/dev/null 2>&1
conf "$T/fr.conf" "sqlite:$T/reports.db" 'report.failure = true;
report.failure_rate = 2;'
milter_start "$T/fr.conf" 2>"$T/err" || die "authmilter start (failure)" "$T/err"
off=$(log_size "$MILTER_LOG")
for i in 1 2 3; do send 203.0.113.66 frp1.example user1@rcpt.example; done >"$T/fr.replies"
send 203.0.113.66 frp2.example user1@rcpt.example >>"$T/fr.replies"
poll 30 sh -c "[ \$(ls '$PF_DIR/mail/fr/new' 2>/dev/null | wc -l) -ge 2 ]"
sleep 1
log_since "$MILTER_LOG" "$off" | grep -v verdict= >"$T/fr.log"
[ "$(grep -c '^550 ' "$T/fr.replies")" -eq 4 ] &&
    [ "$(maildir_files fr | wc -l)" -eq 2 ] && grep -q 'over its rate of 2 an hour' "$T/fr.log"
tap $? failure-reports-rate-limited "$T/fr.log"
ok=0
for f in $(maildir_files fr); do
	"$PY" $R/afrf_check.py "$f" frp1.example 203.0.113.66 2>>"$T/fr.log" || ok=1
done
tap $ok failure-report-afrf-redacted-headers-only "$T/fr.log"
[ "$(maildir_files fr2 | wc -l)" -eq 0 ] &&
    grep -q 'failure report: not sent to fr2@rcpt.example: external destination not authorized' "$T/fr.log"
tap $? failure-report-external-unauthorized "$T/fr.log"
milter_stop >/dev/null 2>&1

# --- mload for the store and fault runs ---------------------------------------
gcc -O2 -o "$T/mload" test-harness/bench/mload.c test-harness/bench/mwire.c -lpthread 2>"$T/err" || die mload "$T/err"
mkdir -p "$T/set"
i=0
for spec in "192.0.2.10 rpt1.example accept" "203.0.113.66 rpt1.example quarantine" \
    "192.0.2.10 rpt2.example accept"; do
	set -- $spec
	i=$((i + 1))
	msg "$T/body.eml" "$2" user1@rcpt.example "load $i"
	{ echo "X-Bench-Client-IP: $1"; echo "X-Bench-Helo: mail.$2"
	  echo "X-Bench-Mail-From: news@$2"; echo "X-Bench-Rcpt: user1@rcpt.example"
	  echo "X-Bench-Expect: $3"; cat "$T/body.eml"; } >"$T/set/$i.eml"
done

# load NAME CONF N - N messages to a fresh authmilter with CONF; mload's KV line
load() {
	milter_start "$2" 2>"$T/err" || { cat "$T/err"; return 1; }
	"$T/mload" -s "inet:$MILTER_PORT@127.0.0.1" -c 4 -k 1 -n "$3" --kv "$T/set" |
	    grep '^KV' >"$T/$1.kv"
	milter_stop >/dev/null 2>&1
}
# verdicts_kept NAME N - every message answered as expected
verdicts_kept() {
	grep -q "KV msgs=$2 " "$T/$1.kv" && grep -q ' error=0 ' "$T/$1.kv" &&
	    grep -q ' mismatch=0 ' "$T/$1.kv"
}

# --- PostgreSQL: two hosts, one report --------------------------------------
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | tail -1)
PGPORT=$(free_port)
mkdir -p "$T/pg" "$T/pgsock" && chown postgres "$T/pg" "$T/pgsock"
if [ -x "$PGBIN/initdb" ] &&
    runuser -u postgres -- "$PGBIN/initdb" -D "$T/pg" -A trust -U postgres >"$T/pg.log" 2>&1 &&
    runuser -u postgres -- "$PGBIN/pg_ctl" -D "$T/pg" -l "$T/pg/server.log" -w \
      -o "-p $PGPORT -k $T/pgsock -c listen_addresses=127.0.0.1" start >>"$T/pg.log" 2>&1; then
	PG_UP=1
	psql -h 127.0.0.1 -p "$PGPORT" -U postgres -c "CREATE DATABASE am" >>"$T/pg.log" 2>&1
	PGURI="postgresql://postgres@127.0.0.1:$PGPORT/am"
	conf "$T/pga.conf" "$PGURI" 'report.host = "mx-a.test.example";'
	conf "$T/pgb.conf" "$PGURI" 'report.host = "mx-b.test.example";'
	load pga "$T/pga.conf" 30 && load pgb "$T/pgb.conf" 30
	verdicts_kept pga 30 && verdicts_kept pgb 30
	tap $? pg-two-hosts-verdicts "$T/pgb.kv"
	psql -h 127.0.0.1 -p "$PGPORT" -U postgres -d am -At -c \
	    "SELECT host, COUNT(*) FROM msg GROUP BY host ORDER BY host" >"$T/pg.rows" 2>&1
	grep -qx 'mx-a.test.example|30' "$T/pg.rows" && grep -qx 'mx-b.test.example|30' "$T/pg.rows"
	tap $? pg-both-hosts-write "$T/pg.rows"
	mkdir -p "$T/pgdry"
	"$AUTHMILTER" report send --period today --dry-run "$T/pgdry" -c "$T/pga.conf" >"$T/pgsend.out" 2>&1
	gunzip -c "$T"/pgdry/*rpt1.example*.xml.gz >"$T/pg.xml" 2>>"$T/pgsend.out"
	xmllint --noout --schema "$XSD" "$T/pg.xml" 2>>"$T/pgsend.out" &&
	    "$PY" - "$T/pg.xml" >>"$T/pgsend.out" 2>&1 <<'PYEOF'
import sys, xml.etree.ElementTree as ET
ns = {"d": "urn:ietf:params:xml:ns:dmarc-2.0"}
root = ET.parse(sys.argv[1]).getroot()
counts = {r.findtext("d:row/d:source_ip", namespaces=ns):
          int(r.findtext("d:row/d:count", namespaces=ns))
          for r in root.findall("d:record", ns)}
print(counts)
sys.exit(0 if counts == {"192.0.2.10": 20, "203.0.113.66": 20} else 1)
PYEOF
	tap $? pg-one-report-covers-both "$T/pgsend.out"
	"$AUTHMILTER" report digest --rcpt '<user1@Rcpt.Example>' --period today -c "$T/pga.conf" >"$T/pgdigest" 2>&1 &&
	    [ "$(grep -c ' quarantine ' "$T/pgdigest")" -gt 0 ] && ! grep -q ' accept ' "$T/pgdigest"
	tap $? pg-digest "$T/pgdigest"
	runuser -u postgres -- "$PGBIN/pg_ctl" -D "$T/pg" -m fast stop >>"$T/pg.log" 2>&1
else
	PG_UP=0
	tap 1 pg-server-start "$T/pg.log"
fi

# --- faults: verdicts kept, rows not recorded are counted -----------------------
dead=$(free_port)
conf "$T/f1.conf" "postgresql://postgres@127.0.0.1:$dead/am" 'report.queue_size = 10;'
off=$(log_size "$T/milter.log" 2>/dev/null || echo 0)
load unreachable "$T/f1.conf" 60
log_since "$T/milter.log" "$off" >"$T/f1.log"
verdicts_kept unreachable 60 && grep -q 'report: store down: postgresql: .*rows wait in the queue' "$T/f1.log" &&
    grep -Eq 'report: [0-9]+ rows not recorded \([0-9]+: queue full' "$T/f1.log"
tap $? store-unreachable-queue-full "$T/f1.log"

conf "$T/f2.conf" "sqlite:/proc/version"
off=$(log_size "$T/milter.log")
load unopenable "$T/f2.conf" 30
log_since "$T/milter.log" "$off" >"$T/f2.log"
verdicts_kept unopenable 30 && grep -q 'report: store down: sqlite: ' "$T/f2.log"
tap $? store-unopenable "$T/f2.log"

conf "$T/f3.conf" "sqlite:$T/locked.db"
sqlite3 "$T/locked.db" "CREATE TABLE x (y)" 2>/dev/null
( { echo "BEGIN EXCLUSIVE;"; echo "INSERT INTO x VALUES (1);"; sleep 25; echo "COMMIT;"; } |
    sqlite3 "$T/locked.db" ) &
holder=$!
sleep 0.5
off=$(log_size "$T/milter.log")
load locked "$T/f3.conf" 30
log_since "$T/milter.log" "$off" >"$T/f3.log"
kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null
verdicts_kept locked 30 && grep -Eq 'report: store down: sqlite: .*locked|rows not recorded' "$T/f3.log"
tap $? store-locked "$T/f3.log"

[ "$n_fail" -eq 0 ]
