#!/usr/bin/python3
"""soak.py - the soak suite's helpers: verdict check, SMTP, stalls, hostile mail

SYNOPSIS
    soak.py classify [--fault] [--allow-error] MLOAD_VERBOSE_LOG
    soak.py smtp-send --port P --out RESULTS.json [--conc N] [--count N]
        [--first-id N] [--spread S] MSG.eml|DIR...
    soak.py smtp-retry --port P RESULTS.json [--rounds N] [--pause S]
    soak.py smtp-verify --maildir DIR [--wait S] RESULTS.json...
    soak.py stall --port P --count N --ready FILE
    soak.py hostile --gen GENDIR OUTDIR

DESCRIPTION
    classify reads the per-message lines of "mload -v" (PATH VERDICT MS
    [error]), takes each message's expected verdict from its
    X-Bench-Expect field, and prints one line of key=value figures: msgs,
    accept, reject, tempfail, quarantine, error, ok (as expected),
    violations, max_ms. Without --fault every message must get exactly
    its expected verdict. With --fault (a fault is injected) a tempfail
    is also right; an error (no final reply: the milter died) is right
    only with --allow-error. A violation is anything else, above all an
    accept of a message expected to be rejected or a reject of one
    expected to be accepted; the first few are printed as "# " lines.

    smtp-send plays an SMTP client of our loopback Postfix: each message
    (cycling through the files until --count) in its own session, with
    XCLIENT presenting the X-Bench-Client-IP and X-Bench-Helo of the file
    (the pseudo fields are removed), MAIL FROM its X-Bench-Mail-From,
    RCPT TO user@rcpt.example, and a first field "X-Soak-Id: N" (not
    covered by the DKIM signatures) to find it in the mailbox; with
    --spread S the sessions start evenly over S seconds. The reply
    that ended each transaction goes to RESULTS.json with the expected
    verdict. smtp-retry sends again, with the same id, every message
    whose last reply was 4xx (or none: the connection broke), --rounds
    times at most, --pause seconds apart, until none is left; it prints
    how many were still temporary. smtp-verify checks, waiting up to
    --wait seconds for deliveries, that nothing was lost or judged
    wrongly: every 250 is in the maildir (once), every 550 was expected
    to be rejected and every 250 expected to be accepted, and no message
    still has a 4xx; it prints the figures and "# " lines for the
    problems, and exits 1 if there is one.

    stall opens --count TCP connections to the milter on 127.0.0.1:P,
    sends on each the first 5 bytes of a 13-byte SMFIC_OPTNEG packet and
    stops there, writes the number of open connections to --ready, then
    waits for SIGTERM or SIGUSR1. On SIGUSR1 it writes to --ready.N how
    many of them the milter has closed (its I/O timeout) and keeps
    waiting; on SIGTERM it closes them all and exits.

    hostile writes the hostile-size messages, each with X-Bench-* fields
    for mload, to OUTDIR, signing with GENDIR/keys/rsa.pem (genmsgs.py):
    10,000 header fields, a 50 MB body, 200 DKIM-Signature fields, a
    From: with 1,000 mailboxes (all expected to be rejected: they fail
    DMARC of a p=reject domain); the partial-last-line pair of issue 14
    item 4 (valid: accept; tampered: reject); a bare CR in a header field
    of an otherwise passing message (item 5: reject).
"""
import argparse
import concurrent.futures
import json
import os
import re
import signal
import smtplib
import socket
import struct
import sys
import time

RCPT = "user@rcpt.example"


# ------------------------------------------------------------- messages
def split_msg(raw):
    """(pseudo fields dict, message bytes without them)."""
    pseudo, out = {}, []
    head, sep, body = raw.partition(b"\r\n\r\n")
    if not sep:
        head, sep, body = raw.partition(b"\n\n")
    lines = re.split(rb"\r?\n", head)
    eol = b"\r\n" if b"\r\n" in head else b"\n"
    for ln in lines:
        m = re.match(rb"X-Bench-([A-Za-z-]+):\s*(.*)", ln)
        if m:
            pseudo[m.group(1).decode().lower()] = m.group(2).decode().strip()
        else:
            out.append(ln)
    return pseudo, eol.join(out) + sep + body


_expect_cache = {}


def expect_of(path):
    if path not in _expect_cache:
        with open(path, "rb") as f:
            head = f.read(65536)
        m = re.search(rb"^X-Bench-Expect:\s*(\w+)", head, re.M)
        _expect_cache[path] = m.group(1).decode().lower() if m else None
    return _expect_cache[path]


