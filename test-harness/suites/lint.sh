#!/bin/sh
# lint.sh - make lint as part of the test run: layering, banned calls,
# every configuration key documented with its default, man pages clean
cd "$(dirname "$0")/../.." || exit 1
[ -x build/params-dump ] || make -s build/params-dump >/dev/null || {
	echo "not ok - lint/build: build/params-dump"; exit 1; }
exec test-harness/lint.sh
