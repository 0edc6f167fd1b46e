#!/bin/sh
# soak.sh - the soak suite's short version, in make check (TAP)
#
# test-harness/soak/soak.sh --short: load, resolver faults (killed,
# SERVFAIL, black hole, a 15 s hang), 20 reloads, kill -9 under Postfix,
# 1,000 stalled connections and hostile sizes, in a network namespace of
# its own, against the sanitizer build; about three minutes; no time is
# asserted. Checks that wait for other work of issue 14 print "# TODO"
# (see SOAK_PENDING in soak.sh). The long version is "make soak".
cd "$(dirname "$0")/../.." || exit 1
exec test-harness/soak/soak.sh --short
