#!/usr/bin/python3
"""dnsdelay - a loopback DNS proxy that delays every answer

SYNOPSIS
    dnsdelay.py --listen 127.0.0.1:PORT [--listen ADDR:PORT]...
        --upstream 127.0.0.1:PORT [--delay-ms 50] [--log FILE]
        [--max-seconds 600]

DESCRIPTION
    For the cold-DNS experiment of the benchmark: every query (UDP or TCP)
    is passed to the upstream server at once; its answer is held for
    --delay-ms before it goes back, so each DNS round trip costs that much
    more. Each query is logged as "QNAME QTYPE" to --log, so a run can
    count the lookups a message caused and the duplicates among them.

    Addresses must be loopback (127.0.0.0/8 or ::1), or in 192.0.2.0/24
    (RFC 5737), which run.sh puts only on the loopback interface of a
    network namespace of its own. It stops by itself after --max-seconds,
    or on SIGTERM.
"""
import argparse
import asyncio
import ipaddress
import signal
import struct
import sys


def hostport(s):
    host, _, port = s.rpartition(":")
    host = host.strip("[]")
    ip = ipaddress.ip_address(host)
    if not (ip.is_loopback or ip in ipaddress.ip_network("192.0.2.0/24")):
        sys.exit("dnsdelay: %s is neither loopback nor 192.0.2.0/24" % host)
    return host, int(port)


def qname(msg):
    """'name TYPE' of the first question, for the log."""
    try:
        i, labels = 12, []
        while msg[i]:
            n = msg[i]
            labels.append(msg[i + 1:i + 1 + n].decode("ascii", "replace"))
            i += 1 + n
        qtype = struct.unpack("!H", msg[i + 1:i + 3])[0]
        names = {1: "A", 28: "AAAA", 16: "TXT", 15: "MX", 12: "PTR"}
        return "%s %s" % (".".join(labels) or ".", names.get(qtype, qtype))
    except (IndexError, struct.error):
        return "? ?"


class Proxy:
    def __init__(self, a):
        self.up = hostport(a.upstream)
        self.delay = a.delay_ms / 1000.0
        self.log = open(a.log, "a", buffering=1) if a.log else None

    def note(self, q):
        if self.log:
            self.log.write(qname(q) + "\n")

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


class Udp(asyncio.DatagramProtocol):
    def __init__(self, px):
        self.px = px

    def connection_made(self, tr):
        self.tr = tr

    def datagram_received(self, q, addr):
        self.px.note(q)
        asyncio.ensure_future(self.answer(q, addr))

    async def answer(self, q, addr):
        try:
            a = await self.px.ask_udp(q)
        except (asyncio.TimeoutError, OSError):
            return
        await asyncio.sleep(self.px.delay)
        self.tr.sendto(a, addr)


async def tcp_client(px, reader, writer):
    try:
        while True:
            hdr = await reader.readexactly(2)
            q = await reader.readexactly(struct.unpack("!H", hdr)[0])
            px.note(q)
            ur, uw = await asyncio.open_connection(*px.up)
            uw.write(hdr + q)
            await uw.drain()
            ahdr = await ur.readexactly(2)
            a = await ur.readexactly(struct.unpack("!H", ahdr)[0])
            uw.close()
            await asyncio.sleep(px.delay)
            writer.write(ahdr + a)
            await writer.drain()
    except (asyncio.IncompleteReadError, OSError):
        pass
    finally:
        writer.close()


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--listen", action="append", required=True)
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--delay-ms", type=float, default=50)
    ap.add_argument("--log")
    ap.add_argument("--max-seconds", type=float, default=600)
    a = ap.parse_args()
    px = Proxy(a)
    loop = asyncio.get_running_loop()
    srvs = []
    for listen in a.listen:
        host, port = hostport(listen)
        await loop.create_datagram_endpoint(lambda: Udp(px),
                                            local_addr=(host, port))
        srvs.append(await asyncio.start_server(
            lambda r, w: tcp_client(px, r, w), host, port))
    stop = loop.create_future()
    loop.add_signal_handler(signal.SIGTERM, stop.set_result, None)
    loop.add_signal_handler(signal.SIGINT, stop.set_result, None)
    try:
        await asyncio.wait_for(stop, a.max_seconds)
    except asyncio.TimeoutError:
        pass
    for srv in srvs:
        srv.close()


if __name__ == "__main__":
    asyncio.run(main())
