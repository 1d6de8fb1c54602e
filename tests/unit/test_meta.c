/*
 * test_meta.c: unit tests for the metadata file parser and the VP_UPDATE
 * attributes built from it (meta.c).
 *
 * Covers the example from the protocol document, comments and blank
 * lines, CRLF files, every kind of malformed line (with the line number
 * in the message), empty names, unknown and mixed-case keywords, last
 * one wins, tag order, verbatim values, case-sensitive names, the exact
 * attribute bytes and their trimming, entry comparison, loading from
 * disk (missing and oversized files) and a file of 10,000 names.
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
#include <unistd.h>

#include "meta.h"

/* Parse a C string, which must be valid. */
static struct meta *
parse_ok(const char *text)
{
	struct meta	*m;
	char		*err = NULL;

	m = meta_parse("t.txt", text, strlen(text), &err);
	if (m == NULL)
		fail_msg("unexpected error: %s", err != NULL ? err : "(null)");
	assert_null(err);
	return (m);
}

/* Parse len bytes, which must be invalid with exactly this message. */
static void
parse_bad(const char *text, size_t len, const char *want)
{
	struct meta	*m;
	char		*err = NULL;

	m = meta_parse("t.txt", text, len, &err);
	assert_null(m);
	assert_non_null(err);
	assert_string_equal(err, want);
	free(err);
}

static void
test_example(void **state)
{
	const char		*text =
	    "# name      keyword   value\n"
	    "foo.bar     asn4      64504\n"
	    "foo.bar     cc        nz\n"
	    "foo.bar     place     Hamilton City\n"
	    "foo.bar     latlong   -37.7875184,175.2783528\n"
	    "foo.bar     tag       os:freebsd\n"
	    "foo.bar     tag       hardware:pi4\n";
	struct meta		*m;
	const struct meta_entry	*e;

	(void)state;
	m = parse_ok(text);
	assert_int_equal(meta_count(m), 1);
	e = meta_find(m, "foo.bar");
	assert_non_null(e);
	assert_string_equal(e->name, "foo.bar");
	assert_string_equal(e->asn4, "64504");
	assert_string_equal(e->cc, "nz");
	assert_string_equal(e->place, "Hamilton City");
	assert_string_equal(e->latlong, "-37.7875184,175.2783528");
	assert_null(e->asn6);
	assert_null(e->st);
	assert_null(e->shortname);
	assert_null(e->iata);
	assert_int_equal(e->ntags, 2);
	assert_string_equal(e->tags[0], "os:freebsd");
	assert_string_equal(e->tags[1], "hardware:pi4");
	assert_null(meta_find(m, "foo"));
	assert_null(meta_find(m, NULL));
	meta_free(m);

	/* The last line may lack its LF. */
	m = parse_ok("a cc nz\nb cc au");
	assert_string_equal(meta_find(m, "b")->cc, "au");
	meta_free(m);
}

static void
test_comments_blank(void **state)
{
	struct meta	*m;

	(void)state;
	m = parse_ok("\n\n# comment\n#\n#x y z\n\na asn4 1\n\n# a asn4 2\n");
	assert_int_equal(meta_count(m), 1);
	assert_string_equal(meta_find(m, "a")->asn4, "1");
	meta_free(m);

	/* Only a '#' in the first column makes a comment. */
	m = parse_ok("a#b cc nz\n");
	assert_non_null(meta_find(m, "a#b"));
	meta_free(m);

	/* Empty input is a valid, empty file. */
	m = parse_ok("");
	assert_int_equal(meta_count(m), 0);
	assert_null(meta_find(m, "a"));
	meta_free(m);
	m = meta_parse("t.txt", NULL, 0, NULL);
	assert_non_null(m);
	meta_free(m);
}

static void
test_crlf(void **state)
{
	struct meta		*m;
	const struct meta_entry	*e;

	(void)state;
	m = parse_ok("# c\r\n\r\na place Hamilton City\r\n\r\n"
	    "a tag x\r\na tag y\r");
	e = meta_find(m, "a");
	assert_non_null(e);
	assert_string_equal(e->place, "Hamilton City");
	assert_int_equal(e->ntags, 2);
	assert_string_equal(e->tags[0], "x");
	assert_string_equal(e->tags[1], "y");
	meta_free(m);

	/* Only one CR is stripped; a second stays in the value. */
	m = parse_ok("a cc nz\r\r\n");
	assert_string_equal(meta_find(m, "a")->cc, "nz\r");
	meta_free(m);

	/* A CR that leaves nothing after the keyword does not make one. */
	parse_bad("a cc \r\n", 7, "t.txt line 1: nothing after the keyword");
}

