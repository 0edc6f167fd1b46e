#!/bin/sh
# dkim.sh - the external DKIM suites (../shared/testsuites/dkim-*) through
# auth/dkim.c: one TAP line per message, a summary per suite.
#
#   test-harness/suites/dkim.sh [-v] [testsuites-dir]
#
# Runs build/san/suites/dkim_suite (ASan/UBSan; built by the Makefile) from
# the repository root. Expectations we read differently, and why, are in
# test-harness/suites/dkim/DIVERGENCES.md. Exit 1 on any "not ok".
set -u
cd "$(dirname "$0")/../.." || exit 1
bin=build/san/suites/dkim_suite
if [ ! -x "$bin" ]; then
	echo "not ok - dkim/suite: $bin not built (make $bin)"
	exit 1
fi
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1} \
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
    "$bin" "$@"
rc=$?
[ $rc -gt 1 ] && echo "not ok - dkim/suite: $bin exited $rc"
exit $rc
