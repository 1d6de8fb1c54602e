/*
 * test_proto.c: unit tests for the frame codec (proto.c).
 *
 * Frame reassembly at every byte boundary and at the length extremes;
 * every encoder against the exact bytes of the captures in
 * tests/vectors and back through the parsers; every MASTER_NEW case of
 * remote-protocol.md 5.1 and vectors file 07; the first-frame check;
 * MASTER_RES, the u32 messages and MASTER_ID; serial sequence
 * comparisons across the 2^32 wrap; and the name tables.
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

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "proto.h"

/*
 * Decode a hex string (spaces allowed) into p; returns the byte count.
 * The strings below are copied from tests/vectors.
 */
static size_t
unhex(const char *s, uint8_t *p, size_t max)
{
	size_t	 n = 0;
	int	 hi = -1, v = 0;

	for (; *s != '\0'; s++) {
		if (*s == ' ')
			continue;
		if (*s >= '0' && *s <= '9')
			v = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			v = *s - 'a' + 10;
		else
			fail_msg("bad hex character '%c'", *s);
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n == max)
			fail_msg("hex string too long");
		p[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	if (hi >= 0)
		fail_msg("odd number of hex digits");
	return (n);
}

/* Compare a buffer with a hex string, then empty it. */
static void
expect_buf(struct buf *b, const char *hex)
{
	uint8_t	 want[1024];
	size_t	 n;

	n = unhex(hex, want, sizeof(want));
	assert_int_equal(buf_len(b), n);
	assert_memory_equal(buf_data(b), want, n);
	buf_consume(b, n);
}

/*
 * Frames from the captures, header and payload.
 */
/* 01: MASTER_NEW magic 59caab02767a0e0e name "vp1.example" */
#define V01_NEW	"00000000 00000000 0017 " \
	"000859caab02767a0e0e0c7670312e6578616d706c6500"
/* 01: MASTER_ID "127.0.0.1:46648" */
#define V01_ID	"00000000 00000000 0012 " \
	"01103132372e302e302e313a343636343800"
/* 01: CHANNEL_NEW 1, daemon seq 0 */
#define V01_CHNEW	"00000000 00000000 0005 0200000001"
/* 01: scamper's ACK 0 */
#define V01_ACK	"00000000 00000000 0005 0500000000"
/* 01: data "MORE\n" on channel 1 */
#define V01_MORE	"00000000 00000001 0005 4d4f52450a"
/* 01: CHANNEL_FIN 1 from scamper, seq 12 */
#define V01_FIN	"0000000c 00000000 0005 0300000001"
/* 01: the daemon's KEEPALIVE, seq 3 */
#define V01_KA	"00000003 00000000 0001 04"
/* 02: MASTER_NEW magic cd46402e6a8ba414, name_len 0 */
#define V02_NEW	"00000000 00000000 000b 0008cd46402e6a8ba41400"
/* 06: MASTER_ID "::1.43744" */
#define V06_ID	"00000000 00000000 000c 010a3a3a312e343337343400"
/* 03: MASTER_RES r=2 a=9 n=9, and its MASTER_OK 9 */
#define V03_RES	"00000000 00000000 0016 " \
	"06085b0c33097fdb904c000000020000000900000009"
#define V03_OK	"00000000 00000000 0005 0800000009"
/* 04: MASTER_RES r=2 a=7 n=9 */
#define V04_RES	"00000000 00000000 0016 " \
	"06080a94376d06d62e0f000000020000000700000009"
/* 05: MASTER_REJ */
#define V05_REJ	"00000000 00000000 0001 07"

/* Payloads only (after the 10-byte header). */
#define P01_NEW	"000859caab02767a0e0e0c7670312e6578616d706c6500"
#define P02_NEW	"0008cd46402e6a8ba41400"
#define P03_NEW	"00085b0c33097fdb904c0476703300"
#define P06_NEW	"00085386de7018e3ba490676362e767000"
#define P07_E01	"0008a1a1a1a1a1a1a1a1096261645f6e616d6500"
#define P07_E02	"0008a2a2a2a2a2a2a2a20100"
#define P07_E03	"0008a3a3a3a3a3a3a3a30361620058595a"
#define P07_E04	"0008a4a4a4a4a4a4a4a4"
#define P07_E08	"000000"
#define P03_RES	"06085b0c33097fdb904c000000020000000900000009"
#define P01_ID	"01103132372e302e302e313a343636343800"
#define P06_ID	"010a3a3a312e343337343400"

static const uint8_t m01[8] = {
	0x59, 0xca, 0xab, 0x02, 0x76, 0x7a, 0x0e, 0x0e
};
static const uint8_t m02[8] = {
	0xcd, 0x46, 0x40, 0x2e, 0x6a, 0x8b, 0xa4, 0x14
};
static const uint8_t m03[8] = {
	0x5b, 0x0c, 0x33, 0x09, 0x7f, 0xdb, 0x90, 0x4c
};
static const uint8_t m04[8] = {
	0x0a, 0x94, 0x37, 0x6d, 0x06, 0xd6, 0x2e, 0x0f
};

/*
 * proto_frame_get
 */

/* Every prefix of a frame is "need more"; the whole frame is one. */
static void
check_prefixes(const uint8_t *p, size_t flen, uint32_t seq, uint32_t chan,
    uint16_t len)
{
	struct proto_frame	 f;
	uint8_t			*q;
	size_t			 k;

	for (k = 0; k < flen; k++) {
		/* Exactly k bytes, so that reading past them is caught. */
		q = malloc(k > 0 ? k : 1);
		assert_non_null(q);
		memcpy(q, p, k);
		memset(&f, 0, sizeof(f));
		assert_int_equal(proto_frame_get(q, k, &f), 0);
		free(q);
	}
	memset(&f, 0, sizeof(f));
	assert_int_equal(proto_frame_get(p, flen, &f), flen);
	assert_int_equal(f.seq, seq);
	assert_int_equal(f.chan, chan);
	assert_int_equal(f.len, len);
	assert_ptr_equal(f.payload, p + PROTO_HDRLEN);
}

static void
test_frame_split(void **state)
{
	uint8_t			 p[64];
	size_t			 n;

	(void)state;
	n = unhex(V01_NEW, p, sizeof(p));
	assert_int_equal(n, 10 + 0x17);
	check_prefixes(p, n, 0, 0, 0x17);
	n = unhex(V01_FIN, p, sizeof(p));
	check_prefixes(p, n, 12, 0, 5);
	n = unhex(V01_MORE, p, sizeof(p));
	check_prefixes(p, n, 0, 1, 5);
	n = unhex(V01_KA, p, sizeof(p));
	check_prefixes(p, n, 3, 0, 1);
}

/*
 * A stream of frames delivered one byte at a time, as a reassembling
 * reader sees it: each frame comes out exactly when its last byte is in.
 */
static void
test_frame_stream_bytewise(void **state)
{
	static const char	*frames[] = {
		V01_NEW, V01_ID, V01_CHNEW, V01_ACK, V01_MORE, V01_FIN,
		V01_KA, V03_RES, V05_REJ
	};
	struct proto_frame	 f;
	struct buf		 in = BUF_INIT;
	uint8_t			 all[512], one[64];
	size_t			 ends[16], nf, total = 0, got, i, k, next = 0;

	(void)state;
	nf = sizeof(frames) / sizeof(frames[0]);
	for (i = 0; i < nf; i++) {
		k = unhex(frames[i], one, sizeof(one));
		memcpy(all + total, one, k);
		total += k;
		ends[i] = total;
	}
	for (i = 0; i < total; i++) {
		assert_int_equal(buf_append(&in, all + i, 1), 0);
		got = proto_frame_get(buf_data(&in), buf_len(&in), &f);
		if (i + 1 != ends[next]) {
			assert_int_equal(got, 0);
			continue;
		}
		k = unhex(frames[next], one, sizeof(one));
		assert_int_equal(got, k);
		assert_int_equal(f.len, k - PROTO_HDRLEN);
		assert_memory_equal(f.payload, one + PROTO_HDRLEN, f.len);
		buf_consume(&in, got);
		next++;
	}
	assert_int_equal(next, nf);
	assert_int_equal(buf_len(&in), 0);
}

static void
test_frame_extremes(void **state)
{
	struct proto_frame	 f;
	uint8_t			*p;
	size_t			 flen = PROTO_HDRLEN + 65535, k;

	(void)state;
	p = malloc(flen + 3);
	assert_non_null(p);

	/* Length 0: the header is the whole frame. */
	proto_hdr_put(p, 0xfffffffe, 0x80000001, 0);
	assert_int_equal(proto_frame_get(p, 9, &f), 0);
	assert_int_equal(proto_frame_get(p, 10, &f), 10);
	assert_int_equal(f.seq, 0xfffffffe);
	assert_int_equal(f.chan, 0x80000001);
	assert_int_equal(f.len, 0);
	assert_ptr_equal(f.payload, p + 10);
	/* Bytes after it belong to the next frame. */
	assert_int_equal(proto_frame_get(p, 13, &f), 10);

	/* Length 65535. */
	for (k = 0; k < flen + 3; k++)
		p[k] = (uint8_t)(k * 13);
	proto_hdr_put(p, 0xffffffff, 0xffffffff, 65535);
	assert_memory_equal(p, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff",
	    10);
	assert_int_equal(proto_frame_get(p, 10, &f), 0);
	assert_int_equal(proto_frame_get(p, flen - 1, &f), 0);
	assert_int_equal(proto_frame_get(p, flen, &f), flen);
	assert_int_equal(f.seq, 0xffffffff);
	assert_int_equal(f.chan, 0xffffffff);
	assert_int_equal(f.len, 65535);
	assert_int_equal(proto_frame_get(p, flen + 3, &f), flen);

	/* Big-endian header fields. */
	proto_hdr_put(p, 0x01020304, 0x05060708, 0x090a);
	assert_memory_equal(p, "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a",
	    10);
	assert_int_equal(proto_frame_get(p, 10 + 0x090a, &f), 10 + 0x090a);
	assert_int_equal(f.seq, 0x01020304);
	assert_int_equal(f.chan, 0x05060708);
	assert_int_equal(f.len, 0x090a);
	free(p);
}

/*
 * Encoders: exact bytes of the captures, and back through the parsers.
 */

/* Take the one frame in b and check its header. */
static const uint8_t *
one_frame(struct buf *b, uint32_t seq, uint32_t chan, size_t plen)
{
	struct proto_frame	f;

	assert_int_equal(proto_frame_get(buf_data(b), buf_len(b), &f),
	    buf_len(b));
	assert_int_equal(f.seq, seq);
	assert_int_equal(f.chan, chan);
	assert_int_equal(f.len, plen);
	return (f.payload);
}

static void
test_put_new(void **state)
{
	struct buf		 b = BUF_INIT;
	struct proto_new	 m;
	const uint8_t		*p;
	char			 name[300];
	uint8_t			 magic[256];

	(void)state;
	assert_int_equal(proto_put_new(&b, m01, 8, "vp1.example"), 0);
	p = one_frame(&b, 0, 0, 0x17);
	assert_int_equal(proto_new_parse(p, 0x17, &m), PROTO_OK);
	assert_int_equal(m.magic_len, 8);
	assert_memory_equal(m.magic, m01, 8);
	assert_string_equal(m.name, "vp1.example");
	assert_int_equal(m.name_len, 11);
	expect_buf(&b, V01_NEW);

	assert_int_equal(proto_put_new(&b, m02, 8, NULL), 0);
	p = one_frame(&b, 0, 0, 0x0b);
	assert_int_equal(proto_new_parse(p, 0x0b, &m), PROTO_OK);
	assert_memory_equal(m.magic, m02, 8);
	assert_null(m.name);
	assert_int_equal(m.name_len, 0);
	expect_buf(&b, V02_NEW);

	/* The example of remote-protocol.md 5.1. */
	assert_int_equal(proto_put_new(&b,
	    (const uint8_t *)"\1\2\3\4\5\6\7\10", 8, "vp1"), 0);
	expect_buf(&b, "00000000 00000000 000f "
	    "00 08 0102030405060708 04 76703100");

	/* The longest name and the longest magic. */
	memset(name, 'n', 254);
	name[254] = '\0';
	memset(magic, 0x11, sizeof(magic));
	assert_int_equal(proto_put_new(&b, magic, 255, name), 0);
	p = one_frame(&b, 0, 0, 2 + 255 + 1 + 255);
	assert_int_equal(proto_new_parse(p, 2 + 255 + 1 + 255, &m), PROTO_OK);
	assert_int_equal(m.magic_len, 255);
	assert_int_equal(m.name_len, 254);
	assert_string_equal(m.name, name);
	buf_consume(&b, buf_len(&b));

	/* Too long: refused, nothing appended. */
	assert_int_equal(buf_append(&b, "x", 1), 0);
	name[254] = 'n';
	name[255] = '\0';
	assert_int_equal(proto_put_new(&b, m01, 8, name), -1);
	assert_int_equal(proto_put_new(&b, magic, 256, NULL), -1);
	assert_int_equal(buf_len(&b), 1);
	buf_free(&b);
}

static void
test_put_res(void **state)
{
	struct buf		 b = BUF_INIT;
	struct proto_res	 m;
	const uint8_t		*p;
	uint8_t			 magic[256];

	(void)state;
	assert_int_equal(proto_put_res(&b, m03, 8, 2, 9, 9), 0);
	p = one_frame(&b, 0, 0, 0x16);
	assert_int_equal(proto_res_parse(p, 0x16, &m), PROTO_OK);
	assert_int_equal(m.magic_len, 8);
	assert_memory_equal(m.magic, m03, 8);
	assert_int_equal(m.rcv_nxt, 2);
	assert_int_equal(m.snd_una, 9);
	assert_int_equal(m.snd_nxt, 9);
	expect_buf(&b, V03_RES);

	assert_int_equal(proto_put_res(&b, m04, 8, 2, 7, 9), 0);
	expect_buf(&b, V04_RES);

	/* The example of remote-protocol.md 5.7. */
	assert_int_equal(proto_put_res(&b,
	    (const uint8_t *)"\1\2\3\4\5\6\7\10", 8, 2, 7, 9), 0);
	expect_buf(&b, "00000000 00000000 0016 "
	    "06 08 0102030405060708 00000002 00000007 00000009");

	/* Extreme values survive the round trip. */
	memset(magic, 0xfe, sizeof(magic));
	assert_int_equal(proto_put_res(&b, magic, 255, 0xffffffff,
	    0x80000000, 0x7fffffff), 0);
	p = one_frame(&b, 0, 0, 2 + 255 + 12);
	assert_int_equal(proto_res_parse(p, 2 + 255 + 12, &m), PROTO_OK);
	assert_int_equal(m.magic_len, 255);
	assert_int_equal(m.rcv_nxt, 0xffffffff);
	assert_int_equal(m.snd_una, 0x80000000);
	assert_int_equal(m.snd_nxt, 0x7fffffff);
	buf_consume(&b, buf_len(&b));

	assert_int_equal(proto_put_res(&b, magic, 256, 0, 0, 0), -1);
	assert_int_equal(buf_len(&b), 0);
	buf_free(&b);
}

static void
test_put_u32(void **state)
{
	static const int	 types[] = {
		PROTO_CHANNEL_NEW, PROTO_CHANNEL_FIN, PROTO_ACK,
		PROTO_MASTER_OK
	};
	static const uint32_t	 vals[] = {
		0, 1, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff
	};
	struct buf		 b = BUF_INIT;
	const uint8_t		*p;
	uint32_t		 v;
	size_t			 i, j;

	(void)state;
	/* Captured bytes. */
	assert_int_equal(proto_put_ctl_u32(&b, 0, PROTO_CHANNEL_NEW, 1), 0);
	expect_buf(&b, V01_CHNEW);
	assert_int_equal(proto_put_ctl_u32(&b, 0, PROTO_ACK, 0), 0);
	expect_buf(&b, V01_ACK);
	assert_int_equal(proto_put_ctl_u32(&b, 12, PROTO_CHANNEL_FIN, 1), 0);
	expect_buf(&b, V01_FIN);
	assert_int_equal(proto_put_ctl_u32(&b, 0, PROTO_MASTER_OK, 9), 0);
	expect_buf(&b, V03_OK);
	/* 02: the daemon's ACK 10 with seq 3. */
	assert_int_equal(proto_put_ctl_u32(&b, 3, PROTO_ACK, 10), 0);
	expect_buf(&b, "00000003 00000000 0005 050000000a");

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		for (j = 0; j < sizeof(vals) / sizeof(vals[0]); j++) {
			assert_int_equal(proto_put_ctl_u32(&b, vals[j],
			    types[i], vals[j] ^ 0x5a5a5a5a), 0);
			p = one_frame(&b, vals[j], 0, 5);
			assert_int_equal(p[0], types[i]);
			v = 0;
			assert_int_equal(proto_u32_parse(p, 5, &v), PROTO_OK);
			assert_int_equal(v, vals[j] ^ 0x5a5a5a5a);
			buf_consume(&b, buf_len(&b));
		}
	}
	buf_free(&b);
}

