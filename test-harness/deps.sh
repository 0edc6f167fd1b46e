#!/bin/sh
# deps.sh - install the Debian packages authmilter needs, if missing
#
#   deps.sh build	to build and run the milter
#   deps.sh test	to build, and to run every test and benchmark
set -eu

BUILD_PKGS="build-essential pkg-config libmilter-dev libspf2-dev
libopendkim-dev libopendmarc-dev libconfig-dev libunbound-dev libssl-dev
libidn2-dev libevent-dev publicsuffix libmicrohttpd-dev libsystemd-dev zlib1g-dev
libsqlite3-dev libpq-dev"
TEST_PKGS="libcmocka-dev postfix libsasl2-modules nsd swaks opendkim opendkim-tools opendmarc
clang libclang-rt-14-dev llvm openssl python3 python3-yaml python3-dkim
python3-nacl python3-dnspython mandoc iproute2 procps jq prometheus
libxml2-utils postgresql sqlite3 debhelper dpkg-dev fakeroot lintian
dmarc-cat libmail-dmarc-perl strace m4 libwrap0 liblockfile1 libdb5.3
systemd man-db util-linux adduser"

want="$BUILD_PKGS"
[ "${1:-build}" = test ] && want="$BUILD_PKGS $TEST_PKGS"

missing=""
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
	    missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "deps.sh: installing:$missing" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
# Postfix asks how to configure the system instance; we want none.
echo "postfix postfix/main_mailer_type select No configuration" |
    $SUDO debconf-set-selections
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
    --no-install-recommends $missing >/dev/null
# The packaged daemons must not run on their own; the harness starts its own.
for s in postfix nsd opendkim opendmarc; do
	$SUDO service "$s" stop >/dev/null 2>&1 || true
done
