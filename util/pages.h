/*
 * NAME
 *	pages - zeroed memory whose untouched pages cost nothing
 * SYNOPSIS
 *	#include "util/pages.h"
 *
 *	void *pages_zalloc(size_t size);
 *	void pages_free(void *p, size_t size);
 * DESCRIPTION
 *	pages_zalloc() returns size bytes of zeroed memory straight from
 *	mmap(2), or NULL; pages_free() gives them back (size must be the
 *	one allocated; NULL is accepted). For a large struct of which a
 *	message touches a few pages (struct msg: room for 50 DKIM
 *	results): calloc(3) reuses freed heap and clears all of it, so every
 *	page becomes resident however little of it is used, while the
 *	kernel's zero pages are resident only once written. glibc's
 *	M_MMAP_THRESHOLD does not help: malloc maps a block only when the
 *	heap has no free room for it.
 *
 *	Sanitizer builds use calloc(3) and free(3) instead: AddressSanitizer
 *	then sees overflows past the end, and LeakSanitizer scans the block
 *	for the pointers it holds (it does not scan anonymous mappings).
 * THREADS
 *	Safe from any thread.
 */
#ifndef AM_PAGES_H
#define AM_PAGES_H

#include <stddef.h>

void	*pages_zalloc(size_t size);
void	 pages_free(void *p, size_t size);

#endif
