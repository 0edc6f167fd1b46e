"""dkimcheck.py - verify the DKIM signatures of a delivered message (issue 10)

Used by it.py for the assertions of the sign_* cases:

    dkim-verify N        the delivered message carries N DKIM-Signature
                         fields and python3-dkim verifies each of them
    dkim-order A...      the DKIM-Signature fields, top down, have these
                         a= values (dual signing: rsa-sha256 first)
    dkim-h FIELDS        every DKIM-Signature's h= is FIELDS (white
                         space removed, case ignored)
    dkim-expire N        every DKIM-Signature has t= and x=, x= - t= = N
    dkim-self TEXT       authmilter -t, fed the delivered message as
                         inbound mail from 192.0.2.99, prints TEXT (e.g.
                         "dkim=pass header.d=rsa.sign.example")
    dkim-tampered from|body
                         after adding a From: field (or changing a body
                         byte), python3-dkim verifies none of the
                         signatures, and authmilter -t (its summary
                         line's dkim=) passes none of them

and for the arc_seal_* cases (issue 9, sealing):

    arc-verify CV        python3-dkim's arc_verify of the delivered message
                         gives cv CV: pass, fail, or "terminated" (its
                         None: the newest valid set says cv=fail)
    arc-self TEXT        authmilter -t, fed the delivered message, prints
                         TEXT (e.g. "arc=pass"), as dkim-self

python3-dkim asks the harness's NSD (127.0.0.1, --dns-port) through
dnspython, never the system resolver.
"""

import re
import subprocess

import dkim
import dns.message
import dns.query
import dns.rdatatype


def dnsfunc_for(port):
    """a dkimpy DNS function that asks NSD on 127.0.0.1:port"""
    def dnsfunc(name, timeout=5):
        if isinstance(name, bytes):
            name = name.decode()
        q = dns.message.make_query(name, dns.rdatatype.TXT)
        r = dns.query.udp(q, "127.0.0.1", port=int(port), timeout=timeout)
        for rrset in r.answer:
            if rrset.rdtype == dns.rdatatype.TXT:
                for rd in rrset:
                    return b"".join(rd.strings)
        return b""
    return dnsfunc


def crlf(data):
    return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def nsigs(data):
    head = data.split(b"\r\n\r\n", 1)[0]
    return len(re.findall(rb"(?im)^dkim-signature:", head))


def verify_all(data, port):
    """[True/False per signature] by python3-dkim"""
    out = []
    for i in range(nsigs(data)):
        d = dkim.DKIM(data)
        try:
            out.append(bool(d.verify(idx=i, dnsfunc=dnsfunc_for(port))))
        except dkim.DKIMException:
            out.append(False)
    return out


def tamper(data, how):
    head, _, body = data.partition(b"\r\n\r\n")
    if how == "from":
        # below the signatures, as an attacker would add it
        return head + b"\r\nFrom: Mallory <ceo@sign.example>\r\n\r\n" + body
    if how == "body":
        return head + b"\r\n\r\n" + body.replace(b"e", b"E", 1)
    raise ValueError("tamper from|body")


def self_verify(data, authmilter, conf, tmpfile):
    """authmilter -t output for data as inbound mail"""
    with open(tmpfile, "wb") as f:
        f.write(data)
    r = subprocess.run([authmilter, "-c", conf, "-t", tmpfile,
                        "--client-ip", "192.0.2.99", "--helo",
                        "out.sign.example", "--mail-from",
                        "bounce@sign.example"],
                       capture_output=True, timeout=120)
    return (r.stdout + r.stderr).decode("utf-8", "replace")


def self_dkim(out):
    """the dkim= field of authmilter's summary line, or None"""
    m = re.search(r" verdict=\S+ .* dkim=(\S+) ", out)
    return m.group(1) if m else None


def check(word, arg, msgfile, port, authmilter, conf):
    """list of failure texts for one assertion"""
    data = crlf(open(msgfile, "rb").read())
    if word == "dkim-verify":
        got = verify_all(data, port)
        if len(got) != int(arg):
            return ["%d DKIM-Signature fields, expected %s" %
                    (len(got), arg)]
        if not all(got):
            return ["python3-dkim: signatures verify: %r" % got]
        return []
    if word == "dkim-order":
        head = data.split(b"\r\n\r\n", 1)[0].decode("utf-8", "replace")
        algs = re.findall(r"(?im)^dkim-signature:(?:[^\r\n]|\r\n[ \t])*?"
                          r"\ba=([a-z0-9-]+)", head)
        if algs != arg.split():
            return ["DKIM-Signature a= top down: %s, expected %s" %
                    (" ".join(algs), arg)]
        return []
    if word == "dkim-h":
        head = data.split(b"\r\n\r\n", 1)[0].decode("utf-8", "replace")
        sigs = re.findall(r"(?im)^dkim-signature:((?:[^\r\n]|\r\n[ \t])*)",
                          head)
        hs = []
        for s_ in sigs:
            m = re.search(r"(?:^|;)\s*h=([^;]*)", s_)
            hs.append(re.sub(r"\s+", "", m.group(1)) if m else "")
        if not hs or any(h.lower() != arg.lower() for h in hs):
            return ["DKIM-Signature h= %r, expected %s" % (hs, arg)]
        return []
    if word == "arc-verify":
        cv, _, why = dkim.arc_verify(data, dnsfunc=dnsfunc_for(port))
        cv = b"terminated" if cv is None else cv
        if cv.decode() != arg:
            return ["python3-dkim arc_verify: cv=%s (%s), expected %s" %
                    (cv.decode(), why, arg)]
        return []
    if word == "dkim-expire":
        head = data.split(b"\r\n\r\n", 1)[0].decode("utf-8", "replace")
        sigs = re.findall(r"(?im)^dkim-signature:((?:[^\r\n]|\r\n[ \t])*)",
                          head)
        fails = []
        for s_ in sigs:
            v = re.sub(r"\s+", "", s_)
            t = re.search(r"(?:^|;)t=(\d+)", v)
            x = re.search(r"(?:^|;)x=(\d+)", v)
            if not t or not x:
                fails.append("DKIM-Signature lacks t= or x=: %s" % v)
            elif int(x.group(1)) - int(t.group(1)) != int(arg):
                fails.append("DKIM-Signature x= - t= is %d, expected %s" %
                             (int(x.group(1)) - int(t.group(1)), arg))
        if not sigs:
            fails.append("dkim-expire: no DKIM-Signature")
        return fails
    tmp = msgfile + ".self.eml"
    if word in ("dkim-self", "arc-self"):
        out = self_verify(data, authmilter, conf, tmp)
        if re.sub(r"\s+", " ", arg) not in re.sub(r"\s+", " ", out):
            return ["authmilter -t lacks %r: %s" % (arg, out.strip())]
        return []
    if word == "dkim-tampered":
        bad = tamper(data, arg)
        fails = []
        got = verify_all(bad, port)
        if not got or any(got):
            fails.append("python3-dkim after %s tampering: %r" % (arg, got))
        out = self_verify(bad, authmilter, conf, tmp)
        res = self_dkim(out)
        if res is None or "dkim=pass" in out or ":pass" in res or \
                res.count(":") != len(got):
            fails.append("authmilter -t after %s tampering: %s" %
                         (arg, out.strip()))
        return fails
    raise ValueError(word)
