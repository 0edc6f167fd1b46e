#!/bin/sh
# make-fixtures.sh - regenerate the DKIM unit-test fixtures in this directory
#
#   test-harness/unit/data/dkim/make-fixtures.sh
#
# Needs openssl and Debian's python3-dkim (dkimpy 1.1.4) at /usr/bin/python3.
# Keys are made fresh each run (TEST keys, documentation domains only:
# sender.example, relay.example); the messages are signed with them, so
# keys/ and *.eml must be committed together (the private keys are
# thrown away). test_dkim.c reads both.
#
#   keys/<selector>.<domain>.txt	the TXT record at <selector>._domainkey.<domain>
#
#   pass.eml		rsa-sha256, 2048 bits, relaxed/simple: pass
#   rsa-sha1.eml		rsa-sha1, 2048 bits: policy (RFC 8301)
#   rsa512.eml		rsa-sha256, 512-bit key: policy (key too short)
#   malformed-plus-valid.eml two broken DKIM-Signature fields above a good one
#   len-relaxed.eml	l= over the whole body (relaxed/relaxed, body with
#			trailing blanks and blank lines): partial_body false
#   len-relaxed-appended.eml the same with a line appended: partial_body true
#   len-simple.eml, len-simple-appended.eml	the same, simple/simple
#   two-sigs.eml		signed by sender.example, then relay.example
set -eu

here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
mkdir -p keys
priv=$(mktemp -d)
trap 'rm -rf "$priv"' EXIT
export PRIV="$priv"

# key SELECTOR DOMAIN BITS - RSA key pair and its DNS record
key() {
	openssl genrsa -out "$priv/$1.$2.key" "$3" 2>/dev/null
	printf 'v=DKIM1; k=rsa; p=%s\n' "$(openssl rsa -in "$priv/$1.$2.key" \
	    -pubout -outform DER 2>/dev/null | base64 -w0)" >"keys/$1.$2.txt"
}

key s2048 sender.example 2048
key short sender.example 512
key relay relay.example 2048

/usr/bin/python3 - <<'PY'
import os
import time
import dkim

# a fixed t= (2025-11-22 10:00 UTC): no signature "from the future" on a
# test machine whose clock is behind the one that made the fixtures
time.time = lambda: 1763805600

def crlf(b):
    return b.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")

def sign(msg, sel, dom, **kw):
    key = open("%s/%s.%s.key" % (os.environ["PRIV"], sel, dom), "rb").read()
    sig = dkim.sign(msg, sel.encode(), dom.encode(), key,
                    include_headers=[b"from", b"to", b"subject", b"date",
                                     b"message-id"], **kw)
    return sig + msg

def write(name, msg):
    # stored with LF line ends; the test gives CRLF to the verifier
    open(name, "wb").write(msg.replace(b"\r\n", b"\n"))

base = crlf(b"""From: Alice <alice@sender.example>
To: Bob <bob@rcpt.example>
Subject: DKIM fixture
Date: Sat, 22 Nov 2025 10:00:00 +0000
Message-ID: <fixture@sender.example>

Hello Bob,

this message is signed for the authmilter unit tests.
""")

noisy = crlf(b"""From: Alice <alice@sender.example>
To: Bob <bob@rcpt.example>
Subject: DKIM length fixture
Date: Sat, 22 Nov 2025 10:00:00 +0000
Message-ID: <length@sender.example>

Hello  Bob,\t 
   indented   line  with   runs\t\t

last line   

""")
appended = b"appended by a mailing list\r\n"

write("pass.eml", sign(base, "s2048", "sender.example"))
write("rsa-sha1.eml", sign(base, "s2048", "sender.example",
                           signature_algorithm=b"rsa-sha1"))
write("rsa512.eml", sign(base, "short", "sender.example"))

good = sign(base, "s2048", "sender.example")
bad = (b"DKIM-Signature: v=1; a=rsa-sha256; d=sender.example; s=s2048;\r\n"
       b"\th=from:to; bh=AAAA; b\r\n"
       b"DKIM-Signature: v=1; a=rsa-sha256; d=sender.example; b=AAAA\r\n")
write("malformed-plus-valid.eml", bad + good)

for canon, name in ((b"relaxed", "len-relaxed"), (b"simple", "len-simple")):
    m = sign(noisy, "s2048", "sender.example", length=True,
             canonicalize=(canon, canon))
    write(name + ".eml", m)
    write(name + "-appended.eml", m + appended)

write("two-sigs.eml", sign(sign(base, "s2048", "sender.example"),
                           "relay", "relay.example"))
PY
echo "make-fixtures.sh: wrote $(ls *.eml | wc -l) messages and $(ls keys | wc -l) key files in $here"
