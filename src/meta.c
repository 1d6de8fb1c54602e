/*
 * meta.c: the metadata file (-m) and the VP_UPDATE attributes built from
 * it (see meta.h).
 *
 * Parsing is done in two steps.  First every line is checked and each
 * line that matters (a non-empty NAME and a known keyword) becomes a
 * small record pointing into the caller's buffer; nothing is copied, so
 * an invalid file costs no more than the record array.  Then the records
 * are sorted by name, keeping file order within a name, and each run of
 * equal names becomes one entry in a single allocation: the struct, its
 * tag pointers and all of its strings.  Sorting rather than hashing while
 * reading means the hash table can be sized once, to the number of names.
 *
 * Copyright (C) 2026 The sc_remoted authors.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "meta.h"

#if defined(__GNUC__)
#define META_PRINTF(a, b)	__attribute__((format(printf, a, b)))
#else
#define META_PRINTF(a, b)
#endif

/*
 * Larger than any sane metadata file by orders of magnitude; the cap is
 * there so that a mistaken -m (a disk image, /dev/zero) fails cleanly
 * instead of exhausting memory.  It also keeps every offset and length
 * well inside 32 bits.
 */
#define META_MAXSIZE	((size_t)64 * 1024 * 1024)

/* Attribute numbers (section 6 of the protocol document). */
#define ATTR_TAG	10

/*
 * The single-valued keywords, in the order their attributes go into a
 * VP_UPDATE; a record's keyword is an index into this table, or KW_TAG.
 * offsetof lets one loop serve both parsing and meta_attrs.
 */
static const struct {
	const char	*keyword;
	uint16_t	 attr;
	size_t		 off;
} kwtab[] = {
	{ "asn4",	4,	offsetof(struct meta_entry, asn4) },
	{ "asn6",	13,	offsetof(struct meta_entry, asn6) },
	{ "latlong",	8,	offsetof(struct meta_entry, latlong) },
	{ "cc",		5,	offsetof(struct meta_entry, cc) },
	{ "st",		6,	offsetof(struct meta_entry, st) },
	{ "place",	7,	offsetof(struct meta_entry, place) },
	{ "shortname",	9,	offsetof(struct meta_entry, shortname) },
	{ "iata",	11,	offsetof(struct meta_entry, iata) },
};
#define KW_NSINGLE	(sizeof(kwtab) / sizeof(kwtab[0]))
#define KW_TAG		KW_NSINGLE
#define KW_UNKNOWN	(KW_NSINGLE + 1)

/* One line that contributes to an entry; pointers into the input. */
struct rec {
	const char	*name;
	const char	*val;
	uint32_t	 namelen;
	uint32_t	 vallen;
	uint32_t	 seq;		/* file order: qsort is not stable */
	uint32_t	 kw;
};

struct slot {
	uint64_t		 hash;
	struct meta_entry	*e;	/* NULL: empty slot */
};

struct meta {
	struct slot	*tab;		/* open addressing, linear probing */
	size_t		 mask;		/* table size - 1; size is 2^k */
	size_t		 count;		/* entries */
	size_t		 unknown;	/* lines with an unknown keyword */
};

static int	meta_error(char **, const char *, ...) META_PRINTF(2, 3);

/*
 * Set *err to a formatted message.  Always returns -1 so that callers can
 * write "return (meta_error(...))".  Running out of memory here leaves
 * *err NULL: the caller still learns of the failure from the return.
 */
static int
meta_error(char **err, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;
	int	 n;

	if (err == NULL)
		return (-1);
	*err = NULL;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || (s = malloc((size_t)n + 1)) == NULL)
		return (-1);
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	*err = s;
	return (-1);
}

/*
 * The whitespace of the file format.  Explicit rather than isspace() so
 * that the locale cannot change how a file parses.  LF never occurs
 * inside a line.
 */
static int
meta_isspace(char c)
{
	return (c == ' ' || c == '\t' || c == '\r' || c == '\v' ||
	    c == '\f');
}

/* FNV-1a: short keys, no adversary (the file is the operator's own). */
static uint64_t
meta_hash(const char *s, size_t len)
{
	uint64_t	 h = UINT64_C(14695981039346656037);
	size_t		 i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= UINT64_C(1099511628211);
	}
	return (h);
}

/* Keywords are ASCII and case-insensitive; again, no locale involved. */
static uint32_t
meta_keyword(const char *s, size_t len)
{
	const char	*k;
	size_t		 i, j;
	char		 c;

	for (i = 0; i <= KW_NSINGLE; i++) {
		k = i < KW_NSINGLE ? kwtab[i].keyword : "tag";
		if (strlen(k) != len)
			continue;
		for (j = 0; j < len; j++) {
			c = s[j];
			if (c >= 'A' && c <= 'Z')
				c = (char)(c - 'A' + 'a');
			if (c != k[j])
				break;
		}
		if (j == len)
			return ((uint32_t)i);
	}
	return ((uint32_t)KW_UNKNOWN);
}

