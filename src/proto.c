/*
 * proto.c: the frame codec (see proto.h for the wire format).
 *
 * Copyright (C) 2026 The sc_remoted authors.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "proto.h"

size_t
proto_frame_get(const uint8_t *p, size_t len, struct proto_frame *f)
{
	size_t	 flen;

	if (len < PROTO_HDRLEN)
		return (0);
	f->seq = proto_get32(p);
	f->chan = proto_get32(p + 4);
	f->len = (uint16_t)((p[8] << 8) | p[9]);
	flen = PROTO_HDRLEN + (size_t)f->len;
	if (len < flen)
		return (0);
	f->payload = p + PROTO_HDRLEN;
	return (flen);
}

void
proto_hdr_put(uint8_t *p, uint32_t seq, uint32_t chan, uint16_t len)
{
	proto_put32(p, seq);
	proto_put32(p + 4, chan);
	p[8] = (uint8_t)(len >> 8);
	p[9] = (uint8_t)len;
}

int
proto_hello(const struct proto_frame *f, const char **why)
{
	if (f->seq != 0)
		*why = "first frame has a non-zero sequence number";
	else if (f->chan != 0)
		*why = "first frame is not a control frame";
	else if (f->len == 0)
		*why = "first frame is an empty control frame";
	else if (f->payload[0] == PROTO_MASTER_NEW ||
	    f->payload[0] == PROTO_MASTER_RES)
		return (f->payload[0]);
	else
		*why = "first frame is neither MASTER_NEW nor MASTER_RES";
	return (-1);
}

int
proto_namechar(int c)
{
	/* ASCII only, whatever the locale: no isalnum() here. */
	return ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '.' || c == '-');
}

int
proto_new_parse(const uint8_t *p, size_t len, struct proto_new *m)
{
	size_t	 i, off, nlen;

	memset(m, 0, sizeof(*m));
	if (len < 1)
		return (PROTO_EEMPTY);
	if (len < 2)
		return (PROTO_ESHORT);
	if (p[1] == 0)
		return (PROTO_EMAGIC);
	m->magic_len = p[1];
	if (len < 2 + m->magic_len)
		return (PROTO_ESHORT);
	m->magic = p + 2;
	off = 2 + m->magic_len;

	/* No name-length byte, or a zero one: no monitor name. */
	if (off >= len || p[off] == 0)
		return (PROTO_OK);
	nlen = p[off++];
	if (len - off < nlen)
		return (PROTO_ESHORT);
	if (p[off + nlen - 1] != '\0')
		return (PROTO_ENAMENUL);
	for (i = 0; i + 1 < nlen; i++)
		if (!proto_namechar(p[off + i]))
			return (PROTO_ENAMECHAR);
	/* Just the NUL: an empty name, which is no name at all. */
	if (nlen == 1)
		return (PROTO_OK);
	/* Bytes after the name are ignored, as scamper never sends any. */
	m->name = (const char *)(p + off);
	m->name_len = nlen - 1;
	return (PROTO_OK);
}

int
proto_res_parse(const uint8_t *p, size_t len, struct proto_res *m)
{
	size_t	 off;

	memset(m, 0, sizeof(*m));
	if (len < 1)
		return (PROTO_EEMPTY);
	if (len < 2)
		return (PROTO_ESHORT);
	if (p[1] == 0)
		return (PROTO_EMAGIC);
	m->magic_len = p[1];
	m->magic = p + 2;
	off = 2 + m->magic_len;
	if (len < off + 12)
		return (PROTO_ESHORT);
	m->rcv_nxt = proto_get32(p + off);
	m->snd_una = proto_get32(p + off + 4);
	m->snd_nxt = proto_get32(p + off + 8);
	return (PROTO_OK);
}

int
proto_u32_parse(const uint8_t *p, size_t len, uint32_t *v)
{
	if (len < 1)
		return (PROTO_EEMPTY);
	if (len != 5)
		return (PROTO_ELEN);
	*v = proto_get32(p + 1);
	return (PROTO_OK);
}

int
proto_id_parse(const uint8_t *p, size_t len, const char **id)
{
	size_t	 i, n;

	if (len < 1)
		return (PROTO_EEMPTY);
	if (len < 2 || p[1] == 0 || len - 2 < p[1])
		return (PROTO_ESHORT);
	n = p[1];
	if (p[2 + n - 1] != '\0')
		return (PROTO_ENAMENUL);
	for (i = 0; i + 1 < n; i++)
		if (p[2 + i] < 0x20 || p[2 + i] > 0x7e)
			return (PROTO_ENAMECHAR);
	*id = (const char *)(p + 2);
	return (PROTO_OK);
}