static void
test_malformed(void **state)
{
	static const char	 nul[] = "a cc nz\nb cc n\0z\n";
	static const char	 nulc[] = "# x\0y\n";

	(void)state;
	parse_bad("a cc nz\n\nfoo\n", 13,
	    "t.txt line 3: nothing after the name");
	parse_bad("a cc nz\nfoo   \t\n", 16,
	    "t.txt line 2: nothing after the name");
	parse_bad("# c\nfoo.bar asn4\n", 17,
	    "t.txt line 2: nothing after the keyword");
	parse_bad("a cc nz\nfoo asn4 \t \n", 20,
	    "t.txt line 2: nothing after the keyword");
	/* Unknown keywords are checked too. */
	parse_bad("foo bogus\n", 10, "t.txt line 1: nothing after the keyword");
	parse_bad("a cc nz\n \t\n", 11,
	    "t.txt line 2: line holds only whitespace");
	parse_bad("\v\f\n", 3, "t.txt line 1: line holds only whitespace");
	parse_bad(nul, sizeof(nul) - 1, "t.txt line 2: NUL byte in line");
	parse_bad(nulc, sizeof(nulc) - 1, "t.txt line 1: NUL byte in line");
	/* A bad line after good ones still invalidates the whole file. */
	parse_bad("a cc nz\nb cc au\nc\n", 18,
	    "t.txt line 3: nothing after the name");
}

static void
test_empty_name(void **state)
{
	struct meta	*m;

	(void)state;
	m = parse_ok(" cc nz\n\tasn4 64504\n"
	    "b cc au\n");
	assert_int_equal(meta_count(m), 1);
	assert_null(meta_find(m, ""));
	assert_null(meta_find(m, "cc"));
	assert_null(meta_find(m, "asn4"));
	assert_non_null(meta_find(m, "b"));
	meta_free(m);
}

static void
test_unknown_keyword(void **state)
{
	struct meta		*m;
	const struct meta_entry	*e;

	(void)state;
	m = parse_ok("a colour blue\na cc nz\nonly colour red\n");
	e = meta_find(m, "a");
	assert_non_null(e);
	assert_string_equal(e->cc, "nz");
	/* A name with nothing but unknown keywords gets no entry. */
	assert_null(meta_find(m, "only"));
	assert_int_equal(meta_count(m), 1);
	meta_free(m);
}

static void
test_keyword_case(void **state)
{
	struct meta		*m;
	const struct meta_entry	*e;

	(void)state;
	m = parse_ok("a ASN4 1\na Asn6 2\na cC nz\na sT wko\na PLACE p\n"
	    "a LatLong 1,2\na ShortName s\na IATA akl\na TAG t\na tAg u\n");
	e = meta_find(m, "a");
	assert_non_null(e);
	assert_string_equal(e->asn4, "1");
	assert_string_equal(e->asn6, "2");
	assert_string_equal(e->cc, "nz");
	assert_string_equal(e->st, "wko");
	assert_string_equal(e->place, "p");
	assert_string_equal(e->latlong, "1,2");
	assert_string_equal(e->shortname, "s");
	assert_string_equal(e->iata, "akl");
	assert_int_equal(e->ntags, 2);
	assert_string_equal(e->tags[0], "t");
	assert_string_equal(e->tags[1], "u");
	meta_free(m);

	/* Near misses are unknown keywords, not errors. */
	m = parse_ok("a tags x\na asn x\na cc2 x\na asn44 x\n");
	assert_int_equal(meta_count(m), 0);
	meta_free(m);
}

static void
test_last_wins(void **state)
{
	struct meta		*m;
	const struct meta_entry	*e;

	(void)state;
	m = parse_ok("a cc nz\nb cc au\na cc NZ\na asn4 1\na CC nZ\n");
	e = meta_find(m, "a");
	assert_string_equal(e->cc, "nZ");
	assert_string_equal(e->asn4, "1");
	assert_string_equal(meta_find(m, "b")->cc, "au");
	assert_int_equal(meta_count(m), 2);
	meta_free(m);
}

