/*
 * NAME
 *	snap - refcounted snapshot of configuration and library handles
 * SYNOPSIS
 *	#include "milter/snap.h"
 *
 *	int snap_build(struct conf *cf, struct dns *dns, struct snap **sp_r,
 *	    struct buf *why);
 *	void snap_install(struct snap *sp);
 *	struct snap *snap_acquire(void);
 *	void snap_release(struct snap **sp);
 *	int snap_reload(const char *path, struct buf *why);
 *	void snap_shutdown(void);
 *	int snap_drain(int ms);
 * DESCRIPTION
 *	A snapshot holds one loaded conf and the handles built from it: the
 *	SPF server, the DKIM library, the DMARC state (PSL), the compiled
 *	local policy rules (so a reload changes them), the signing keys
 *	and the ARC sealing key (read from their files here). The resolver is
 *	process-wide and borrowed: there is one libunbound context and one
 *	cache for the life of the process.
 *
 *	Each connection pins the live snapshot with snap_acquire() at
 *	connect and drops it at close, so a reload never changes the rules
 *	in the middle of a message. snap_reload() builds and checks a whole
 *	new snapshot; on error the old one stays and the reason is in why.
 *	Keys that need a restart (params.c reload = false) are logged, and
 *	the new snapshot keeps their running values, so the next reload
 *	compares against what runs.
 *
 *	snap_shutdown() drops the live snapshot at exit; snap_drain() then
 *	waits, at most ms milliseconds, until the connections still
 *	holding one have closed, and returns how many snapshots remain.
 * THREADS
 *	snap_acquire() takes its reference under snap_mu, so a concurrent
 *	swap cannot free the snapshot between the read and the increment.
 *	snap_release() is lock-free; the last reference frees.
 */
#ifndef AM_SNAP_H
#define AM_SNAP_H

#include <stdatomic.h>

#include "auth/arc.h"
#include "auth/arcseal.h"
#include "auth/dkim.h"
#include "auth/dmarc.h"
#include "auth/sign.h"
#include "auth/spf.h"
#include "conf/conf.h"
#include "dns/dns.h"
#include "policy/rules.h"
#include "util/buf.h"

struct snap {
	atomic_int refs;
	struct conf *cf;
	struct dns *dns;		/* borrowed: process-wide */
	struct spf *spf;
	struct dkimv *dkim;
	struct dmarc *dmarc;
	struct rules *rules;		/* the compiled policy section */
	struct signer *sign;		/* NULL: no sign.key_table */
	struct arc_trust *arc_trust;	/* arc.trusted_sealers, read once */
	struct arcseal *arcseal;	/* NULL: no arc.seal_key */
};

int	snap_build(struct conf *cf, struct dns *dns, struct snap **sp_r,
	    struct buf *why);
void	snap_install(struct snap *sp);
struct snap *snap_acquire(void);
void	snap_release(struct snap **sp);
int	snap_reload(const char *path, struct buf *why);
void	snap_shutdown(void);
int	snap_drain(int ms);

#endif
