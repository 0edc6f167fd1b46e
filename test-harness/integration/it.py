#!/usr/bin/python3
"""it.py - the parsing and checking half of the integration runner

SYNOPSIS
    it.py zone BASE KEYDIR OUT [CASEDIR...]
    it.py conf BASE OVERRIDE OUT NAME=VALUE...
    it.py reply TRANSCRIPT [STAGE]
    it.py headers MESSAGE
    it.py check EXPECT --state S --reply FILE --headers FILE --log FILE
                [--authserv-id ID]

DESCRIPTION
    zone     BASE plus each CASEDIR/zone, with @DKIM:NAME@ replaced by the
             TXT rdata in KEYDIR/NAME.txt; fails when two sources define
             the same owner name (their records would merge into one RRset,
             e.g. two SPF records: permerror).  @REV:ADDR@ becomes the
             labels of ADDR reversed (octets for IPv4, nibbles for IPv6),
             for PTR and DNSBL names.  A one-line record whose owner is
             absolute and ends in ".arpa." goes to the zone "arpa.",
             written next to OUT as arpa.zone (always, so reverse lookups
             of other clients get a quick NXDOMAIN):
               @REV:203.0.113.5@.in-addr.arpa. PTR mail.a.example.
               @REV:2001:db8::5@.bl A 127.0.0.2
    conf     BASE with @NAME@ placeholders filled and the "key = value;"
             lines of OVERRIDE ("-" for none) replacing or adding keys;
             "group.key" names a key inside "group = { ... };".
    reply    the reply that ended the SMTP transaction in a swaks
             transcript, as "CODE ENHANCED TEXT" ("-" for no enhanced
             code): the first refused command, else the reply to the end
             of DATA; with STAGE, the last reply to the command starting
             with STAGE (MAIL, RCPT, DATA, "." for the end of the data).
             Exit 1 if there is none.
    headers  the header section of MESSAGE, unfolded, one field a line.
    check    prints one line per unmet expectation; exit 1 if any.

EXPECT FILE
    One assertion a line; "#" starts a comment line.  TEXT is the rest of
    the line, taken literally (a header is unfolded and its whitespace
    runs squeezed to one space before matching).

    outcome delivered|held|refused|tempfailed
    reply CODE [ENH]     the final reply; ENH matches as a prefix ("4.7.")
    reply-has TEXT       the final reply's text contains TEXT
    rcpt-reply ADDR CODE [ENH]  the reply to RCPT TO:<ADDR> (a case with
                         several rcpt lines in send)
    rcpt-delivered ADDR  ADDR got the message in its maildir
    reply-at STAGE CODE [ENH]  the reply to the command starting with
                         STAGE: EHLO, MAIL, RCPT, DATA, or "." (the end of
                         the data)
    ar-count N           N Authentication-Results fields with our
                         authserv-id (compared without regard to case)
    ar-result METHOD=RESULT [PTYPE.PROP=VALUE...]
                         our Authentication-Results field has a resinfo
                         (RFC 8601 2.2) with all these words, in any
                         order, comments ignored:
                           ar-result dkim=pass header.d=a.example
    ar-no-result WORDS   ... has none
    ar-has TEXT          our Authentication-Results field, comments
                         removed, contains TEXT
    ar-lacks TEXT        ... does not
    ar-position top|after-received
                         top: ours is the first field the MTA stored
                         (above Postfix's own Received:), i.e. inserted at
                         index 0; after-received: it follows Postfix's own
                         Received: (index 1, the OpenDKIM convention)
    header-has TEXT      some header field ("Name: value") contains TEXT
    header-lacks TEXT    none does
    header-count N PREFIX  N header fields start with PREFIX (any case)
    field-has NAME TEXT  the value of some field NAME (any case) contains
                         TEXT
    field-lacks NAME TEXT  no field NAME does
    log-has TEXT         the milter's log of this case contains TEXT
    log-lacks TEXT       ... does not
    ar-valid             every Authentication-Results field of ours parses
                         strictly as RFC 8601 2.2 (CFWS, tokens,
                         quoted-strings, balanced comments)
    ar-methods M...      our (single) field's resinfos have exactly these
                         methods in this order: nothing injected
                           ar-methods spf spf dkim dmarc
    rspf-valid           every Received-SPF field parses strictly as
                         RFC 7208 9.1 (result, comment, key=value list
                         with known keys, each at most once)
    dkim-verify N        N DKIM-Signature fields, each verified by
                         python3-dkim through the test DNS (dkimcheck.py)
    dkim-order A...      DKIM-Signature a= values, top down
    dkim-h FIELDS        every DKIM-Signature's h= (white space removed)
    dkim-expire N        every DKIM-Signature has t= and x= = t= + N
    dkim-self TEXT       authmilter -t on the delivered message, as
                         inbound mail, prints TEXT
    dkim-tampered from|body  a From: added or the body changed: neither
                         verifier passes any signature
    arc-verify CV        python3-dkim's arc_verify of the delivered message
                         says CV (pass, fail, terminated; dkimcheck.py)
    arc-self TEXT        as dkim-self (for ARC: "arc=pass")
"""

