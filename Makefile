# authmilter - build, test, lint, bench
#
#   make            build/authmilter (optimised, with debug info)
#   make check      unit + integration + suites under ASan/UBSan
#   make unit       unit tests only (ASan/UBSan)
#   make lint       layering, banned calls, config keys vs man page
#   make bench      benchmarks (test-harness/bench)
#   make soak       the long soak: load, faults, hostile input (root)
#   make run        build and run in the foreground with conf/authmilter.conf
#   make install    binary, man pages, /etc/authmilter, systemd unit, user
#                   (PREFIX=/usr/local, DESTDIR)
#   make deb        the Debian package in build/deb (dpkg-buildpackage)

CC	?= cc
PKGS	 = libconfig libunbound opendkim milter openssl libmicrohttpd \
	   sqlite3 libpq zlib libsystemd
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
LIBS	 = $(PKG_LIBS) -lspf2 -lopendmarc -lidn2 -lpthread

CSTD	 = -std=c17 -D_GNU_SOURCE
WARN	 = -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow \
	   -Wstrict-prototypes -Wmissing-prototypes -Wformat=2
OPT	?= -O2 -g
SANFLAGS = -fsanitize=address,undefined -fno-sanitize-recover=all \
	   -fno-omit-frame-pointer

B	?= build
S	 = build/san

LIB_SRCS = $(wildcard util/*.c) $(wildcard conf/*.c) dns/dns.c dns/answer.c \
	   dns/budget.c \
	   $(wildcard auth/*.c) $(wildcard policy/*.c) $(wildcard check/*.c) \
	   $(wildcard report/*.c)
MILTER_SRCS = $(wildcard milter/*.c)
MOCK_SRCS = dns/dns_mock.c
UNIT_SRCS = $(wildcard test-harness/unit/test_*.c)

obj = $(patsubst %.c,$(1)/obj/%.o,$(2))

.PHONY: all san fuzz check unit lint bench soak run clean deps deps-test \
	install install-files deb

all: $(B)/authmilter

# --- object rules, one tree per flavour -----------------------------------
$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARN) $(OPT) -I. $(PKG_CFLAGS) -MMD -MP -c -o $@ $<

$(S)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARN) -O1 -g $(SANFLAGS) -I. $(PKG_CFLAGS) -MMD -MP -c -o $@ $<

$(B)/authmilter: $(call obj,$(B),$(LIB_SRCS) $(MILTER_SRCS))
	$(CC) $(OPT) -o $@ $^ $(LIBS)

$(S)/authmilter: $(call obj,$(S),$(LIB_SRCS) $(MILTER_SRCS))
	$(CC) $(SANFLAGS) -o $@ $^ $(LIBS)

# unit tests link everything but the real resolver and the milter layer
UNIT_LIB_SRCS = $(filter-out dns/dns.c,$(LIB_SRCS)) $(MOCK_SRCS)
UNIT_BINS = $(patsubst test-harness/unit/%.c,$(S)/unit/%,$(UNIT_SRCS))

$(S)/unit/%: $(S)/obj/test-harness/unit/%.o $(call obj,$(S),$(UNIT_LIB_SRCS))
	@mkdir -p $(dir $@)
	$(CC) $(SANFLAGS) -o $@ $^ $(LIBS) -lcmocka

# conformance suites: test-harness/suites/NAME/NAME_suite.c, linked like
# the unit tests plus the milter stages that need no libmilter, run by
# test-harness/suites/NAME.sh
SUITE_SRCS = $(wildcard test-harness/suites/*/*_suite.c)
SUITE_MILTER_SRCS = milter/session.c milter/eval.c milter/snap.c \
		    milter/record.c milter/stage.c milter/client.c \
		    milter/hdrguard.c milter/signing.c milter/sealing.c
SUITE_BINS = $(foreach f,$(SUITE_SRCS),$(S)/suites/$(notdir $(f:.c=)))

define suite_rule
$(S)/suites/$(notdir $(1:.c=)): $(S)/obj/$(1:.c=.o) \
	    $(call obj,$(S),test-harness/suites/suite_io.c $(UNIT_LIB_SRCS) \
	    $(SUITE_MILTER_SRCS))
	@mkdir -p $$(dir $$@)
	$$(CC) $$(SANFLAGS) -o $$@ $$^ $$(LIBS)