static void
test_put_keepalive_rej(void **state)
{
	struct buf		 b = BUF_INIT;
	const uint8_t		*p;

	(void)state;
	assert_int_equal(proto_put_keepalive(&b, 3), 0);
	expect_buf(&b, V01_KA);
	/* 01: scamper's keepalive, seq 13. */
	assert_int_equal(proto_put_keepalive(&b, 13), 0);
	expect_buf(&b, "0000000d 00000000 0001 04");
	/* The example of remote-protocol.md 3. */
	assert_int_equal(proto_put_keepalive(&b, 9), 0);
	expect_buf(&b, "00000009 00000000 0001 04");
	assert_int_equal(proto_put_keepalive(&b, 0xffffffff), 0);
	p = one_frame(&b, 0xffffffff, 0, 1);
	assert_int_equal(p[0], PROTO_KEEPALIVE);
	buf_consume(&b, buf_len(&b));

	assert_int_equal(proto_put_rej(&b), 0);
	expect_buf(&b, V05_REJ);
	buf_free(&b);
}

static void
test_put_id(void **state)
{
	struct buf		 b = BUF_INIT;
	const uint8_t		*p;
	const char		*id;
	char			 s[300];

	(void)state;
	assert_int_equal(proto_put_id(&b, 0, "127.0.0.1:46648"), 0);
	p = one_frame(&b, 0, 0, 0x12);
	id = NULL;
	assert_int_equal(proto_id_parse(p, 0x12, &id), PROTO_OK);
	assert_string_equal(id, "127.0.0.1:46648");
	expect_buf(&b, V01_ID);

	assert_int_equal(proto_put_id(&b, 0, "::1.43744"), 0);
	expect_buf(&b, V06_ID);

	/* The example of remote-protocol.md 5.2. */
	assert_int_equal(proto_put_id(&b, 0, "192.0.2.7:40000"), 0);
	expect_buf(&b, "00000000 00000000 0012 "
	    "01 10 3139322e302e322e373a343030303000");

	/* The seq field is whatever the caller says. */
	assert_int_equal(proto_put_id(&b, 0x01020304, "x"), 0);
	expect_buf(&b, "01020304 00000000 0004 01 02 7800");

	/* An empty id is just the NUL; 254 characters is the most. */
	assert_int_equal(proto_put_id(&b, 0, ""), 0);
	expect_buf(&b, "00000000 00000000 0003 01 01 00");
	memset(s, 'a', 254);
	s[254] = '\0';
	assert_int_equal(proto_put_id(&b, 7, s), 0);
	p = one_frame(&b, 7, 0, 2 + 255);
	assert_int_equal(proto_id_parse(p, 2 + 255, &id), PROTO_OK);
	assert_string_equal(id, s);
	buf_consume(&b, buf_len(&b));

	/* 255 characters do not fit the length byte with the NUL. */
	assert_int_equal(buf_append(&b, "z", 1), 0);
	s[254] = 'a';
	s[255] = '\0';
	assert_int_equal(proto_put_id(&b, 0, s), -1);
	assert_int_equal(buf_len(&b), 1);
	buf_free(&b);
}

