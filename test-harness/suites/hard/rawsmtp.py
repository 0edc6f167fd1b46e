#!/usr/bin/python3
"""rawsmtp.py PORT CLIENT-IP HELO MAIL-FROM RCPT FILE - send FILE's bytes
as DATA exactly as they are (no line-ending fix-up, unlike swaks), with
XCLIENT presenting CLIENT-IP; print the reply to the end of DATA."""
import smtplib
import sys

port, ip, helo, frm, rcpt, path = sys.argv[1:7]
data = open(path, "rb").read()
s = smtplib.SMTP("127.0.0.1", int(port), timeout=120)
s.ehlo(helo)
code, msg = s.docmd("XCLIENT", "ADDR=%s HELO=%s" % (ip, helo))
if code != 220:
    sys.exit("XCLIENT: %d %s" % (code, msg))
s.ehlo(helo)
s.mail(frm)
s.rcpt(rcpt)
code, msg = s.docmd("DATA")
if code != 354:
    sys.exit("DATA: %d %s" % (code, msg))
if not data.endswith(b"\r\n"):
    data += b"\r\n"
s.send(data.replace(b"\r\n.", b"\r\n..") + b".\r\n")
code, msg = s.getreply()
print(code, msg.decode(errors="replace").replace("\n", " "))
s.quit()