endef
$(foreach f,$(SUITE_SRCS),$(eval $(call suite_rule,$(f))))

san: $(S)/authmilter $(UNIT_BINS) $(SUITE_BINS)

# libFuzzer targets (clang): test-harness/fuzz/fuzz_*.c, run briefly by
# test-harness/suites/fuzz.sh
FZ	 = build/fuzz
FUZZ_CC	?= clang
FUZZFLAGS = -fsanitize=fuzzer-no-link,address,undefined \
	   -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_SRCS = $(wildcard test-harness/fuzz/fuzz_*.c)
FUZZ_BINS = $(patsubst test-harness/fuzz/%.c,$(FZ)/%,$(FUZZ_SRCS))

$(FZ)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CSTD) $(WARN) -O1 -g $(FUZZFLAGS) -I. $(PKG_CFLAGS) \
	    -MMD -MP -c -o $@ $<

$(FUZZ_BINS): $(FZ)/%: $(FZ)/obj/test-harness/fuzz/%.o \
	    $(call obj,$(FZ),$(UNIT_LIB_SRCS))
	$(FUZZ_CC) -fsanitize=fuzzer,address,undefined -o $@ $^ $(LIBS)

# fuzz_session drives the milter stages too, as the suites do
$(FZ)/fuzz_session: $(call obj,$(FZ),$(SUITE_MILTER_SRCS))

fuzz: $(FUZZ_BINS)

# --- the README's commands --------------------------------------------------
deps:
	@test-harness/deps.sh build

deps-test:
	@test-harness/deps.sh test

run: deps
	$(MAKE) all
	$(B)/authmilter -f -c conf/authmilter.conf

unit: san
	@test-harness/run-tests --unit-only

check: deps-test
	$(MAKE) san all fuzz build/params-dump deb
	@test-harness/run-tests

build/params-dump: test-harness/lint/params_dump.c conf/params.c conf/conf.h
	@mkdir -p build
	$(CC) $(CSTD) $(WARN) -I. -o $@ test-harness/lint/params_dump.c conf/params.c

lint: build/params-dump $(B)/authmilter
	@test-harness/lint.sh

bench: all
	@test-harness/bench/run.sh

# --- installation (source installs; debian/rules uses install-files) ----
PREFIX	?= /usr/local
SBINDIR	?= $(PREFIX)/sbin
MANDIR	?= $(PREFIX)/share/man
DOCDIR	?= $(PREFIX)/share/doc/authmilter
SYSCONFDIR ?= /etc
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system

install: all install-files
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" -eq 0 ]; then \
	    dist/adduser.sh; fi

install-files:
	install -D -m 0755 $(B)/authmilter $(DESTDIR)$(SBINDIR)/authmilter
	install -D -m 0644 man/authmilter.8 $(DESTDIR)$(MANDIR)/man8/authmilter.8
	install -D -m 0644 man/authmilter.conf.5 \
	    $(DESTDIR)$(MANDIR)/man5/authmilter.conf.5
	install -D -m 0644 conf/authmilter.conf \
	    $(DESTDIR)$(DOCDIR)/examples/authmilter.conf
	@mkdir -p $(DESTDIR)$(SYSCONFDIR)/authmilter
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/authmilter/authmilter.conf ]; then \
	    echo "keeping $(DESTDIR)$(SYSCONFDIR)/authmilter/authmilter.conf"; \
	else install -m 0644 dist/authmilter.conf \
	    $(DESTDIR)$(SYSCONFDIR)/authmilter/authmilter.conf; fi
	@mkdir -p $(DESTDIR)$(SYSTEMDUNITDIR)
	sed 's|@SBINDIR@|$(SBINDIR)|g' dist/authmilter.service.in \
	    >$(DESTDIR)$(SYSTEMDUNITDIR)/authmilter.service
	chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/authmilter.service

# the Debian package, built once (optimised, not sanitized) from a copy of
# the tree in a temp dir; the .deb lands in build/deb/
deb:
	@test-harness/mkdeb.sh build/deb

# the long soak (test-harness/soak/soak.sh); its short version runs in
# make check (test-harness/suites/soak.sh)
soak: deps-test
	$(MAKE) all
	@test-harness/soak/soak.sh --long

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
