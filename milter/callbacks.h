/*
 * NAME
 *	callbacks - the libmilter callback table
 * SYNOPSIS
 *	#include "milter/callbacks.h"
 *
 *	extern struct smfiDesc callbacks_desc;
 */
#ifndef AM_CALLBACKS_H
#define AM_CALLBACKS_H

#include <libmilter/mfapi.h>

extern struct smfiDesc callbacks_desc;

#endif
