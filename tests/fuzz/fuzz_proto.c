/*
 * fuzz_proto.c: libFuzzer target for the frame codec (proto.c).
 *
 * The input is walked as a stream of frames with proto_frame_get.  Every
 * frame's header is re-encoded and compared, every frame is re-encoded
 * as a whole, and every control payload goes through all the parsers:
 * proto_new_parse, proto_res_parse, proto_u32_parse, proto_id_parse and
 * proto_hello.  Each parser's verdict is compared with a small reference
 * written from the protocol specification (sections 3 and 5), and what
 * a parser accepts is re-encoded with the matching proto_put_* function
 * and parsed back to the same fields.  The whole input is also fed to
 * the parsers as one payload, and its first 24 bytes drive a check of
 * resume_check against the rules of section 11.2.
 *
 * Payloads are copied to heap blocks of their exact size first, so that
 * AddressSanitizer sees a read past a payload's end.  Any mismatch calls
 * abort().
 *
 * Copyright (C) 2026 The sc_remoted authors.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "proto.h"
#include "resume.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(e)	do {						\
	if (!(e))							\
		fz_fail(__LINE__, #e);					\
} while (0)

static void
fz_fail(int line, const char *what)
{
	fprintf(stderr, "fuzz_proto.c:%d: check failed: %s\n", line, what);
	abort();
}

/* A copy of p[0..n) in a heap block of exactly n bytes (1 if n is 0). */
static uint8_t *
fz_dup(const uint8_t *p, size_t n)
{
	uint8_t	*q;

	CHECK((q = malloc(n > 0 ? n : 1)) != NULL);
	if (n > 0)
		memcpy(q, p, n);
	return (q);
}

static uint32_t
fz_get32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3]);
}

/* The only frame in b, decoded; aborts unless b holds exactly one. */
static void
fz_one_frame(const struct buf *b, struct proto_frame *f)
{
	size_t	 n;

	n = proto_frame_get(buf_data(b), buf_len(b), f);
	CHECK(n > 0 && n == buf_len(b));
}

/* ------------------------------------------------------------------ */
/* Reference verdicts, from the specification rather than from proto.c. */

static int
ref_namechar(uint8_t c)
{
	return (memchr("abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-", c, 64) != NULL &&
	    c != 0);
}

/* MASTER_NEW, section 5.1.  Returns 1 if valid; sets the name fields. */
static int
ref_new(const uint8_t *p, size_t len, size_t *name_off, size_t *name_len)
{
	size_t	 ml, nl, i, off;

	*name_off = *name_len = 0;
	if (len < 2 || p[1] == 0)
		return (0);
	ml = p[1];
	if (len - 2 < ml)
		return (0);
	off = 2 + ml;
	if (off == len || p[off] == 0)
		return (1);
	nl = p[off];
	if (len - off - 1 < nl)
		return (0);
	for (i = 0; i + 1 < nl; i++)
		if (!ref_namechar(p[off + 1 + i]))
			return (0);
	if (p[off + nl] != 0)
		return (0);
	if (nl > 1) {
		*name_off = off + 1;
		*name_len = nl - 1;
	}
	return (1);
}

/* MASTER_RES, section 5.7. */
static int
ref_res(const uint8_t *p, size_t len)
{
	return (len >= 2 && p[1] != 0 && len - 2 >= (size_t)p[1] + 12);
}

/* MASTER_ID as scamper checks it, section 5.2. */
static int
ref_id(const uint8_t *p, size_t len)
{
	size_t	 n, i;

	if (len < 2 || p[1] == 0 || len - 2 < p[1])
		return (0);
	n = p[1];
	for (i = 0; i + 1 < n; i++)
		if (p[2 + i] < 0x20 || p[2 + i] > 0x7e)
			return (0);
	return (p[2 + n - 1] == 0);
}

/* ------------------------------------------------------------------ */

static void
fz_new(const uint8_t *p, size_t len)
{
	struct proto_new	 m, m2;
	struct proto_frame	 f;
	struct buf		 b = BUF_INIT;
	size_t			 noff, nlen, i;
	int			 rc, ok;

	rc = proto_new_parse(p, len, &m);
	ok = ref_new(p, len, &noff, &nlen);
	CHECK(proto_strerror(rc) != NULL);
	if (len == 0)
		CHECK(rc == PROTO_EEMPTY);
	CHECK((rc == PROTO_OK) == ok);
	if (rc != PROTO_OK)
		return;
	CHECK(m.magic == p + 2 && m.magic_len == p[1]);
	if (nlen == 0) {
		CHECK(m.name == NULL && m.name_len == 0);
	} else {
		CHECK(m.name == (const char *)p + noff);
		CHECK(m.name_len == nlen && nlen <= PROTO_MAXNAME);
		CHECK(strlen(m.name) == nlen);
		for (i = 0; i < nlen; i++)
			CHECK(proto_namechar((uint8_t)m.name[i]));
	}

	/* Round trip: encode what was parsed and parse it again. */
	CHECK(proto_put_new(&b, m.magic, m.magic_len, m.name) == 0);
	fz_one_frame(&b, &f);
	CHECK(f.seq == 0 && f.chan == 0 && f.len >= 3);
	CHECK(f.payload[0] == PROTO_MASTER_NEW);
	CHECK(proto_new_parse(f.payload, f.len, &m2) == PROTO_OK);
	CHECK(m2.magic_len == m.magic_len);
	CHECK(memcmp(m2.magic, m.magic, m.magic_len) == 0);
	CHECK((m2.name == NULL) == (m.name == NULL));
	if (m.name != NULL)
		CHECK(m2.name_len == m.name_len &&
		    strcmp(m2.name, m.name) == 0);
	buf_free(&b);
}