static void
test_put_data(void **state)
{
	struct buf		 b = BUF_INIT;
	const uint8_t		*p;
	uint8_t			*big;
	size_t			 i;

	(void)state;
	assert_int_equal(proto_put_data(&b, 0, 1, "MORE\n", 5), 0);
	expect_buf(&b, V01_MORE);
	/* 01: the client's command, daemon seq 1. */
	assert_int_equal(proto_put_data(&b, 1, 1, "ping -c 2 127.0.0.1\n",
	    20), 0);
	expect_buf(&b, "00000001 00000001 0014 "
	    "70696e67202d632032203132372e302e302e310a");

	/* Empty payload: just a header. */
	assert_int_equal(proto_put_data(&b, 5, 6, NULL, 0), 0);
	expect_buf(&b, "00000005 00000006 0000");

	/* The largest payload. */
	big = malloc(65535);
	assert_non_null(big);
	for (i = 0; i < 65535; i++)
		big[i] = (uint8_t)(i * 151);
	assert_int_equal(proto_put_data(&b, 0xffffffff, 0xfffffffe, big,
	    65535), 0);
	assert_int_equal(buf_len(&b), PROTO_HDRLEN + 65535);
	p = one_frame(&b, 0xffffffff, 0xfffffffe, 65535);
	assert_memory_equal(p, big, 65535);
	buf_consume(&b, buf_len(&b));
	free(big);

	/* Frames append: two encoders in a row give two frames. */
	assert_int_equal(proto_put_data(&b, 0, 1, "a", 1), 0);
	assert_int_equal(proto_put_keepalive(&b, 1), 0);
	expect_buf(&b, "00000000 00000001 0001 61 00000001 00000000 0001 04");
	buf_free(&b);
}

