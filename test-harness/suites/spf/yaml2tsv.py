#!/usr/bin/python3
# yaml2tsv.py - flatten the openspf RFC 7208 YAML suite for spf_suite.c
#
# usage: yaml2tsv.py rfc7208-tests.yml > suite.tsv
#
# One record per line, fields separated by TAB; in every field a
# backslash, TAB, CR, LF, a control byte or a byte over 0x7e is written
# \\, \t, \r, \n or \xHH, so the file is ASCII and a record may carry
# any byte (NUL included):
#
#	scenario <name>
#	zone     <owner> <A|AAAA|MX|PTR|CNAME|TXT> <rdata>
#	fail     <owner> <type>		(the query times out: temperror)
#	test     <name> <client ip> <helo> <mailfrom> <result[,result...]>
#	end
#
# Zone data follows the suite's own driver (pyspf test/testspf.py): an
# SPF-type record is copied to TXT when the owner has no TXT entry at
# all ("TXT: NONE" counts as one), the copies go after every other entry,
# and a TIMEOUT entry makes every type not answered by an earlier entry
# time out. MX rdata is "pref exchange"; TXT character-strings given as
# a list are joined (RFC 7208 3.3). The SPF RR type itself is not
# written: RFC 7208 3.1 says it is not looked up.
import re
import sys

import yaml

TYPES = ("A", "AAAA", "MX", "PTR", "CNAME", "TXT")


def raw(s):
	"""text of the suite to the bytes a DNS server would hand out"""
	if isinstance(s, bytes):
		return s
	s = str(s)
	if all(ord(c) < 256 for c in s):
		return s.encode("latin-1")
	return s.encode("utf-8")


def esc(s):
	out = []
	for b in raw(s):
		c = chr(b)
		if c == "\\":
			out.append("\\\\")
		elif c == "\t":
			out.append("\\t")
		elif c == "\n":
			out.append("\\n")
		elif c == "\r":
			out.append("\\r")
		elif b < 0x20 or b > 0x7e:
			out.append("\\x%02x" % b)
		else:
			out.append(c)
	return "".join(out)


def slug(s):
	return re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-")


def rdata(t, v):
	if t == "MX":
		return "%s %s" % (v[0], v[1])
	if t == "TXT":
		if isinstance(v, (list, tuple)):
			return b"".join(raw(x) for x in v)
		return raw(v)
	return str(v)


def entries(rrs):
	"""the owner's entries in the driver's order, SPF copied to TXT"""
	out, copies, gen = [], [], True
	for m in rrs:
		if not isinstance(m, dict):
			out.append(m)		# TIMEOUT
			continue
		for t, v in m.items():
			if t == "TXT":
				gen = False
			elif t == "SPF" and gen:
				copies.append(("TXT", v))
			if v != "NONE":
				out.append((t, v))
	return out + copies if gen else out


def zone(name, rrs):
	ents = entries(rrs)
	for t in TYPES:
		got = []
		for e in ents:
			if e == "TIMEOUT":
				if not got:
					print("fail\t%s\t%s" % (esc(name), t))
				break
			if e[0] == t:
				got.append(e[1])
		for v in got:
			print("zone\t%s\t%s\t%s" % (esc(name), t,
			    esc(rdata(t, v))))


def main():
	with open(sys.argv[1], "rb") as f:
		docs = list(yaml.safe_load_all(f))
	for d in docs:
		print("scenario\t%s" % slug(d["description"]))
		for name, rrs in (d.get("zonedata") or {}).items():
			zone(name, rrs)
		for name, t in d["tests"].items():
			res = t["result"]
			if not isinstance(res, list):
				res = [res]
			print("test\t%s\t%s\t%s\t%s\t%s" % (esc(name),
			    esc(t.get("host", "")), esc(t.get("helo", "")),
			    esc(t.get("mailfrom", "")), ",".join(res)))
		print("end")


main()
