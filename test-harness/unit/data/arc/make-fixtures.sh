#!/bin/bash
# make-fixtures.sh - the ARC unit-test fixtures, sealed by python3-dkim
#
# Run once by hand (the outputs are committed): makes an RSA-2048 key
# (keys/rsa.key, its TXT record keys/rsa.txt) and messages sealed by
# python3-dkim's arc_sign (RSA only) with a fixed timestamp, each checked
# by python3-dkim's arc_verify:
#   rsa1.eml	one set, rsa-sha256, d=lists.example s=rsa
#   rsa3.eml	three sets, each after the first recording arc=pass
#   nocrlf.eml	one set over a body whose last line has no CRLF
#   empty.eml	one set over an empty body
# No DNS is used: arc_sign needs none.
set -eu
cd "$(dirname "$0")"
mkdir -p keys
if [ ! -f keys/rsa.key ]; then
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
	    -out keys/rsa.pkcs8 2>/dev/null
	openssl rsa -in keys/rsa.pkcs8 -traditional -out keys/rsa.key \
	    2>/dev/null
	printf 'v=DKIM1; k=rsa; p=%s\n' "$(openssl pkey -in keys/rsa.pkcs8 \
	    -pubout -outform DER 2>/dev/null | base64 -w0)" >keys/rsa.txt
	rm -f keys/*.pkcs8
fi
/usr/bin/python3 - <<'PY'
import re, sys
sys.path.insert(0, "../../../integration")
import dkim
import sign as S            # its stand-in for python3-authres

if not hasattr(dkim, "authres"):
    dkim.authres = S.mini_authres()
T = 1795339200
MSG = (b"Authentication-Results: mx.lists.example; arc=none"
       b" smtp.remote-ip=192.0.2.10;\r\n\tspf=pass smtp.mailfrom=a.example;"
       b" dkim=pass header.d=a.example;\r\n\tdmarc=pass header.from=a.example\r\n"
       b"From: Alice <alice@a.example>\r\nTo: <members@lists.example>\r\n"
       b"Subject: [members] hello\r\nDate: Sun, 22 Nov 2026 10:00:00 +0000\r\n"
       b"Message-ID: <arc-fixture@a.example>\r\n\r\n")
BODY = b"Hello,\r\n\r\n  the  usual\t amount. \r\n\r\n\r\n"
rsa = open("keys/rsa.key", "rb").read().strip()

def seal(msg, s, key, alg=b"rsa-sha256", n=1):
    for i in range(n):
        if i > 0:
            msg = S.say_arc_pass(msg, b"mx.lists.example")
        sig = dkim.arc_sign(msg, s, b"lists.example", key,
                            b"mx.lists.example", signature_algorithm=alg,
                            timestamp=T + i)
        assert sig, "nothing sealed"
        msg = b"".join(sig) + msg
    return msg

out = {"rsa1.eml": seal(MSG + BODY, b"rsa", rsa),
       "rsa3.eml": seal(MSG + BODY, b"rsa", rsa, n=3),
       "nocrlf.eml": seal(MSG + b"last line without CRLF", b"rsa", rsa),
       "empty.eml": seal(MSG, b"rsa", rsa)}
for name, data in out.items():
    # the verdict of python3-dkim's own verifier, for the record
    txt = {b"rsa._domainkey.lists.example.":
           open("keys/rsa.txt", "rb").read().strip()}
    cv, _, why = dkim.arc_verify(data, dnsfunc=lambda n, timeout=5: txt.get(n))
    assert cv == b"pass", (name, cv, why)
    open(name, "wb").write(data)
PY
