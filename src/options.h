/*
 * options.h: the command line, parsed and validated into one structure.
 *
 * Copyright (C) 2026 The sc_remoted authors.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef OPTIONS_H
#define OPTIONS_H

#include <stdio.h>

#define OPT_ALLOWGROUP	0x0001
#define OPT_ALLOWOTHER	0x0002
#define OPT_DEBUG	0x0004
#define OPT_SELECT	0x0008
#define OPT_NOTIMES	0x0010
#define OPT_SKIPNAME	0x0020	/* -C without the monitor-name check */
#define OPT_PLAINTOO	0x0040	/* a TLS port also takes plaintext */

#define OPT_ZOMBIE_DEFAULT	900
#define OPT_ZOMBIE_MAX		10800

struct options {
	int		 flags;		/* OPT_* from -O */
	int		 family;	/* 0 = both, 4 or 6 (-4/-6) */
	int		 daemonise;	/* -D */
	const char	*pidfile;	/* -e */
	char		*listen_addr;	/* address part of -P, or NULL */
	int		 listen_port;	/* port part of -P */
	const char	*unixdir;	/* -U */
	int		 zombie;	/* -Z seconds */
	const char	*tls_cert;	/* -c */
	const char	*tls_key;	/* -p */
	const char	*tls_ca;	/* -C: require client certificates */
	char		*passfile;	/* -O passfile=: key passphrase */
	const char	*user;		/* -u: run as this user */
	const char	*muxpath;	/* -M: the multiplexed socket */
	const char	*metafile;	/* -m: VP metadata */
	const char	*chroot;	/* -R: chroot here after set-up */
	int		 version;	/* -v */
};

/*
 * Parse argv into opts.  On success return 0.  On a usage error write a
 * message naming the problem and the usage text to err and return -1;
 * for -? write the usage text and return 1.  The caller exits non-zero
 * in both cases.
 */
int	options_parse(struct options *opts, int argc, char *argv[], FILE *err);
void	options_usage(FILE *err);
void	options_free(struct options *opts);

#endif /* OPTIONS_H */
