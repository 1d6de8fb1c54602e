/*
 * options.c: parse and validate the command line.
 *
 * The reference daemon parsed numbers loosely (trailing junk, hex,
 * octal, no digits at all) and accepted combinations that could never
 * work; here every value is checked as it is read and every usage
 * problem is reported with one line naming it, so that a mistake is
 * caught on the terminal instead of failing silently at startup.
 *
 * Copyright (C) 2026 The sc_remoted authors.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "options.h"

#if defined(__FreeBSD__) || defined(__NetBSD__) || defined(__OpenBSD__) || \
    defined(__DragonFly__) || defined(__APPLE__)
#define OPTIONS_HAVE_OPTRESET 1
#endif

/*
 * The leading ':' makes getopt report a missing argument apart from an
 * unknown option.  '?' is deliberately left out: getopt then reports
 * -? like any unknown option, with optopt set to '?', which is the one
 * portable way to tell it apart (glibc leaves optopt stale for an
 * option it knows).  -c and -p are known even without OpenSSL so that
 * the error can say why they are refused.
 */
#define OPTSTRING	":46C:De:M:m:O:P:R:U:Z:c:p:u:v"

#if defined(__GNUC__)
#define OPTIONS_PRINTF(a, b)	__attribute__((format(printf, a, b)))
#else
#define OPTIONS_PRINTF(a, b)
#endif

static const struct {
	const char	*name;
	int		 flag;
} keywords[] = {
	{ "allowgroup",	OPT_ALLOWGROUP },
	{ "allowother",	OPT_ALLOWOTHER },
	{ "allowplaintext", OPT_PLAINTOO },
	{ "debug",	OPT_DEBUG },
	{ "notimes",	OPT_NOTIMES },
	{ "select",	OPT_SELECT },
	{ "skipnameverification", OPT_SKIPNAME },
};

static int	usage_error(FILE *, const char *, ...) OPTIONS_PRINTF(2, 3);

void
options_usage(FILE *err)
{
	fprintf(err,
	    "usage: sc_remoted [-?46Dv] [-O option] -P [ip:]port\n"
	    "                  [-U dir] [-M mux-socket] [-m meta-file]\n"
	    "                  [-e pid-file] [-R root] [-u user] "
	    "[-Z zombie-time]\n");
#ifdef HAVE_OPENSSL
	fprintf(err,
	    "                  [-c cert-file -p key-file [-C ca-file]]\n");
#else
	fprintf(err, "                  (built without OpenSSL: no TLS)\n");
#endif
	fprintf(err,
	    "\n"
	    "  -?  print this usage text and exit\n"
	    "  -4  with a port-only -P, listen on IPv4 only\n"
	    "  -6  with a port-only -P, listen on IPv6 only\n"
	    "  -D  run as a daemon, logging to syslog\n"
	    "  -e  write the daemon's process id to pid-file\n"
	    "  -O  allowgroup: per-VP sockets are group accessible\n"
	    "      allowother: per-VP sockets are accessible to all\n"
	    "      debug:      log protocol detail\n"
	    "      notimes:    no timestamps on messages to stderr\n"
	    "      select:     use select(2) as the event mechanism\n"
#ifdef HAVE_OPENSSL
	    "      allowplaintext: with -c/-p, also accept plaintext links\n"
	    "      passfile=FILE: read the key's passphrase from FILE\n"
	    "      skipnameverification: with -C, do not match the\n"
	    "                  monitor name against the certificate\n"
#endif
	    "  -P  accept scamper links on [ip:]port; "
	    "IPv6 as [addr]:port\n"
	    "  -U  directory for the per-VP unix sockets\n"
	    "  -M  one multiplexed unix socket for every VP\n"
	    "  -m  VP metadata (names, places, tags) for -M clients\n"
	    "  -R  chroot to this directory after setting up\n"
	    "  -u  after setting up, drop root privileges to user\n"
	    "  -Z  seconds to keep a VP whose link was lost "
	    "(0-%d, default %d)\n", OPT_ZOMBIE_MAX, OPT_ZOMBIE_DEFAULT);
#ifdef HAVE_OPENSSL
	fprintf(err,
	    "  -c  TLS certificate chain, PEM\n"
	    "  -p  TLS private key, PEM\n"
	    "  -C  CA certificates, PEM: VPs must present a certificate\n"
	    "      signed by one and matching their monitor name\n");
#endif
	fprintf(err,
	    "  -v  print the version and exit\n");
}

