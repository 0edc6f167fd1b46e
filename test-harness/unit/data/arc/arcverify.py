#!/usr/bin/python3
"""arcverify.py - python3-dkim's arc_verify of one message, for test_arcseal

    arcverify.py MSGFILE WANT NAME=TXTFILE...

Verifies the ARC chain of MSGFILE with python3-dkim and exits 0 when the
chain's cv is WANT (pass, fail, none), or WANT is "terminated" and
python3-dkim says the newest valid set reported cv=fail (its None). Keys come only from the NAME=TXTFILE
pairs (a DNS function over them): the system resolver is never asked.
"""
import sys

import dkim


def main():
    msg = open(sys.argv[1], "rb").read()
    want = sys.argv[2].encode()
    txt = {}
    for a in sys.argv[3:]:
        name, path = a.split("=", 1)
        txt[name.encode() + b"."] = open(path, "rb").read().strip()

    def dnsfunc(name, timeout=5):
        return txt.get(name if name.endswith(b".") else name + b".")
    cv, _, why = dkim.arc_verify(msg, dnsfunc=dnsfunc)
    cv = b"terminated" if cv is None else cv
    print("arcverify: cv=%s (%s)" % (cv.decode(), why))
    sys.exit(0 if cv == want else 1)


main()