/* Append a control frame whose payload is type followed by n bytes. */
static int
proto_put_ctl(struct buf *b, uint32_t seq, int type, const void *v,
    size_t n)
{
	uint8_t	*dst;

	if ((dst = buf_reserve(b, PROTO_HDRLEN + 1 + n)) == NULL)
		return (-1);
	proto_hdr_put(dst, seq, 0, (uint16_t)(1 + n));
	dst[PROTO_HDRLEN] = (uint8_t)type;
	if (n > 0)
		memcpy(dst + PROTO_HDRLEN + 1, v, n);
	buf_commit(b, PROTO_HDRLEN + 1 + n);
	return (0);
}

int
proto_put_ctl_u32(struct buf *b, uint32_t seq, int type, uint32_t v)
{
	uint8_t	 u[4];

	proto_put32(u, v);
	return (proto_put_ctl(b, seq, type, u, 4));
}

int
proto_put_keepalive(struct buf *b, uint32_t seq)
{
	return (proto_put_ctl(b, seq, PROTO_KEEPALIVE, NULL, 0));
}

int
proto_put_rej(struct buf *b)
{
	return (proto_put_ctl(b, 0, PROTO_MASTER_REJ, NULL, 0));
}

int
proto_put_id(struct buf *b, uint32_t seq, const char *id)
{
	uint8_t	 v[256];
	size_t	 n;

	n = strlen(id) + 1;
	if (n > 255)
		return (-1);
	v[0] = (uint8_t)n;
	memcpy(v + 1, id, n);
	return (proto_put_ctl(b, seq, PROTO_MASTER_ID, v, n + 1));
}

int
proto_put_data(struct buf *b, uint32_t seq, uint32_t chan, const void *p,
    uint16_t len)
{
	uint8_t	*dst;

	if ((dst = buf_reserve(b, PROTO_HDRLEN + (size_t)len)) == NULL)
		return (-1);
	proto_hdr_put(dst, seq, chan, len);
	if (len > 0)
		memcpy(dst + PROTO_HDRLEN, p, len);
	buf_commit(b, PROTO_HDRLEN + (size_t)len);
	return (0);
}

int
proto_put_new(struct buf *b, const uint8_t *magic, size_t magic_len,
    const char *name)
{
	uint8_t	 v[2 + PROTO_MAXMAGIC + 1 + PROTO_MAXNAME + 1];
	size_t	 n = 0, nlen;

	if (magic_len > PROTO_MAXMAGIC)
		return (-1);
	v[n++] = (uint8_t)magic_len;
	memcpy(v + n, magic, magic_len);
	n += magic_len;
	if (name == NULL) {
		v[n++] = 0;
	} else {
		nlen = strlen(name) + 1;
		if (nlen > PROTO_MAXNAME + 1)
			return (-1);
		v[n++] = (uint8_t)nlen;
		memcpy(v + n, name, nlen);
		n += nlen;
	}
	return (proto_put_ctl(b, 0, PROTO_MASTER_NEW, v, n));
}

int
proto_put_res(struct buf *b, const uint8_t *magic, size_t magic_len,
    uint32_t rcv_nxt, uint32_t snd_una, uint32_t snd_nxt)
{
	uint8_t	 v[1 + PROTO_MAXMAGIC + 12];
	size_t	 n = 0;

	if (magic_len > PROTO_MAXMAGIC)
		return (-1);
	v[n++] = (uint8_t)magic_len;
	memcpy(v + n, magic, magic_len);
	n += magic_len;
	proto_put32(v + n, rcv_nxt);
	proto_put32(v + n + 4, snd_una);
	proto_put32(v + n + 8, snd_nxt);
	n += 12;
	return (proto_put_ctl(b, 0, PROTO_MASTER_RES, v, n));
}

const char *
proto_strerror(int err)
{
	switch (err) {
	case PROTO_OK:
		return ("no error");
	case PROTO_ESHORT:
		return ("payload shorter than its fields");
	case PROTO_ELEN:
		return ("wrong payload length for the message type");
	case PROTO_EMAGIC:
		return ("magic length is 0");
	case PROTO_ENAMECHAR:
		return ("monitor name has a byte outside [A-Za-z0-9.-]");
	case PROTO_ENAMENUL:
		return ("monitor name is not NUL-terminated");
	case PROTO_EEMPTY:
		return ("control frame without a type byte");
	}
	return ("unknown error");
}

const char *
proto_strtype(int type)
{
	static const char *names[] = {
		"MASTER_NEW", "MASTER_ID", "CHANNEL_NEW", "CHANNEL_FIN",
		"KEEPALIVE", "ACK", "MASTER_RES", "MASTER_REJ", "MASTER_OK"
	};

	if (type >= 0 && (size_t)type < sizeof(names) / sizeof(names[0]))
		return (names[type]);
	return ("unknown type");
}