/*
 * proto_new_parse: remote-protocol.md 5.1 and vectors file 07.
 */

static int
parse_new_hex(const char *hex, struct proto_new *m, uint8_t *p,
    size_t max)
{
	size_t	n;

	n = unhex(hex, p, max);
	return (proto_new_parse(p, n, m));
}

static void
test_new_captured(void **state)
{
	struct proto_new	 m;
	uint8_t			 p[600];

	(void)state;
	assert_int_equal(parse_new_hex(P01_NEW, &m, p, sizeof(p)), PROTO_OK);
	assert_int_equal(m.magic_len, 8);
	assert_ptr_equal(m.magic, p + 2);
	assert_memory_equal(m.magic, m01, 8);
	assert_string_equal(m.name, "vp1.example");
	assert_int_equal(m.name_len, 11);

	/* 02: name_len byte 0, no name. */
	assert_int_equal(parse_new_hex(P02_NEW, &m, p, sizeof(p)), PROTO_OK);
	assert_memory_equal(m.magic, m02, 8);
	assert_null(m.name);
	assert_int_equal(m.name_len, 0);

	assert_int_equal(parse_new_hex(P03_NEW, &m, p, sizeof(p)), PROTO_OK);
	assert_memory_equal(m.magic, m03, 8);
	assert_string_equal(m.name, "vp3");
	assert_int_equal(m.name_len, 3);

	assert_int_equal(parse_new_hex(P06_NEW, &m, p, sizeof(p)), PROTO_OK);
	assert_string_equal(m.name, "v6.vp");
	assert_int_equal(m.name_len, 5);
}