static void
test_tags_order(void **state)
{
	struct meta		*m;
	const struct meta_entry	*e;

	(void)state;
	m = parse_ok("a tag z\nb tag q\na tag y\na tag z\na cc nz\na tag a\n");
	e = meta_find(m, "a");
	assert_int_equal(e->ntags, 4);
	assert_string_equal(e->tags[0], "z");
	assert_string_equal(e->tags[1], "y");
	assert_string_equal(e->tags[2], "z");
	assert_string_equal(e->tags[3], "a");
	e = meta_find(m, "b");
	assert_int_equal(e->ntags, 1);
	assert_string_equal(e->tags[0], "q");
	meta_free(m);

	m = parse_ok("a cc nz\n");
	assert_int_equal(meta_find(m, "a")->ntags, 0);
	meta_free(m);
}

static void
test_verbatim_value(void **state)
{
	struct meta		*m;
	const struct meta_entry	*e;

	(void)state;
	m = parse_ok("a \t place \t  Hamilton   City \t \n"
	    "a shortname \xc3\xa9t\xc3\xa9\n"
	    "a iata \xff\xfe\n"
	    "a tag x\ty \x0b\n");
	e = meta_find(m, "a");
	assert_string_equal(e->place, "Hamilton   City \t ");
	assert_string_equal(e->shortname, "\xc3\xa9t\xc3\xa9");
	assert_string_equal(e->iata, "\xff\xfe");
	assert_string_equal(e->tags[0], "x\ty \x0b");
	meta_free(m);
}

static void
test_name_case(void **state)
{
	struct meta	*m;

	(void)state;
	m = parse_ok("Foo cc nz\nfoo cc au\n");
	assert_int_equal(meta_count(m), 2);
	assert_string_equal(meta_find(m, "Foo")->cc, "nz");
	assert_string_equal(meta_find(m, "foo")->cc, "au");
	assert_null(meta_find(m, "FOO"));
	assert_null(meta_find(m, "fo"));
	assert_null(meta_find(m, "foo "));
	meta_free(m);
}

static void
test_attrs_layout(void **state)
{
	static const unsigned char	 want[] =
	    "\x00\x04" "64504\0"
	    "\x00\x0d" "64505\0"
	    "\x00\x08" "1,2\0"
	    "\x00\x05" "nz\0"
	    "\x00\x06" "wko\0"
	    "\x00\x07" "Hamilton City\0"
	    "\x00\x09" "ham\0"
	    "\x00\x0b" "hlz\0"
	    "\x00\x0a" "b\0"
	    "\x00\x0a" "a\0"
	    "\x00\x0a" "b\0";
	struct meta			*m;
	const struct meta_entry		*e;
	unsigned char			 buf[256];
	size_t				 n;
	int				 trimmed = -1;

	(void)state;
	/* File order deliberately differs from attribute order. */
	m = parse_ok("a tag b\na iata hlz\na shortname ham\na place "
	    "Hamilton City\na st wko\na cc nz\na latlong 1,2\na asn6 64505\n"
	    "a tag a\na asn4 64504\na tag b\n");
	e = meta_find(m, "a");
	memset(buf, 0xee, sizeof(buf));
	n = meta_attrs(e, buf, sizeof(buf), &trimmed);
	assert_int_equal(n, sizeof(want) - 1);
	assert_memory_equal(buf, want, n);
	assert_int_equal(buf[n], 0xee);
	assert_int_equal(trimmed, 0);

	/* Exactly enough room: nothing trimmed. */
	trimmed = -1;
	n = meta_attrs(e, buf, sizeof(want) - 1, &trimmed);
	assert_int_equal(n, sizeof(want) - 1);
	assert_int_equal(trimmed, 0);

	/* One byte short: the last tag goes. */
	n = meta_attrs(e, buf, sizeof(want) - 2, &trimmed);
	assert_int_equal(n, sizeof(want) - 1 - 4);
	assert_memory_equal(buf, want, n);
	assert_int_equal(trimmed, 1);

	/* No entry: nothing, nothing trimmed. */
	trimmed = -1;
	assert_int_equal(meta_attrs(NULL, buf, sizeof(buf), &trimmed), 0);
	assert_int_equal(trimmed, 0);
	meta_free(m);
}

