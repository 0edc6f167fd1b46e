/*
 * NAME
 *	policyconf - the policy section of the file, as written
 * SYNOPSIS
 *	#include "conf/policyconf.h"
 *
 *	int policyconf_load(struct conf_rule_list *l,
 *	    const config_setting_t *s, const char *path, struct buf *why);
 *	void policyconf_free(struct conf_rule_list *l);
 *	void policyconf_dump(const struct conf_rule_list *l, FILE *fp);
 * DESCRIPTION
 *	The policy section is a list of groups; each group holds settings
 *	whose values are strings or lists of strings. policyconf_load()
 *	keeps them as text with their line numbers and checks only that
 *	shape ("file:line: reason" otherwise); policy/rules.c gives them
 *	meaning. Keeping conf free of policy semantics keeps the layering:
 *	conf knows nothing of matchers or verdicts.
 *
 *	policyconf_dump() writes the section back in libconfig syntax (-n -p).
 */
#ifndef AM_POLICYCONF_H
#define AM_POLICYCONF_H

#include <libconfig.h>
#include <stdio.h>

#include "conf/conf.h"

int	policyconf_load(struct conf_rule_list *l, const config_setting_t *s,
	    const char *path, struct buf *why);
void	policyconf_free(struct conf_rule_list *l);
void	policyconf_dump(const struct conf_rule_list *l, FILE *fp);

#endif