/* One line naming the problem, then the usage text; always -1. */
static int
usage_error(FILE *err, const char *fmt, ...)
{
	va_list	ap;

	fputs("sc_remoted: ", err);
	va_start(ap, fmt);
	vfprintf(err, fmt, ap);
	va_end(ap);
	fputc('\n', err);
	options_usage(err);
	return (-1);
}

/*
 * Strict decimal: one or more digits and nothing else, so no sign, no
 * whitespace, no trailing junk and no 0x; leading zeros are harmless
 * and read as decimal.  0 if s is such a number within min..max.
 */
static int
parse_number(const char *s, long min, long max, long *out)
{
	long	v = 0;

	if (*s == '\0')
		return (-1);
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return (-1);
		v = v * 10 + (*s - '0');
		/* Stop before overflow can happen: max is far below it. */
		if (v > max)
			return (-1);
	}
	if (v < min)
		return (-1);
	*out = v;
	return (0);
}

static int
all_digits(const char *s)
{
	if (*s == '\0')
		return (0);
	for (; *s != '\0'; s++)
		if (*s < '0' || *s > '9')
			return (0);
	return (1);
}

/* 4 or 6 for a numeric address, 0 for anything else. */
static int
addr_family(const char *addr)
{
	struct in_addr	 a4;
	struct in6_addr	 a6;

	if (inet_pton(AF_INET, addr, &a4) == 1)
		return (4);
	if (inet_pton(AF_INET6, addr, &a6) == 1)
		return (6);
	return (0);
}

/*
 * -P [ip:]port, daemon-behaviour.md 2.3, but with the address checked
 * here: the reference only found a bad address when binding, and then
 * said nothing.
 */
static int
parse_listen(struct options *opts, const char *arg, FILE *err)
{
	const char	*port, *end;
	char		*addr = NULL;
	size_t		 alen;
	long		 v;

	if (all_digits(arg)) {
		port = arg;
	} else if (arg[0] == '[') {
		if ((end = strchr(arg, ']')) == NULL)
			return (usage_error(err,
			    "-P %s: missing ] after the address", arg));
		if (end[1] != ':')
			return (usage_error(err,
			    "-P %s: expected [addr]:port", arg));
		alen = (size_t)(end - arg - 1);
		if ((addr = strndup(arg + 1, alen)) == NULL)
			return (usage_error(err, "out of memory"));
		port = end + 2;
	} else if ((end = strchr(arg, ':')) != NULL) {
		/*
		 * More than one colon can only be an IPv6 literal without
		 * brackets, which cannot be split from the port reliably.
		 */
		if (strchr(end + 1, ':') != NULL)
			return (usage_error(err, "-P %s: an IPv6 address "
			    "must be in brackets, as [addr]:port", arg));
		alen = (size_t)(end - arg);
		if ((addr = strndup(arg, alen)) == NULL)
			return (usage_error(err, "out of memory"));
		port = end + 1;
	} else {
		return (usage_error(err,
		    "-P %s: not a port number from 1 to 65535", arg));
	}

	if (parse_number(port, 1, 65535, &v) != 0) {
		free(addr);
		return (usage_error(err,
		    "-P %s: port '%s' is not a number from 1 to 65535",
		    arg, port));
	}
	if (addr != NULL && *addr == '\0') {
		free(addr);
		return (usage_error(err, "-P %s: empty address", arg));
	}
	if (addr != NULL && addr_family(addr) == 0) {
		usage_error(err, "-P %s: '%s' is not a numeric IPv4 or IPv6 "
		    "address", arg, addr);
		free(addr);
		return (-1);
	}

	free(opts->listen_addr);
	opts->listen_addr = addr;
	opts->listen_port = (int)v;
	return (0);
}