static void
test_new_edge_cases(void **state)
{
	struct proto_new	 m;
	uint8_t			 p[600];
	size_t			 n;

	(void)state;
	/* E01: '_' in the name. */
	assert_int_equal(parse_new_hex(P07_E01, &m, p, sizeof(p)),
	    PROTO_ENAMECHAR);

	/*
	 * E02: name_len 1, the name is only the NUL.  The reference
	 * accepts an empty name; we take it as no name (a deliberate
	 * deviation, as mux-protocol.md does).
	 */
	assert_int_equal(parse_new_hex(P07_E02, &m, p, sizeof(p)), PROTO_OK);
	assert_int_equal(m.magic_len, 8);
	assert_memory_equal(m.magic, "\xa2\xa2\xa2\xa2\xa2\xa2\xa2\xa2", 8);
	assert_null(m.name);
	assert_int_equal(m.name_len, 0);

	/* E03: bytes after the name are ignored. */
	assert_int_equal(parse_new_hex(P07_E03, &m, p, sizeof(p)), PROTO_OK);
	assert_string_equal(m.name, "ab");
	assert_int_equal(m.name_len, 2);

	/* E04: no name_len byte at all. */
	assert_int_equal(parse_new_hex(P07_E04, &m, p, sizeof(p)), PROTO_OK);
	assert_int_equal(m.magic_len, 8);
	assert_memory_equal(m.magic, "\xa4\xa4\xa4\xa4\xa4\xa4\xa4\xa4", 8);
	assert_null(m.name);

	/* E08: magic_len 0. */
	assert_int_equal(parse_new_hex(P07_E08, &m, p, sizeof(p)),
	    PROTO_EMAGIC);
	assert_int_equal(parse_new_hex("0000", &m, p, sizeof(p)),
	    PROTO_EMAGIC);

	/* E09: magic_len 200, then name "p15". */
	n = 0;
	p[n++] = PROTO_MASTER_NEW;
	p[n++] = 200;
	memset(p + n, 0x11, 200);
	n += 200;
	memcpy(p + n, "\4p15", 5);
	n += 5;
	assert_int_equal(n, 0xcf);
	assert_int_equal(proto_new_parse(p, n, &m), PROTO_OK);
	assert_int_equal(m.magic_len, 200);
	assert_ptr_equal(m.magic, p + 2);
	assert_string_equal(m.name, "p15");

	/* Magic truncated: one byte short, and only the type and length. */
	assert_int_equal(parse_new_hex("0008a1a1a1a1a1a1a1", &m, p,
	    sizeof(p)), PROTO_ESHORT);
	assert_int_equal(parse_new_hex("0008", &m, p, sizeof(p)),
	    PROTO_ESHORT);
	/* Type byte only; nothing at all. */
	assert_int_equal(parse_new_hex("00", &m, p, sizeof(p)),
	    PROTO_ESHORT);
	assert_int_equal(proto_new_parse(p, 0, &m), PROTO_EEMPTY);

	/* name_len larger than what remains. */
	assert_int_equal(parse_new_hex("0008a1a1a1a1a1a1a1a1 05 76703100",
	    &m, p, sizeof(p)), PROTO_ESHORT);
	assert_int_equal(parse_new_hex("0008a1a1a1a1a1a1a1a1 01", &m, p,
	    sizeof(p)), PROTO_ESHORT);
	assert_int_equal(parse_new_hex("0008a1a1a1a1a1a1a1a1 ff 61", &m, p,
	    sizeof(p)), PROTO_ESHORT);

	/* Last name byte not NUL. */
	assert_int_equal(parse_new_hex("0008a1a1a1a1a1a1a1a1 03 767031", &m,
	    p, sizeof(p)), PROTO_ENAMENUL);
	assert_int_equal(parse_new_hex("0008a1a1a1a1a1a1a1a1 01 61", &m, p,
	    sizeof(p)), PROTO_ENAMENUL);

	/* Bytes >= 0x80, a control byte, a NUL inside, a space. */
	assert_int_equal(parse_new_hex("0008a1a1a1a1a1a1a1a1 04 76e93100",
	    &m, p, sizeof(p)), PROTO_ENAMECHAR);
	assert_int_equal(parse_new_hex("0008a1a1a1a1a1a1a1a1 02 8000", &m,
	    p, sizeof(p)), PROTO_ENAMECHAR);
	assert_int_equal(parse_new_hex("0008a1a1a1a1a1a1a1a1 02 ff00", &m,
	    p, sizeof(p)), PROTO_ENAMECHAR);
	assert_int_equal(parse_new_hex("0008a1a1a1a1a1a1a1a1 04 76090000",
	    &m, p, sizeof(p)), PROTO_ENAMECHAR);
	assert_int_equal(parse_new_hex("0008a1a1a1a1a1a1a1a1 04 76003100",
	    &m, p, sizeof(p)), PROTO_ENAMECHAR);
	assert_int_equal(parse_new_hex("0008a1a1a1a1a1a1a1a1 04 76203100",
	    &m, p, sizeof(p)), PROTO_ENAMECHAR);
	assert_int_equal(parse_new_hex("0008a1a1a1a1a1a1a1a1 04 762f3100",
	    &m, p, sizeof(p)), PROTO_ENAMECHAR);

	/* Every allowed character class. */
	assert_int_equal(parse_new_hex("0001 ff 09 617a415a30392e2d00", &m,
	    p, sizeof(p)), PROTO_OK);
	assert_int_equal(m.magic_len, 1);
	assert_string_equal(m.name, "azAZ09.-");

	/* A 254-character name (name_len 255) is fine. */
	n = 0;
	p[n++] = PROTO_MASTER_NEW;
	p[n++] = 8;
	memset(p + n, 0x42, 8);
	n += 8;
	p[n++] = 255;
	memset(p + n, 'x', 254);
	n += 254;
	p[n++] = '\0';
	assert_int_equal(proto_new_parse(p, n, &m), PROTO_OK);
	assert_int_equal(m.name_len, 254);
	assert_int_equal(strlen(m.name), 254);
	assert_ptr_equal(m.name, (const char *)p + 11);
	/* ... and one byte short of it is not. */
	assert_int_equal(proto_new_parse(p, n - 1, &m), PROTO_ESHORT);
	/* A bad character at the end of the long name. */
	p[n - 2] = '_';
	assert_int_equal(proto_new_parse(p, n, &m), PROTO_ENAMECHAR);

	/* A failed parse leaves no name behind. */
	assert_int_equal(parse_new_hex(P07_E01, &m, p, sizeof(p)),
	    PROTO_ENAMECHAR);
	assert_null(m.name);
}