static void
fz_res(const uint8_t *p, size_t len)
{
	struct proto_res	 m, m2;
	struct proto_frame	 f;
	struct buf		 b = BUF_INIT;
	size_t			 off;
	int			 rc;

	rc = proto_res_parse(p, len, &m);
	CHECK(proto_strerror(rc) != NULL);
	if (len == 0)
		CHECK(rc == PROTO_EEMPTY);
	CHECK((rc == PROTO_OK) == ref_res(p, len));
	if (rc != PROTO_OK)
		return;
	off = 2 + (size_t)p[1];
	CHECK(m.magic == p + 2 && m.magic_len == p[1]);
	CHECK(m.rcv_nxt == fz_get32(p + off));
	CHECK(m.snd_una == fz_get32(p + off + 4));
	CHECK(m.snd_nxt == fz_get32(p + off + 8));

	CHECK(proto_put_res(&b, m.magic, m.magic_len, m.rcv_nxt, m.snd_una,
	    m.snd_nxt) == 0);
	fz_one_frame(&b, &f);
	CHECK(f.seq == 0 && f.chan == 0);
	CHECK(f.len == 2 + m.magic_len + 12);
	CHECK(f.payload[0] == PROTO_MASTER_RES);
	/* The encoding is the input minus any bytes after snd_nxt. */
	CHECK(memcmp(f.payload + 1, p + 1, f.len - 1U) == 0);
	CHECK(proto_res_parse(f.payload, f.len, &m2) == PROTO_OK);
	CHECK(m2.magic_len == m.magic_len &&
	    memcmp(m2.magic, m.magic, m.magic_len) == 0);
	CHECK(m2.rcv_nxt == m.rcv_nxt && m2.snd_una == m.snd_una &&
	    m2.snd_nxt == m.snd_nxt);
	buf_free(&b);
}

static void
fz_u32(const uint8_t *p, size_t len, uint32_t seq)
{
	struct proto_frame	 f;
	struct buf		 b = BUF_INIT;
	uint32_t		 v = 0;
	int			 rc;

	rc = proto_u32_parse(p, len, &v);
	CHECK(proto_strerror(rc) != NULL);
	if (len == 0)
		CHECK(rc == PROTO_EEMPTY);
	CHECK((rc == PROTO_OK) == (len == 5));
	if (rc != PROTO_OK)
		return;
	CHECK(v == fz_get32(p + 1));
	CHECK(proto_put_ctl_u32(&b, seq, p[0], v) == 0);
	fz_one_frame(&b, &f);
	CHECK(f.seq == seq && f.chan == 0 && f.len == 5);
	CHECK(memcmp(f.payload, p, 5) == 0);
	buf_free(&b);
}

static void
fz_id(const uint8_t *p, size_t len, uint32_t seq)
{
	struct proto_frame	 f;
	struct buf		 b = BUF_INIT;
	const char		*id = NULL, *id2 = NULL;
	int			 rc;

	rc = proto_id_parse(p, len, &id);
	CHECK(proto_strerror(rc) != NULL);
	if (len == 0)
		CHECK(rc == PROTO_EEMPTY);
	CHECK((rc == PROTO_OK) == ref_id(p, len));
	if (rc != PROTO_OK)
		return;
	CHECK(id == (const char *)p + 2);
	CHECK(strlen(id) + 1 == p[1]);
	CHECK(proto_put_id(&b, seq, id) == 0);
	fz_one_frame(&b, &f);
	CHECK(f.seq == seq && f.chan == 0 && f.len == 2 + p[1]);
	CHECK(f.payload[0] == PROTO_MASTER_ID);
	CHECK(memcmp(f.payload + 1, p + 1, f.len - 1U) == 0);
	CHECK(proto_id_parse(f.payload, f.len, &id2) == PROTO_OK);
	CHECK(strcmp(id, id2) == 0);
	buf_free(&b);
}

