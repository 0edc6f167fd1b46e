#!/usr/bin/python3
"""afrf_check - check one delivered DMARC failure report (RFC 9991, AFRF)

SYNOPSIS
    afrf_check.py MESSAGE DOMAIN IP

DESCRIPTION
    The message must be multipart/report; report-type=feedback-report with
    a text/plain part, a message/feedback-report part (Feedback-Type:
    auth-failure, Auth-Failure: dmarc, Version: 1, Source-IP: IP,
    Reported-Domain: DOMAIN) and a text/rfc822-headers part that holds the
    original header fields with local parts redacted and no body text.
    Exit 1 with the reason on stderr when a check fails.
"""
import email
import email.policy
import sys


def die(why):
    sys.exit("afrf_check: " + why)


def main():
    path, domain, ip = sys.argv[1:4]
    msg = email.message_from_bytes(open(path, "rb").read(),
                                   policy=email.policy.compat32)
    if msg.get_content_type() != "multipart/report" or \
            msg.get_param("report-type") != "feedback-report":
        die("content type %s" % msg.get("Content-Type"))
    parts = msg.get_payload()
    types = [p.get_content_type() for p in parts]
    if types != ["text/plain", "message/feedback-report",
                 "text/rfc822-headers"]:
        die("parts %s" % types)
    fb = parts[1].get_payload()
    if isinstance(fb, list):
        fields = dict(fb[0].items())
    else:
        fields = dict(email.message_from_string(fb).items())
    want = {"Feedback-Type": "auth-failure", "Auth-Failure": "dmarc",
            "Version": "1", "Source-IP": ip, "Reported-Domain": domain}
    for k, v in want.items():
        if fields.get(k) != v:
            die("%s: %r, want %r" % (k, fields.get(k), v))
    hdrs = parts[2].get_payload()
    if "redacted@" + domain not in hdrs or "news@" in hdrs:
        die("headers not redacted: %r" % hdrs[:300])
    if "A message for the DMARC reporting tests" in hdrs:
        die("body text in the report")
    if "Subject:" not in hdrs:
        die("no Subject: in the headers part")


if __name__ == "__main__":
    main()