static void
test_attrs_trim(void **state)
{
	static const unsigned char	 want[] =
	    "\x00\x04" "1\0"		/* 4 */
	    "\x00\x05" "nz\0"		/* 5 */
	    "\x00\x0b" "akl\0"		/* 6 */
	    "\x00\x0a" "t1\0"		/* 5 */
	    "\x00\x0a" "t2\0";		/* 5 */
	struct meta			*m;
	const struct meta_entry		*e;
	unsigned char			 buf[64];
	size_t				 n;
	int				 trimmed = 0;

	(void)state;
	/*
	 * place (32 bytes) does not fit in 29 and is skipped; the smaller
	 * attributes after it still go in; then tags while they fit, and
	 * after the first that does not, no later one even if it would.
	 */
	m = parse_ok("a asn4 1\na place a very long place name indeed\n"
	    "a cc nz\n"
	    "a iata akl\na tag t1\na tag t2\na tag long-tag\na tag t\n");
	e = meta_find(m, "a");
	memset(buf, 0xee, sizeof(buf));
	n = meta_attrs(e, buf, 29, &trimmed);
	assert_int_equal(n, sizeof(want) - 1);
	assert_memory_equal(buf, want, n);
	assert_int_equal(buf[n], 0xee);
	assert_int_equal(trimmed, 1);

	/* Room for the single-valued ones only. */
	n = meta_attrs(e, buf, 15, &trimmed);
	assert_int_equal(n, 15);
	assert_memory_equal(buf, want, 15);
	assert_int_equal(trimmed, 1);

	/* Too small for anything; dst is not touched. */
	memset(buf, 0xee, sizeof(buf));
	n = meta_attrs(e, buf, 3, &trimmed);
	assert_int_equal(n, 0);
	assert_int_equal(trimmed, 1);
	assert_int_equal(buf[0], 0xee);
	n = meta_attrs(e, NULL, 0, NULL);
	assert_int_equal(n, 0);
	meta_free(m);
}

static void
test_entry_equal(void **state)
{
	struct meta	*m1, *m2;
	const char	*text = "a cc nz\na tag x\na tag y\nb cc nz\n"
	    "b tag x\nb tag y\nc cc nz\nc tag y\nc tag x\nd cc nz\n"
	    "d tag x\ne cc nz\ne st x\ne tag x\ne tag y\n";

	(void)state;
	m1 = parse_ok(text);
	m2 = parse_ok(text);
	assert_true(meta_entry_equal(NULL, NULL));
	assert_false(meta_entry_equal(meta_find(m1, "a"), NULL));
	assert_false(meta_entry_equal(NULL, meta_find(m1, "a")));
	assert_true(meta_entry_equal(meta_find(m1, "a"), meta_find(m1, "a")));
	assert_true(meta_entry_equal(meta_find(m1, "a"), meta_find(m2, "a")));
	/* Names are not compared, only what a VP_UPDATE would carry. */
	assert_true(meta_entry_equal(meta_find(m1, "a"), meta_find(m2, "b")));
	/* Tag order, tag count, an extra value. */
	assert_false(meta_entry_equal(meta_find(m1, "a"),
	    meta_find(m2, "c")));
	assert_false(meta_entry_equal(meta_find(m1, "a"),
	    meta_find(m2, "d")));
	assert_false(meta_entry_equal(meta_find(m1, "a"),
	    meta_find(m2, "e")));
	meta_free(m1);
	meta_free(m2);

	/* A changed value, as a reload would see it. */
	m1 = parse_ok("a cc nz\n");
	m2 = parse_ok("a cc au\n");
	assert_false(meta_entry_equal(meta_find(m1, "a"), meta_find(m2, "a")));
	meta_free(m1);
	meta_free(m2);
}

static void
test_load_missing(void **state)
{
	struct meta	*m;
	char		*err = NULL;

	(void)state;
	m = meta_load("/nonexistent/sc_remoted/meta.txt", &err);
	assert_null(m);
	assert_non_null(err);
	assert_non_null(strstr(err, "/nonexistent/sc_remoted/meta.txt"));
	free(err);
	/* err is optional. */
	assert_null(meta_load("/nonexistent/sc_remoted/meta.txt", NULL));
}