/* Every parser on one control payload p[0..len), a heap block. */
static void
fz_ctl(const uint8_t *p, size_t len, uint32_t seq)
{
	struct proto_frame	 f;
	struct buf		 b = BUF_INIT;

	fz_new(p, len);
	fz_res(p, len);
	fz_u32(p, len, seq);
	fz_id(p, len, seq);
	if (len > 0)
		CHECK(proto_strtype(p[0]) != NULL);

	/* The payload-less encoders. */
	CHECK(proto_put_keepalive(&b, seq) == 0);
	CHECK(proto_put_rej(&b) == 0);
	CHECK(proto_frame_get(buf_data(&b), buf_len(&b), &f) == 11);
	CHECK(f.seq == seq && f.chan == 0 && f.len == 1 &&
	    f.payload[0] == PROTO_KEEPALIVE);
	CHECK(proto_frame_get(buf_data(&b) + 11, 11, &f) == 11);
	CHECK(f.seq == 0 && f.chan == 0 && f.len == 1 &&
	    f.payload[0] == PROTO_MASTER_REJ);
	buf_free(&b);
}

/* One frame f found at p (n bytes in all); its payload copied to heap. */
static void
fz_frame(const uint8_t *p, size_t n, const struct proto_frame *f0)
{
	struct proto_frame	 f = *f0, g;
	struct buf		 b = BUF_INIT;
	uint8_t			 h[PROTO_HDRLEN], *pl;
	const char		*why = NULL;
	int			 t, want;

	CHECK(n == PROTO_HDRLEN + (size_t)f.len);
	CHECK(f.payload == p + PROTO_HDRLEN);
	CHECK(f.seq == fz_get32(p) && f.chan == fz_get32(p + 4));
	proto_hdr_put(h, f.seq, f.chan, f.len);
	CHECK(memcmp(h, p, sizeof(h)) == 0);
	/* One byte short is not a frame yet. */
	CHECK(proto_frame_get(p, n - 1, &g) == 0);

	pl = fz_dup(f.payload, f.len);
	f.payload = pl;

	/* proto_hello against the rule of section 4.2 and 14. */
	want = -1;
	if (f.seq == 0 && f.chan == 0 && f.len > 0 &&
	    (pl[0] == PROTO_MASTER_NEW || pl[0] == PROTO_MASTER_RES))
		want = pl[0];
	t = proto_hello(&f, &why);
	CHECK(t == want);
	if (t < 0)
		CHECK(why != NULL && strlen(why) > 0);

	/* Any frame re-encodes to itself as a data frame. */
	CHECK(proto_put_data(&b, f.seq, f.chan, pl, f.len) == 0);
	CHECK(buf_len(&b) == n && memcmp(buf_data(&b), p, n) == 0);
	buf_free(&b);

	if (f.chan == 0)
		fz_ctl(pl, f.len, f.seq);
	free(pl);
}

/*
 * Serial order as section 4.6 defines it: a < b iff (int32_t)(a - b) <
 * 0.  Numbers 2^31 apart are each less than the other.
 */
static int
ref_serial_le(uint32_t a, uint32_t b)
{
	return (a == b || (int32_t)(a - b) < 0);
}

/*
 * resume_check against section 11.2.  Check 2: r is snd_nxt or the seq
 * of a frame in the unacked queue, snd_una..snd_nxt-1, an exact range.
 * Check 3: a <= rcv_nxt <= n in serial order.
 */
static void
fz_resume(const uint8_t *p)
{
	struct resume_state	 st;
	uint32_t		 r, a, n;
	enum resume_verdict	 v;

	st.snd_una = fz_get32(p);
	/* An unacked queue of 2^31 frames or more cannot exist. */
	st.snd_nxt = st.snd_una + (fz_get32(p + 4) & 0x7fffffff);
	st.rcv_nxt = fz_get32(p + 8);
	r = fz_get32(p + 12);
	a = fz_get32(p + 16);
	n = fz_get32(p + 20);
	v = resume_check(&st, r, a, n);
	CHECK(resume_strverdict(v) != NULL);
	if (r - st.snd_una > st.snd_nxt - st.snd_una)
		CHECK(v == RESUME_ERCV);
	else if (!ref_serial_le(a, st.rcv_nxt) ||
	    !ref_serial_le(st.rcv_nxt, n))
		CHECK(v == RESUME_EWINDOW);
	else
		CHECK(v == RESUME_OK);
	CHECK(proto_seq_le(r, a) == ref_serial_le(r, a));
	CHECK(proto_seq_lt(r, a) == (r != a && ref_serial_le(r, a)));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proto_frame	 f;
	size_t			 off = 0, n;
	uint8_t			*whole;

	while ((n = proto_frame_get(data + off, size - off, &f)) > 0) {
		CHECK(n <= size - off);
		fz_frame(data + off, n, &f);
		off += n;
	}
	/* What is left is a partial frame. */
	if (size - off >= PROTO_HDRLEN)
		CHECK(PROTO_HDRLEN + (((size_t)data[off + 8] << 8) |
		    data[off + 9]) > size - off);

	/* The whole input as one control payload. */
	whole = fz_dup(data, size);
	fz_ctl(whole, size, size >= 4 ? fz_get32(data) : 0);
	free(whole);

	if (size >= 24)
		fz_resume(data);
	return (0);
}