def msg_files(args):
    files = []
    for a in args:
        if os.path.isdir(a):
            files += sorted(os.path.join(a, f) for f in os.listdir(a)
                            if f.endswith(".eml"))
        else:
            files.append(a)
    return files


# ------------------------------------------------------------- classify
def classify(a):
    n = {k: 0 for k in ("msgs", "accept", "reject", "tempfail",
                        "quarantine", "discard", "error", "ok",
                        "violations")}
    max_ms, shown = 0.0, 0
    with open(a.log, errors="replace") as f:
        for ln in f:
            p = ln.split(None, 3)
            if len(p) < 4 - 1 or p[1] not in n or not p[0].endswith(".eml"):
                continue
            path, got = p[0], p[1]
            try:
                max_ms = max(max_ms, float(p[2]))
            except ValueError:
                pass
            want = expect_of(path)
            n["msgs"] += 1
            n[got] += 1
            right = got == want or (a.fault and got == "tempfail") or \
                (a.allow_error and got == "error")
            if right:
                n["ok"] += 1
                continue
            n["violations"] += 1
            if shown < 5:
                shown += 1
                print("# violation: %s: got %s, want %s%s" % (
                    os.path.basename(path), got, want,
                    " (" + p[3].strip() + ")" if len(p) > 3 else ""))
    print(" ".join("%s=%d" % kv for kv in n.items()) + " max_ms=%.0f" % max_ms)
    return 0


# ----------------------------------------------------------------- SMTP
def smtp_one(port, path, sid, start=0.0):
    """Send one message; (code, text) of the reply that ended it."""
    if start > 0:
        time.sleep(max(0.0, start - time.time()))
    with open(path, "rb") as f:
        pseudo, msg = split_msg(f.read())
    msg = b"X-Soak-Id: %d\r\n" % sid + msg
    helo = pseudo.get("helo", "client.soak.example")
    try:
        s = smtplib.SMTP("127.0.0.1", port, timeout=400)
    except OSError as e:
        return 0, "connect: %s" % e
    try:
        s.ehlo(helo)
        if "client-ip" in pseudo:
            c, t = s.docmd("XCLIENT", "ADDR=%s HELO=%s" %
                           (pseudo["client-ip"], helo))
            if c != 220:
                return c, "XCLIENT: " + t.decode(errors="replace")
            s.ehlo(helo)
        c, t = s.mail(pseudo.get("mail-from", "b@soak.example"))
        if c != 250:
            return c, "MAIL: " + t.decode(errors="replace")
        c, t = s.rcpt(RCPT)
        if c != 250:
            return c, "RCPT: " + t.decode(errors="replace")
        c, t = s.data(msg)
        return c, t.decode(errors="replace")
    except (smtplib.SMTPException, OSError) as e:
        return 0, "session broke: %s" % e
    finally:
        try:
            s.quit()
        except (smtplib.SMTPException, OSError):
            s.close()