/*
 * proto_hello: the first frame of a link (vectors file 07, E05-E07 and
 * E10), and the first frames of the captures.
 */
static int
hello_hex(const char *hex, const char **why)
{
	struct proto_frame	 f;
	uint8_t			 p[64];
	size_t			 n;

	n = unhex(hex, p, sizeof(p));
	assert_int_equal(proto_frame_get(p, n, &f), n);
	*why = NULL;
	return (proto_hello(&f, why));
}

static void
test_hello(void **state)
{
	const char	*why;

	(void)state;
	assert_int_equal(hello_hex(V01_NEW, &why), PROTO_MASTER_NEW);
	assert_int_equal(hello_hex(V02_NEW, &why), PROTO_MASTER_NEW);
	assert_int_equal(hello_hex(V03_RES, &why), PROTO_MASTER_RES);
	assert_int_equal(hello_hex(V04_RES, &why), PROTO_MASTER_RES);

	/* E05: MASTER_NEW with seq 1. */
	assert_int_equal(hello_hex("00000001 00000000 000e "
	    "0008a5a5a5a5a5a5a5a503703500", &why), -1);
	assert_non_null(why);
	/* E06: a data frame first. */
	assert_int_equal(hello_hex("00000000 00000001 0006 68656c6c6f0a",
	    &why), -1);
	assert_non_null(why);
	/* E07: a KEEPALIVE first. */
	assert_int_equal(hello_hex("00000000 00000000 0001 04", &why), -1);
	assert_non_null(why);
	/* E10: a control frame with length 0. */
	assert_int_equal(hello_hex("00000000 00000000 0000", &why), -1);
	assert_non_null(why);
	/* Any other control type, and an unknown one. */
	assert_int_equal(hello_hex(V01_ACK, &why), -1);
	assert_int_equal(hello_hex(V05_REJ, &why), -1);
	assert_int_equal(hello_hex(V03_OK, &why), -1);
	assert_int_equal(hello_hex("00000000 00000000 0001 09", &why), -1);
	assert_non_null(why);
}

/*
 * The other parsers.
 */

