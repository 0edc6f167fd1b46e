/*
 * NAME
 *	pages - zeroed memory whose untouched pages cost nothing
 * DESCRIPTION
 *	See pages.h.
 */
#include <stdlib.h>
#include <sys/mman.h>

#include "util/pages.h"

#if defined(__SANITIZE_ADDRESS__)
#define PAGES_HEAP	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PAGES_HEAP	1
#endif
#endif

/* pages_zalloc - size zeroed bytes, resident only where written */
void *
pages_zalloc(size_t size)
{
#ifdef PAGES_HEAP
	return (calloc(1, size));
#else
	void	*p;

	p = mmap(NULL, size, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return (p == MAP_FAILED ? NULL : p);
#endif
}

/* pages_free - give back what pages_zalloc(size) returned */
void
pages_free(void *p, size_t size)
{
	if (p == NULL)
		return;
#ifdef PAGES_HEAP
	free(p);
#else
	munmap(p, size);
#endif
}
