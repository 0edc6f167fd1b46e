#!/bin/sh
# make-dkim-seeds.sh - regenerate the fuzz_dkim seed corpus and its keys
#
#   test-harness/fuzz/make-dkim-seeds.sh
#
# Needs openssl and Debian's python3-dkim and python3-nacl at
# /usr/bin/python3. Makes fresh TEST keys (private halves thrown away) for
# fuzz.example: selector "rsa" (rsa, 1024 bits) and "ed" (ed25519); writes
# their TXT records to fuzz_dkim_keys.h, which fuzz_dkim.c loads into
# dns_mock, and signed messages to corpus/fuzz_dkim/, so that mutations
# start from signatures that verify. Commit both together.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
priv=$(mktemp -d)
trap 'rm -rf "$priv"' EXIT
export PRIV="$priv"

openssl genrsa -out "$priv/rsa.key" 1024 2>/dev/null
rsa_rec="v=DKIM1; k=rsa; p=$(openssl rsa -in "$priv/rsa.key" -pubout \
    -outform DER 2>/dev/null | base64 -w0)"
export RSA_REC="$rsa_rec"

/usr/bin/python3 - <<'PY'
import base64, os, time
import dkim
import nacl.signing

time.time = lambda: 1763805600		# fixed t=, as the unit fixtures
sk = nacl.signing.SigningKey.generate()
ed_priv = base64.b64encode(bytes(sk))
ed_rec = "v=DKIM1; k=ed25519; p=" + base64.b64encode(
    bytes(sk.verify_key)).decode()
rsa_priv = open(os.environ["PRIV"] + "/rsa.key", "rb").read()

with open("fuzz_dkim_keys.h", "w") as f:
    f.write("/* made by make-dkim-seeds.sh: TEST keys of fuzz.example */\n")
    f.write('#define FUZZ_KEY_RSA\t"%s"\n' % os.environ["RSA_REC"])
    f.write('#define FUZZ_KEY_ED\t"%s"\n' % ed_rec)

def crlf(b):
    return b.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")

base = crlf(b"""From: Alice <alice@fuzz.example>
To: Bob <bob@rcpt.example>
Subject: fuzz seed
Date: Sat, 22 Nov 2025 10:00:00 +0000
Message-ID: <seed@fuzz.example>
Content-Type: text/plain

Hello Bob,

  a line  with   runs\t 
last line
""")
hdrs = [b"from", b"to", b"subject", b"date", b"message-id", b"content-type"]

def sign(msg, sel="rsa", **kw):
    key = rsa_priv if sel == "rsa" else ed_priv
    if sel == "ed":
        kw["signature_algorithm"] = b"ed25519-sha256"
    kw.setdefault("include_headers", hdrs)
    return dkim.sign(msg, sel.encode(), b"fuzz.example", key, **kw) + msg

def write(name, msg):
    open("corpus/fuzz_dkim/" + name, "wb").write(msg)

write("rsa-relaxed", sign(base, canonicalize=(b"relaxed", b"relaxed")))
write("rsa-simple", sign(base, canonicalize=(b"simple", b"simple")))
write("ed25519", sign(base, "ed"))
write("rsa-and-ed", sign(sign(base, "ed"), "rsa"))
write("rsa-sha1", sign(base, signature_algorithm=b"rsa-sha1"))
write("length", sign(base, length=True) + b"appended\r\n")
write("oversigned", sign(base, include_headers=hdrs + [b"subject",
      b"from"]))
write("subject-added", b"Subject: added\r\n" + sign(base))
write("lf-only", sign(base).replace(b"\r\n", b"\n"))
write("malformed-beside-valid", b"DKIM-Signature: v=1; a=rsa-sha256; "
      b"d=fuzz.example; s=rsa;\r\n\th=from:to; bh=AAAA; b\r\n" + sign(base))
write("unknown-selector", sign(base).replace(b"s=rsa;", b"s=nokey;"))
write("empty-body", sign(crlf(b"From: a@fuzz.example\n\n")))
PY
echo "make-dkim-seeds.sh: $(ls corpus/fuzz_dkim | wc -l) seeds, keys in fuzz_dkim_keys.h"
