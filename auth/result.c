/*
 * NAME
 *	result - result tokens as RFC 8601 spells them
 * DESCRIPTION
 *	See result.h.
 */
#include "auth/result.h"

/* spf_res_str - RFC 8601 2.7.2 token */
const char *
spf_res_str(enum spf_res r)
{
	static const char *tab[] = {
		"none", "neutral", "pass", "fail", "softfail", "temperror",
		"permerror",
	};

	return ((unsigned)r < sizeof(tab) / sizeof(tab[0]) ? tab[r] : "none");
}

/* dkim_res_str - RFC 8601 2.7.1 token */
const char *
dkim_res_str(enum dkim_res r)
{
	static const char *tab[] = {
		"none", "pass", "fail", "neutral", "policy", "temperror",
		"permerror",
	};

	return ((unsigned)r < sizeof(tab) / sizeof(tab[0]) ? tab[r] : "none");
}

/* dmarc_res_str - RFC 7489 11.2 token */
const char *
dmarc_res_str(enum dmarc_res r)
{
	static const char *tab[] = {
		"none", "pass", "fail", "temperror", "permerror",
	};

	return ((unsigned)r < sizeof(tab) / sizeof(tab[0]) ? tab[r] : "none");
}

/* dmarc_policy_str - p= value */
const char *
dmarc_policy_str(enum dmarc_policy p)
{
	static const char *tab[] = {"unset", "none", "quarantine", "reject"};

	return ((unsigned)p < sizeof(tab) / sizeof(tab[0]) ? tab[p] : "unset");
}

/* from_status_str - short name for logs */
const char *
from_status_str(enum from_status s)
{
	static const char *tab[] = {
		"ok", "missing", "multiple-fields", "multiple-mailboxes",
		"unparseable",
	};

	return ((unsigned)s < sizeof(tab) / sizeof(tab[0]) ? tab[s] : "?");
}

/* iprev_res_str - RFC 8601 3 token */
const char *
iprev_res_str(enum iprev_res r)
{
	static const char *tab[] = {
		"none", "pass", "fail", "temperror", "permerror",
	};

	return ((unsigned)r < sizeof(tab) / sizeof(tab[0]) ? tab[r] : "none");
}

/* dnsbl_res_str - one zone's outcome for logs */
const char *
dnsbl_res_str(enum dnsbl_res r)
{
	static const char *tab[] = {"none", "listed", "temperror"};

	return ((unsigned)r < sizeof(tab) / sizeof(tab[0]) ? tab[r] : "none");
}

/* arc_res_str - RFC 8601 arc= result word */
const char *
arc_res_str(enum arc_res r)
{
	static const char *tab[] = {"none", "pass", "fail", "temperror"};

	return ((unsigned)r < sizeof(tab) / sizeof(tab[0]) ? tab[r] : "none");
}
