/*
 * proto.h: the frame codec of the scamper <-> sc_remoted link.  No I/O,
 * no logging: functions read and write byte buffers and return codes.
 *
 * The wire format.  Every frame is a 10-byte header and a payload; all
 * integers are unsigned and big-endian:
 *
 *	0	4	seq	sender's sequence number
 *	4	4	channel	0 = control message, else a channel id
 *	8	2	length	payload bytes that follow (0..65535)
 *	10	length	payload
 *
 * A control payload (channel 0) starts with a one-byte type:
 *
 *	0 MASTER_NEW  scamper->daemon  u8 magic_len, magic,
 *	                               [u8 name_len, name incl. NUL]
 *	1 MASTER_ID   daemon->scamper  u8 id_len, id incl. NUL
 *	2 CHANNEL_NEW daemon->scamper  u32 channel id        (reliable)
 *	3 CHANNEL_FIN both             u32 channel id        (reliable)
 *	4 KEEPALIVE   both             nothing
 *	5 ACK         both             u32 acknowledged seq
 *	6 MASTER_RES  scamper->daemon  u8 magic_len, magic,
 *	                               u32 rcv_nxt, u32 snd_una, u32 snd_nxt
 *	7 MASTER_REJ  daemon->scamper  nothing
 *	8 MASTER_OK   daemon->scamper  u32 daemon's rcv_nxt
 *
 * Data frames (channel != 0), CHANNEL_NEW and CHANNEL_FIN are reliable:
 * each consumes a sequence number and is acknowledged by exactly one
 * ACK, in order.  KEEPALIVE and ACK carry the sender's current snd_nxt
 * without consuming it.  Handshake frames carry seq 0.
 *
 * Copyright (C) 2026 The sc_remoted authors.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PROTO_H
#define PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define PROTO_HDRLEN		10
#define PROTO_MAXPAYLOAD	65535
#define PROTO_MAXNAME		254	/* monitor name, without NUL */
#define PROTO_MAXMAGIC		255

enum proto_type {
	PROTO_MASTER_NEW = 0,
	PROTO_MASTER_ID = 1,
	PROTO_CHANNEL_NEW = 2,
	PROTO_CHANNEL_FIN = 3,
	PROTO_KEEPALIVE = 4,
	PROTO_ACK = 5,
	PROTO_MASTER_RES = 6,
	PROTO_MASTER_REJ = 7,
	PROTO_MASTER_OK = 8
};

/* Results: 0 is success, the rest say what was wrong. */
enum proto_err {
	PROTO_OK = 0,
	PROTO_ESHORT = -1,	/* payload shorter than its fields */
	PROTO_ELEN = -2,	/* wrong payload length for the type */
	PROTO_EMAGIC = -3,	/* magic length 0 */
	PROTO_ENAMECHAR = -4,	/* monitor name byte not [A-Za-z0-9.-] */
	PROTO_ENAMENUL = -5,	/* monitor name not NUL-terminated */
	PROTO_EEMPTY = -6	/* control frame without a type byte */
};

/* One frame, decoded in place: payload points into the input. */
struct proto_frame {
	uint32_t	 seq;
	uint32_t	 chan;
	uint16_t	 len;
	const uint8_t	*payload;
};

/*
 * Decode the frame at the start of p[0..len).  Returns the number of
 * bytes the whole frame takes, or 0 when more bytes are needed.
 */
size_t		 proto_frame_get(const uint8_t *p, size_t len,
		    struct proto_frame *f);
void		 proto_hdr_put(uint8_t *p, uint32_t seq, uint32_t chan,
		    uint16_t len);

/* MASTER_NEW, decoded in place. */
struct proto_new {
	const uint8_t	*magic;
	size_t		 magic_len;
	const char	*name;		/* NUL-terminated, or NULL for none */
	size_t		 name_len;	/* without the NUL */
};

/* MASTER_RES, decoded. */
struct proto_res {
	const uint8_t	*magic;
	size_t		 magic_len;
	uint32_t	 rcv_nxt;
	uint32_t	 snd_una;
	uint32_t	 snd_nxt;
};

/*
 * Parse the payload of a control frame, type byte included.  A name of
 * just the NUL (name_len 1) is taken as no name at all.
 */
int		 proto_new_parse(const uint8_t *p, size_t len,
		    struct proto_new *m);
int		 proto_res_parse(const uint8_t *p, size_t len,
		    struct proto_res *m);
/* ACK, CHANNEL_NEW, CHANNEL_FIN and MASTER_OK: type and a u32. */
int		 proto_u32_parse(const uint8_t *p, size_t len, uint32_t *v);
/* MASTER_ID as scamper checks it; returns the id in *id. */
int		 proto_id_parse(const uint8_t *p, size_t len, const char **id);

/*
 * Check the first frame of a link: it must be a control frame with seq
 * 0 carrying MASTER_NEW or MASTER_RES.  Returns that type, or -1 with
 * *why set to the reason.
 */
int		 proto_hello(const struct proto_frame *f, const char **why);

/* Whether c may appear in a monitor name. */
int		 proto_namechar(int c);

/*
 * Encoders append one whole frame to b and return 0, or -1 (ENOMEM)
 * with b unchanged.
 */
int		 proto_put_ctl_u32(struct buf *b, uint32_t seq, int type,
		    uint32_t v);
int		 proto_put_keepalive(struct buf *b, uint32_t seq);
int		 proto_put_rej(struct buf *b);
int		 proto_put_id(struct buf *b, uint32_t seq, const char *id);
int		 proto_put_data(struct buf *b, uint32_t seq, uint32_t chan,
		    const void *p, uint16_t len);
/* Used by tests and the fake peers: MASTER_NEW and MASTER_RES. */
int		 proto_put_new(struct buf *b, const uint8_t *magic,
		    size_t magic_len, const char *name);
int		 proto_put_res(struct buf *b, const uint8_t *magic,
		    size_t magic_len, uint32_t rcv_nxt, uint32_t snd_una,
		    uint32_t snd_nxt);

const char	*proto_strerror(int err);
const char	*proto_strtype(int type);

/* Serial comparisons modulo 2^32 (RFC 1982 style). */
static inline int
proto_seq_lt(uint32_t a, uint32_t b)
{
	return ((int32_t)(a - b) < 0);
}
static inline int
proto_seq_le(uint32_t a, uint32_t b)
{
	return ((int32_t)(a - b) <= 0);
}

static inline uint32_t
proto_get32(const uint8_t *p)
{
	return (((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	    ((uint32_t)p[2] << 8) | (uint32_t)p[3]);
}
static inline void
proto_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

#endif /* PROTO_H */
