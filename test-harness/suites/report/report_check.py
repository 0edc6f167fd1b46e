#!/usr/bin/python3
"""report_check - unpack and check one delivered DMARC aggregate report

SYNOPSIS
    report_check.py MESSAGE XSD OUTDIR

DESCRIPTION
    Reads a delivered report message, checks the Subject (RFC 9990 2.2
    ABNF) and the attachment (application/gzip, filename
    receiver!domain!begin!end!id.xml.gz), writes the attachment to
    OUTDIR/<filename> and the XML to OUTDIR/report.xml, validates the XML
    with xmllint against XSD, and prints one JSON object: subject,
    filename, domain, org_name, report_id, p, records (list of
    {ip, count, disposition, dkim, spf, header_from, reason}), messages.
    Exit 1 with a reason on stderr when a check fails.
"""
import email
import email.policy
import gzip
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

NS = {"d": "urn:ietf:params:xml:ns:dmarc-2.0"}


def die(why):
    sys.exit("report_check: " + why)


def main():
    path, xsd, out = sys.argv[1:4]
    msg = email.message_from_bytes(open(path, "rb").read(),
                                   policy=email.policy.default)
    subject = " ".join(str(msg["Subject"]).split())
    m = re.fullmatch(r"Report Domain: (\S+) Submitter: (\S+) "
                     r"Report-ID: <(\S+)>", subject)
    if not m:
        die("subject %r" % subject)
    parts = [p for p in msg.walk()
             if p.get_content_type() == "application/gzip"]
    if len(parts) != 1:
        die("%d application/gzip parts" % len(parts))
    fname = parts[0].get_filename()
    fm = re.fullmatch(r"([A-Za-z0-9.-]+)!([A-Za-z0-9.-]+)!(\d+)!(\d+)"
                      r"(![A-Za-z0-9]+)?\.xml\.gz", fname or "")
    if not fm or fm.group(2) != m.group(1):
        die("filename %r" % fname)
    data = parts[0].get_content()
    open(os.path.join(out, fname), "wb").write(data)
    xml = gzip.decompress(data)
    xp = os.path.join(out, "report.xml")
    open(xp, "wb").write(xml)
    r = subprocess.run(["xmllint", "--noout", "--schema", xsd, xp],
                       capture_output=True, text=True)
    if r.returncode != 0:
        die("xmllint: " + r.stderr.strip())
    root = ET.fromstring(xml)
    md = root.find("d:report_metadata", NS)
    pp = root.find("d:policy_published", NS)
    recs = []
    for rec in root.findall("d:record", NS):
        row = rec.find("d:row", NS)
        pe = row.find("d:policy_evaluated", NS)
        reason = pe.find("d:reason/d:type", NS)
        recs.append({
            "ip": row.findtext("d:source_ip", namespaces=NS),
            "count": int(row.findtext("d:count", namespaces=NS)),
            "disposition": pe.findtext("d:disposition", namespaces=NS),
            "dkim": pe.findtext("d:dkim", namespaces=NS),
            "spf": pe.findtext("d:spf", namespaces=NS),
            "reason": reason.text if reason is not None else None,
            "header_from": rec.findtext("d:identifiers/d:header_from",
                                        namespaces=NS),
            "envelope_to": rec.findtext("d:identifiers/d:envelope_to",
                                        namespaces=NS),
            "spf_result": rec.findtext("d:auth_results/d:spf/d:result",
                                       namespaces=NS),
        })
    print(json.dumps({
        "subject": subject, "filename": fname, "file_domain": fm.group(2),
        "domain": pp.findtext("d:domain", namespaces=NS),
        "p": pp.findtext("d:p", namespaces=NS),
        "org_name": md.findtext("d:org_name", namespaces=NS),
        "report_id": md.findtext("d:report_id", namespaces=NS),
        "subject_id": m.group(3),
        "begin": int(md.findtext("d:date_range/d:begin", namespaces=NS)),
        "records": recs,
        "messages": sum(x["count"] for x in recs),
    }))


if __name__ == "__main__":
    main()
