/*
 * NAME
 *	keycmd - the genkey and testkey subcommands
 * SYNOPSIS
 *	#include "milter/keycmd.h"
 *
 *	int keycmd_genkey(int argc, char **argv);
 *	int keycmd_testkey(int argc, char **argv);
 * DESCRIPTION
 *	Each takes the arguments after "authmilter" (argv[0] is the
 *	subcommand's name) and returns the exit status. See keycmd.c.
 */
#ifndef AM_KEYCMD_H
#define AM_KEYCMD_H

int	keycmd_genkey(int argc, char **argv);
int	keycmd_testkey(int argc, char **argv);

#endif
