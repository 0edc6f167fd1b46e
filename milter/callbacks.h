/*
 * NAME
 *	callbacks - the libmilter callback table
 * SYNOPSIS
 *	#include "milter/callbacks.h"
 *
 *	extern struct smfiDesc callbacks_desc;
 *
 *	void callbacks_setup(const char *socket);
 * DESCRIPTION
 *	callbacks_setup() is called once before smfi_register(): the
 *	socket kind (unix or TCP) decides which protocol steps we
 *	negotiate (see callbacks.c).
 */
#ifndef AM_CALLBACKS_H
#define AM_CALLBACKS_H

#include <libmilter/mfapi.h>

extern struct smfiDesc callbacks_desc;

void	callbacks_setup(const char *socket);

#endif