static void
test_res_parse(void **state)
{
	struct proto_res	 m;
	uint8_t			 p[64];
	size_t			 n, k;

	(void)state;
	n = unhex(P03_RES, p, sizeof(p));
	assert_int_equal(n, 0x16);
	assert_int_equal(proto_res_parse(p, n, &m), PROTO_OK);
	assert_int_equal(m.magic_len, 8);
	assert_ptr_equal(m.magic, p + 2);
	assert_memory_equal(m.magic, m03, 8);
	assert_int_equal(m.rcv_nxt, 2);
	assert_int_equal(m.snd_una, 9);
	assert_int_equal(m.snd_nxt, 9);

	/* Every shorter length fails. */
	assert_int_equal(proto_res_parse(p, 0, &m), PROTO_EEMPTY);
	for (k = 1; k < n; k++)
		assert_int_equal(proto_res_parse(p, k, &m), PROTO_ESHORT);

	/* Extra bytes are ignored. */
	memcpy(p + n, "\xde\xad\xbe\xef", 4);
	assert_int_equal(proto_res_parse(p, n + 4, &m), PROTO_OK);
	assert_int_equal(m.rcv_nxt, 2);
	assert_int_equal(m.snd_nxt, 9);

	/* magic_len 0, with all the bytes there. */
	n = unhex("0600 00000001 00000002 00000003", p, sizeof(p));
	assert_int_equal(proto_res_parse(p, n, &m), PROTO_EMAGIC);

	/* magic_len 1: the numbers follow the single byte. */
	n = unhex("0601 aa 00000001 00000002 00000003", p, sizeof(p));
	assert_int_equal(proto_res_parse(p, n, &m), PROTO_OK);
	assert_int_equal(m.magic_len, 1);
	assert_int_equal(m.magic[0], 0xaa);
	assert_int_equal(m.rcv_nxt, 1);
	assert_int_equal(m.snd_una, 2);
	assert_int_equal(m.snd_nxt, 3);
	/* A magic_len that eats into the numbers. */
	p[1] = 2;
	assert_int_equal(proto_res_parse(p, n, &m), PROTO_ESHORT);
}

static void
test_u32_parse(void **state)
{
	uint8_t		p[8] = {
		PROTO_ACK, 0x12, 0x34, 0x56, 0x78, 0x9a, 0, 0
	};
	uint32_t	v;
	size_t		k;

	(void)state;
	v = 0;
	assert_int_equal(proto_u32_parse(p, 5, &v), PROTO_OK);
	assert_int_equal(v, 0x12345678);
	assert_int_equal(proto_u32_parse(p, 0, &v), PROTO_EEMPTY);
	for (k = 1; k < 5; k++)
		assert_int_equal(proto_u32_parse(p, k, &v), PROTO_ELEN);
	for (k = 6; k <= 8; k++)
		assert_int_equal(proto_u32_parse(p, k, &v), PROTO_ELEN);
	/* The value is untouched on failure. */
	v = 77;
	assert_int_equal(proto_u32_parse(p, 6, &v), PROTO_ELEN);
	assert_int_equal(v, 77);
}

static void
test_id_parse(void **state)
{
	uint8_t		 p[300];
	const char	*id;
	size_t		 n;

	(void)state;
	n = unhex(P01_ID, p, sizeof(p));
	id = NULL;
	assert_int_equal(proto_id_parse(p, n, &id), PROTO_OK);
	assert_string_equal(id, "127.0.0.1:46648");
	assert_ptr_equal(id, (const char *)p + 2);
	n = unhex(P06_ID, p, sizeof(p));
	assert_int_equal(proto_id_parse(p, n, &id), PROTO_OK);
	assert_string_equal(id, "::1.43744");

	/* Truncated anywhere. */
	n = unhex(P01_ID, p, sizeof(p));
	assert_int_equal(proto_id_parse(p, 0, &id), PROTO_EEMPTY);
	for (; n > 1; n--)
		assert_int_equal(proto_id_parse(p, n - 1, &id), PROTO_ESHORT);

	/* id_len 0. */
	n = unhex("01 00", p, sizeof(p));
	assert_int_equal(proto_id_parse(p, n, &id), PROTO_ESHORT);
	/* Just a NUL: an empty id, which scamper accepts. */
	n = unhex("01 01 00", p, sizeof(p));
	assert_int_equal(proto_id_parse(p, n, &id), PROTO_OK);
	assert_string_equal(id, "");
	/* Not NUL-terminated. */
	n = unhex("01 03 616263", p, sizeof(p));
	assert_int_equal(proto_id_parse(p, n, &id), PROTO_ENAMENUL);
	/* Non-printable bytes before the NUL. */
	n = unhex("01 03 611f00", p, sizeof(p));
	assert_int_equal(proto_id_parse(p, n, &id), PROTO_ENAMECHAR);
	n = unhex("01 03 617f00", p, sizeof(p));
	assert_int_equal(proto_id_parse(p, n, &id), PROTO_ENAMECHAR);
	n = unhex("01 03 618000", p, sizeof(p));
	assert_int_equal(proto_id_parse(p, n, &id), PROTO_ENAMECHAR);
	n = unhex("01 03 610000", p, sizeof(p));
	assert_int_equal(proto_id_parse(p, n, &id), PROTO_ENAMECHAR);
	/* Space and tilde are printable. */
	n = unhex("01 03 207e00", p, sizeof(p));
	assert_int_equal(proto_id_parse(p, n, &id), PROTO_OK);
	assert_string_equal(id, " ~");
}

