/*
 * params_dump - print the params table for lint.sh: key, type, default,
 * reload, one tab-separated line per key
 */
#include <stdio.h>

#include "conf/conf.h"

int
main(void)
{
	static const char *types[] = {"string", "boolean", "integer",
	    "string", "list", "zones"};
	size_t	 i;

	for (i = 0; i < conf_nparams; i++)
		printf("%s|%s|%s|%d\n", conf_params[i].key,
		    types[conf_params[i].type], conf_params[i].def,
		    conf_params[i].reload);
	return (0);
}
