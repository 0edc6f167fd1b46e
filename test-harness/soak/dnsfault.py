#!/usr/bin/python3
"""dnsfault - a loopback DNS proxy whose failure mode can be switched

SYNOPSIS
    dnsfault.py --listen 127.0.0.1:PORT --upstream 127.0.0.1:PORT
        --mode-file FILE [--max-seconds 7200]

DESCRIPTION
    The soak suite's resolver: authmilter asks it, it asks NSD. What it
    does with a query (UDP or TCP) is read from --mode-file, one word,
    re-read whenever the file changes:

    pass        forward to the upstream, return the answer (default, and
                when the file is missing or holds anything else)
    servfail    answer at once with RCODE SERVFAIL, the question echoed
    blackhole   read the query, never answer (a black-holed resolver)

    The other faults need no mode: the suite kills this process (resolver
    killed: nothing listens, queries meet ICMP port unreachable) or stops
    it with SIGSTOP (resolver hung: queries wait in the socket buffer and
    are answered, late, after SIGCONT).

    Addresses must be loopback (127.0.0.0/8 or ::1). It stops by itself
    after --max-seconds, or on SIGTERM.
"""
import argparse
import asyncio
import ipaddress
import os
import signal
import struct
import sys


def hostport(s):
    host, _, port = s.rpartition(":")
    host = host.strip("[]")
    if not ipaddress.ip_address(host).is_loopback:
        sys.exit("dnsfault: %s is not a loopback address" % host)
    return host, int(port)


class Mode:
    """The mode word of --mode-file, re-read when its mtime changes."""

    def __init__(self, path):
        self.path = path
        self.stamp = None
        self.word = "pass"

    def get(self):
        try:
            st = os.stat(self.path)
            stamp = (st.st_mtime_ns, st.st_size)
            if stamp != self.stamp:
                with open(self.path) as f:
                    self.word = f.read().strip() or "pass"
                self.stamp = stamp
        except OSError:
            self.word, self.stamp = "pass", None
        return self.word


def servfail(q):
    """The query turned into a SERVFAIL answer (header + question only)."""
    if len(q) < 12:
        return None
    qid, flags = struct.unpack("!HH", q[:4])
    i = 12
    try:
        while q[i]:
            i += 1 + q[i]
        i += 5                          # root label, QTYPE, QCLASS
    except IndexError:
        return None
    flags = 0x8000 | (flags & 0x7900) | 0x0080 | 2    # QR, opcode, RD, RA
    return struct.pack("!HHHHHH", qid, flags, 1, 0, 0, 0) + q[12:i]


class Proxy:
    def __init__(self, a):
        self.up = hostport(a.upstream)
        self.mode = Mode(a.mode_file)

    async def ask_udp(self, q):
        loop = asyncio.get_running_loop()
        fut = loop.create_future()

        class Once(asyncio.DatagramProtocol):
            def datagram_received(self, data, addr):
                if not fut.done():
                    fut.set_result(data)

        tr, _ = await loop.create_datagram_endpoint(
            Once, remote_addr=self.up)
        try:
            tr.sendto(q)
            return await asyncio.wait_for(fut, 5)
        finally:
            tr.close()

    async def answer(self, q):
        """The answer to send back, or None for none."""
        m = self.mode.get()
        if m == "blackhole":
            return None
        if m == "servfail":
            return servfail(q)
        try:
            return await self.ask_udp(q)
        except (asyncio.TimeoutError, OSError):
            return None


class Udp(asyncio.DatagramProtocol):
    def __init__(self, px):
        self.px = px

    def connection_made(self, tr):
        self.tr = tr

    def datagram_received(self, q, addr):
        asyncio.ensure_future(self.reply(q, addr))

    async def reply(self, q, addr):
        a = await self.px.answer(q)
        if a is not None:
            self.tr.sendto(a, addr)


async def tcp_client(px, reader, writer):
    try:
        while True:
            hdr = await reader.readexactly(2)
            q = await reader.readexactly(struct.unpack("!H", hdr)[0])
            m = px.mode.get()
            if m == "blackhole":
                continue
            if m == "servfail":
                a = servfail(q)
            else:
                ur, uw = await asyncio.open_connection(*px.up)
                uw.write(hdr + q)
                await uw.drain()
                ahdr = await ur.readexactly(2)
                a = await ur.readexactly(struct.unpack("!H", ahdr)[0])
                uw.close()
            if a is not None:
                writer.write(struct.pack("!H", len(a)) + a)
                await writer.drain()
    except (asyncio.IncompleteReadError, OSError):
        pass
    finally:
        writer.close()


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--listen", required=True)
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--mode-file", required=True)
    ap.add_argument("--max-seconds", type=float, default=7200)
    a = ap.parse_args()
    px = Proxy(a)
    loop = asyncio.get_running_loop()
    host, port = hostport(a.listen)
    await loop.create_datagram_endpoint(lambda: Udp(px),
                                        local_addr=(host, port))
    srv = await asyncio.start_server(lambda r, w: tcp_client(px, r, w),
                                     host, port, reuse_address=True)
    stop = loop.create_future()
    loop.add_signal_handler(signal.SIGTERM, stop.set_result, None)
    loop.add_signal_handler(signal.SIGINT, stop.set_result, None)
    try:
        await asyncio.wait_for(stop, a.max_seconds)
    except asyncio.TimeoutError:
        pass
    srv.close()


if __name__ == "__main__":
    asyncio.run(main())