import os
import re
import sys

MTA_HOST = "mx.test.example"
# added at delivery by virtual(8), above everything the MTA stored
DELIVERY_FIELDS = ("return-path", "x-original-to", "delivered-to")


def die(msg):
    print("it.py: %s" % msg, file=sys.stderr)
    sys.exit(2)


# ------------------------------------------------------------- zone ---

def zone_owners(text):
    owners = set()
    origin = None
    depth = 0
    for line in text.splitlines():
        code = re.sub(r';.*', '', line) if '"' not in line else line
        if depth == 0 and line[:1] not in (" ", "\t", ";", "$", "") \
                and line.strip():
            owners.add(line.split()[0].lower())
        if line.startswith("$ORIGIN"):
            origin = line.split()[1]
        depth += code.count("(") - code.count(")")
    return owners, origin


def cmd_zone(args):
    if len(args) < 3:
        die("usage: zone BASE KEYDIR OUT [CASEDIR...]")
    base, keydir, out = args[:3]
    sources = [("base", base)]
    for d in args[3:]:
        z = os.path.join(d, "zone")
        if os.path.exists(z):
            sources.append((os.path.basename(d.rstrip("/")), z))

    def key(m):
        p = os.path.join(keydir, m.group(1) + ".txt")
        if not os.path.exists(p):
            die("no key %s for %s" % (m.group(1), m.group(0)))
        return open(p).read().strip()

    seen = {}
    parts = []
    arpa = []
    bad = False
    for name, path in sources:
        text = open(path).read()
        owners, _ = zone_owners(text)
        for o in owners - {"@"}:
            if o in seen:
                print("it.py: owner %s defined by %s and %s" %
                      (o, seen[o], name), file=sys.stderr)
                bad = True
            seen[o] = name
        text = "\n".join(
            ln if ln.lstrip().startswith(";") else
            re.sub(r"@REV:([0-9A-Fa-f.:]+)@", rev,
                   re.sub(r"@DKIM:([A-Za-z0-9_-]+)@", key, ln))
            for ln in text.splitlines())
        keep = []
        for ln in text.splitlines():
            w = ln.split()
            if ln[:1] not in (" ", "\t", ";", "$") and w and \
                    w[0].lower().endswith(".arpa."):
                arpa.append(ln)
            else:
                keep.append(ln)
        text = "\n".join(keep)
        if name != "base":
            # a case's names are relative to the base $ORIGIN, whatever
            # the case may have set
            text = "; --- case %s\n%s\n" % (name, text)
        parts.append(text)
    if bad:
        sys.exit(1)
    with open(out, "w") as f:
        f.write("\n".join(parts))
    with open(os.path.join(os.path.dirname(out), "arpa.zone"), "w") as f:
        f.write(ARPA_HEAD + "\n".join(arpa) + "\n")


