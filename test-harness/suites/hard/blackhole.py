#!/usr/bin/python3
"""blackhole.py PORT - a resolver that reads every query and never answers

UDP and TCP on 127.0.0.1:PORT: datagrams are read and dropped, TCP
connections accepted and read until the peer closes. Runs until killed.
"""
import selectors
import socket
import sys

port = int(sys.argv[1])
sel = selectors.DefaultSelector()
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("127.0.0.1", port))
t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
t.bind(("127.0.0.1", port))
t.listen(64)
sel.register(u, selectors.EVENT_READ, "udp")
sel.register(t, selectors.EVENT_READ, "listen")
print("ready", flush=True)
while True:
    for key, _ in sel.select():
        s = key.fileobj
        if key.data == "udp":
            s.recv(65535)
        elif key.data == "listen":
            c, _ = s.accept()
            sel.register(c, selectors.EVENT_READ, "conn")
        else:
            try:
                data = s.recv(65535)
            except OSError:
                data = b""
            if not data:
                sel.unregister(s)
                s.close()
