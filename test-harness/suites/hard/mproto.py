#!/usr/bin/python3
"""mproto.py - a small MTA side of the milter protocol, for hard.sh

  mproto.py headers PORT      bare CR / bare LF / NUL in header values,
                              sent to authmilter directly; TAP lines
  mproto.py headers-tag PORT  the same with on_bad_header_bytes = tag
  mproto.py stall PORT N      open N connections that send half a packet
                              and stall; print how many the milter
                              dropped, waiting up to a bounded while
  mproto.py hold PORT N       open N connections that negotiate, connect
                              and then stall; print the connect reply of
                              each, one a line ("c", "t", ...), then keep
                              them open until stdin closes
  mproto.py connect PORT      one connect; print its reply code

Everything talks to 127.0.0.1 only. Packets are built as in Sendmail's
libmilter/docs and Postfix's milter8.c: a 4-byte length, a command byte,
its data. Nothing here asserts a time.
"""
import socket
import struct
import sys
import time

SMFI_VERSION = 6
ACTIONS = 0x1FF
PROTOCOL = 0x1FFFFF  # offer every step flag; the milter picks


def pkt(cmd, data=b""):
    return struct.pack(">I", len(data) + 1) + cmd + data


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise EOFError("milter closed the connection")
        buf += chunk
    return buf


def recv_pkt(s):
    (n,) = struct.unpack(">I", recv_exact(s, 4))
    body = recv_exact(s, n)
    return body[:1], body[1:]


class Milter:
    def __init__(self, port, timeout=60):
        self.s = socket.create_connection(("127.0.0.1", port),
                                          timeout=timeout)
        self.edits = []

    def send(self, cmd, data=b""):
        self.s.sendall(pkt(cmd, data))

    def reply(self):
        """the next reply that is not a header edit (those are kept in
        self.edits)"""
        while True:
            cmd, data = recv_pkt(self.s)
            if cmd in (b"h", b"i", b"m", b"q", b"+", b"-"):
                self.edits.append((cmd, data))
                continue
            return cmd, data

    def negotiate(self):
        self.send(b"O", struct.pack(">III", SMFI_VERSION, ACTIONS,
                                    PROTOCOL))
        cmd, data = recv_pkt(self.s)
        if cmd != b"O":
            raise RuntimeError("negotiate: got %r" % cmd)
        _, _, self.proto = struct.unpack(">III", data[:12])

    def step(self, cmd, data, noreply_bit=0):
        self.send(cmd, data)
        if noreply_bit and self.proto & noreply_bit:
            return b"c", b""
        return self.reply()

    def connect(self, ip="192.0.2.10"):
        self.send(b"D", b"C" + b"j\0mx.test.example\0")
        return self.step(b"C", b"mail.a.example\x00" + b"4" +
                         struct.pack(">H", 25) + ip.encode() + b"\0")

    def close(self):
        try:
            self.send(b"Q")
        except OSError:
            pass
        self.s.close()


def transaction(port, fields, qid, edits=None):
    """one message; the final (cmd, data) of end of message; the header
    edits made at end of message are appended to edits"""
    m = Milter(port)
    try:
        m.negotiate()
        cmd, _ = m.connect("203.0.113.66")
        if cmd != b"c":
            return cmd, b""
        m.step(b"H", b"relay.c.example\0", 0x1000)
        m.send(b"D", b"M" + b"i\0" + qid + b"\0")
        cmd, data = m.step(b"M", b"<x@c.example>\0")
        if cmd != b"c":
            return cmd, data
        m.step(b"R", b"<rcpt@rcpt.example>\0", 0x2000)
        for name, value in fields:
            m.step(b"L", name + b"\0" + value + b"\0", 0x80)
        m.step(b"N", b"", 0x10000)
        m.step(b"B", b"hello\r\n", 0x20000)
        m.send(b"D", b"E" + b"i\0" + qid + b"\0")
        m.edits = []
        r = m.step(b"E", b"")
        if edits is not None:
            edits.extend(m.edits)
        return r
    finally:
        m.close()


def tap(ok, name, diag=""):
    print("%s - hard/%s" % ("ok" if ok else "not ok", name))
    if not ok and diag:
        print("# " + diag)