/*
 * Check one line (without its LF) and split it.  Returns 0 with the
 * fields set, 1 for a line to skip (blank or comment), or -1 with *err
 * set.
 */
static int
meta_line(const char *label, size_t lineno, const char *s, size_t len,
    struct rec *r, char **err)
{
	const char	*p, *end, *kw;

	/* CRLF files: the CR is not part of the value, nor a blank line. */
	if (len > 0 && s[len - 1] == '\r')
		len--;
	/* A value cannot carry a NUL on the wire; refuse it anywhere. */
	if (memchr(s, '\0', len) != NULL)
		return (meta_error(err, "%s line %zu: NUL byte in line",
		    label, lineno));
	if (len == 0 || s[0] == '#')
		return (1);

	end = s + len;
	for (p = s; p < end && !meta_isspace(*p); p++)
		;
	r->name = s;
	r->namelen = (uint32_t)(p - s);
	while (p < end && meta_isspace(*p))
		p++;
	if (p == end) {
		if (r->namelen == 0)
			return (meta_error(err, "%s line %zu: line holds only "
			    "whitespace", label, lineno));
		return (meta_error(err, "%s line %zu: nothing after the name",
		    label, lineno));
	}

	for (kw = p; p < end && !meta_isspace(*p); p++)
		;
	r->kw = meta_keyword(kw, (size_t)(p - kw));
	while (p < end && meta_isspace(*p))
		p++;
	if (p == end)
		return (meta_error(err, "%s line %zu: nothing after the "
		    "keyword", label, lineno));

	/* The rest, inner and trailing whitespace included, is the value. */
	r->val = p;
	r->vallen = (uint32_t)(end - p);
	return (0);
}

/* Order by name, then by position in the file. */
static int
meta_reccmp(const void *va, const void *vb)
{
	const struct rec	*a = va, *b = vb;
	size_t			 n;
	int			 c;

	n = a->namelen < b->namelen ? a->namelen : b->namelen;
	if ((c = memcmp(a->name, b->name, n)) != 0)
		return (c);
	if (a->namelen != b->namelen)
		return (a->namelen < b->namelen ? -1 : 1);
	if (a->seq != b->seq)
		return (a->seq < b->seq ? -1 : 1);
	return (0);
}

/* Copy len bytes to *cur as a C string and advance *cur past it. */
static const char *
meta_store(char **cur, const char *s, size_t len)
{
	char	*d = *cur;

	memcpy(d, s, len);
	d[len] = '\0';
	*cur = d + len + 1;
	return (d);
}

/*
 * Build the entry for the records r[0..n-1], which share a name and are
 * in file order.  Everything lives in one allocation: the struct, then
 * the tag pointer array (aligned, since the struct's size is a multiple
 * of its alignment, which is at least that of a pointer), then the text.
 */
static struct meta_entry *
meta_entry_build(const struct rec *r, size_t n)
{
	const struct rec	*win[KW_NSINGLE];
	struct meta_entry	*e;
	const char		**field;
	size_t			 i, ntags = 0, bytes, t = 0;
	char			*cur;

	for (i = 0; i < KW_NSINGLE; i++)
		win[i] = NULL;
	bytes = (size_t)r[0].namelen + 1;
	for (i = 0; i < n; i++) {
		if (r[i].kw == KW_TAG) {
			ntags++;
			bytes += (size_t)r[i].vallen + 1;
		} else
			win[r[i].kw] = &r[i];	/* the last one wins */
	}
	for (i = 0; i < KW_NSINGLE; i++)
		if (win[i] != NULL)
			bytes += (size_t)win[i]->vallen + 1;

	/* Bounded by the 64 MiB input, so no overflow is possible here. */
	e = malloc(sizeof(*e) + ntags * sizeof(*e->tags) + bytes);
	if (e == NULL)
		return (NULL);
	memset(e, 0, sizeof(*e));
	e->tags = ntags > 0 ? (const char **)(void *)(e + 1) : NULL;
	e->ntags = ntags;
	cur = (char *)(e + 1) + ntags * sizeof(*e->tags);

	e->name = meta_store(&cur, r[0].name, r[0].namelen);
	for (i = 0; i < KW_NSINGLE; i++) {
		if (win[i] == NULL)
			continue;
		field = (const char **)(void *)((char *)e + kwtab[i].off);
		*field = meta_store(&cur, win[i]->val, win[i]->vallen);
	}
	for (i = 0; i < n; i++)
		if (r[i].kw == KW_TAG)
			e->tags[t++] = meta_store(&cur, r[i].val, r[i].vallen);
	return (e);
}

