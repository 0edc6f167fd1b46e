#!/bin/sh
# adduser.sh - the system user authmilter for a source install (make
# install as root); the Debian package does the same in its postinst
set -e
if ! getent passwd authmilter >/dev/null; then
	useradd --system --user-group --home-dir /var/lib/authmilter \
	    --no-create-home --shell /usr/sbin/nologin authmilter
	echo "created system user authmilter"
fi
if getent group postfix >/dev/null; then
	usermod -a -G postfix authmilter
fi
install -d -o authmilter -g authmilter -m 0750 /var/lib/authmilter
