#!/bin/sh
# mkdeb.sh - build the Debian package from a copy of the tree (make deb)
#
# SYNOPSIS
#	test-harness/mkdeb.sh OUTDIR
#
# DESCRIPTION
#	Copies the tracked and new (not ignored) files to a temp dir, runs
#	dpkg-buildpackage -us -uc -b there (optimised build, no sanitizers,
#	no tests: make check runs those) and moves the .deb to OUTDIR.
#	The build log is OUTDIR/build.log.
set -eu
cd "$(dirname "$0")/.."
out=$1
mkdir -p "$out"
out=$(cd "$out" && pwd)
rm -f "$out"/*.deb
tmp=$(mktemp -d /tmp/mkdeb.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
src=$tmp/authmilter-0.1.0
mkdir "$src"
git ls-files -co --exclude-standard -z | xargs -0 cp --parents -t "$src"
if ! (cd "$src" && dpkg-buildpackage -us -uc -b) >"$out/build.log" 2>&1; then
	tail -n 40 "$out/build.log" >&2
	echo "mkdeb: dpkg-buildpackage failed; see $out/build.log" >&2
	exit 1
fi
mv "$tmp"/*.deb "$out"/
ls "$out"/*.deb