/* Table size for n entries: a power of two at most half full. */
static size_t
meta_tabsize(size_t n)
{
	size_t	 size = 4;

	while (size / 2 < n)
		size *= 2;
	return (size);
}

static void
meta_insert(struct meta *m, struct meta_entry *e)
{
	uint64_t	 h;
	size_t		 i;

	h = meta_hash(e->name, strlen(e->name));
	for (i = (size_t)h & m->mask; m->tab[i].e != NULL;
	    i = (i + 1) & m->mask)
		;
	m->tab[i].hash = h;
	m->tab[i].e = e;
	m->count++;
}

/* Check every line, keeping the ones that will make entries. */
static int
meta_scan(struct meta *m, const char *label, const char *buf, size_t len,
    struct rec **recsp, size_t *nrecsp, char **err)
{
	struct rec	*recs = NULL, *nr, r;
	size_t		 nrecs = 0, cap = 0, lineno = 0, off = 0, ll;
	const char	*s, *lf;
	int		 rc;

	while (off < len) {
		s = buf + off;
		lf = memchr(s, '\n', len - off);
		ll = lf != NULL ? (size_t)(lf - s) : len - off;
		off += ll + (lf != NULL ? 1 : 0);
		lineno++;

		if ((rc = meta_line(label, lineno, s, ll, &r, err)) < 0)
			goto fail;
		if (rc > 0 || r.namelen == 0)
			continue;	/* an empty NAME matches no VP */
		if (r.kw == KW_UNKNOWN) {
			/* Tolerated for forward compatibility. */
			m->unknown++;
			continue;
		}
		if (nrecs == cap) {
			/* No overflow: at most one record per 6 bytes. */
			cap = cap == 0 ? 64 : cap * 2;
			if ((nr = realloc(recs, cap * sizeof(*recs))) == NULL) {
				meta_error(err, "%s: out of memory", label);
				goto fail;
			}
			recs = nr;
		}
		r.seq = (uint32_t)nrecs;
		recs[nrecs++] = r;
	}
	*recsp = recs;
	*nrecsp = nrecs;
	return (0);

fail:
	free(recs);
	return (-1);
}

struct meta *
meta_parse(const char *label, const char *buf, size_t len, char **err)
{
	struct meta		*m;
	struct meta_entry	*e;
	struct rec		*recs = NULL;
	size_t			 nrecs = 0, nnames, i, j;

	if (err != NULL)
		*err = NULL;
	if (len > META_MAXSIZE) {
		meta_error(err, "%s: larger than %zu MiB", label,
		    META_MAXSIZE / (1024 * 1024));
		return (NULL);
	}
	if ((m = calloc(1, sizeof(*m))) == NULL) {
		meta_error(err, "%s: out of memory", label);
		return (NULL);
	}
	if (meta_scan(m, label, buf, len, &recs, &nrecs, err) != 0) {
		free(m);
		return (NULL);
	}

	if (nrecs > 0)
		qsort(recs, nrecs, sizeof(*recs), meta_reccmp);
	nnames = 0;
	for (i = 0; i < nrecs; i++)
		if (i == 0 || recs[i].namelen != recs[i - 1].namelen ||
		    memcmp(recs[i].name, recs[i - 1].name,
		    recs[i].namelen) != 0)
			nnames++;

	m->mask = meta_tabsize(nnames) - 1;
	if ((m->tab = calloc(m->mask + 1, sizeof(*m->tab))) == NULL)
		goto nomem;
	for (i = 0; i < nrecs; i = j) {
		for (j = i + 1; j < nrecs &&
		    recs[j].namelen == recs[i].namelen &&
		    memcmp(recs[j].name, recs[i].name, recs[i].namelen) == 0;
		    j++)
			;
		if ((e = meta_entry_build(&recs[i], j - i)) == NULL)
			goto nomem;
		meta_insert(m, e);
	}
	free(recs);
	return (m);

nomem:
	free(recs);
	meta_free(m);
	meta_error(err, "%s: out of memory", label);
	return (NULL);
}

