#!/usr/bin/env python3
"""synopsis.py - each header's SYNOPSIS lists exactly its prototypes

For every util/ conf/ dns/ auth/ policy/ milter/ *.h whose head comment
has a SYNOPSIS, the function prototypes there (lines ending in ";" with
a "(") must be the function prototypes the header declares, compared
after whitespace and attributes (LOG_FMT(...), __attribute__((...))) are
normalised away; and every line of the head comment starts with " *".
Prints one line per difference; exit 1 if any.
"""
import glob
import re
import sys

DIRS = ("util", "conf", "dns", "auth", "policy", "milter", "report",
        "check")
PROTO = re.compile(r"^(?:extern\s+)?[A-Za-z_][\w\s\*]*?[\s\*]"
                   r"([a-z_]\w*)\s*\(([^()]*)\)$")


def norm(s):
    s = re.sub(r"\s+", " ", s).strip()
    s = re.sub(r"\s*([\*\(\),])\s*", r"\1", s)
    s = re.sub(r"\*(?=\w)", "* ", s)  # "struct buf* *bp" -> stable form
    s = s.replace(",", ", ")
    return s


def strip_attrs(s):
    # attributes after the parameter list: ") LOG_FMT(1, 2)" etc.
    s = re.sub(r"\)\s*(?:__attribute__\s*\(\(.*\)\)|[A-Z_][A-Z0-9_]*"
               r"\s*\([^()]*\))\s*$", ")", s.strip())
    return s


def synopsis(text):
    m = re.search(r"/\*(.*?)\*/", text, re.S)
    if not m or "SYNOPSIS" not in m.group(1):
        return None
    head = m.group(1)
    part = head.split("SYNOPSIS", 1)[1]
    part = re.split(r"\n \*\s?[A-Z][A-Z ]+\n", part, maxsplit=1)[0]
    lines = [re.sub(r"^\s*\*\s?", "", l) for l in part.split("\n")]
    out, cur = set(), ""
    for l in lines:
        l = l.strip()
        if not l or l.startswith("#"):
            continue
        if ";" in l:  # "void log_err(...);	operator must act"
            l = l[:l.index(";") + 1]
        cur = (cur + " " + l) if cur else l
        if cur.endswith(";"):
            s = strip_attrs(cur[:-1])
            if "(" in s and PROTO.match(s) and not s.startswith("extern"):
                out.add(norm(s))
            cur = ""
        elif not re.search(r"[(,]$|[\w\*]$", cur):
            cur = ""
    return out


def declared(text):
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", " ", text)
    text = "\n".join(l for l in text.split("\n")
                     if not l.lstrip().startswith("#"))
    while True:  # drop bodies: struct, enum, inline functions
        t = re.sub(r"\{[^{}]*\}", " ", text)
        if t == text:
            break
        text = t
    out = set()
    for st in text.split(";"):
        st = strip_attrs(st)
        if st.strip().startswith(("typedef", "static")):
            continue
        m = PROTO.match(st.strip())
        if m and not st.strip().startswith("extern"):
            out.add(norm(st))
    return out


def main():
    bad = 0
    for d in DIRS:
        for h in sorted(glob.glob(d + "/*.h")):
            text = open(h, encoding="utf-8", errors="replace").read()
            syn = synopsis(text)
            if syn is None:
                continue
            head = text[text.index("/*"):text.index("*/") + 2]
            for n, l in enumerate(head.split("\n")[1:-1], 2):
                if not l.startswith(" *"):
                    print("%s:%d: head comment line without \" *\": %s"
                          % (h, n, l))
                    bad = 1
            dec = declared(text)
            for p in sorted(dec - syn):
                print("%s: declared, not in SYNOPSIS: %s" % (h, p))
                bad = 1
            for p in sorted(syn - dec):
                print("%s: in SYNOPSIS, not declared: %s" % (h, p))
                bad = 1
    return bad


sys.exit(main())
