#!/bin/bash
# lint.sh - layering, banned calls, every config key documented with its
# default in man/authmilter.conf.5 and shown in conf/authmilter.conf,
# SYNOPSIS against prototypes, man page quoting. Prints TAP lines; exit 1 on failure.
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
out=$(grep -rln '#include <systemd/' util conf dns auth policy milter 2>/dev/null |
    grep -v -e '^milter/notify\.c$' -e '^milter/main\.c$' || true)
[ -n "$out" ] && bad="${bad}libsystemd outside milter/notify.c, main.c: $out
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
	list)	# [\(dqA\(dq, \(dqB\(dq]: Dq in a list renders its quotes wrong
		want=".It Cm $key Li = [$(echo "$def" |
		    sed 's/\([^ ]*\)/\\(dq\1\\(dq/g; s/ /, /g')]" ;;
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
# 5. each header's SYNOPSIS lists exactly its prototypes
out=$(python3 test-harness/lint/synopsis.py 2>&1)
tap "$( [ -z "$out" ]; echo $? )" synopsis-matches-header "$out"

# 6. the example configuration shows every key with its default, and
#    nothing else: its settings equal what -n -p prints for no file
conf_lines() {	# the settings of a libconfig file, one "group.key = v;" a line
	# (a list written over several lines, "key = (" to ");", is joined)
	sed 's/#.*//' "$1" | awk '
	/^[ \t]*$/ { next }
	acc != "" { sub(/^[ \t]+/, ""); acc = acc " " $0
		if ($0 ~ /\);[ \t]*$/) { gsub(/[ \t]+/, " ", acc); print g acc
			acc = "" }
		next }
	/^[ \t]*[a-z_]+[ \t]*=[ \t]*\($/ { sub(/^[ \t]+/, ""); acc = $0; next }
	/^[ \t]*[a-z_]+[ \t]*=[ \t]*\{/ { g = $1 "."; next }
	/^[ \t]*\};/ { g = ""; next }
	{ sub(/^[ \t]+/, ""); gsub(/[ \t]+/, " "); print g $0 }' | sort
}
: >build/empty.conf
if build/authmilter -n -p -c build/empty.conf >build/defaults.conf 2>/dev/null
then
	out=$(diff <(conf_lines build/defaults.conf) \
	    <(conf_lines conf/authmilter.conf) | grep '^[<>]' |
	    sed 's/^</missing or not the default:/; s/^>/not a key or not the default:/')
else
	out="build/authmilter -n -p failed"
fi
tap "$( [ -z "$out" ]; echo $? )" example-conf-complete "$out"
out=$(build/authmilter -n -c dist/authmilter.conf 2>&1 >/dev/null |
    grep -v 'warning' || true)
tap "$( [ -z "$out" ]; echo $? )" installed-conf-valid "$out"

# 7. man pages: no bare double quote in a .Ql/.Dl line (mdoc eats it:
#    write \(dq), and DMARC is RFC 9989 (7489 is obsolete) in the docs
out=$(grep -n '^\.\(Ql\|Dl\) .*"' man/*.[58] || true)
tap "$( [ -z "$out" ]; echo $? )" man-quotes "$out"
out=$(grep -n 'RFC 7489' man/*.[58] README.md conf/params.c \
    conf/authmilter.conf dist/authmilter.conf || true)
tap "$( [ -z "$out" ]; echo $? )" rfc-9989 "$out"
exit $fail