ARPA_HEAD = """; arpa.zone - reverse names of the cases (it.py zone)
$ORIGIN arpa.
$TTL 300
@\tSOA\tns.example. hostmaster.example. 1 3600 600 86400 300
@\tNS\tns.example.
"""


def rev(m):
    """@REV:ADDR@: the reversed labels of an address, no suffix"""
    import ipaddress
    try:
        a = ipaddress.ip_address(m.group(1))
    except ValueError:
        die("bad address in %s" % m.group(0))
    if a.version == 4:
        return ".".join(reversed(str(a).split(".")))
    return ".".join(reversed(a.exploded.replace(":", "")))


# ------------------------------------------------------------- conf ---

SETTING = re.compile(r"^(\s*)([A-Za-z][-A-Za-z0-9_]*)\s*[=:]\s*(.*?)\s*;?\s*$")


def cmd_conf(args):
    if len(args) < 3:
        die("usage: conf BASE OVERRIDE OUT NAME=VALUE...")
    base, override, out = args[:3]
    subst = dict(a.split("=", 1) for a in args[3:])
    text = open(base).read()
    for k, v in subst.items():
        text = text.replace("@%s@" % k, v)
    over = {}
    if override != "-" and os.path.exists(override):
        for line in open(override):
            s = line.strip()
            if not s or s.startswith("#") or s.startswith("//"):
                continue
            m = re.match(r"^([A-Za-z][-A-Za-z0-9_.]*)\s*[=:]\s*(.*?)\s*;?\s*$",
                         s)
            if not m:
                die("%s: cannot parse %r" % (override, s))
            v = m.group(2)
            for k, sv in subst.items():
                v = v.replace("@%s@" % k, sv)
            over[m.group(1)] = v
    lines = []
    group = None
    done = set()
    for line in text.splitlines():
        g = re.match(r"^\s*([A-Za-z][-A-Za-z0-9_]*)\s*[=:]\s*\{\s*$", line)
        if g:
            group = g.group(1)
            lines.append(line)
            continue
        if group and re.match(r"^\s*\}\s*;?\s*$", line):
            for k, v in over.items():
                if k.startswith(group + ".") and k not in done:
                    lines.append("\t%s = %s;" % (k.split(".", 1)[1], v))
                    done.add(k)
            group = None
            lines.append(line)
            continue
        m = SETTING.match(line)
        if m and not line.lstrip().startswith("#"):
            k = group + "." + m.group(2) if group else m.group(2)
            if k in over:
                lines.append("%s%s = %s;" % (m.group(1), m.group(2), over[k]))
                done.add(k)
                continue
        lines.append(line)
    groups = {}         # new groups: one block each, keys in order
    for k, v in over.items():
        if k in done:
            continue
        if "." in k:
            g, sub = k.split(".", 1)
            groups.setdefault(g, []).append("\t%s = %s;" % (sub, v))
        else:
            lines.append("%s = %s;" % (k, v))
    for g, body in groups.items():
        lines.append("%s = {\n%s\n};" % (g, "\n".join(body)))
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")


# ------------------------------------------------------------ reply ---

REPLY = re.compile(r"^(<-|<\*\*)\s+(\d{3})([ -])(.*)$")


def parse_replies(path):
    """the replies of a swaks transcript: {cmd, bad, code, lines}"""
    cmd = None
    in_data = False
    replies = []        # {cmd, bad, lines, open}
    for ln in open(path, errors="replace").read().splitlines():
        if ln.startswith(" -> ") or ln.startswith(" ~> "):
            c = ln[4:]
            if in_data:
                if c == ".":
                    cmd, in_data = ".", False
                continue
            cmd = c
            continue
        m = REPLY.match(ln)
        if not m:
            continue
        code, sep, rest = m.group(2), m.group(3), m.group(4)
        if replies and replies[-1]["open"]:
            r = replies[-1]
            r["lines"].append(rest)
        else:
            r = {"cmd": cmd, "bad": m.group(1) == "<**", "code": code,
                 "lines": [rest]}
            replies.append(r)
        r["open"] = sep == "-"
        if code == "354" and not r["open"]:
            in_data = True
    return replies


