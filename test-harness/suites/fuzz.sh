#!/bin/sh
# fuzz.sh - a short libFuzzer run of every target in test-harness/fuzz
#
#   test-harness/suites/fuzz.sh [seconds-per-target] [target ...]
#
# For each test-harness/fuzz/fuzz_<name>.c (or only the targets named),
# runs build/fuzz/fuzz_<name> (clang, -fsanitize=fuzzer,address,undefined;
# built by "make fuzz") from the repository root for FUZZ_TIME seconds
# (default 20), starting from the committed seeds in
# test-harness/fuzz/corpus/fuzz_<name>/ (never written to: new inputs go
# to a scratch directory). One TAP line per target: "not ok" on a crash,
# leak, UB report, timeout (FUZZ_TIMEOUT seconds for one input, default
# 10), out of memory, or a missing binary. A dictionary
# test-harness/fuzz/fuzz_<name>.dict is used when there is one. The input
# that failed is kept in build/fuzz/artifacts/ with the run's log, and
# named in a comment;
# reproduce it with "build/fuzz/fuzz_<name> <that file>". Leaks in
# third-party code we cannot fix are suppressed, each with its reason, in
# test-harness/fuzz/lsan.supp (added to test-harness/lib/lsan.supp; a
# caller's LSAN_OPTIONS is not used). Exit 1 if any target failed.
set -u
cd "$(dirname "$0")/../.." || exit 1
time=${1:-${FUZZ_TIME:-20}}
[ $# -gt 0 ] && shift
tmo=${FUZZ_TIMEOUT:-10}
art=build/fuzz/artifacts
mkdir -p "$art"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
# run-tests' suppressions (test-harness/lib/lsan.supp) and ours: LSan
# reads one file
cat test-harness/lib/lsan.supp test-harness/fuzz/lsan.supp \
    >"$scratch/lsan.supp" 2>/dev/null
lsan=suppressions=$scratch/lsan.supp:print_suppressions=0

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
	if [ ! -x "$bin" ]; then
		echo "not ok - fuzz/$t: $bin not built (make fuzz)"
		fail=1
		continue
	fi
	mkdir -p "$scratch/$t" "$seeds"
	dict=""
	[ -f "test-harness/fuzz/$t.dict" ] &&
	    dict="-dict=test-harness/fuzz/$t.dict"
	log=$scratch/$t.log
	# -runs bounds a fast target; the time bounds a slow one
	ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0} \
	LSAN_OPTIONS=$lsan \
	UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
	    "$bin" -max_total_time="$time" -runs=20000000 -timeout="$tmo" \
	    -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
	    -artifact_prefix="$art/$t-" $dict "$scratch/$t" "$seeds" \
	    >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	if [ $rc -eq 0 ]; then
		echo "ok - fuzz/$t ${runs:-?} runs in ${time}s"
	else
		fail=1
		cp "$log" "$art/$t.log"
		echo "not ok - fuzz/$t: exit $rc after ${runs:-?} runs" \
		    "(log: $art/$t.log)"
		grep -E -e '^(==[0-9]+== ?ERROR|SUMMARY|fuzz: invariant)' \
		    -e 'runtime error|Test unit written|ERROR: libFuzzer' \
		    "$log" | head -8 | sed 's/^/# /'
	fi
done
exit $fail
