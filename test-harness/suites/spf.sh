#!/bin/sh
# spf.sh - the openspf RFC 7208 suite through auth/spf.c (TAP)
#
# Flattens ../shared/testsuites/spf-openspf/rfc7208-tests.yml with
# spf/yaml2tsv.py and runs build/san/suites/spf_suite over it; the
# Makefile builds that binary (this script builds nothing). Prints one
# TAP line per test and "# spf7208: N/TOTAL pass". A failing test that
# spf/DIVERGENCES.md lists (a line "- `spf7208/<scenario>/<test>`")
# gets "# TODO known divergence" so a TAP harness does not count it.
# Exit status: 0 when the suite ran, 1 when it could not.
set -u
cd "$(dirname "$0")/../.." || exit 1
suite=${SPF_SUITE_YML:-../shared/testsuites/spf-openspf/rfc7208-tests.yml}
bin=build/san/suites/spf_suite
div=test-harness/suites/spf/DIVERGENCES.md

if [ ! -x "$bin" ]; then
	echo "not ok - spf7208/build: $bin missing (make san)"
	exit 1
fi
if [ ! -r "$suite" ]; then
	echo "not ok - spf7208/suite: $suite not readable"
	exit 1
fi
tsv=$(mktemp "${TMPDIR:-/tmp}/spf7208.XXXXXX") || exit 1
out=$(mktemp "${TMPDIR:-/tmp}/spf7208.XXXXXX") || exit 1
trap 'rm -f "$tsv" "$out"' EXIT
trap 'exit 1' INT TERM
if ! /usr/bin/python3 test-harness/suites/spf/yaml2tsv.py "$suite" >"$tsv"; then
	echo "not ok - spf7208/convert: yaml2tsv.py failed (python3-yaml?)"
	exit 1
fi
"$bin" "$tsv" >"$out"
rc=$?
known=$(sed -n 's/^- `\(spf7208\/[^`]*\)`.*/\1/p' "$div" 2>/dev/null)
while IFS= read -r line; do
	case $line in
	"not ok - "*)
		name=${line#not ok - }
		name=${name%%:*}
		if printf '%s\n' "$known" | grep -qxF "$name"; then
			line="$line # TODO known divergence"
		fi ;;
	esac
	printf '%s\n' "$line"
done <"$out"
if [ "$rc" -ne 0 ]; then
	echo "not ok - spf7208/run: spf_suite exited $rc"
	exit 1
fi
exit 0