def reply_tuple(r):
    """(code, enh, text) of one parsed reply"""
    enh = "-"
    texts = []
    for i, rest in enumerate(r["lines"]):
        m = re.match(r"^(\d\.\d{1,3}\.\d{1,3})\s*(.*)$", rest)
        if m:
            if i == 0:
                enh = m.group(1)
            rest = m.group(2)
        texts.append(rest)
    return r["code"], enh, " ".join(texts)


def stage_reply(path, stage):
    """(code, enh, text) of the last reply to a command starting with
    stage ("MAIL", "RCPT", "DATA", "." for the end of the data, "EHLO")"""
    found = None
    for r in parse_replies(path):
        if r["cmd"] is not None and \
                r["cmd"].upper().startswith(stage.upper()):
            found = r
    return reply_tuple(found) if found else None


def final_reply(path):
    """(code, enh, text) of the reply that ended the transaction"""
    replies = parse_replies(path)
    chosen = None
    for r in replies:
        if r["bad"] and r["code"] != "221":
            chosen = r
            break
    if chosen is None:
        for r in replies:
            if r["cmd"] == ".":
                chosen = r
    if chosen is None:
        return None
    return reply_tuple(chosen)


def cmd_reply(args):
    r = stage_reply(args[0], args[1]) if len(args) > 1 else \
        final_reply(args[0])
    if r is None:
        sys.exit(1)
    print("%s %s %s" % r)


# ---------------------------------------------------------- headers ---

def read_headers(path):
    """unfolded header fields of a message file, in order"""
    out = []
    data = open(path, "rb").read().decode("utf-8", "replace")
    for ln in data.splitlines():
        if ln == "":
            break
        if ln[:1] in (" ", "\t") and out:
            out[-1] += " " + ln.strip()
        else:
            out.append(ln)
    return out


def cmd_headers(args):
    for h in read_headers(args[0]):
        print(h)


# ------------------------------------------------------------ check ---

def squeeze(s):
    return re.sub(r"\s+", " ", s).strip()


def strip_comments(v):
    """v without RFC 5322 comments (nested, quoted-pairs), quotes kept"""
    out = []
    depth = 0
    quoted = False
    i = 0
    while i < len(v):
        ch = v[i]
        if ch == "\\" and i + 1 < len(v):
            if depth == 0:
                out.append(v[i:i + 2])
            i += 2
            continue
        if quoted:
            out.append(ch)
            quoted = ch != '"'
        elif ch == '"' and depth == 0:
            out.append(ch)
            quoted = True
        elif ch == "(":
            depth += 1
            out.append(" ")
        elif ch == ")" and depth > 0:
            depth -= 1
        elif depth == 0:
            out.append(ch)
        i += 1
    return squeeze("".join(out))


def split_semi(v):
    """split at ";" outside quoted-strings"""
    parts, cur, quoted = [], [], False
    for i, ch in enumerate(v):
        if ch == '"' and (i == 0 or v[i - 1] != "\\"):
            quoted = not quoted
        if ch == ";" and not quoted:
            parts.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur).strip())
    return parts


def unquote_word(t):
    """k="v" -> k=v: RFC 8601 allows a value as token or quoted-string"""
    k, eq, v = t.partition("=")
    if eq and len(v) >= 2 and v[0] == '"' and v[-1] == '"':
        v = re.sub(r"\\(.)", r"\1", v[1:-1])
    return k + eq + v


def resinfos(h):
    """the resinfos of an A-R field as lists of words, comments removed"""
    value = strip_comments(field(h)[1])
    out = []
    for part in split_semi(value)[1:]:
        toks = re.findall(r'(?:[^\s"]|"(?:\\.|[^"\\])*")+',
                          re.sub(r"\s*=\s*", "=", part))
        if toks:
            out.append([unquote_word(t).lower() for t in toks])
    return out


