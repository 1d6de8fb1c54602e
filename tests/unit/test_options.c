/*
 * test_options.c: unit tests for command-line parsing (options.c).
 *
 * Covers every -P example of daemon-behaviour.md 2.3 with this
 * daemon's stricter outcomes, and the lax number parsing of the
 * reference (W25) that must now be refused.
 *
 * Copyright (C) 2026 The sc_remoted authors.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"

#define MAXARGS	32

/* What options_parse wrote to err during the last parse(). */
static char	errtext[8192];

/*
 * The argument copies of the last parse(): struct options points into
 * them, so they live until the next parse().
 */
static char	*argcopy[MAXARGS + 1];

static void
free_args(void)
{
	size_t	i;

	for (i = 0; argcopy[i] != NULL; i++) {
		free(argcopy[i]);
		argcopy[i] = NULL;
	}
}

/*
 * Run options_parse on a copy of args (getopt may permute argv) and
 * capture what it writes.
 */
static int
parse_args(struct options *o, const char *const *args)
{
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*f;
	int	 argc, rc;

	free_args();
	for (argc = 0; args[argc] != NULL; argc++) {
		assert_true(argc < MAXARGS);
		argcopy[argc] = strdup(args[argc]);
		assert_non_null(argcopy[argc]);
	}
	argcopy[argc] = NULL;

	f = open_memstream(&buf, &len);
	assert_non_null(f);
	rc = options_parse(o, argc, argcopy, f);
	assert_int_equal(fclose(f), 0);
	snprintf(errtext, sizeof(errtext), "%s", buf != NULL ? buf : "");
	free(buf);
	return (rc);
}

#define PARSE(o, ...)							\
	parse_args((o), (const char *const []){ "sc_remoted", __VA_ARGS__, \
	    NULL })

/* A usage error: -1, one "sc_remoted: " line mentioning what, usage. */
static void
expect_error(int rc, const char *what)
{
	const char	*nl;

	assert_int_equal(rc, -1);
	assert_true(strncmp(errtext, "sc_remoted: ", 12) == 0);
	nl = strchr(errtext, '\n');
	assert_non_null(nl);
	if (strstr(errtext, what) == NULL || strstr(errtext, what) > nl)
		fail_msg("expected \"%s\" in the first line of:\n%s", what,
		    errtext);
	assert_non_null(strstr(nl, "usage:"));
}

/* Parse "-U /tmp -P arg" and expect a usage error mentioning what. */
static void
listen_error(const char *arg, const char *what)
{
	struct options	o;

	expect_error(PARSE(&o, "-U", "/tmp", "-P", arg), what);
	assert_null(o.listen_addr);
}

static void
listen_ok(const char *arg, const char *addr, int port, int family)
{
	struct options	o;

	assert_int_equal(PARSE(&o, "-U", "/tmp", "-P", arg), 0);
	assert_string_equal(errtext, "");
	if (addr == NULL)
		assert_null(o.listen_addr);
	else
		assert_string_equal(o.listen_addr, addr);
	assert_int_equal(o.listen_port, port);
	assert_int_equal(o.family, family);
	options_free(&o);
}

static void
test_defaults(void **state)
{
	struct options	o;

	(void)state;
	assert_int_equal(PARSE(&o, "-P", "31337", "-U", "/tmp"), 0);
	assert_int_equal(o.flags, 0);
	assert_int_equal(o.family, 0);
	assert_int_equal(o.daemonise, 0);
	assert_null(o.pidfile);
	assert_null(o.listen_addr);
	assert_int_equal(o.listen_port, 31337);
	assert_string_equal(o.unixdir, "/tmp");
	assert_int_equal(o.zombie, OPT_ZOMBIE_DEFAULT);
	assert_int_equal(o.zombie, 900);
	assert_null(o.tls_cert);
	assert_null(o.tls_key);
	assert_int_equal(o.version, 0);
	options_free(&o);
}

static void
test_all_options(void **state)
{
	struct options	o;

	(void)state;
	assert_int_equal(PARSE(&o, "-D", "-e", "/run/x.pid", "-O", "debug",
	    "-4", "-P", "127.0.0.1:80", "-U", "dir", "-Z", "60"), 0);
	assert_int_equal(o.daemonise, 1);
	assert_string_equal(o.pidfile, "/run/x.pid");
	assert_int_equal(o.flags, OPT_DEBUG);
	assert_int_equal(o.family, 4);
	assert_string_equal(o.listen_addr, "127.0.0.1");
	assert_int_equal(o.listen_port, 80);
	assert_string_equal(o.unixdir, "dir");
	assert_int_equal(o.zombie, 60);
	options_free(&o);
}

