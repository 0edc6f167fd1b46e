#!/bin/sh
# lint.sh - layering, banned calls, and every config key documented with
# its default in man/authmilter.conf.5. Prints TAP lines; exit 1 on failure.
set -u
cd "$(dirname "$0")/.." || exit 1
fail=0

tap() {	# tap STATUS NAME [DETAIL]
	if [ "$1" -eq 0 ]; then echo "ok - lint/$2"; else
		echo "not ok - lint/$2"; [ -n "${3:-}" ] && echo "$3" | sed 's/^/# /'
		fail=1; fi
}

# 1. includes point down: util <- conf, dns <- auth <- policy <- milter
bad=""
check_inc() {	# dir allowed-regex (matched against the included path)
	out=$(grep -Hn '^#include "' "$1"/*.[ch] 2>/dev/null |
	    grep -Ev "#include \"($2)" || true)
	[ -n "$out" ] && bad="$bad$out
"
}
check_inc util 'util/'
check_inc conf 'util/|conf/'
check_inc dns 'util/|dns/'
check_inc auth 'util/|dns/|auth/'
check_inc policy 'util/|conf/|policy/|auth/result\.h"'
check_inc check 'util/|conf/|dns/|auth/|check/'
check_inc report 'util/|conf/|dns/|auth/|policy/verdict\.h"|report/'
out=$(grep -Hln '#include <\(spf2\|opendkim\|opendmarc\)/' \
    util conf dns policy check milter -r 2>/dev/null || true)
[ -n "$out" ] && bad="${bad}library header outside auth/: $out
"
out=$(grep -rln '#include <libmilter/' util conf dns auth policy check 2>/dev/null || true)
[ -n "$out" ] && bad="${bad}libmilter outside milter/: $out
"
out=$(grep -rlnE '#include <(sqlite3|libpq-fe)\.h>' util conf dns auth policy \
    check report milter 2>/dev/null | grep -vE '^report/store_(sqlite|pg)\.c$' || true)
[ -n "$out" ] && bad="${bad}database header outside report/store_*.c: $out
"
tap "$( [ -z "$bad" ]; echo $? )" layering "$bad"

# 2. banned calls
out=$(grep -rnE '\b(strcpy|strcat|sprintf|vsprintf|gets)\s*\(' \
    util conf dns auth policy check report milter | grep -v 'snprintf' || true)
tap "$( [ -z "$out" ]; echo $? )" banned-calls "$out"

# 3. every key with its default in the man page
man=man/authmilter.conf.5
missing=""
build/params-dump | while IFS='|' read -r key type def reload; do
	case $type in
	string)	[ -z "$def" ] && def='\&'
		want=".It Cm $key Li = Dq $def" ;;
	list)	want=".It Cm $key Li = [ $(echo "$def" |
		    sed 's/\([^ ]*\)/Dq \1/g; s/ Dq/ , Dq/g') ]" ;;
	*)	want=".It Cm $key Li = $def" ;;
	esac
	if ! grep -qxF "$want" "$man"; then
		echo "$key: want line: $want"
	fi
	if [ "$reload" = 0 ] && ! grep -A1 -xF "$want" "$man" |
	    grep -q 'needs a restart'; then
		echo "$key: man page must say it needs a restart"
	fi
done > build/lint-keys.txt
missing=$(cat build/lint-keys.txt)
tap "$( [ -z "$missing" ]; echo $? )" config-keys-documented "$missing"

# 4. man pages render without warnings
out=$(for m in man/*.[58]; do LC_ALL=C mandoc -T lint -W warning "$m" 2>&1 ||
    true; done | grep -v '^$' || true)
if command -v mandoc >/dev/null 2>&1; then
	tap "$( [ -z "$out" ]; echo $? )" man-pages "$out"
fi
exit $fail