struct meta *
meta_load(const char *path, char **err)
{
	struct meta	*m;
	struct stat	 st;
	char		*buf = NULL, *nb;
	size_t		 len = 0, cap;
	ssize_t		 n;
	int		 fd, flags = O_RDONLY, saved;

	if (err != NULL)
		*err = NULL;
#ifdef O_CLOEXEC
	flags |= O_CLOEXEC;	/* never leak it into a child */
#endif
	if ((fd = open(path, flags)) == -1) {
		meta_error(err, "%s: %s", path, strerror(errno));
		return (NULL);
	}
	if (fstat(fd, &st) == -1) {
		saved = errno;
		close(fd);
		meta_error(err, "%s: %s", path, strerror(saved));
		return (NULL);
	}
	/* Refuse a big regular file before reading any of it. */
	if (S_ISREG(st.st_mode) && (uintmax_t)st.st_size > META_MAXSIZE)
		goto toobig;

	/*
	 * Read to EOF rather than trusting st_size: the file may be growing,
	 * or not a regular file at all.  One byte past the cap is enough to
	 * tell that it is too large.
	 */
	cap = S_ISREG(st.st_mode) ? (size_t)st.st_size + 1 : 4096;
	if (cap < 4096)
		cap = 4096;
	for (;;) {
		if (buf == NULL || len == cap) {
			if (buf != NULL)
				cap = cap * 2;
			if (cap > META_MAXSIZE + 1)
				cap = META_MAXSIZE + 1;
			if ((nb = realloc(buf, cap)) == NULL) {
				free(buf);
				close(fd);
				meta_error(err, "%s: out of memory", path);
				return (NULL);
			}
			buf = nb;
		}
		n = read(fd, buf + len, cap - len);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			saved = errno;
			free(buf);
			close(fd);
			meta_error(err, "%s: %s", path, strerror(saved));
			return (NULL);
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > META_MAXSIZE)
			goto toobig;
	}
	close(fd);

	m = meta_parse(path, buf, len, err);
	free(buf);
	return (m);

toobig:
	free(buf);
	close(fd);
	meta_error(err, "%s: larger than %zu MiB", path,
	    META_MAXSIZE / (1024 * 1024));
	return (NULL);
}

void
meta_free(struct meta *m)
{
	size_t	 i;

	if (m == NULL)
		return;
	if (m->tab != NULL)
		for (i = 0; i <= m->mask; i++)
			free(m->tab[i].e);
	free(m->tab);
	free(m);
}

const struct meta_entry *
meta_find(const struct meta *m, const char *name)
{
	uint64_t	 h;
	size_t		 i;

	if (m == NULL || name == NULL || m->count == 0)
		return (NULL);
	h = meta_hash(name, strlen(name));
	for (i = (size_t)h & m->mask; m->tab[i].e != NULL;
	    i = (i + 1) & m->mask)
		if (m->tab[i].hash == h && strcmp(m->tab[i].e->name, name) == 0)
			return (m->tab[i].e);
	return (NULL);
}

size_t
meta_count(const struct meta *m)
{
	return (m == NULL ? 0 : m->count);
}

static int
meta_streq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a == b);
	return (strcmp(a, b) == 0);
}

static const char *
meta_field(const struct meta_entry *e, size_t i)
{
	return (*(const char *const *)(const void *)
	    ((const char *)e + kwtab[i].off));
}

int
meta_entry_equal(const struct meta_entry *a, const struct meta_entry *b)
{
	size_t	 i;

	if (a == b)
		return (1);
	if (a == NULL || b == NULL)
		return (0);
	for (i = 0; i < KW_NSINGLE; i++)
		if (!meta_streq(meta_field(a, i), meta_field(b, i)))
			return (0);
	if (a->ntags != b->ntags)
		return (0);
	for (i = 0; i < a->ntags; i++)
		if (strcmp(a->tags[i], b->tags[i]) != 0)
			return (0);
	return (1);
}

/* Append one attribute if it fits in room - *used; 1 if it did. */
static int
meta_attr1(unsigned char *dst, size_t room, size_t *used, uint16_t attr,
    const char *val)
{
	size_t	 vl = strlen(val);

	/* Written to avoid overflow: *used <= room always holds. */
	if (room - *used < 2 || room - *used - 2 <= vl)
		return (0);
	dst[*used] = (unsigned char)(attr >> 8);
	dst[*used + 1] = (unsigned char)(attr & 0xff);
	memcpy(dst + *used + 2, val, vl + 1);
	*used += 2 + vl + 1;
	return (1);
}

size_t
meta_attrs(const struct meta_entry *e, unsigned char *dst, size_t room,
    int *trimmed)
{
	const char	*v;
	size_t		 used = 0, i;
	int		 cut = 0;

	if (e != NULL) {
		for (i = 0; i < KW_NSINGLE; i++) {
			if ((v = meta_field(e, i)) == NULL)
				continue;
			/* Skip, not stop: a smaller one later may fit. */
			if (!meta_attr1(dst, room, &used, kwtab[i].attr, v))
				cut = 1;
		}
		for (i = 0; i < e->ntags; i++) {
			if (!meta_attr1(dst, room, &used, ATTR_TAG,
			    e->tags[i])) {
				cut = 1;
				break;
			}
		}
	}
	if (trimmed != NULL)
		*trimmed = cut;
	return (used);
}