def smtp_send(a):
    files = msg_files(a.msgs)
    count = a.count or len(files)
    jobs = [(a.first_id + i, files[i % len(files)]) for i in range(count)]
    res = {}
    t0 = time.time()
    with concurrent.futures.ThreadPoolExecutor(a.conc) as ex:
        futs = {ex.submit(smtp_one, a.port, p, sid,
                          t0 + a.spread * i / count if a.spread else 0):
                (sid, p) for i, (sid, p) in enumerate(jobs)}
        for fu in concurrent.futures.as_completed(futs):
            sid, p = futs[fu]
            code, text = fu.result()
            res[str(sid)] = {"path": p, "expect": expect_of(p),
                             "code": code, "text": text, "tries": 1,
                             "first": code}
    with open(a.out, "w") as f:
        json.dump(res, f)
    tally = {}
    for r in res.values():
        tally[r["code"] // 100] = tally.get(r["code"] // 100, 0) + 1
    print("sent=%d 2xx=%d 4xx=%d 5xx=%d broken=%d" % (
        len(res), tally.get(2, 0), tally.get(4, 0), tally.get(5, 0),
        tally.get(0, 0)))
    return 0


def temporary(r):
    return r["code"] < 200 or 400 <= r["code"] < 500


def smtp_retry(a):
    with open(a.results) as f:
        res = json.load(f)
    for rnd in range(a.rounds):
        todo = [(k, r) for k, r in res.items() if temporary(r)]
        if not todo:
            break
        if rnd:
            time.sleep(a.pause)
        for k, r in todo:
            r["code"], r["text"] = smtp_one(a.port, r["path"], int(k))
            r["tries"] += 1
    with open(a.results, "w") as f:
        json.dump(res, f)
    left = sum(1 for r in res.values() if temporary(r))
    print("retried=%d still_temporary=%d" % (
        sum(1 for r in res.values() if r["tries"] > 1), left))
    return 0


def delivered_ids(maildir):
    ids = {}
    for sub in ("new", "cur"):
        d = os.path.join(maildir, sub)
        for fn in os.listdir(d) if os.path.isdir(d) else []:
            with open(os.path.join(d, fn), "rb") as f:
                m = re.search(rb"^X-Soak-Id: (\d+)", f.read(65536), re.M)
            if m:
                k = m.group(1).decode()
                ids[k] = ids.get(k, 0) + 1
    return ids


def smtp_verify(a):
    res = {}
    for path in a.results:
        with open(path) as f:
            res.update(json.load(f))
    want = {k for k, r in res.items() if r["code"] == 250}
    deadline = time.time() + a.wait
    while True:
        got = delivered_ids(a.maildir)
        if want <= set(got) or time.time() > deadline:
            break
        time.sleep(0.2)
    probs = []
    for k, r in sorted(res.items(), key=lambda kv: int(kv[0])):
        name = "%s (%s)" % (k, os.path.basename(r["path"]))
        if temporary(r):
            probs.append("%s: still %s %s after %d tries" % (
                name, r["code"], r["text"][:80], r["tries"]))
        elif r["code"] == 250 and r["expect"] != "accept":
            probs.append("%s: accepted, expected %s" % (name, r["expect"]))
        elif r["code"] >= 500 and r["expect"] != "reject":
            probs.append("%s: %s %s, expected %s" % (
                name, r["code"], r["text"][:80], r["expect"]))
        if r["code"] == 250 and k not in got:
            probs.append("%s: 250 but never delivered" % name)
        if got.get(k, 0) > 1:
            probs.append("%s: delivered %d times" % (name, got[k]))
    for k in got:
        if k in res and res[k]["code"] != 250:
            probs.append("%s: delivered, but its last reply was %s" % (
                k, res[k]["code"]))
    n4 = sum(1 for r in res.values() if r["first"] // 100 == 4 or
             r["first"] == 0)
    print("messages=%d delivered=%d rejected=%d first_4xx=%d lost=%d "
          "problems=%d" % (
              len(res), sum(1 for k in want if k in got),
              sum(1 for r in res.values() if r["code"] >= 500), n4,
              sum(1 for k in want if k not in got), len(probs)))
    for p in probs[:10]:
        print("# " + p)
    return 1 if probs else 0


# --------------------------------------------------------------- stalls
def stall(a):
    socks = []
    half = struct.pack("!I", 13) + b"O" + b"\0"   # 13 announced, 5 sent
    for _ in range(a.count):
        try:
            s = socket.create_connection(("127.0.0.1", a.port), timeout=5)
            s.sendall(half)
            s.setblocking(False)
            socks.append(s)
        except OSError:
            pass
    with open(a.ready + ".tmp", "w") as f:
        f.write("%d\n" % len(socks))
    os.rename(a.ready + ".tmp", a.ready)

    def closed_by_peer():
        n = 0
        for s in socks:
            try:
                if s.recv(4096, socket.MSG_PEEK) == b"":
                    n += 1
            except BlockingIOError:
                pass
            except OSError:
                n += 1
        return n

    state = {"stop": False, "report": False}
    signal.signal(signal.SIGTERM, lambda *_: state.update(stop=True))
    signal.signal(signal.SIGUSR1, lambda *_: state.update(report=True))
    while not state["stop"]:
        if state["report"]:
            state["report"] = False
            with open(a.ready + ".n.tmp", "w") as f:
                f.write("%d\n" % closed_by_peer())
            os.rename(a.ready + ".n.tmp", a.ready + ".n")
        time.sleep(0.1)
    for s in socks:
        s.close()
    return 0


# -------------------------------------------------------------- hostile
def hostile(a):
    import dkim
    key = open(os.path.join(a.gen, "keys", "rsa.pem"), "rb").read()
    os.makedirs(a.out, exist_ok=True)

    def pseudo(ip, dom, expect):
        return ("X-Bench-Client-IP: %s\r\nX-Bench-Helo: mail.%s\r\n"
                "X-Bench-Mail-From: b@%s\r\nX-Bench-Expect: %s\r\n"
                % (ip, dom, dom, expect)).encode()

    def head(dom, n, frm=None):
        return ("From: %s\r\nTo: <user@rcpt.example>\r\n"
                "Subject: hostile %s\r\nDate: Mon, 1 Jan 2024 12:00:00 +0000"
                "\r\nMessage-ID: <%s.soak@%s>\r\n"
                % (frm or "<news@%s>" % dom, n, n, dom)).encode()

    def sign(msg, dom):
        return dkim.sign(msg, b"rsa", dom.encode(), key,
                         include_headers=[b"from", b"to", b"subject",
                                          b"date", b"message-id"],
                         canonicalize=(b"relaxed", b"relaxed"),
                         linesep=b"\r\n") + msg

    def write(name, data):
        with open(os.path.join(a.out, name + ".eml"), "wb") as f:
            f.write(data)

    bad = "203.0.113.9"             # not in any SPF record of the zone
    dom = "s01.example"
    fill = b"".join(b"X-Filler-%d: value %d\r\n" % (i, i)
                    for i in range(10000))
    write("headers-10000", pseudo(bad, dom, "reject") + fill +
          head(dom, "headers") + b"\r\nbody\r\n")
    line = b"x" * 998 + b"\r\n"
    write("body-50mb", pseudo(bad, dom, "reject") + head(dom, "body") +
          b"\r\n" + line * (50 * 1024 * 1024 // len(line)))
    sigs = b"".join(
        b"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=%s;"
        b" s=rsa; h=from:to:subject; bh=%s; b=%s\r\n"
        % (dom.encode(), b"A" * 44, b"B" * 344) for _ in range(200))
    write("dkim-200", pseudo(bad, dom, "reject") + sigs +
          head(dom, "dkim") + b"\r\nbody\r\n")
    boxes = ", ".join("<u%d@s%02d.example>" % (i, i % 20)
                      for i in range(1000))
    write("from-1000", pseudo(bad, dom, "reject") +
          head(dom, "from", frm=boxes) + b"\r\nbody\r\n")
    # issue 14 item 4: a body whose last line has no CRLF; SPF fails
    # (client not in the record), so DKIM alone decides DMARC
    signed = sign(head(dom, "partial") + b"\r\nhello world", dom)
    write("partial-valid", pseudo(bad, dom, "accept") + signed)
    write("partial-tampered", pseudo(bad, dom, "reject") +
          signed.replace(b"hello world", b"hello wurld"))
    # issue 14 item 5: a lone CR in a field shows a From: no check saw
    signed = sign(head(dom, "cr") + b"\r\nhello\r\n", dom)
    hdr, _, body = signed.partition(b"\r\n\r\n")
    write("bare-cr", pseudo(bad, dom, "reject") + hdr +
          b"\r\nX-Note: hi\rFrom: <ceo@victim.example>\r\n\r\n" + body)
    return 0


def main():
    ap = argparse.ArgumentParser()
    sp = ap.add_subparsers(dest="cmd", required=True)
    p = sp.add_parser("classify")
    p.add_argument("--fault", action="store_true")
    p.add_argument("--allow-error", action="store_true")
    p.add_argument("log")
    p = sp.add_parser("smtp-send")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--conc", type=int, default=4)
    p.add_argument("--count", type=int, default=0)
    p.add_argument("--first-id", type=int, default=1)
    p.add_argument("--spread", type=float, default=0)
    p.add_argument("msgs", nargs="+")
    p = sp.add_parser("smtp-retry")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--rounds", type=int, default=10)
    p.add_argument("--pause", type=float, default=1.0)
    p.add_argument("results")
    p = sp.add_parser("smtp-verify")
    p.add_argument("--maildir", required=True)
    p.add_argument("--wait", type=float, default=60)
    p.add_argument("results", nargs="+")
    p = sp.add_parser("stall")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--ready", required=True)
    p = sp.add_parser("hostile")
    p.add_argument("--gen", required=True)
    p.add_argument("out")
    a = ap.parse_args()
    return {"classify": classify, "smtp-send": smtp_send,
            "smtp-retry": smtp_retry, "smtp-verify": smtp_verify,
            "stall": stall, "hostile": hostile}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
