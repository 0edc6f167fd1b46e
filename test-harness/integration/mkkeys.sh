#!/bin/sh
# mkkeys.sh - make the DKIM keys of one integration run
#
# SYNOPSIS
#	mkkeys.sh KEYDIR
#
# DESCRIPTION
#	Generates fresh keys with openssl, never reusing or fetching any:
#
#	  rsa2048	RSA 2048 bits
#	  rsa1024	RSA 1024 bits
#	  rsa512	RSA 512 bits (below dkim.min_key_bits; RFC 8301 3.2)
#	  ed25519	Ed25519 (RFC 8463)
#	  attacker	RSA 2048 bits, a key pair of its own for the
#			adversarial cases: an attacker never holds the
#			victim's private key
#
#	and for each NAME writes
#
#	  KEYDIR/NAME.key	the private key as sign.py wants it: PKCS#1 PEM
#			for RSA (python3-dkim parses only that), base64 of
#			the raw 32-byte seed for Ed25519
#	  KEYDIR/NAME.txt	the DKIM key record (RFC 6376 3.6.1) as the
#			rdata of a TXT line in a zone file, split in strings
#			of at most 255 bytes: "v=DKIM1; k=rsa; " "p=..."
#	  KEYDIR/NAME.p		the bare p= value
#
#	RSA p= is base64 of the DER SubjectPublicKeyInfo; Ed25519 p= is base64
#	of the raw 32-byte public key (RFC 8463 4).
set -eu

dir=${1:?usage: mkkeys.sh KEYDIR}
mkdir -p "$dir"
umask 077

# txt_rdata K P - zone-file TXT rdata for a key record of type K, key P
txt_rdata() {
	printf '"v=DKIM1; k=%s; "' "$1"
	{ printf 'p=%s' "$2" | fold -w 250; echo; } | while IFS= read -r chunk; do
		printf ' "%s"' "$chunk"
	done
	printf '\n'
}

for spec in rsa2048:2048 rsa1024:1024 rsa512:512 attacker:2048; do
	n=${spec%:*} bits=${spec#*:}
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:$bits \
	    -out "$dir/$n.pkcs8" 2>/dev/null
	openssl rsa -in "$dir/$n.pkcs8" -traditional -out "$dir/$n.key" \
	    2>/dev/null
	openssl pkey -in "$dir/$n.pkcs8" -pubout -outform DER 2>/dev/null |
	    base64 -w0 >"$dir/$n.p"
	txt_rdata rsa "$(cat "$dir/$n.p")" >"$dir/$n.txt"
done

n=ed25519
openssl genpkey -algorithm ED25519 -out "$dir/$n.pkcs8" 2>/dev/null
# PKCS#8 DER of an Ed25519 key is 48 bytes ending in the 32-byte seed;
# the SubjectPublicKeyInfo DER is 44 bytes ending in the 32-byte key.
openssl pkey -in "$dir/$n.pkcs8" -outform DER 2>/dev/null | tail -c 32 |
    base64 -w0 >"$dir/$n.key"
openssl pkey -in "$dir/$n.pkcs8" -pubout -outform DER 2>/dev/null |
    tail -c 32 | base64 -w0 >"$dir/$n.p"
txt_rdata ed25519 "$(cat "$dir/$n.p")" >"$dir/$n.txt"

for n in rsa2048 rsa1024 rsa512 attacker ed25519; do
	[ -s "$dir/$n.key" ] && [ -s "$dir/$n.p" ] || {
		echo "mkkeys.sh: failed to make $n" >&2
		exit 1
	}
done