static int
parse_keyword(struct options *opts, const char *arg, FILE *err)
{
	size_t	i;

	if (strncasecmp(arg, "passfile=", 9) == 0) {
#ifndef HAVE_OPENSSL
		return (usage_error(err, "-O passfile: built without "
		    "OpenSSL"));
#else
		if (arg[9] == '\0')
			return (usage_error(err, "-O passfile= needs a file"));
		free(opts->passfile);
		if ((opts->passfile = strdup(arg + 9)) == NULL)
			return (usage_error(err, "out of memory"));
		return (0);
#endif
	}
	for (i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++) {
		if (strcasecmp(arg, keywords[i].name) == 0) {
			opts->flags |= keywords[i].flag;
			return (0);
		}
	}
	return (usage_error(err, "unknown -O option '%s'", arg));
}

/*
 * Options that must be present.  Kept apart so that -M (which makes -U
 * optional: one of the two is needed) slots in here.
 */
static int
check_required(const struct options *opts, int have_listen, FILE *err)
{
	if (!have_listen)
		return (usage_error(err, "missing -P [ip:]port"));
	if (opts->unixdir == NULL && opts->muxpath == NULL)
		return (usage_error(err, "missing -U dir or -M path: VPs "
		    "need somewhere to be reached"));
	if (opts->metafile != NULL && opts->muxpath == NULL)
		return (usage_error(err, "-m is only of use with -M"));
	return (0);
}

/* Checks that need the whole command line. */
static int
check_combined(struct options *opts, int want4, int want6, FILE *err)
{
	int	af;

	if ((opts->tls_cert == NULL) != (opts->tls_key == NULL))
		return (usage_error(err, "-c and -p must be given together"));
	if (opts->tls_ca != NULL && opts->tls_cert == NULL)
		return (usage_error(err, "-C needs -c and -p"));
	if ((opts->flags & OPT_PLAINTOO) && opts->tls_cert == NULL)
		return (usage_error(err, "-O allowplaintext needs -c and -p"));
	if ((opts->flags & OPT_PLAINTOO) && opts->tls_ca != NULL)
		return (usage_error(err, "-O allowplaintext cannot go with "
		    "-C: plaintext VPs have no certificate"));
	if (opts->passfile != NULL && opts->tls_key == NULL)
		return (usage_error(err, "-O passfile needs -c and -p"));

	if (want4 && want6)
		return (usage_error(err, "-4 and -6 together listen nowhere"));

	if (opts->listen_addr != NULL) {
		af = addr_family(opts->listen_addr);
		if ((want4 && af != 4) || (want6 && af != 6))
			return (usage_error(err, "-%d conflicts with the "
			    "IPv%d address %s in -P", want4 ? 4 : 6, af,
			    opts->listen_addr));
		/* An address listens on its own family only. */
		opts->family = af;
	} else if (want4) {
		opts->family = 4;
	} else if (want6) {
		opts->family = 6;
	}
	return (0);
}

/* An empty file or directory name is never what was meant. */
static int
nonempty(const char **dst, int ch, const char *arg, FILE *err)
{
	if (*arg == '\0')
		return (usage_error(err, "-%c needs a non-empty argument",
		    ch));
	*dst = arg;
	return (0);
}

static void
reset_getopt(void)
{
	/*
	 * Parsing may be repeated (unit tests), so start getopt afresh.
	 * glibc and musl reinitialise completely, including any position
	 * inside a group of flags, only when optind is 0; the BSDs want
	 * optind 1 plus optreset.
	 */
#if defined(__linux__)
	optind = 0;
#else
	optind = 1;
#endif
#ifdef OPTIONS_HAVE_OPTRESET
	optreset = 1;
#endif
	opterr = 0;
}

