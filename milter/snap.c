/*
 * NAME
 *	snap - refcounted snapshot of configuration and library handles
 * DESCRIPTION
 *	See snap.h.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "milter/snap.h"
#include "util/am.h"
#include "util/limits.h"
#include "util/log.h"

static pthread_mutex_t snap_mu = PTHREAD_MUTEX_INITIALIZER;
static struct snap *snap_live;		/* holds one reference */
static atomic_int snap_count;		/* snapshots not yet freed */

/* snap_rules - compile the policy rules; each warning is one log line */
static int
snap_rules(const struct conf *cf, struct snap *sp, struct buf *why)
{
	struct buf *warn = buf_new(LIM_POLICY_RULES * 256);
	char	*line, *save = NULL;
	int	 st;

	st = rules_compile(cf, &sp->rules, warn, why);
	for (line = warn->len > 0 ? strtok_r(warn->data, "\n", &save) :
	    NULL; st == AM_OK && line != NULL; line = strtok_r(NULL, "\n", &save))
		log_warn("%s", line);
	buf_free(&warn);
	return (st);
}

/* snap_build - handles for cf; takes ownership of cf on success */
int
snap_build(struct conf *cf, struct dns *dns, struct snap **sp_r,
    struct buf *why)
{
	struct snap *sp;

	*sp_r = NULL;
	if ((sp = calloc(1, sizeof(*sp))) == NULL)
		return (buf_why(why, AM_TEMP, "out of memory"));
	atomic_init(&sp->refs, 1);
	atomic_fetch_add(&snap_count, 1);
	sp->dns = dns;
	if ((sp->spf = spf_new(dns, cf->authserv_id[0] ? cf->authserv_id :
	    NULL, why)) == NULL ||
	    (sp->dkim = dkimv_new(dns, cf->dkim_max_signatures,
	    (unsigned)cf->dkim_min_key_bits, why)) == NULL ||
	    (sp->dmarc = dmarc_new(dns, cf->dmarc_org_domain ==
	    CONF_ORGDOM_PSL ? DMARC_ORG_PSL : DMARC_ORG_TREEWALK,
	    cf->dmarc_public_suffix_list, cf->dmarc_max_queries,
	    why)) == NULL || snap_rules(cf, sp, why) != AM_OK ||
	    (cf->sign_key_table[0] != '\0' && (sp->sign =
	    signer_new(cf->sign_key_table, cf->sign_signing_table,
	    cf->sign_require_safe_keys, cf->sign_expire, why)) == NULL) ||
	    (sp->arc_trust = arc_trust_new(cf->arc_trusted_sealers,
	    why)) == NULL || (cf->arc_seal_key[0] != '\0' && (sp->arcseal =
	    arcseal_new(cf->arc_seal_domain, cf->arc_seal_selector,
	    cf->arc_seal_key, cf->sign_require_safe_keys, why)) == NULL)) {
		snap_release(&sp);
		return (AM_PERM);
	}
	spf_set_timeout(sp->spf, cf->spf_timeout);
	sp->cf = cf;
	*sp_r = sp;
	return (AM_OK);
}

/* snap_install - make sp the live snapshot; drops the old one */
void
snap_install(struct snap *sp)
{
	struct snap *old;

	pthread_mutex_lock(&snap_mu);
	old = snap_live;
	snap_live = sp;
	pthread_mutex_unlock(&snap_mu);
	snap_release(&old);
}

/* snap_acquire - pin the live snapshot for one connection */
struct snap *
snap_acquire(void)
{
	struct snap *sp;

	pthread_mutex_lock(&snap_mu);
	sp = snap_live;			/* snap_live holds one ref */
	if (sp != NULL)
		atomic_fetch_add(&sp->refs, 1);
	pthread_mutex_unlock(&snap_mu);
	return (sp);
}

/* snap_release - drop one reference; the last one frees */
void
snap_release(struct snap **spp)
{
	struct snap *sp;

	if (spp == NULL || (sp = *spp) == NULL)
		return;
	*spp = NULL;
	if (atomic_fetch_sub(&sp->refs, 1) != 1)
		return;
	spf_free(&sp->spf);
	dkimv_free(&sp->dkim);
	dmarc_free(&sp->dmarc);
	rules_free(&sp->rules);
	signer_free(&sp->sign);
	arc_trust_free(&sp->arc_trust);
	arcseal_free(&sp->arcseal);
	conf_free(&sp->cf);
	free(sp);
	atomic_fetch_sub(&snap_count, 1);
}

/*
 * restart_keys - warn about keys whose new value needs a restart, and
 * keep their running values in cf, so that the next reload compares
 * against what runs, not against the last file read
 */
static int
restart_keys(const struct conf *running, struct conf *cf, struct buf *why)
{
	const struct param *p;
	size_t	 i;
	int	 st;

	for (i = 0; i < conf_nparams; i++) {
		p = &conf_params[i];
		if (p->reload || conf_key_same(running, cf, p))
			continue;
		log_warn("reload: %s changed; it takes effect only after a "
		    "restart", p->key);
		if ((st = conf_key_keep(cf, running, p, why)) != AM_OK)
			return (st);
	}
	return (AM_OK);
}

/* snap_reload - build a new snapshot from path; keep the old on error */
int
snap_reload(const char *path, struct buf *why)
{
	struct snap *old, *sp;
	struct conf *cf;
	int	 st;

	if ((st = conf_load(path, &cf, why)) != AM_OK)
		return (st);
	if ((old = snap_acquire()) == NULL)
		am_panic("snap_reload: no live snapshot");
	st = restart_keys(old->cf, cf, why);
	if (st == AM_OK)
		st = snap_build(cf, old->dns, &sp, why);
	snap_release(&old);
	if (st != AM_OK) {
		conf_free(&cf);
		return (st);
	}
	log_set_debug(cf->debug);
	snap_install(sp);
	return (AM_OK);
}

/* snap_shutdown - drop the live snapshot (at exit) */
void
snap_shutdown(void)
{
	snap_install(NULL);
}

/*
 * snap_drain - after snap_shutdown(), wait up to ms milliseconds for the
 * connections still holding a snapshot to close; the number left
 */
int
snap_drain(int ms)
{
	struct timespec tick = {0, 50 * 1000 * 1000};
	int	 waited;

	for (waited = 0; atomic_load(&snap_count) > 0 && waited < ms;
	    waited += 50)
		nanosleep(&tick, NULL);
	return (atomic_load(&snap_count));
}
