/*
 * NAME
 *	fuzz - helpers shared by the libFuzzer targets
 * SYNOPSIS
 *	#include "test-harness/fuzz/fuzz.h"
 *
 *	struct fz f = {data, size};
 *	unsigned fz_byte(struct fz *f);
 *	size_t fz_str(struct fz *f, char *dst, size_t dstlen);
 *	void fz_check(int cond, const char *what);
 * DESCRIPTION
 *	Each target (fuzz_*.c) defines LLVMFuzzerTestOneInput() and reads
 *	its input through a struct fz: fz_byte() takes one byte (0 when the
 *	input is used up); fz_str() takes a string up to the next NUL byte
 *	or the end of input, at most dstlen - 1 bytes of it (the rest is
 *	skipped), and stores it NUL-terminated; NUL bytes separate fields
 *	so that seeds stay readable. fz_check() aborts with a message when
 *	an invariant the target asserts does not hold: libFuzzer reports
 *	it as a crash and keeps the input.
 *
 *	Built with clang -fsanitize=fuzzer,address,undefined; see
 *	test-harness/suites/fuzz.sh.
 */
#ifndef AM_FUZZ_H
#define AM_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fz {
	const uint8_t *p;
	size_t	 n;
};

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int	LLVMFuzzerInitialize(int *argc, char ***argv);

/* fz_byte - the next input byte, 0 past the end */
static inline unsigned
fz_byte(struct fz *f)
{
	if (f->n == 0)
		return (0);
	f->n--;
	return (*f->p++);
}

/* fz_str - the next NUL-separated field, cut to dstlen - 1 bytes */
static inline size_t
fz_str(struct fz *f, char *dst, size_t dstlen)
{
	const uint8_t *nul;
	size_t	 n, k;

	dst[0] = '\0';
	if (f->n == 0)
		return (0);
	nul = memchr(f->p, '\0', f->n);
	n = nul != NULL ? (size_t)(nul - f->p) : f->n;
	k = n < dstlen - 1 ? n : dstlen - 1;
	memcpy(dst, f->p, k);
	dst[k] = '\0';
	f->p += n;
	f->n -= n;
	if (f->n > 0) {			/* the separator */
		f->p++;
		f->n--;
	}
	return (k);
}

/* fz_check - an invariant of the code under test */
static inline void
fz_check(int cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "fuzz: invariant broken: %s\n", what);
		abort();
	}
}

#endif