def cmd_headers(port):
    base = [(b"From", b" <x@c.example>"), (b"To", b" <rcpt@rcpt.example>")]
    cases = [
        ("proto-bare-cr", b"Subject", b" hi\rFrom: <ceo@a.example>",
         b"550 5.6.0"),
        ("proto-bare-lf", b"Subject", b" hi\nFrom: <ceo@a.example>",
         b"550 5.6.0"),
        ("proto-crlf-unfolded", b"Subject",
         b" hi\r\nFrom: <ceo@a.example>", b"550 5.6.0"),
        ("proto-bare-cr-any-field", b"X-Campaign", b" a\rBcc: x",
         b"550 5.6.0"),
        ("proto-folded-ok", b"Subject", b" a long\n\tsubject", None),
        # libmilter ends a value at its first NUL: the rest never
        # reaches a callback; the message gets a defined verdict
        ("proto-nul", b"Subject", b" hi\0From: <ceo@a.example>", None),
    ]
    for i, (name, fname, value, want) in enumerate(cases):
        try:
            cmd, data = transaction(port, base + [(fname, value)],
                                    b"HARD%02d" % i)
        except (OSError, EOFError, RuntimeError) as e:
            tap(False, name, "transaction broke: %s" % e)
            continue
        if want is None:
            ok = not (cmd == b"y" and data.startswith(b"550 5.6.0"))
            tap(ok, name, "want no 5.6.0 refusal, got %r %r" % (cmd, data))
        else:
            ok = cmd == b"y" and data.startswith(want) and \
                fname in data
            tap(ok, name, "want %r naming %r, got %r %r" %
                (want, fname, cmd, data))


def cmd_headers_tag(port):
    """on_bad_header_bytes = tag: accepted, with the warning field"""
    base = [(b"From", b" <x@c.example>"), (b"To", b" <rcpt@rcpt.example>")]
    edits = []
    try:
        cmd, data = transaction(port, base + [
            (b"Subject", b" hi\rFrom: <ceo@a.example>")], b"HARDTAG",
            edits)
    except (OSError, EOFError, RuntimeError) as e:
        tap(False, "proto-tag", "transaction broke: %s" % e)
        return
    warn = [d for c, d in edits if c in (b"h", b"i") and
            b"X-Authmilter-Warning\0" in d]
    tap(cmd == b"a", "proto-tag-accepted", "got %r %r" % (cmd, data))
    tap(len(warn) == 1 and b"Subject has a bare-cr" in warn[0],
        "proto-tag-warning-field", "edits: %r" % edits)


def cmd_stall(port, n, wait):
    """N connections, each sending half a length prefix, then silence;
    count how many the milter closes within wait seconds"""
    socks = []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(b"\x00\x00")          # half of a 4-byte length
        s.setblocking(False)
        socks.append(s)
    closed = set()
    deadline = time.monotonic() + wait
    while len(closed) < n and time.monotonic() < deadline:
        for i, s in enumerate(socks):
            if i in closed:
                continue
            try:
                if s.recv(1) == b"":
                    closed.add(i)
            except BlockingIOError:
                pass
            except OSError:
                closed.add(i)
        time.sleep(0.2)
    for s in socks:
        s.close()
    print(len(closed))


def cmd_hold(port, n):
    held = []
    for _ in range(n):
        m = Milter(port)
        m.negotiate()
        cmd, _ = m.connect()
        print(cmd.decode(errors="replace"), flush=True)
        held.append(m)
    sys.stdin.read()
    for m in held:
        m.s.close()


def cmd_connect(port):
    m = Milter(port)
    m.negotiate()
    cmd, _ = m.connect("203.0.113.66")
    print(cmd.decode(errors="replace"))
    m.close()


def main(argv):
    what, port = argv[1], int(argv[2])
    if what == "headers":
        cmd_headers(port)
    elif what == "headers-tag":
        cmd_headers_tag(port)
    elif what == "stall":
        cmd_stall(port, int(argv[3]), float(argv[4]))
    elif what == "hold":
        cmd_hold(port, int(argv[3]))
    elif what == "connect":
        cmd_connect(port)
    else:
        sys.exit("usage: mproto.py headers|stall|hold|connect PORT ...")


if __name__ == "__main__":
    main(sys.argv)
