#!/bin/sh
# authmilter.sh - the authentication_milter corpus
# (../shared/testsuites/authmilter-corpus) through milter/session.c and
# milter/eval.c: one TAP line per scenario, "# amcorpus: N/33 agree".
#
#   test-harness/suites/authmilter.sh [-v] [corpus-dir]
#
# Runs build/san/suites/authmilter_suite (ASan/UBSan; built by the
# Makefile) from the repository root. Expectations we read differently, and
# why, are in test-harness/suites/authmilter/DIVERGENCES.md. The summary log
# line of each message goes to stderr and is dropped unless -v is given.
# Exit 1 on any "not ok".
set -u
cd "$(dirname "$0")/../.." || exit 1
bin=build/san/suites/authmilter_suite
if [ ! -x "$bin" ]; then
	echo "not ok - amcorpus/suite: $bin not built (make $bin)"
	exit 1
fi
err=/dev/null
[ "${1:-}" = "-v" ] && err=/dev/stderr
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1} \
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
    "$bin" "$@" 2>"$err"
rc=$?
[ $rc -gt 1 ] && echo "not ok - amcorpus/suite: $bin exited $rc"
exit $rc
