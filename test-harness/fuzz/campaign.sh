#!/bin/sh
# campaign.sh - a long libFuzzer run of each target, corpus merged back
#
#   nice -n 19 test-harness/fuzz/campaign.sh [seconds-per-target] [target ...]
#
# For each target (default: every test-harness/fuzz/fuzz_*.c), one after
# the other (the machine is shared), runs build/fuzz/fuzz_<name> ("make
# fuzz") for the given time (default 600 s) on one core, growing a
# scratch corpus in build/fuzz/grown/fuzz_<name>/ from the committed
# seeds, then adds to test-harness/fuzz/corpus/fuzz_<name>/ with -merge=1
# -use_counters=0 only the grown inputs that reach edges the seeds do not
# (the named seeds stay; hit counts are not kept apart, which keeps the
# committed corpus small; only when the run found nothing). Commit the result by hand. Options
# and suppressions are those of test-harness/suites/fuzz.sh. Findings
# are kept in build/fuzz/artifacts/; the run's log is
# build/fuzz/campaign-fuzz_<name>.log. Exit 1 if any target failed.
set -u
cd "$(dirname "$0")/../.." || exit 1
time=${1:-600}
[ $# -gt 0 ] && shift
art=build/fuzz/artifacts
mkdir -p "$art" build/fuzz/grown
cat test-harness/lib/lsan.supp test-harness/fuzz/lsan.supp \
    >build/fuzz/campaign-lsan.supp 2>/dev/null
export LSAN_OPTIONS=suppressions=$PWD/build/fuzz/campaign-lsan.supp:print_suppressions=0
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
if [ $# -gt 0 ]; then
	targets="$*"
else
	targets=$(for f in test-harness/fuzz/fuzz_*.c; do
	    basename "$f" .c; done)
fi
fail=0
for t in $targets; do
	bin=build/fuzz/$t
	seeds=test-harness/fuzz/corpus/$t
	grown=build/fuzz/grown/$t
	log=build/fuzz/campaign-$t.log
	mkdir -p "$grown" "$seeds"
	dict=""
	[ -f "test-harness/fuzz/$t.dict" ] &&
	    dict="-dict=test-harness/fuzz/$t.dict"
	"$bin" -max_total_time="$time" -timeout=10 -rss_limit_mb=2048 \
	    -max_len=65536 -print_final_stats=1 \
	    -artifact_prefix="$art/$t-" $dict "$grown" "$seeds" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	if [ $rc -ne 0 ]; then
		echo "not ok - $t: exit $rc after ${runs:-?} runs (log: $log)"
		fail=1
		continue
	fi
	before=$(ls "$seeds" | wc -l)
	"$bin" -merge=1 -use_counters=0 -max_len=65536 "$seeds" "$grown" \
	    >>"$log" 2>&1 ||
	    { echo "not ok - $t: merge failed"; fail=1; continue; }
	echo "ok - $t ${runs:-?} runs in ${time}s;" \
	    "corpus $before -> $(ls "$seeds" | wc -l) files," \
	    "$(du -sk "$seeds" | cut -f1) KiB"
done
exit $fail