/* daemon-behaviour.md 2.3, the accepted forms. */
static void
test_listen_accepted(void **state)
{
	(void)state;
	listen_ok("31337", NULL, 31337, 0);
	listen_ok("127.0.0.1:31337", "127.0.0.1", 31337, 4);
	listen_ok("[::1]:31337", "::1", 31337, 6);
	listen_ok("[::]:31337", "::", 31337, 6);
	listen_ok("[127.0.0.1]:31337", "127.0.0.1", 31337, 4);
	listen_ok("0.0.0.0:1", "0.0.0.0", 1, 4);
	listen_ok("[fe80::1]:65535", "fe80::1", 65535, 6);
	/* Leading zeros read as decimal, never as octal. */
	listen_ok("010", NULL, 10, 0);
	listen_ok("1.2.3.4:0080", "1.2.3.4", 80, 4);
}

/* daemon-behaviour.md 2.3, the refused forms (some only refused here). */
static void
test_listen_refused(void **state)
{
	(void)state;
	listen_error("::1:31337", "brackets");
	listen_error(":31337", "empty address");
	listen_error("[]:31337", "empty address");
	listen_error("localhost:31337", "'localhost'");
	listen_error("1.2.3:31337", "not a numeric");
	listen_error("0", "1 to 65535");
	listen_error("65536", "1 to 65535");
	listen_error("99999999999999999999", "1 to 65535");
	listen_error("abc", "1 to 65535");
	listen_error("[::1]", "[addr]:port");
	listen_error("[::1]31337", "[addr]:port");
	listen_error("[::1]x:31337", "[addr]:port");
	listen_error("[::1:31337", "missing ]");
	listen_error("1.2.3.4:80x", "'80x'");
	listen_error("1.2.3.4:", "1 to 65535");
	listen_error("+31337", "1 to 65535");
	listen_error("-1", "1 to 65535");
	listen_error(" 31337", "1 to 65535");
	listen_error("31337 ", "1 to 65535");
	listen_error("0x10", "1 to 65535");
	listen_error("1.2.3.4:0x50", "'0x50'");
	listen_error("", "1 to 65535");
}

static void
test_zombie(void **state)
{
	struct options	o;
	static const char *const bad[] = {
		"abc", "10abc", "-1", "+5", "10801", "0x10", "", " 5",
		"99999999999999999999",
	};
	size_t		i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_error(PARSE(&o, "-P", "1", "-U", "d", "-Z", bad[i]),
		    "-Z");
	assert_int_equal(PARSE(&o, "-P", "1", "-U", "d", "-Z", "10800"), 0);
	assert_int_equal(o.zombie, OPT_ZOMBIE_MAX);
	assert_int_equal(PARSE(&o, "-P", "1", "-U", "d", "-Z", "0"), 0);
	assert_int_equal(o.zombie, 0);
	assert_int_equal(PARSE(&o, "-P", "1", "-U", "d", "-Z", "010"), 0);
	assert_int_equal(o.zombie, 10);
}

static void
test_required(void **state)
{
	struct options	o;

	(void)state;
	expect_error(PARSE(&o, "-U", "/tmp"), "-P");
	expect_error(PARSE(&o, "-P", "31337"), "-U");
	expect_error(PARSE(&o, "-D"), "missing");
	expect_error(PARSE(&o, "-P", "31337", "-U", ""), "-U");
	expect_error(PARSE(&o, "-P", "1", "-U", "d", "-e", ""), "-e");
	expect_error(PARSE(&o, "-P", "1", "-U", "d", "-u", ""), "-u");
	/* -M alone will do; -m only goes with -M. */
	assert_int_equal(PARSE(&o, "-P", "1", "-M", "/run/mux"), 0);
	assert_string_equal(o.muxpath, "/run/mux");
	assert_null(o.unixdir);
	options_free(&o);
	assert_int_equal(PARSE(&o, "-P", "1", "-M", "m", "-m", "meta",
	    "-R", "/var/empty"), 0);
	assert_string_equal(o.metafile, "meta");
	assert_string_equal(o.chroot, "/var/empty");
	options_free(&o);
	expect_error(PARSE(&o, "-P", "1", "-U", "d", "-m", "meta"), "-m");
	expect_error(PARSE(&o, "-P", "1", "-M", ""), "-M");
	assert_int_equal(PARSE(&o, "-P", "1", "-U", "d", "-u", "nobody"), 0);
	assert_string_equal(o.user, "nobody");
	options_free(&o);
}

