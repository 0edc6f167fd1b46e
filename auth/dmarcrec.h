/*
 * NAME
 *	dmarcrec - one DMARC policy record: recognise and read its tags
 * SYNOPSIS
 *	#include "auth/dmarcrec.h"
 *
 *	void dmarcrec_init(void);
 *	bool dmarcrec_is_record(const char *s, size_t n);
 *	void dmarcrec_parse(const char *txt, struct dmarc_rec *r_r);
 *	const char *dmarcrec_defect(const struct dmarc_rec *r);
 *	bool dmarcrec_testing(const struct dmarc_rec *r);
 *	int dmarcrec_lib_check(const char *domain, const char *txt,
 *	    const struct dmarc_rec *r, struct buf *why);
 * DESCRIPTION
 *	dmarcrec_is_record() says whether one TXT string is a DMARC policy
 *	record: it begins with "v=DMARC1" (white space allowed around "=",
 *	then ";" or the end; RFC 9989 4.7, 4.8).
 *
 *	dmarcrec_parse() reads the tag list of a record (which must have
 *	passed dmarcrec_is_record()) into r_r, strictly: p=, sp= and np= are
 *	exactly none, quarantine or reject, given once, else invalid (_ok
 *	false); adkim=/aspf= r or s; t= y or n; psd= y, n or u; pct= 0 to
 *	100; rua= valid if one URI in it is. Any other bad value keeps the
 *	tag's default; unknown tags are ignored (RFC 9989 4.7, 4.8).
 *
 *	dmarcrec_defect() names what makes the record fall under RFC 9989
 *	4.10.1 ("no valid p=", "invalid sp=", "invalid np="), or is NULL.
 *	Such a record counts as "v=DMARC1; p=none" when rua= holds a valid
 *	URI, and otherwise DMARC does not apply; the caller decides.
 *
 *	dmarcrec_testing() is the record's test mode. t= decides when it is
 *	given. pct= is gone from RFC 9989 (Appendix A.6 calls t=y/n the
 *	analogues of pct=0/100): without t=, pct=0 means testing, and every
 *	other pct= value is ignored, so a record never gets random sampling.
 *
 *	dmarcrec_lib_check() lets libopendmarc parse the record as well and
 *	logs (debug) where it reads it differently; it never decides. With
 *	debug lines off it does nothing (a library context per record).
 *	Returns AM_TEMP only when libopendmarc runs out of memory.
 * THREADS
 *	Reentrant once dmarcrec_init() has run (it is idempotent).
 * SEE ALSO
 *	RFC 9989 4.7 (tags), 4.8 (ABNF), 4.10.1, A.6; RFC 7489 6.3
 */
#ifndef AM_DMARCREC_H
#define AM_DMARCREC_H

#include <stdbool.h>
#include <stddef.h>

#include "auth/result.h"
#include "util/limits.h"
#include "util/buf.h"

/* one policy record as we read it */
struct dmarc_rec {
	enum dmarc_policy p;
	enum dmarc_policy sp;		/* DMARC_P_UNSET when absent */
	enum dmarc_policy np;		/* DMARC_P_UNSET when absent */
	bool	 p_ok;			/* p= once, valid */
	bool	 sp_ok;			/* sp= absent, or once and valid */
	bool	 np_ok;			/* np= absent, or once and valid */
	bool	 rua_ok;		/* rua= with a valid URI */
	char	 adkim;			/* 'r' or 's' */
	char	 aspf;
	char	 psd;			/* 'y', 'n' or 'u' */
	int	 pct;			/* 100 when absent or invalid */
	bool	 t;			/* t=y */
	unsigned seen;			/* DMARCREC_TAG_* bits */
	char	 rua[LIM_DMARC_URIS];	/* rua= as published, for reports */
	char	 ruf[LIM_DMARC_URIS];
	char	 fo[16];
};

#define DMARCREC_TAG_P		0x001
#define DMARCREC_TAG_SP		0x002
#define DMARCREC_TAG_ADKIM	0x004
#define DMARCREC_TAG_ASPF	0x008
#define DMARCREC_TAG_PCT	0x010
#define DMARCREC_TAG_T		0x020
#define DMARCREC_TAG_RUA	0x040
#define DMARCREC_TAG_NP		0x080
#define DMARCREC_TAG_PSD	0x100

void	dmarcrec_init(void);
bool	dmarcrec_is_record(const char *s, size_t n);
void	dmarcrec_parse(const char *txt, struct dmarc_rec *r_r);
const char *dmarcrec_defect(const struct dmarc_rec *r);
bool	dmarcrec_testing(const struct dmarc_rec *r);
int	dmarcrec_lib_check(const char *domain, const char *txt,
	    const struct dmarc_rec *r, struct buf *why);

#endif
