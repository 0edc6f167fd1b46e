#!/usr/bin/python3
"""sign.py - add a DKIM-Signature to a message (python3-dkim)

SYNOPSIS
    sign.py -k KEYFILE -d DOMAIN -s SELECTOR [-a ALG] [-c HDR/BODY]
            [-l] [-H From:To:Subject] [-i IDENTITY] IN OUT
    sign.py --arc SRV-ID [--arc-sets N] -k KEYFILE -d DOMAIN -s SELECTOR
            IN OUT

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
    -d, -s  take Python backslash escapes (\\x00, \\;): hostile tag values
    --arc  instead of a DKIM-Signature, prepend an ARC set (RFC 8617:
        ARC-Seal, ARC-Message-Signature, ARC-Authentication-Results) for
        the next instance, sealed by DOMAIN; the ARC-Authentication-Results
        copies the message's Authentication-Results fields of SRV-ID (there
        must be one).  rsa-sha256 only.  python3-authres is used when
        installed, else a minimal stand-in good for the fields we write.
    --arc-sets N  seal N times (a chain of N sets by DOMAIN): before each
        set after the first, the Authentication-Results of SRV-ID is made
        to say arc=pass, so each set after the first says cv=pass.
"""

import argparse
import codecs
import re
import sys
import types

import dkim


def unescape(s):
    """Python backslash escapes in a command-line value, as bytes"""
    return codecs.escape_decode(s.encode("utf-8"))[0]


def mini_authres():
    """what dkim.ARC.sign needs of python3-authres: the authserv-id and
    the method=result pairs of an Authentication-Results field that a
    test case wrote (no comments with ";" or "=" in them)"""
    class SyntaxErr(Exception):
        pass

    class Res:
        def __init__(self, method, result):
            self.method, self.result = method, result

    class Header:
        @classmethod
        def parse(cls, text):
            value = re.sub(r"\([^()]*\)", " ", text.split(":", 1)[1])
            parts = [p.strip() for p in value.split(";")]
            if not parts[0]:
                raise SyntaxErr(text)
            h = cls()
            h.authserv_id = parts[0].split()[0]
            h.results = []
            for p in parts[1:]:
                m = re.match(r"([A-Za-z0-9-]+)\s*=\s*([A-Za-z]+)", p)
                if m:
                    h.results.append(Res(m.group(1).lower(), m.group(2)))
            return h

    class NotFound(Exception):
        pass

    return types.SimpleNamespace(AuthenticationResultsHeader=Header,
                                 AuthresNotFoundError=NotFound,
                                 core=types.SimpleNamespace(
                                     SyntaxError=SyntaxErr))


def arc_seal(msg, a, key):
    """the ARC set lines for msg, sealed by a.domain"""
    if not hasattr(dkim, "authres"):
        dkim.authres = mini_authres()
    return dkim.arc_sign(msg, unescape(a.selector), unescape(a.domain), key,
                         a.arc.encode())


def say_arc_pass(msg, srv):
    """msg with its first Authentication-Results of srv saying arc=pass
    (the verdict a sealer records on the chain it extends)"""
    head, sep, body = msg.partition(b"\r\n\r\n")
    start = b"Authentication-Results: " + srv + b";"
    at = head.find(start)
    if at < 0:
        return msg
    end = at + len(start)
    nxt = re.search(rb"\r\n(?![ \t])", head[end:])
    stop = end + nxt.start() if nxt else len(head)
    fld = head[end:stop]
    if re.search(rb"\barc=\w+", fld):
        fld = re.sub(rb"\barc=\w+", b"arc=pass", fld, count=1)
    else:
        fld = b" arc=pass;" + fld
    return head[:end] + fld + head[stop:] + sep + body


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
    ap.add_argument("--arc", metavar="SRV-ID")
    ap.add_argument("--arc-sets", type=int, default=1)
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
        if a.arc:
            for n in range(a.arc_sets):
                if n > 0:
                    msg = say_arc_pass(msg, a.arc.encode())
                sig = b"".join(arc_seal(msg, a, key))
                if not sig:
                    print("sign.py: no Authentication-Results of %s to "
                          "seal" % a.arc, file=sys.stderr)
                    return 1
                msg = sig + msg
            with open(a.outfile, "wb") as f:
                f.write(msg)
            return 0
        sig = dkim.sign(msg, unescape(a.selector), unescape(a.domain), key,
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
