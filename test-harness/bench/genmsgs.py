#!/usr/bin/python3
"""genmsgs - keys, DNS zone and message sets of the authmilter benchmark

SYNOPSIS
    genmsgs.py OUTDIR [--std N] [--per-set N] [--sizes K,K..] [--sigs N,N..]

DESCRIPTION
    Everything is made here, fresh, from documentation names and
    addresses (RFC 2606 .example, RFC 5737 192.0.2.0/24):

    OUTDIR/keys/      rsa.pem (RSA-2048, PKCS#1), ed.seed (Ed25519, base64)
    OUTDIR/example.zone
                      SPF, DMARC and DKIM key records of every sender domain
    OUTDIR/std/       the standard set: N messages, bodies of 4 KB and 40 KB
                      alternating, RSA-2048 and Ed25519 signatures, SPF
                      aligned; every fifth message (20%) fails DMARC: its
                      MAIL FROM and DKIM d= are esp.example, not the From:
                      domain, whose policy is p=reject
    OUTDIR/size/KB/   --per-set messages with a KB-kilobyte body (RSA, pass)
    OUTDIR/sigs/N/    --per-set messages with N signatures (4 KB, pass),
                      selectors k01..k10 alternating RSA and Ed25519
    OUTDIR/postfix.eml
                      one message (lo.example, RSA) for smtp-source -F,
                      LF line ends; lo.example's SPF allows 127.0.0.0/8
    OUTDIR/expect.txt the verdict tally per set: "std accept=160 reject=40"

    Each message carries X-Bench-* pseudo fields (client IP, HELO, MAIL
    FROM, RCPT, expected verdict) that mload strips. The first messages
    of each kind are verified back with dkimpy against the zone's keys.

    Deterministic except for the keys: the same run makes the same
    bodies.
"""
import argparse
import base64
import os
import random
import subprocess
import sys

import dkim
import nacl.signing

SIGNED = [b"from", b"to", b"subject", b"date", b"message-id",
          b"mime-version", b"content-type"]
NSENDERS = 20
WORDS = ("alpha bravo charlie delta echo foxtrot golf hotel india juliet "
         "kilo lima mike november oscar papa quebec romeo sierra tango "
         "uniform victor whiskey xray yankee zulu report invoice meeting "
         "schedule quarterly update newsletter account payment").split()


def txt_strings(s):
    """A TXT rdata as quoted character-strings of at most 255 octets."""
    parts = [s[i:i + 250] for i in range(0, len(s), 250)]
    return " ".join('"%s"' % p for p in parts)


class Keys:
    def __init__(self, d):
        os.makedirs(d, exist_ok=True)
        pem = os.path.join(d, "rsa.pem")
        subprocess.run(["openssl", "genrsa", "-traditional", "-out", pem,
                        "2048"], check=True, stderr=subprocess.DEVNULL)
        self.rsa_priv = open(pem, "rb").read()
        der = subprocess.run(["openssl", "rsa", "-in", pem, "-pubout",
                              "-outform", "DER"], check=True,
                             capture_output=True).stdout
        self.rsa_pub = base64.b64encode(der).decode()
        sk = nacl.signing.SigningKey.generate()
        self.ed_priv = base64.b64encode(bytes(sk))
        self.ed_pub = base64.b64encode(bytes(sk.verify_key)).decode()
        with open(os.path.join(d, "ed.seed"), "wb") as f:
            f.write(self.ed_priv + b"\n")

    def rec(self, alg):
        if alg == "rsa":
            return "v=DKIM1; k=rsa; p=" + self.rsa_pub
        return "v=DKIM1; k=ed25519; p=" + self.ed_pub

    def priv(self, alg):
        return self.rsa_priv if alg == "rsa" else self.ed_priv


def zone(keys, path):
    """One zone, example., with every record the messages need."""
    z = ["$ORIGIN example.", "$TTL 3600",
         "@ IN SOA ns.example. hostmaster.example. 1 3600 600 86400 3600",
         "@ IN NS ns.example.", "ns IN A 127.0.0.1"]
    spf = '"v=spf1 ip4:192.0.2.0/24 -all"'

    def dom(name, policy):
        z.append("%s IN TXT %s" % (name, spf))
        z.append("mail.%s IN TXT %s" % (name, spf))
        z.append("_dmarc.%s IN TXT \"v=DMARC1; p=%s\"" % (name, policy))
        for alg in ("rsa", "ed"):
            z.append("%s._domainkey.%s IN TXT %s"
                     % (alg, name, txt_strings(keys.rec(alg))))
    for i in range(NSENDERS):
        dom("s%02d" % i, "reject")
    dom("esp", "none")
    for k in range(1, 11):
        z.append("k%02d._domainkey.s00 IN TXT %s"
                 % (k, txt_strings(keys.rec("rsa" if k % 2 else "ed"))))
    z.append('lo IN TXT "v=spf1 ip4:127.0.0.0/8 -all"')
    z.append('_dmarc.lo IN TXT "v=DMARC1; p=reject"')
    z.append("rsa._domainkey.lo IN TXT %s" % txt_strings(keys.rec("rsa")))
    with open(path, "w") as f:
        f.write("\n".join(z) + "\n")
    return z


def body(rng, size):
    """About size bytes of CRLF text lines."""
    out, n = [], 0
    while n < size:
        line = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 11)))
        out.append(line)
        n += len(line) + 2
    return ("\r\n".join(out) + "\r\n").encode()