static void
test_family(void **state)
{
	struct options	o;

	(void)state;
	expect_error(PARSE(&o, "-4", "-6", "-P", "1", "-U", "d"),
	    "-4 and -6");
	expect_error(PARSE(&o, "-46", "-P", "1", "-U", "d"), "-4 and -6");
	expect_error(PARSE(&o, "-4", "-6", "-P", "1.2.3.4:1", "-U", "d"),
	    "-4 and -6");
	expect_error(PARSE(&o, "-6", "-P", "127.0.0.1:1", "-U", "d"),
	    "127.0.0.1");
	expect_error(PARSE(&o, "-4", "-P", "[::1]:1", "-U", "d"), "::1");
	/* The family flag may come after -P. */
	expect_error(PARSE(&o, "-P", "[::1]:1", "-U", "d", "-4"), "-4");

	assert_int_equal(PARSE(&o, "-4", "-P", "1", "-U", "d"), 0);
	assert_int_equal(o.family, 4);
	assert_int_equal(PARSE(&o, "-6", "-P", "1", "-U", "d"), 0);
	assert_int_equal(o.family, 6);
	assert_int_equal(PARSE(&o, "-4", "-P", "10.0.0.1:1", "-U", "d"), 0);
	assert_int_equal(o.family, 4);
	options_free(&o);
	assert_int_equal(PARSE(&o, "-6", "-P", "[::1]:1", "-U", "d"), 0);
	assert_int_equal(o.family, 6);
	options_free(&o);
}

static void
test_keywords(void **state)
{
	struct options	o;

	(void)state;
	expect_error(PARSE(&o, "-P", "1", "-U", "d", "-O", "foo"), "'foo'");
	expect_error(PARSE(&o, "-P", "1", "-U", "d", "-O", ""), "-O");
	expect_error(PARSE(&o, "-P", "1", "-U", "d", "-O", "debugx"),
	    "'debugx'");

	assert_int_equal(PARSE(&o, "-P", "1", "-U", "d", "-O", "DeBuG",
	    "-O", "AllowGroup", "-O", "ALLOWOTHER", "-O", "select",
	    "-O", "NoTimes"), 0);
	assert_int_equal(o.flags, OPT_DEBUG | OPT_ALLOWGROUP |
	    OPT_ALLOWOTHER | OPT_SELECT | OPT_NOTIMES);

	/* Repeating a keyword is harmless; -O accumulates. */
	assert_int_equal(PARSE(&o, "-O", "debug", "-P", "1", "-O", "debug",
	    "-U", "d", "-O", "select"), 0);
	assert_int_equal(o.flags, OPT_DEBUG | OPT_SELECT);
}

static void
test_last_wins(void **state)
{
	struct options	o;

	(void)state;
	assert_int_equal(PARSE(&o, "-P", "1.2.3.4:1", "-U", "a", "-Z", "5",
	    "-P", "2", "-U", "b", "-Z", "6", "-e", "p1", "-e", "p2"), 0);
	assert_null(o.listen_addr);
	assert_int_equal(o.listen_port, 2);
	assert_string_equal(o.unixdir, "b");
	assert_int_equal(o.zombie, 6);
	assert_string_equal(o.pidfile, "p2");
	options_free(&o);

	assert_int_equal(PARSE(&o, "-P", "[::1]:1", "-U", "a",
	    "-P", "127.0.0.2:3"), 0);
	assert_string_equal(o.listen_addr, "127.0.0.2");
	assert_int_equal(o.listen_port, 3);
	options_free(&o);

	/* Each value is checked as it comes: a bad one is not forgiven. */
	expect_error(PARSE(&o, "-P", "abc", "-P", "1", "-U", "d"), "abc");
	expect_error(PARSE(&o, "-Z", "x", "-Z", "1", "-P", "1", "-U", "d"),
	    "-Z x");
}

static void
test_positional(void **state)
{
	struct options	o;

	(void)state;
	expect_error(PARSE(&o, "-P", "1", "-U", "d", "extra"), "'extra'");
	expect_error(PARSE(&o, "extra", "-P", "1", "-U", "d"), "'extra'");
	expect_error(PARSE(&o, "-P", "1", "-U", "d", "--", "x"), "'x'");
}

static void
test_getopt_errors(void **state)
{
	struct options	o;

	(void)state;
	expect_error(PARSE(&o, "-P", "1", "-U", "d", "-x"), "-x");
	expect_error(PARSE(&o, "-P", "1", "-U"), "-U needs an argument");
	expect_error(PARSE(&o, "-U", "d", "-P"), "-P needs an argument");
	expect_error(PARSE(&o, "-P", "1", "-U", "d", "-Z"), "-Z");
	/* Stopping inside a group of flags must not upset the next run. */
	expect_error(PARSE(&o, "-4x6", "-P", "1", "-U", "d"), "-x");
	assert_int_equal(PARSE(&o, "-6", "-P", "1", "-U", "d"), 0);
	assert_int_equal(o.family, 6);
}