static void
test_namechar(void **state)
{
	int	c, want;

	(void)state;
	for (c = 0; c < 256; c++) {
		want = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '-';
		if ((proto_namechar(c) != 0) != want)
			fail_msg("proto_namechar(0x%02x) wrong", c);
	}
}

/*
 * Serial comparisons, remote-protocol.md 4.6: a < b iff
 * (int32_t)(a - b) < 0.
 */
static void
test_seq(void **state)
{
	static const uint32_t	 bases[] = {
		0, 1, 0x7ffffffe, 0x7fffffff, 0x80000000, 0x80000001,
		0xfffffffe, 0xffffffff
	};
	size_t			 i;
	uint32_t		 a;

	(void)state;
	/* Across the wrap. */
	assert_true(proto_seq_lt(0xffffffff, 0));
	assert_false(proto_seq_lt(0, 0xffffffff));
	assert_true(proto_seq_le(0xffffffff, 0));
	assert_false(proto_seq_le(0, 0xffffffff));
	assert_true(proto_seq_lt(0xfffffff0, 0x10));
	assert_false(proto_seq_lt(0x10, 0xfffffff0));
	assert_true(proto_seq_lt(0xffffffff, 0x7ffffffe));

	/* Across the half-way point. */
	assert_true(proto_seq_lt(0x7fffffff, 0x80000000));
	assert_false(proto_seq_lt(0x80000000, 0x7fffffff));
	assert_true(proto_seq_le(0x7fffffff, 0x80000000));
	assert_false(proto_seq_le(0x80000000, 0x7fffffff));

	/* Plain order. */
	assert_true(proto_seq_lt(2, 7));
	assert_false(proto_seq_lt(7, 2));
	assert_false(proto_seq_lt(7, 7));
	assert_true(proto_seq_le(7, 7));
	assert_true(proto_seq_le(7, 9));
	assert_false(proto_seq_le(9, 7));

	for (i = 0; i < sizeof(bases) / sizeof(bases[0]); i++) {
		a = bases[i];
		assert_false(proto_seq_lt(a, a));
		assert_true(proto_seq_le(a, a));
		assert_true(proto_seq_lt(a, a + 1));
		assert_false(proto_seq_lt(a + 1, a));
		assert_true(proto_seq_le(a - 1, a));
		assert_false(proto_seq_le(a, a - 1));
		/* The farthest "later" and "earlier" numbers. */
		assert_true(proto_seq_lt(a, a + 0x7fffffff));
		assert_false(proto_seq_lt(a + 0x7fffffff, a));
		assert_true(proto_seq_lt(a - 0x7fffffff, a));
		assert_false(proto_seq_le(a, a - 0x7fffffff));
		/*
		 * Exactly half the space away: by the formula each is
		 * below the other.
		 */
		assert_true(proto_seq_lt(a, a + 0x80000000));
		assert_true(proto_seq_lt(a + 0x80000000, a));
	}
}

static void
test_strings(void **state)
{
	int	i;

	(void)state;
	for (i = -1000; i <= 1000; i++) {
		assert_non_null(proto_strerror(i));
		assert_non_null(proto_strtype(i));
	}
	assert_non_null(proto_strerror(INT32_MIN));
	assert_non_null(proto_strerror(INT32_MAX));
	assert_non_null(proto_strtype(INT32_MIN));
	assert_non_null(proto_strtype(INT32_MAX));

	assert_string_equal(proto_strtype(PROTO_MASTER_NEW), "MASTER_NEW");
	assert_string_equal(proto_strtype(PROTO_MASTER_ID), "MASTER_ID");
	assert_string_equal(proto_strtype(PROTO_CHANNEL_NEW), "CHANNEL_NEW");
	assert_string_equal(proto_strtype(PROTO_CHANNEL_FIN), "CHANNEL_FIN");
	assert_string_equal(proto_strtype(PROTO_KEEPALIVE), "KEEPALIVE");
	assert_string_equal(proto_strtype(PROTO_ACK), "ACK");
	assert_string_equal(proto_strtype(PROTO_MASTER_RES), "MASTER_RES");
	assert_string_equal(proto_strtype(PROTO_MASTER_REJ), "MASTER_REJ");
	assert_string_equal(proto_strtype(PROTO_MASTER_OK), "MASTER_OK");
	assert_string_equal(proto_strtype(9), proto_strtype(-1));

	/* Each error has its own text, and none is the fallback. */
	for (i = PROTO_EEMPTY; i <= PROTO_OK; i++) {
		assert_string_not_equal(proto_strerror(i),
		    proto_strerror(-100));
		if (i > PROTO_EEMPTY)
			assert_string_not_equal(proto_strerror(i),
			    proto_strerror(i - 1));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frame_split),
		cmocka_unit_test(test_frame_stream_bytewise),
		cmocka_unit_test(test_frame_extremes),
		cmocka_unit_test(test_put_new),
		cmocka_unit_test(test_put_res),
		cmocka_unit_test(test_put_u32),
		cmocka_unit_test(test_put_keepalive_rej),
		cmocka_unit_test(test_put_id),
		cmocka_unit_test(test_put_data),
		cmocka_unit_test(test_new_captured),
		cmocka_unit_test(test_new_edge_cases),
		cmocka_unit_test(test_hello),
		cmocka_unit_test(test_res_parse),
		cmocka_unit_test(test_u32_parse),
		cmocka_unit_test(test_id_parse),
		cmocka_unit_test(test_namechar),
		cmocka_unit_test(test_seq),
		cmocka_unit_test(test_strings),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