def field(h):
    name, _, value = h.partition(":")
    return name.strip().lower(), value.strip()


def is_ours(h, asid):
    name, value = field(h)
    if name != "authentication-results":
        return False
    m = re.match(r"^([^\s;]+)", value)
    return bool(m) and m.group(1).lower() == asid.lower()


# ------------------------------------------------- strict parsing ---
# RFC 5322 3.2 lexical tokens, enough for RFC 8601 and RFC 7208 9.1

TSPECIALS = set('()<>@,;:\\"/[]?=')


class Strict:
    """a cursor over a field value; fails with ValueError"""

    def __init__(self, v):
        self.v, self.i = v, 0

    def fail(self, why):
        raise ValueError("%s at %d: %r" % (why, self.i,
                                           self.v[self.i:self.i + 30]))

    def peek(self):
        return self.v[self.i] if self.i < len(self.v) else ""

    def comment(self):
        depth = 0
        while True:
            ch = self.peek()
            if ch == "":
                self.fail("unclosed comment")
            self.i += 1
            if ch == "\\":
                if self.peek() == "":
                    self.fail("quoted-pair at end")
                self.i += 1
            elif ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
                if depth == 0:
                    return
            elif ord(ch) < 32 and ch not in " \t" or ord(ch) > 126:
                self.fail("control or 8-bit byte in comment")

    def cfws(self):
        """skip CFWS; true if any"""
        start = self.i
        while True:
            ch = self.peek()
            if ch in (" ", "\t"):
                self.i += 1
            elif ch == "(":
                self.comment()
            elif ch == ")":
                self.fail("unbalanced )")
            else:
                return self.i > start

    def quoted(self):
        assert self.peek() == '"'
        self.i += 1
        out = []
        while True:
            ch = self.peek()
            if ch == "":
                self.fail("unclosed quoted-string")
            self.i += 1
            if ch == '"':
                return "".join(out)
            if ch == "\\":
                if self.peek() == "":
                    self.fail("quoted-pair at end")
                out.append(self.peek())
                self.i += 1
            elif (ord(ch) < 32 and ch not in " \t") or ord(ch) > 126:
                self.fail("control or 8-bit byte in quoted-string")
            else:
                out.append(ch)

    def run(self, ok):
        j = self.i
        while self.i < len(self.v) and ok(self.v[self.i]):
            self.i += 1
        return self.v[j:self.i]

    def token(self):
        """RFC 2045 token"""
        t = self.run(lambda c: 32 < ord(c) < 127 and c not in TSPECIALS)
        if not t:
            self.fail("token expected")
        return t

    def keyword(self):
        """RFC 8601 Keyword (RFC 5321 Ldh-str)"""
        t = self.run(lambda c: c.isascii() and (c.isalnum() or c == "-"))
        if not t or not t[0].isalnum() or t[-1] == "-":
            self.fail("keyword expected")
        return t

    def expect(self, ch):
        if self.peek() != ch:
            self.fail("%r expected" % ch)
        self.i += 1


