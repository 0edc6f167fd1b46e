#!/bin/sh
# bench.sh - the benchmark in smoke mode, to prove it works (TAP)
#
# A few messages through every setup (authmilter, OpenDKIM + OpenDMARC,
# the do-nothing milter) with the verdict tally checked; no time is
# asserted. The figures come from test-harness/bench/run.sh without
# --smoke (README, Performance).
cd "$(dirname "$0")/../.." || exit 1
exec test-harness/bench/run.sh --smoke
