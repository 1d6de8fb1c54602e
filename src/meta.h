/*
 * meta.h: the per-VP metadata file given with -m, and the VP_UPDATE
 * attributes built from it.
 *
 * The file is loaded whole and validated whole: one malformed line makes
 * it invalid, so a reload either replaces the previous contents entirely
 * or leaves them in force.  Each line is "NAME KEYWORD VALUE"; VALUE is
 * kept verbatim.  One trailing CR per line is stripped (the protocol
 * document allows it) so that files written with CRLF endings work,
 * including their blank lines.  Lines whose NAME is empty (the line
 * starts with whitespace) are checked but match no VP, and lines with
 * an unknown keyword are checked and then ignored.
 *
 * Copyright (C) 2026 The sc_remoted authors.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef META_H
#define META_H

#include <stddef.h>

struct meta;                       /* a loaded metadata file */

/*
 * The metadata for one monitor name.  Every string is NUL-terminated and
 * owned by the struct meta it came from; all of it goes away with
 * meta_free.  An entry exists only for a non-empty NAME with at least one
 * line carrying a known keyword, so an entry always has some value.
 */
struct meta_entry {
	const char *name;		/* monitor name (NAME field) */
	/* NULL when absent: */
	const char *asn4, *asn6, *cc, *st;
	const char *place, *latlong, *shortname, *iata;
	const char **tags;		/* in file order, duplicates kept */
	size_t ntags;
};

/*
 * Load path.  NULL on failure with *err set to a malloc'd message naming
 * the file and line number and what is wrong (e.g. "meta.txt line 7:
 * nothing after the name"), or the open error.  A file larger than
 * 64 MiB is refused.  err may be NULL; *err is NULL if even the message
 * could not be allocated.  The caller frees *err.
 */
struct meta *meta_load(const char *path, char **err);

/*
 * Same from a memory buffer (for tests and fuzzing); label is used in
 * messages.  buf need not be NUL-terminated and may hold any bytes; it
 * is not referenced after the call returns.
 */
struct meta *meta_parse(const char *label, const char *buf, size_t len,
    char **err);

/* Free m and every entry in it; NULL is allowed. */
void meta_free(struct meta *m);

/*
 * The entry for exactly this monitor name (byte-for-byte,
 * case-sensitive), or NULL.  O(1) average: a hash table.  m and name may
 * be NULL (no file loaded, VP without a name): the answer is then NULL.
 */
const struct meta_entry *meta_find(const struct meta *m, const char *name);

size_t meta_count(const struct meta *m);     /* entries */

/*
 * Whether two entries carry the same values (both may be NULL = no
 * entry): used on reload to find VPs whose metadata changed.  Only what
 * goes into a VP_UPDATE is compared (values and tags, in order), not
 * the names, since the caller looks both up under the same name.
 */
int meta_entry_equal(const struct meta_entry *a, const struct meta_entry *b);

/*
 * Append the metadata attributes of a VP_UPDATE for e to dst (at most
 * room bytes), in the order asn4(4), asn6(13), latlong(8), cc(5), st(6),
 * place(7), shortname(9), iata(11), then every tag(10): each attribute
 * is a big-endian u16 number followed by the NUL-terminated value.
 * Single-valued attributes that would not fit are skipped, then tags are
 * added in file order while they fit.  Returns bytes written; *trimmed
 * set to 1 if anything was left out.
 *
 * Tags stop at the first one that does not fit, so what a client sees is
 * always a prefix of the file's tag list.  e may be NULL (nothing to add)
 * and trimmed may be NULL; *trimmed is set to 0 when nothing was left out.
 */
size_t meta_attrs(const struct meta_entry *e, unsigned char *dst,
    size_t room, int *trimmed);

#endif /* META_H */
