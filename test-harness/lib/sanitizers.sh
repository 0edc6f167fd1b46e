# sanitizers.sh - ASan/UBSan/LSan settings of every test run (sourced)
#
# A sanitizer report must fail the test: the process aborts on the first
# one (abort_on_error; UBSan halt_on_error, matching the build's
# -fno-sanitize-recover=all), so it cannot scroll by as a warning.
#
# LeakSanitizer works here (checked in this container: ptrace is allowed,
# a deliberate leak in a gcc -fsanitize=address binary is reported and the
# exit status is non-zero), so leaks are errors, found when a process
# exits.  Library memory kept for the process's life by design goes in
# lsan.supp, with its reason.
#
# A value the caller already exported wins.
_san_dir=$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")" && pwd)
: "${ASAN_OPTIONS:=abort_on_error=1:detect_leaks=1}"
: "${UBSAN_OPTIONS:=print_stacktrace=1:halt_on_error=1}"
: "${LSAN_OPTIONS:=suppressions=$_san_dir/lsan.supp:print_suppressions=0}"
export ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS
unset _san_dir