static void
test_help(void **state)
{
	struct options	o;

	(void)state;
	assert_int_equal(PARSE(&o, "-?"), 1);
	assert_non_null(strstr(errtext, "usage: sc_remoted"));
	assert_non_null(strstr(errtext, "-Z"));
	assert_non_null(strstr(errtext, "allowgroup"));
	assert_null(strstr(errtext, "sc_remoted: "));
	assert_int_equal(PARSE(&o, "-P", "1", "-U", "d", "-?"), 1);
	assert_null(o.listen_addr);
}

static void
test_version(void **state)
{
	struct options	o;

	(void)state;
	assert_int_equal(PARSE(&o, "-v"), 0);
	assert_int_equal(o.version, 1);
	assert_string_equal(errtext, "");

	/* mux-protocol.md 12: what precedes -v is checked, not what
	 * follows it. */
	expect_error(PARSE(&o, "-Z", "abc", "-v"), "-Z");
	assert_int_equal(PARSE(&o, "-v", "-Z", "abc", "extra"), 0);
	assert_int_equal(o.version, 1);
	assert_int_equal(PARSE(&o, "-P", "[::1]:9", "-v"), 0);
	assert_int_equal(o.version, 1);
	options_free(&o);
}

static void
test_tls(void **state)
{
	struct options	o;

	(void)state;
#ifdef HAVE_OPENSSL
	expect_error(PARSE(&o, "-P", "1", "-U", "d", "-c", "cert"), "-p");
	expect_error(PARSE(&o, "-P", "1", "-U", "d", "-p", "key"), "-c");
	assert_int_equal(PARSE(&o, "-P", "1", "-U", "d", "-c", "cert",
	    "-p", "key"), 0);
	assert_string_equal(o.tls_cert, "cert");
	assert_string_equal(o.tls_key, "key");
	options_free(&o);

	/* -C and the TLS keywords need what they qualify. */
	expect_error(PARSE(&o, "-P", "1", "-U", "d", "-C", "ca"), "-C");
	expect_error(PARSE(&o, "-P", "1", "-U", "d", "-O",
	    "allowplaintext"), "allowplaintext");
	/* Without -C it has no effect (mux-protocol.md 10), no error. */
	assert_int_equal(PARSE(&o, "-P", "1", "-U", "d", "-c", "c", "-p", "k",
	    "-O", "skipnameverification"), 0);
	options_free(&o);
	expect_error(PARSE(&o, "-P", "1", "-U", "d", "-c", "c", "-p", "k",
	    "-C", "ca", "-O", "allowplaintext"), "-C");
	expect_error(PARSE(&o, "-P", "1", "-U", "d", "-O", "passfile=x"),
	    "passfile");
	expect_error(PARSE(&o, "-P", "1", "-U", "d", "-c", "c", "-p", "k",
	    "-O", "passfile="), "passfile");
	assert_int_equal(PARSE(&o, "-P", "1", "-U", "d", "-c", "c", "-p",
	    "k", "-C", "ca", "-O", "SkipNameVerification", "-O",
	    "passfile=/run/pass"), 0);
	assert_string_equal(o.tls_ca, "ca");
	assert_string_equal(o.passfile, "/run/pass");
	assert_true(o.flags & OPT_SKIPNAME);
	options_free(&o);
	assert_int_equal(PARSE(&o, "-P", "1", "-U", "d", "-c", "c", "-p",
	    "k", "-O", "allowplaintext"), 0);
	assert_true(o.flags & OPT_PLAINTOO);
	options_free(&o);
#else
	expect_error(PARSE(&o, "-P", "1", "-U", "d", "-c", "cert"),
	    "built without OpenSSL");
	expect_error(PARSE(&o, "-P", "1", "-U", "d", "-p", "key"),
	    "built without OpenSSL");
	expect_error(PARSE(&o, "-P", "1", "-U", "d", "-c", "cert",
	    "-p", "key"), "-c");
#endif
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_all_options),
		cmocka_unit_test(test_listen_accepted),
		cmocka_unit_test(test_listen_refused),
		cmocka_unit_test(test_zombie),
		cmocka_unit_test(test_required),
		cmocka_unit_test(test_family),
		cmocka_unit_test(test_keywords),
		cmocka_unit_test(test_last_wins),
		cmocka_unit_test(test_positional),
		cmocka_unit_test(test_getopt_errors),
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_tls),
	};
	int			rc;

	rc = cmocka_run_group_tests(tests, NULL, NULL);
	free_args();
	return (rc);
}
