#!/usr/bin/python3
"""dnsstall - a loopback UDP DNS proxy that stops answering after N queries

SYNOPSIS
    dnsstall.py --listen 127.0.0.1:PORT --upstream 127.0.0.1:PORT
        --answer N [--max-seconds 120]

DESCRIPTION
    For `authmilter check' against a resolver that dies mid-check: the
    first N queries are passed to the upstream server and answered; every
    later one is read and dropped, as a hung server would. Loopback only;
    stops by itself after --max-seconds, or on SIGTERM.
"""
import argparse
import ipaddress
import select
import socket
import sys
import time


def hostport(s):
    host, _, port = s.rpartition(":")
    if not ipaddress.ip_address(host).is_loopback:
        sys.exit("dnsstall: %s is not loopback" % host)
    return host, int(port)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--listen", type=hostport, required=True)
    ap.add_argument("--upstream", type=hostport, required=True)
    ap.add_argument("--answer", type=int, required=True)
    ap.add_argument("--max-seconds", type=float, default=120)
    a = ap.parse_args()
    srv = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    srv.bind(a.listen)
    up = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    up.settimeout(2)
    end = time.monotonic() + a.max_seconds
    n = 0
    while time.monotonic() < end:
        r, _, _ = select.select([srv], [], [], 0.5)
        if not r:
            continue
        data, peer = srv.recvfrom(65535)
        n += 1
        if n > a.answer:
            continue
        up.sendto(data, a.upstream)
        try:
            srv.sendto(up.recv(65535), peer)
        except OSError:
            pass


if __name__ == "__main__":
    main()