def ar_strict(value):
    """parse an A-R value strictly (RFC 8601 2.2); return
    (authserv-id, [(method, result, {prop: value})])"""
    p = Strict(value)
    p.cfws()
    asid = p.quoted() if p.peek() == '"' else p.token()
    if p.cfws() and p.peek().isdigit():
        p.run(str.isdigit)                      # authres-version
        p.cfws()
    out = []
    if p.peek() == ";":
        while p.peek() == ";":
            p.i += 1
            p.cfws()
            start = p.i
            method = p.keyword().lower()
            p.cfws()
            if method == "none" and not out and p.peek() == "":
                return asid, out                # no-result
            if p.peek() == "/":                 # method-version
                p.i += 1
                p.cfws()
                p.run(str.isdigit) or p.fail("method-version expected")
                p.cfws()
            p.expect("=")
            p.cfws()
            result = p.keyword().lower()
            props = {}
            p.cfws()
            while p.peek() not in (";", ""):
                name = p.keyword().lower()
                p.cfws()
                if name == "reason":
                    p.expect("=")
                    p.cfws()
                    v = p.quoted() if p.peek() == '"' else p.token()
                else:
                    p.expect(".")
                    p.cfws()
                    prop = p.keyword().lower()
                    name = "%s.%s" % (name, prop)
                    p.cfws()
                    p.expect("=")
                    p.cfws()
                    if p.peek() == '"':
                        v = p.quoted()
                    else:
                        # token, or [local-part] "@" domain-name
                        v = p.run(lambda c: 32 < ord(c) < 127 and
                                  (c not in TSPECIALS or c == "@"))
                        if not v or v.count("@") > 1:
                            p.fail("pvalue expected")
                if name in props:
                    p.fail("property %s twice" % name)
                props[name] = v
                p.cfws()
            if start == p.i:
                p.fail("empty resinfo")
            out.append((method, result, props))
    else:
        p.fail("';' expected")
    if p.peek() != "":
        p.fail("trailing text")
    return asid, out


RSPF_RESULTS = {"pass", "fail", "softfail", "neutral", "none", "temperror",
                "permerror"}
RSPF_KEYS = {"client-ip", "envelope-from", "helo", "problem", "receiver",
             "identity", "mechanism"}


def rspf_strict(value):
    """parse a Received-SPF value strictly (RFC 7208 9.1); return
    (result, {key: value})"""
    p = Strict(value)
    p.cfws()
    result = p.keyword().lower()
    if result not in RSPF_RESULTS:
        p.fail("bad result %r" % result)
    p.cfws()
    pairs = {}
    while p.peek() != "":
        if pairs:
            p.expect(";")
            p.cfws()
            if p.peek() == "":
                break
        key = p.run(lambda c: c.isascii() and (c.isalnum() or c in "-_"))
        if not key:
            p.fail("key expected")
        key = key.lower()
        if key not in RSPF_KEYS and not key.startswith("x-"):
            p.fail("unknown key %s" % key)
        if key in pairs:
            p.fail("key %s twice" % key)
        p.cfws()
        p.expect("=")
        p.cfws()
        if p.peek() == '"':
            v = p.quoted()
        else:
            # dot-atom (RFC 5322 atext and ".")
            v = p.run(lambda c: c.isascii() and
                      (c.isalnum() or c in "!#$%&'*+-/=?^_`{|}~."))
            if not v:
                p.fail("value expected")
        pairs[key] = v
        p.cfws()
    return result, pairs