/* Write text to a new temporary file; the caller unlinks path. */
static void
write_temp(char *path, size_t pathsize, const char *text, off_t size)
{
	const char	*dir = getenv("TMPDIR");
	size_t		 len = strlen(text);
	int		 fd;

	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
	snprintf(path, pathsize, "%s/test_meta.XXXXXX", dir);
	fd = mkstemp(path);
	assert_true(fd != -1);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	if (size > 0)
		assert_int_equal(ftruncate(fd, size), 0);
	close(fd);
}

static void
test_load_file(void **state)
{
	char		 path[1024], want[1100];
	struct meta	*m;
	char		*err = NULL;

	(void)state;
	write_temp(path, sizeof(path), "a cc nz\r\nb cc au\n", 0);
	m = meta_load(path, &err);
	assert_non_null(m);
	assert_null(err);
	assert_string_equal(meta_find(m, "a")->cc, "nz");
	meta_free(m);
	unlink(path);

	/* The message names the path and the line. */
	write_temp(path, sizeof(path), "a cc nz\n\n# x\nb\n", 0);
	m = meta_load(path, &err);
	assert_null(m);
	snprintf(want, sizeof(want), "%s line 4: nothing after the name",
	    path);
	assert_string_equal(err, want);
	free(err);
	unlink(path);
}

static void
test_load_too_big(void **state)
{
	char		 path[1024];
	struct meta	*m;
	char		*err = NULL;

	(void)state;
	/* Sparse, so this costs no disk. */
	write_temp(path, sizeof(path), "a cc nz\n",
	    (off_t)64 * 1024 * 1024 + 1);
	m = meta_load(path, &err);
	assert_null(m);
	assert_non_null(err);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "64 MiB"));
	free(err);
	unlink(path);

	/*
	 * Exactly 64 MiB is allowed; the zero padding after the first line
	 * is then a NUL byte on line 2, which shows the whole file was read.
	 */
	write_temp(path, sizeof(path), "a cc nz\n", (off_t)64 * 1024 * 1024);
	m = meta_load(path, &err);
	assert_null(m);
	assert_non_null(strstr(err, "line 2: NUL byte"));
	free(err);
	unlink(path);
}

static void
test_many_names(void **state)
{
	const size_t		 n = 10000;
	struct meta		*m;
	const struct meta_entry	*e;
	char			*text, *p, name[32], val[32];
	size_t			 i, cap = n * 64;

	(void)state;
	text = malloc(cap);
	assert_non_null(text);
	p = text;
	/* Two passes so that each name's lines are far apart. */
	for (i = 0; i < n; i++)
		p += sprintf(p, "vp%zu.example asn4 %zu\n", i, i);
	for (i = 0; i < n; i++)
		p += sprintf(p, "vp%zu.example tag t%zu\n", i, i * 7);
	assert_true((size_t)(p - text) < cap);
	m = meta_parse("many", text, (size_t)(p - text), NULL);
	free(text);
	assert_non_null(m);
	assert_int_equal(meta_count(m), n);
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "vp%zu.example", i);
		e = meta_find(m, name);
		assert_non_null(e);
		assert_string_equal(e->name, name);
		snprintf(val, sizeof(val), "%zu", i);
		assert_string_equal(e->asn4, val);
		assert_int_equal(e->ntags, 1);
		snprintf(val, sizeof(val), "t%zu", i * 7);
		assert_string_equal(e->tags[0], val);
	}
	assert_null(meta_find(m, "vp10000.example"));
	assert_null(meta_find(m, "vp1.exampl"));
	meta_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_example),
		cmocka_unit_test(test_comments_blank),
		cmocka_unit_test(test_crlf),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_empty_name),
		cmocka_unit_test(test_unknown_keyword),
		cmocka_unit_test(test_keyword_case),
		cmocka_unit_test(test_last_wins),
		cmocka_unit_test(test_tags_order),
		cmocka_unit_test(test_verbatim_value),
		cmocka_unit_test(test_name_case),
		cmocka_unit_test(test_attrs_layout),
		cmocka_unit_test(test_attrs_trim),
		cmocka_unit_test(test_entry_equal),
		cmocka_unit_test(test_load_missing),
		cmocka_unit_test(test_load_file),
		cmocka_unit_test(test_load_too_big),
		cmocka_unit_test(test_many_names),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