static int
parse_loop(struct options *opts, int argc, char *argv[], FILE *err,
    int *have_listen, int *want4, int *want6)
{
	long	v;
	int	ch;

	while ((ch = getopt(argc, argv, OPTSTRING)) != -1) {
		switch (ch) {
		case '4':
			*want4 = 1;
			break;
		case '6':
			*want6 = 1;
			break;
		case 'D':
			opts->daemonise = 1;
			break;
		case 'e':
			if (nonempty(&opts->pidfile, ch, optarg, err) != 0)
				return (-1);
			break;
		case 'O':
			if (parse_keyword(opts, optarg, err) != 0)
				return (-1);
			break;
		case 'P':
			if (parse_listen(opts, optarg, err) != 0)
				return (-1);
			*have_listen = 1;
			break;
		case 'U':
			if (nonempty(&opts->unixdir, ch, optarg, err) != 0)
				return (-1);
			break;
		case 'Z':
			if (parse_number(optarg, 0, OPT_ZOMBIE_MAX, &v) != 0)
				return (usage_error(err, "-Z %s: not a number "
				    "of seconds from 0 to %d", optarg,
				    OPT_ZOMBIE_MAX));
			opts->zombie = (int)v;
			break;
		case 'C':
		case 'c':
		case 'p':
#ifndef HAVE_OPENSSL
			return (usage_error(err, "-%c: built without OpenSSL",
			    ch));
#else
			if (nonempty(ch == 'c' ? &opts->tls_cert :
			    ch == 'p' ? &opts->tls_key : &opts->tls_ca, ch,
			    optarg, err) != 0)
				return (-1);
			break;
#endif
		case 'u':
			if (nonempty(&opts->user, ch, optarg, err) != 0)
				return (-1);
			break;
		case 'M':
			if (nonempty(&opts->muxpath, ch, optarg, err) != 0)
				return (-1);
			break;
		case 'm':
			if (nonempty(&opts->metafile, ch, optarg, err) != 0)
				return (-1);
			break;
		case 'R':
			if (nonempty(&opts->chroot, ch, optarg, err) != 0)
				return (-1);
			break;
		case 'v':
			/*
			 * mux-protocol.md 12: -v acts where it stands;
			 * what follows it is not looked at.
			 */
			opts->version = 1;
			return (1);
		case ':':
			return (usage_error(err, "-%c needs an argument",
			    optopt));
		case '?':
			/* See OPTSTRING. */
			if (optopt == '?') {
				options_usage(err);
				return (2);
			}
			if (optopt >= 0x20 && optopt < 0x7f)
				return (usage_error(err, "unknown option -%c",
				    optopt));
			return (usage_error(err, "unknown option 0x%02x",
			    (unsigned)optopt & 0xff));
		default:
			return (usage_error(err, "unknown option -%c", ch));
		}
	}
	return (0);
}

int
options_parse(struct options *opts, int argc, char *argv[], FILE *err)
{
	int	have_listen = 0, want4 = 0, want6 = 0, rc;

	memset(opts, 0, sizeof(*opts));
	opts->zombie = OPT_ZOMBIE_DEFAULT;
	reset_getopt();

	rc = parse_loop(opts, argc, argv, err, &have_listen, &want4, &want6);
	if (rc == 1)
		return (0);		/* -v */
	if (rc == 2) {
		options_free(opts);	/* -? */
		return (1);
	}
	if (rc == 0 && optind < argc)
		rc = usage_error(err, "unexpected argument '%s'",
		    argv[optind]);
	if (rc == 0)
		rc = check_required(opts, have_listen, err);
	if (rc == 0)
		rc = check_combined(opts, want4, want6, err);
	if (rc != 0) {
		options_free(opts);
		return (-1);
	}
	return (0);
}

void
options_free(struct options *opts)
{
	free(opts->listen_addr);
	opts->listen_addr = NULL;
	free(opts->passfile);
	opts->passfile = NULL;
}