def parse_expect(path):
    out = []
    for n, line in enumerate(open(path), 1):
        line = line.rstrip("\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        word, _, rest = line.strip().partition(" ")
        out.append((n, word, rest.strip()))
    return out


def cmd_check(args):
    import argparse
    ap = argparse.ArgumentParser(prog="it.py check")
    ap.add_argument("expect")
    ap.add_argument("--state", required=True)
    ap.add_argument("--reply", required=True)
    ap.add_argument("--headers", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--smtp", help="the swaks transcript")
    ap.add_argument("--authserv-id", default=MTA_HOST)
    ap.add_argument("--delivered", help="recipients delivered, one a line")
    ap.add_argument("--message", help="the delivered message file")
    ap.add_argument("--dns-port", help="the harness's NSD")
    ap.add_argument("--authmilter", help="the binary, for authmilter -t")
    ap.add_argument("--conf", help="the case's configuration")
    a = ap.parse_args(args)

    reply = open(a.reply).read().strip() if os.path.exists(a.reply) else ""
    rcode, renh, rtext = (reply.split(" ", 2) + ["", "", ""])[:3]
    hdrs = None
    if os.path.exists(a.headers) and os.path.getsize(a.headers) > 0:
        hdrs = [squeeze(h) for h in open(a.headers).read().splitlines()]
    log = open(a.log, errors="replace").read() if os.path.exists(a.log) \
        else ""
    ours = [h for h in hdrs if is_ours(h, a.authserv_id)] if hdrs else []
    fails = []

    def need_headers(what):
        if hdrs is None:
            fails.append("%s: no message to look at (state %s)" %
                         (what, a.state))
            return False
        return True

    for n, word, arg in parse_expect(a.expect):
        what = "%s %s" % (word, arg)
        if word == "outcome":
            if arg != a.state:
                fails.append("outcome %s expected, got %s" % (arg, a.state))
        elif word == "reply":
            want = arg.split()
            if not reply:
                fails.append("reply %s expected, got none" % arg)
            elif want[0] != rcode or (len(want) > 1 and
                                      not renh.startswith(want[1])):
                fails.append("reply %s expected, got %s" % (arg, reply))
        elif word == "reply-at":
            stage, _, want = arg.partition(" ")
            want = want.split()
            got = stage_reply(a.smtp, stage) if a.smtp else None
            if got is None:
                fails.append("no reply to %s" % stage)
            elif want[0] != got[0] or (len(want) > 1 and
                                       not got[1].startswith(want[1])):
                fails.append("reply to %s: %s expected, got %s" %
                             (stage, " ".join(want), " ".join(got)))
        elif word == "rcpt-reply":
            addr, _, want = arg.partition(" ")
            want = want.split()
            got = stage_reply(a.smtp, "RCPT TO:<%s>" % addr) if a.smtp \
                else None
            if got is None:
                fails.append("no reply to RCPT TO:<%s>" % addr)
            elif want[0] != got[0] or (len(want) > 1 and
                                       not got[1].startswith(want[1])):
                fails.append("reply to RCPT TO:<%s>: %s expected, got %s"
                             % (addr, " ".join(want), " ".join(got)))
        elif word == "rcpt-delivered":
            got = open(a.delivered).read().split() if a.delivered and \
                os.path.exists(a.delivered) else []
            if arg not in got:
                fails.append("%s got nothing (delivered: %s)" %
                             (arg, " ".join(got) or "none"))
        elif word == "reply-has":
            if arg not in rtext:
                fails.append("reply text lacks %r: %s" % (arg, reply))
        elif word == "ar-count":
            if need_headers(what) and len(ours) != int(arg):
                fails.append("%d Authentication-Results of ours, expected %s"
                             % (len(ours), arg))
        elif word in ("ar-result", "ar-no-result"):
            if not need_headers(what):
                continue
            if not ours:
                fails.append("%s: no Authentication-Results of ours" % what)
                continue
            want = [unquote_word(t).lower()
                    for t in re.sub(r"\s*=\s*", "=", arg).split()]
            has = any(set(want) <= set(ri) for h in ours
                      for ri in resinfos(h))
            if has != (word == "ar-result"):
                fails.append("Authentication-Results %s a result %r: %s" %
                             ("lacks" if has is False else "has", arg,
                              " | ".join(ours)))
        elif word in ("ar-has", "ar-lacks"):
            if not need_headers(what):
                continue
            if not ours:
                fails.append("%s: no Authentication-Results of ours" % what)
                continue
            has = any(arg in strip_comments(h) for h in ours)
            if has != (word == "ar-has"):
                fails.append("Authentication-Results %s %r: %s" %
                             ("lacks" if word == "ar-has" else "has", arg,
                              " | ".join(ours)))
        elif word == "ar-position":
            if not need_headers(what):
                continue
            stored = [h for h in hdrs if field(h)[0] not in DELIVERY_FIELDS]
            rcv = [i for i, h in enumerate(stored)
                   if field(h)[0] == "received" and
                   ("by %s " % MTA_HOST) in h]
            if arg == "top":
                ok = bool(stored) and is_ours(stored[0], a.authserv_id)
                where = stored[0] if stored else "(none)"
            elif arg == "after-received":
                ok = bool(rcv) and rcv[0] + 1 < len(stored) and \
                    is_ours(stored[rcv[0] + 1], a.authserv_id)
                where = stored[rcv[0] + 1] if rcv and \
                    rcv[0] + 1 < len(stored) else "(none)"
            else:
                die("%s:%d: ar-position top|after-received" % (a.expect, n))
            if not ok:
                fails.append("Authentication-Results not at %s; there: %s"
                             % (arg, where[:100]))
        elif word in ("header-has", "header-lacks"):
            if not need_headers(what):
                continue
            has = any(arg in h for h in hdrs)
            if has != (word == "header-has"):
                fails.append("header %s %r" %
                             ("missing" if word == "header-has" else
                              "present", arg))
        elif word in ("field-has", "field-lacks"):
            if not need_headers(what):
                continue
            fname, _, text = arg.partition(" ")
            vals = [field(h)[1] for h in hdrs
                    if field(h)[0] == fname.lower()]
            has = any(text in v for v in vals)
            if has != (word == "field-has"):
                fails.append("%s field %s %r: %s" % (
                    fname, "lacks" if word == "field-has" else "has",
                    text, " | ".join(vals) or "(no such field)"))
        elif word == "header-count":
            if not need_headers(what):
                continue
            num, _, prefix = arg.partition(" ")
            got = sum(1 for h in hdrs if h.lower().startswith(prefix.lower()))
            if got != int(num):
                fails.append("%d header fields start with %r, expected %s"
                             % (got, prefix, num))
        elif word == "ar-valid":
            if not need_headers(what):
                continue
            if not ours:
                fails.append("ar-valid: no Authentication-Results of ours")
            for h in ours:
                try:
                    ar_strict(field(h)[1])
                except ValueError as e:
                    fails.append("Authentication-Results is not RFC 8601: "
                                 "%s: %s" % (e, h))
        elif word == "ar-methods":
            if not need_headers(what):
                continue
            if len(ours) != 1:
                fails.append("ar-methods: %d fields of ours, expected 1" %
                             len(ours))
                continue
            try:
                got = [m for m, _, _ in ar_strict(field(ours[0])[1])[1]]
            except ValueError as e:
                fails.append("ar-methods: cannot parse: %s" % e)
                continue
            if got != arg.lower().split():
                fails.append("Authentication-Results methods %s, expected "
                             "%s: %s" % (" ".join(got), arg, ours[0]))
        elif word == "rspf-valid":
            if not need_headers(what):
                continue
            rspf = [h for h in hdrs if field(h)[0] == "received-spf"]
            if not rspf:
                fails.append("rspf-valid: no Received-SPF field")
            for h in rspf:
                try:
                    rspf_strict(field(h)[1])
                except ValueError as e:
                    fails.append("Received-SPF is not RFC 7208 9.1: %s: %s"
                                 % (e, h))
        elif word in ("dkim-verify", "dkim-self", "dkim-tampered",
                      "dkim-order", "dkim-h", "arc-verify", "arc-self",
                      "dkim-expire"):
            if a.message is None or a.state != "delivered":
                fails.append("%s: no delivered message" % what)
                continue
            import dkimcheck
            fails += dkimcheck.check(word, arg, a.message, a.dns_port,
                                     a.authmilter, a.conf)
        elif word in ("log-has", "log-lacks"):
            if (arg in log) != (word == "log-has"):
                fails.append("milter log %s %r" %
                             ("lacks" if word == "log-has" else "has", arg))
        else:
            die("%s:%d: unknown assertion %r" % (a.expect, n, word))
    for f in fails:
        print(f)
    sys.exit(1 if fails else 0)


def main():
    if len(sys.argv) < 2:
        die("usage: it.py zone|conf|reply|headers|check ...")
    cmd, args = sys.argv[1], sys.argv[2:]
    {"zone": cmd_zone, "conf": cmd_conf, "reply": cmd_reply,
     "headers": cmd_headers, "check": cmd_check}.get(
        cmd, lambda _: die("unknown command " + cmd))(args)


if __name__ == "__main__":
    main()