def message(rng, n, from_dom, size, sigs, ip, mail_from, expect,
            rcpt=None):
    """A signed message with its pseudo fields. sigs: [(d, s, alg)]."""
    rcpt = rcpt or "user%d@rcpt.example" % n
    hdr = ("From: \"Sender %d\" <news@%s>\r\n"
           "To: <%s>\r\n"
           "Subject: benchmark message %d about %s\r\n"
           "Date: Mon, 1 Jan 2024 12:%02d:%02d +0000\r\n"
           "Message-ID: <%d.bench@%s>\r\n"
           "MIME-Version: 1.0\r\n"
           "Content-Type: text/plain; charset=us-ascii\r\n"
           "Content-Transfer-Encoding: 7bit\r\n"
           % (n, from_dom, rcpt, n, rng.choice(WORDS), n // 60 % 60,
              n % 60, n, from_dom)).encode()
    msg = hdr + b"\r\n" + body(rng, size)
    for d, s, alg in sigs:
        sig = dkim.sign(msg, s.encode(), d.encode(), keys.priv(alg),
                        include_headers=SIGNED,
                        canonicalize=(b"relaxed", b"relaxed"),
                        signature_algorithm=(b"rsa-sha256" if alg == "rsa"
                                             else b"ed25519-sha256"),
                        linesep=b"\r\n")
        msg = sig + msg
    rcv = ("Received: from mail.%s (mail.%s [%s])\r\n"
           "\tby relay.%s with ESMTP id %06d\r\n"
           "\tfor <%s>; Mon, 1 Jan 2024 12:00:00 +0000\r\n"
           % (from_dom, from_dom, ip, from_dom, n, rcpt)).encode()
    pseudo = ("X-Bench-Client-IP: %s\r\nX-Bench-Helo: mail.%s\r\n"
              "X-Bench-Mail-From: %s\r\nX-Bench-Rcpt: %s\r\n"
              "X-Bench-Expect: %s\r\n"
              % (ip, from_dom, mail_from, rcpt, expect)).encode()
    return pseudo + rcv + msg, msg


def check(signed, zonelines):
    """Verify dkimpy's own signatures against our zone's records."""
    recs = {}
    for ln in zonelines:
        p = ln.split(" IN TXT ", 1)
        if len(p) == 2 and "._domainkey." in p[0]:
            v = "".join(x for x in p[1].split('"')[1::2])
            recs[(p[0] + ".example.").encode()] = v.encode()

    def dnsfunc(name, timeout=5):
        return recs.get(name if name.endswith(b".") else name + b".")
    d = dkim.DKIM(signed)
    n = len([h for h in d.headers if h[0].lower() == b"dkim-signature"])
    for i in range(n):
        if not d.verify(idx=i, dnsfunc=dnsfunc):
            sys.exit("genmsgs: self-check failed: signature %d" % i)


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def main():
    global keys
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--std", type=int, default=200)
    ap.add_argument("--per-set", type=int, default=20)
    ap.add_argument("--sizes", default="4,64,256,1024")
    ap.add_argument("--sigs", default="1,2,5,10")
    a = ap.parse_args()
    rng = random.Random(4)
    keys = Keys(os.path.join(a.out, "keys"))
    zl = zone(keys, os.path.join(a.out, "example.zone"))
    tallies = []

    d = os.path.join(a.out, "std")
    os.makedirs(d, exist_ok=True)
    acc = rej = 0
    for i in range(a.std):
        fd = "s%02d.example" % (i % NSENDERS)
        fail = i % 5 == 4
        size = 4096 if i % 2 == 0 else 40960
        alg = "rsa" if (i // 2) % 2 == 0 else "ed"
        ip = "192.0.2.%d" % (1 + i % 250)
        sd = "esp.example" if fail else fd
        raw, signed = message(rng, i, fd, size, [(sd, alg, alg)], ip,
                              "bounce+%d@%s" % (i, sd),
                              "reject" if fail else "accept")
        if i < 4:
            check(signed, zl)
        write(os.path.join(d, "m%04d.eml" % i), raw)
        rej += fail
        acc += not fail
    tallies.append("std accept=%d reject=%d" % (acc, rej))

    for kb in (int(x) for x in a.sizes.split(",") if x):
        d = os.path.join(a.out, "size", str(kb))
        os.makedirs(d, exist_ok=True)
        for i in range(a.per_set):
            fd = "s%02d.example" % (i % NSENDERS)
            raw, signed = message(rng, i, fd, kb * 1024, [(fd, "rsa", "rsa")],
                                  "192.0.2.%d" % (1 + i), "b@%s" % fd,
                                  "accept")
            if i == 0:
                check(signed, zl)
            write(os.path.join(d, "m%04d.eml" % i), raw)
        tallies.append("size/%d accept=%d reject=0" % (kb, a.per_set))

    for ns in (int(x) for x in a.sigs.split(",") if x):
        d = os.path.join(a.out, "sigs", str(ns))
        os.makedirs(d, exist_ok=True)
        sigs = [("s00.example", "k%02d" % k, "rsa" if k % 2 else "ed")
                for k in range(1, ns + 1)]
        for i in range(a.per_set):
            raw, signed = message(rng, i, "s00.example", 4096, sigs,
                                  "192.0.2.%d" % (1 + i), "b@s00.example",
                                  "accept")
            if i == 0:
                check(signed, zl)
            write(os.path.join(d, "m%04d.eml" % i), raw)
        tallies.append("sigs/%d accept=%d reject=0" % (ns, a.per_set))

    _, signed = message(rng, 0, "lo.example", 4096,
                        [("lo.example", "rsa", "rsa")], "127.0.0.1",
                        "b@lo.example", "accept", rcpt="user@rcpt.example")
    check(signed, zl)
    # smtp-source -F appends CRLF to each line itself: LF only here
    write(os.path.join(a.out, "postfix.eml"), signed.replace(b"\r\n", b"\n"))
    with open(os.path.join(a.out, "expect.txt"), "w") as f:
        f.write("\n".join(tallies) + "\n")


if __name__ == "__main__":
    main()
