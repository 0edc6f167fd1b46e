#!/usr/bin/python3
"""sign.py - add a DKIM-Signature to a message (python3-dkim)

SYNOPSIS
    sign.py -k KEYFILE -d DOMAIN -s SELECTOR [-a ALG] [-c HDR/BODY]
            [-l] [-H From:To:Subject] [-i IDENTITY] IN OUT

DESCRIPTION
    Reads the message IN (LF or CRLF line ends), writes it to OUT with CRLF
    line ends and a DKIM-Signature header field prepended.  Several
    signatures: run it again on OUT.

    -a  rsa-sha256 (default), rsa-sha1 or ed25519-sha256
    -c  canonicalization, default relaxed/simple
    -l  add l= (body length signed)
    -H  header fields to sign, colon-separated (default: dkim's choice)
    -k  KEYFILE as written by mkkeys.sh: PKCS#1 PEM for RSA, base64 seed
        for Ed25519
"""

import argparse
import sys

import dkim


def main():
    ap = argparse.ArgumentParser(description="DKIM-sign a message")
    ap.add_argument("-k", "--key", required=True)
    ap.add_argument("-d", "--domain", required=True)
    ap.add_argument("-s", "--selector", required=True)
    ap.add_argument("-a", "--algorithm", default="rsa-sha256",
                    choices=["rsa-sha256", "rsa-sha1", "ed25519-sha256"])
    ap.add_argument("-c", "--canon", default="relaxed/simple")
    ap.add_argument("-l", "--length", action="store_true")
    ap.add_argument("-H", "--headers")
    ap.add_argument("-i", "--identity")
    ap.add_argument("infile")
    ap.add_argument("outfile")
    a = ap.parse_args()

    with open(a.infile, "rb") as f:
        msg = f.read()
    # one line end everywhere: what goes over SMTP is CRLF
    msg = msg.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    with open(a.key, "rb") as f:
        key = f.read().strip()
    hc, _, bc = a.canon.partition("/")
    canon = (hc.encode(), (bc or "simple").encode())
    headers = None
    if a.headers:
        headers = [h.encode() for h in a.headers.split(":") if h]
    identity = a.identity.encode() if a.identity else None

    try:
        sig = dkim.sign(msg, a.selector.encode(), a.domain.encode(), key,
                        identity=identity, canonicalize=canon,
                        signature_algorithm=a.algorithm.encode(),
                        include_headers=headers, length=a.length)
    except dkim.DKIMException as e:
        print("sign.py: %s" % e, file=sys.stderr)
        return 1
    with open(a.outfile, "wb") as f:
        f.write(sig + msg)
    return 0


if __name__ == "__main__":
    sys.exit(main())
