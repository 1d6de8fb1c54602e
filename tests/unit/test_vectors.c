/*
 * test_vectors.c: replay the captures of tests/vectors through the VP
 * engine (vp.c) and require the daemon's side of each capture, byte for
 * byte.
 *
 * Each capture file (01-06) is parsed into frames and TCP events.  The
 * frames of every link to the daemon's port are replayed: scamper's
 * frames go into vp_input, and the daemon's own actions seen in the
 * capture (CHANNEL_NEW: a client connected; data: a client wrote;
 * CHANNEL_FIN: a client closed; KEEPALIVE: the timer fired) are made
 * with vp_chan_open, vp_chan_data, vp_chan_eof or vp_chan_gone and
 * vp_keepalive.  After every step the bytes the engine put in vp->out
 * must be exactly the next captured daemon frame, so the whole output
 * equals the concatenation of the captured daemon frames.  The bytes
 * the engine hands to each channel must equal what scamper sent on it,
 * and a channel must be freed once scamper has finished it and the
 * client has everything.  A link end makes the VP a zombie; MASTER_RES
 * goes through resume_check and vp_resume, and MASTER_OK with the
 * retransmissions must match the capture.
 *
 * Order of events.  A capture interleaves the two directions by the
 * time the bytes crossed the wire, which is not always the order in
 * which the daemon handled them: in 06 the client's command (daemon seq
 * 1) was read before scamper's frames captured ahead of it, as the seq
 * field (2) of the ACKs that follow shows.  The replay therefore takes
 * the daemon's output stream as the timeline: a captured ACK(n) is the
 * moment the daemon handled scamper's frame n, so scamper's frames are
 * fed in their own order up to frame n when that ACK is reached.
 *
 * Each capture runs twice: with a client that reads everything at once
 * ("eager") and with one that reads only at the end ("lazy"), so that
 * both ways of freeing a finished channel are used.
 *
 * The last tests play the engine-level cases of file 07 (E12-E28) with
 * the exact bytes written there.
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

#include "buf.h"
#include "chan.h"
#include "proto.h"
#include "resume.h"
#include "vp.h"

#ifndef VECTORS_DIR
#define VECTORS_DIR "tests/vectors"
#endif

#define MAXTRACK	16

/*
 * Hex helpers.
 */

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (c - 'A' + 10);
	return (-1);
}

/* Decode hex (spaces allowed) into p; -1 if malformed or too long. */
static long
unhex(const char *s, uint8_t *p, size_t max)
{
	size_t	 n = 0;
	int	 hi = -1, v;

	for (; *s != '\0'; s++) {
		if (*s == ' ')
			continue;
		if ((v = hexval((unsigned char)*s)) < 0)
			return (-1);
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n == max)
			return (-1);
		p[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	return (hi >= 0 ? -1 : (long)n);
}

/* At most 48 bytes as hex, for failure messages. */
static const char *
hexs(const uint8_t *p, size_t n, char *out, size_t outsz)
{
	size_t	 i, o = 0;

	out[0] = '\0';
	for (i = 0; i < n && i < 48 && o + 3 < outsz; i++)
		o += (size_t)snprintf(out + o, outsz - o, "%02x", p[i]);
	if (i < n && o + 4 < outsz)
		snprintf(out + o, outsz - o, "...");
	return (out);
}

/*
 * The capture parser.
 */

enum { DIR_SD, DIR_DS };
enum { IT_FRAME, IT_SYN };

struct item {
	int			 kind;
	int			 dir;
	int			 line;
	unsigned long		 dport;	/* IT_SYN: the daemon's port */
	uint8_t			*raw;	/* IT_FRAME: header and payload */
	size_t			 rawlen;
	struct proto_frame	 f;	/* decoded from raw */
};

struct capture {
	char		 name[64];
	struct item	*it;
	size_t		 n, cap;
	size_t		 nframes[2];
};

static char *
next_tok(char **pp)
{
	char	*s = *pp, *t;

	while (*s == ' ' || *s == '\t' || *s == '\r')
		s++;
	if (*s == '\0')
		return (NULL);
	t = s;
	while (*s != '\0' && *s != ' ' && *s != '\t' && *s != '\r')
		s++;
	if (*s != '\0')
		*s++ = '\0';
	*pp = s;
	return (t);
}

static struct item *
cap_add(struct capture *cp)
{
	struct item	*n;

	if (cp->n == cp->cap) {
		cp->cap = cp->cap == 0 ? 64 : cp->cap * 2;
		n = realloc(cp->it, cp->cap * sizeof(*cp->it));
		assert_non_null(n);
		cp->it = n;
	}
	memset(&cp->it[cp->n], 0, sizeof(cp->it[0]));
	return (&cp->it[cp->n++]);
}

static int
hexfield(const char *tok, size_t ndig, uint8_t *out)
{
	return (tok != NULL && strlen(tok) == ndig &&
	    unhex(tok, out, ndig / 2) == (long)(ndig / 2));
}

/* One line: a frame, a TCP event, an annotation or nothing. */
static void
cap_line(struct capture *cp, char *s, int line)
{
	struct item	*it;
	char		*t, *dir, *p, *end;
	uint8_t		 hdr[PROTO_HDRLEN];
	uint16_t	 len;
	long		 n;

	if ((p = strchr(s, '#')) != NULL)
		*p = '\0';
	if ((t = next_tok(&s)) == NULL)
		return;
	if (t[0] != '+')
		fail_msg("%s:%d: no time field", cp->name, line);
	dir = next_tok(&s);
	if (dir == NULL ||
	    (strcmp(dir, "S>D") != 0 && strcmp(dir, "D>S") != 0))
		fail_msg("%s:%d: bad direction", cp->name, line);

	t = next_tok(&s);
	if (t != NULL && strcmp(t, "tcp") == 0) {
		/* "tcp SYN (port A -> B)": scamper connects to port B. */
		t = next_tok(&s);
		if (t == NULL || strcmp(t, "SYN") != 0 ||
		    strcmp(dir, "S>D") != 0)
			return;
		if ((t = next_tok(&s)) == NULL || strcmp(t, "(port") != 0 ||
		    next_tok(&s) == NULL ||
		    (t = next_tok(&s)) == NULL || strcmp(t, "->") != 0 ||
		    (t = next_tok(&s)) == NULL)
			fail_msg("%s:%d: bad SYN line", cp->name, line);
		it = cap_add(cp);
		it->kind = IT_SYN;
		it->line = line;
		it->dport = strtoul(t, &end, 10);
		if (end == t || strcmp(end, ")") != 0)
			fail_msg("%s:%d: bad SYN port", cp->name, line);
		return;
	}

	/* "<seq> <channel> <len> | <payload hex>" */
	if (!hexfield(t, 8, hdr) || !hexfield(next_tok(&s), 8, hdr + 4) ||
	    !hexfield(next_tok(&s), 4, hdr + 8))
		fail_msg("%s:%d: bad frame header", cp->name, line);
	if ((t = next_tok(&s)) == NULL || strcmp(t, "|") != 0)
		fail_msg("%s:%d: no '|' after the header", cp->name, line);
	len = (uint16_t)(hdr[8] << 8 | hdr[9]);

	it = cap_add(cp);
	it->kind = IT_FRAME;
	it->dir = dir[0] == 'S' ? DIR_SD : DIR_DS;
	it->line = line;
	it->rawlen = PROTO_HDRLEN + (size_t)len;
	it->raw = malloc(it->rawlen);
	assert_non_null(it->raw);
	memcpy(it->raw, hdr, PROTO_HDRLEN);
	n = unhex(s, it->raw + PROTO_HDRLEN, len);
	if (n != (long)len)
		fail_msg("%s:%d: payload is not %u bytes of hex", cp->name,
		    line, (unsigned)len);
	if (proto_frame_get(it->raw, it->rawlen, &it->f) != it->rawlen)
		fail_msg("%s:%d: proto_frame_get disagrees", cp->name, line);
	cp->nframes[it->dir]++;
}

static void
cap_load(struct capture *cp, const char *name)
{
	char	 path[512], *text, *s, *nl;
	FILE	*fp;
	long	 size;
	int	 line = 0;

	memset(cp, 0, sizeof(*cp));
	snprintf(cp->name, sizeof(cp->name), "%s", name);
	snprintf(path, sizeof(path), "%s/%s", VECTORS_DIR, name);
	if ((fp = fopen(path, "rb")) == NULL)
		fail_msg("cannot open %s", path);
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	size = ftell(fp);
	assert_true(size > 0);
	rewind(fp);
	text = malloc((size_t)size + 1);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, (size_t)size, fp), (size_t)size);
	fclose(fp);
	text[size] = '\0';

	for (s = text; *s != '\0'; s = nl) {
		line++;
		if ((nl = strchr(s, '\n')) != NULL)
			*nl++ = '\0';
		else
			nl = s + strlen(s);
		while (*s == ' ')
			s++;
		if (*s == '#' || *s == '\0')
			continue;
		cap_line(cp, s, line);
	}
	free(text);
}

static void
cap_free(struct capture *cp)
{
	size_t	i;

	for (i = 0; i < cp->n; i++)
		free(cp->it[i].raw);
	free(cp->it);
	memset(cp, 0, sizeof(*cp));
}

static int
frame_type(const struct item *it)
{
	if (it->f.chan != 0 || it->f.len == 0)
		return (-1);
	return (it->f.payload[0]);
}

static int
frame_reliable(const struct item *it)
{
	return (it->f.chan != 0 || frame_type(it) == PROTO_CHANNEL_NEW ||
	    frame_type(it) == PROTO_CHANNEL_FIN);
}

static uint32_t
frame_u32(const struct item *it)
{
	uint32_t	v = 0;

	if (proto_u32_parse(it->f.payload, it->f.len, &v) != PROTO_OK)
		fail_msg("line %d: not a 5-byte control frame", it->line);
	return (v);
}

/*
 * The replay: an owner of one VP at a time, recording what the engine
 * tells it.
 */

struct vcase {
	const char	*file;
	const char	*monitor;	/* expected monitor name, or NULL */
	uint32_t	 gone[4];	/* clients that leave at once */
	int		 restart_after;	/* daemon restarts after link n */
	int		 nlinks;	/* links to the daemon's port */
	int		 nresumes;
	int		 nrejects;
	size_t		 nsd, nds;	/* frames on those links */
};

struct track {
	uint32_t	 id;
	struct chan	*c;
	int		 gone;		/* client left: vp_chan_gone */
	int		 rxfin;		/* scamper's FIN was fed in */
	int		 closed;	/* chan_closed was called */
	unsigned	 ready;		/* chan_ready calls */
	struct buf	 got;		/* what the client read */
	struct buf	 want;		/* what scamper sent on it */
};

struct replay {
	const struct vcase	*vc;
	int			 lazy;
	struct vp		*vp;
	int			 freeing;	/* inside vp_free */
	unsigned		 out_ready, out_ready_seen;
	struct buf		 got;		/* all of vp->out */
	struct buf		 want;		/* all captured D>S frames */
	struct track		 t[MAXTRACK];
	size_t			 nt;
	uint32_t		 una;		/* expected vp_snd_una */
	uint32_t		 ds_next;	/* expected snd_nxt */
	uint32_t		 sd_next;	/* expected rcv_nxt */
	int			 nresumes, nrejects;
	size_t			 nsd, nds;
};

static void
cb_out_ready(struct vp *vp)
{
	struct replay	*r = vp->udata;

	r->out_ready++;
}

static void
cb_chan_ready(struct vp *vp, struct chan *c)
{
	struct track	*t = c->udata;

	(void)vp;
	assert_ptr_equal(t->c, c);
	assert_false(t->closed);
	t->ready++;
}

static void
cb_chan_closed(struct vp *vp, struct chan *c)
{
	struct replay	*r = vp->udata;
	struct track	*t = c->udata;

	assert_ptr_equal(t->c, c);
	assert_false(t->closed);
	if (!r->freeing) {
		/* Only scamper's FIN ends a channel ... */
		if (!t->rxfin)
			fail_msg("channel %lu freed before scamper's FIN",
			    (unsigned long)t->id);
		/* ... and only once the client has had everything. */
		assert_int_equal(buf_len(&c->out), 0);
	}
	t->closed = 1;
	t->c = NULL;
}

static void
cb_clients_resume(struct vp *vp)
{
	(void)vp;
	fail_msg("clients_resume: nothing was paused");
}

static void
cb_link_resume(struct vp *vp)
{
	(void)vp;
	fail_msg("link_resume: nothing was paused");
}

static const struct vp_ops ops = {
	NULL, cb_out_ready, cb_chan_ready, cb_chan_closed, cb_clients_resume,
	cb_link_resume
};

static struct track *
track_find(struct replay *r, uint32_t id)
{
	size_t	i;

	for (i = 0; i < r->nt; i++)
		if (r->t[i].id == id)
			return (&r->t[i]);
	return (NULL);
}

/*
 * Take what the engine wrote to vp->out since the last step and
 * require exactly want[0..n).
 */
static void
out_expect(struct replay *r, const uint8_t *want, size_t n, int line)
{
	struct vp	*vp = r->vp;
	size_t		 len = buf_len(&vp->out);
	char		 h1[128], h2[128];

	if (len > 0 && r->out_ready == r->out_ready_seen)
		fail_msg("line %d: output without out_ready", line);
	if (len != n || (n > 0 && memcmp(buf_data(&vp->out), want, n) != 0))
		fail_msg("line %d: engine wrote %zu bytes %s, capture has "
		    "%zu bytes %s", line, len,
		    len > 0 ? hexs(buf_data(&vp->out), len, h1, sizeof(h1)) :
		    "", n, hexs(want, n, h2, sizeof(h2)));
	if (len > 0) {
		assert_int_equal(buf_append(&r->got, buf_data(&vp->out), len),
		    0);
		buf_consume(&vp->out, len);
		assert_int_equal(buf_len(&vp->out), 0);
		vp_out_written(vp);
	}
	r->out_ready_seen = r->out_ready;
}

/* The clients read what the engine has for them. */
static void
clients_read(struct replay *r)
{
	struct track	*t;
	size_t		 i, len;

	for (i = 0; i < r->nt; i++) {
		t = &r->t[i];
		if (t->closed || (len = buf_len(&t->c->out)) == 0)
			continue;
		assert_false(t->gone);
		assert_true(t->ready > 0);
		if (r->lazy && len > 1) {
			/* A short write first: the channel must stay. */
			assert_int_equal(buf_append(&t->got,
			    buf_data(&t->c->out), len / 2), 0);
			buf_consume(&t->c->out, len / 2);
			assert_int_equal(vp_chan_written(r->vp, t->c), 0);
			assert_false(t->closed);
			len -= len / 2;
		}
		assert_int_equal(buf_append(&t->got, buf_data(&t->c->out),
		    len), 0);
		buf_consume(&t->c->out, len);
		if (vp_chan_written(r->vp, t->c) == 1)
			assert_true(t->closed);
		else
			assert_false(t->closed);
	}
}

/* Between steps: eager clients read at once, lazy ones wait. */
static void
step_done(struct replay *r)
{
	if (!r->lazy)
		clients_read(r);
}

/*
 * Set aside what the engine has written so far (to check that what
 * follows adds nothing), and put it back.
 */
static void
out_take(struct replay *r, struct buf *save)
{
	size_t	len = buf_len(&r->vp->out);

	if (len > 0) {
		assert_int_equal(buf_append(save, buf_data(&r->vp->out), len),
		    0);
		buf_consume(&r->vp->out, len);
	}
}

static void
out_put(struct replay *r, struct buf *save)
{
	size_t	len = buf_len(save);

	assert_int_equal(buf_len(&r->vp->out), 0);
	if (len > 0) {
		assert_int_equal(buf_append(&r->vp->out, buf_data(save), len),
		    0);
		buf_free(save);
	}
}

/* Feed one of scamper's frames to the engine. */
static void
sd_input(struct replay *r, const struct item *it)
{
	struct proto_frame	 f;
	struct track		*t = NULL;
	struct buf		 save = BUF_INIT;
	const char		*why = NULL;
	uint8_t			*copy;
	size_t			 pending = 0;
	unsigned		 ready = 0;
	int			 type = frame_type(it);

	if (type == PROTO_CHANNEL_FIN &&
	    (t = track_find(r, frame_u32(it))) != NULL) {
		assert_false(t->closed);
		t->rxfin = 1;
		pending = buf_len(&t->c->out);
		ready = t->ready;
	}
	if (it->f.chan != 0 && it->f.len > 0 &&
	    (t = track_find(r, it->f.chan)) != NULL && !t->gone)
		assert_int_equal(buf_append(&t->want, it->f.payload,
		    it->f.len), 0);

	/*
	 * From a scratch copy that is spoilt afterwards: the engine must
	 * keep its own copy of what it needs.
	 */
	copy = malloc(it->rawlen);
	assert_non_null(copy);
	memcpy(copy, it->raw, it->rawlen);
	assert_int_equal(proto_frame_get(copy, it->rawlen, &f), it->rawlen);
	if (vp_input(r->vp, &f, &why) != 0)
		fail_msg("line %d: vp_input failed: %s", it->line,
		    why != NULL ? why : "(no reason)");
	memset(copy, 0xa5, it->rawlen);
	free(copy);
	r->nsd++;

	if (frame_reliable(it))
		r->sd_next = it->f.seq + 1;
	assert_int_equal(r->vp->rcv_nxt, r->sd_next);
	if (type == PROTO_ACK)
		r->una = frame_u32(it) + 1;

	if (type == PROTO_CHANNEL_FIN && t != NULL) {
		if (pending == 0 || t->gone) {
			/* Nothing left for the client: freed at once. */
			assert_true(t->closed);
		} else {
			/* The client is told, and gets the rest first. */
			assert_false(t->closed);
			assert_true(t->ready > ready);
			/*
			 * Nothing may follow scamper's FIN from us: a
			 * client write or EOF now sends nothing.
			 */
			out_take(r, &save);
			assert_int_equal(vp_chan_data(r->vp, t->c, "x", 1),
			    0);
			assert_int_equal(vp_chan_eof(r->vp, t->c), 0);
			out_put(r, &save);
			assert_int_equal(r->vp->snd_nxt, r->ds_next);
		}
	}
}

/*
 * Make the daemon-side event behind a captured daemon frame.  When
 * live, the engine must write exactly that frame; as a zombie, nothing.
 */
static void
ds_action(struct replay *r, const struct item *it, int zombie)
{
	struct track	*t;
	struct chan	*c;
	struct buf	 fin = BUF_INIT;
	uint32_t	 id;
	size_t		 i;
	int		 freed;

	if (it->f.chan != 0) {
		t = track_find(r, it->f.chan);
		if (t == NULL || t->closed)
			fail_msg("line %d: data for channel %lu, not open",
			    it->line, (unsigned long)it->f.chan);
		assert_int_equal(vp_chan_data(r->vp, t->c, it->f.payload,
		    it->f.len), 0);
	} else if (frame_type(it) == PROTO_CHANNEL_NEW) {
		id = frame_u32(it);
		assert_null(track_find(r, id));
		assert_true(r->nt < MAXTRACK);
		t = &r->t[r->nt++];
		memset(t, 0, sizeof(*t));
		t->id = id;
		buf_init(&t->got);
		buf_init(&t->want);
		c = vp_chan_open(r->vp, t);
		assert_non_null(c);
		assert_int_equal(c->id, id);
		assert_ptr_equal(c->udata, t);
		t->c = c;
	} else if (frame_type(it) == PROTO_CHANNEL_FIN) {
		id = frame_u32(it);
		if ((t = track_find(r, id)) == NULL || t->closed)
			fail_msg("line %d: FIN for channel %lu, not open",
			    it->line, (unsigned long)id);
		for (i = 0; i < 4 && r->vc->gone[i] != 0; i++)
			if (r->vc->gone[i] == id)
				t->gone = 1;
		if (t->gone) {
			freed = vp_chan_gone(r->vp, t->c);
			assert_int_equal(freed, t->rxfin);
			assert_int_equal(t->closed, freed);
		} else {
			assert_int_equal(vp_chan_eof(r->vp, t->c), 0);
			assert_false(t->closed);
		}
		if (!t->closed) {
			/*
			 * The capture has nothing more from the daemon on
			 * this channel: one FIN, and no data after it.
			 */
			out_take(r, &fin);
			assert_int_equal(vp_chan_data(r->vp, t->c, "x", 1),
			    0);
			assert_int_equal(vp_chan_eof(r->vp, t->c), 0);
			out_put(r, &fin);
		}
	} else if (frame_type(it) == PROTO_KEEPALIVE && !zombie) {
		assert_int_equal(vp_keepalive(r->vp), 0);
	} else {
		fail_msg("line %d: no daemon event makes this frame",
		    it->line);
	}
	if (frame_reliable(it)) {
		assert_int_equal(it->f.seq, r->ds_next);
		r->ds_next++;
	}
	assert_int_equal(r->vp->snd_nxt, r->ds_next);
	r->nds++;
	if (zombie) {
		/* Queued, not sent, and the owner is not woken. */
		assert_int_equal(r->out_ready, r->out_ready_seen);
		out_expect(r, NULL, 0, it->line);
	} else {
		out_expect(r, it->raw, it->rawlen, it->line);
	}
	step_done(r);
}

/* The VP ends: flush the clients, check, free. */
static void
vp_end(struct replay *r)
{
	struct track	*t;
	size_t		 i;

	clients_read(r);
	for (i = 0; i < r->nt; i++) {
		t = &r->t[i];
		/* Freed exactly when scamper finished the channel. */
		if (t->closed != t->rxfin)
			fail_msg("%s: channel %lu closed %d, scamper FIN %d",
			    r->vc->file, (unsigned long)t->id, t->closed,
			    t->rxfin);
		if (buf_len(&t->got) != buf_len(&t->want) ||
		    (buf_len(&t->got) > 0 && memcmp(buf_data(&t->got),
		    buf_data(&t->want), buf_len(&t->got)) != 0))
			fail_msg("%s: channel %lu: client got %zu bytes, "
			    "scamper sent %zu", r->vc->file,
			    (unsigned long)t->id, buf_len(&t->got),
			    buf_len(&t->want));
		if (t->gone)
			assert_int_equal(buf_len(&t->got), 0);
	}
	r->freeing = 1;
	vp_free(r->vp);
	r->freeing = 0;
	r->vp = NULL;
	for (i = 0; i < r->nt; i++) {
		t = &r->t[i];
		assert_true(t->closed);
		buf_free(&t->got);
		buf_free(&t->want);
	}
	r->nt = 0;
}

/* The engine's counters against what the capture implies. */
static void
vp_check_counters(struct replay *r)
{
	struct vp	*vp = r->vp;

	assert_int_equal(vp->snd_nxt, r->ds_next);
	assert_int_equal(vp->rcv_nxt, r->sd_next);
	assert_int_equal(vp_snd_una(vp), r->una);
	assert_int_equal(vp->unacked_n, vp->snd_nxt - r->una);
}

/* MASTER_NEW and MASTER_ID: a new VP. */
static void
link_new(struct replay *r, const struct item *sd, const struct item *ds)
{
	struct proto_new	 m;
	const char		*id = NULL;

	assert_int_equal(proto_new_parse(sd->f.payload, sd->f.len, &m),
	    PROTO_OK);
	assert_null(r->vp);
	r->vp = vp_new(m.magic, m.magic_len, m.name, &ops, r);
	assert_non_null(r->vp);
	assert_true(vp_magic_eq(r->vp, m.magic, m.magic_len));
	if (r->vc->monitor == NULL)
		assert_null(r->vp->monitor);
	else
		assert_string_equal(r->vp->monitor, r->vc->monitor);
	assert_int_equal(r->vp->state, VP_LIVE);
	r->una = r->ds_next = r->sd_next = 0;
	r->out_ready = r->out_ready_seen = 0;
	vp_check_counters(r);

	if (ds == NULL || frame_type(ds) != PROTO_MASTER_ID)
		fail_msg("line %d: MASTER_NEW not answered by MASTER_ID",
		    sd->line);
	assert_int_equal(proto_id_parse(ds->f.payload, ds->f.len, &id),
	    PROTO_OK);
	assert_int_equal(vp_send_id(r->vp, id), 0);
	out_expect(r, ds->raw, ds->rawlen, ds->line);
	vp_check_counters(r);
	r->nsd++;
	r->nds++;
}

/*
 * MASTER_RES and what answers it.  Returns how many daemon frames
 * were used (MASTER_OK or MASTER_REJ and the retransmissions).
 */
static size_t
link_res(struct replay *r, const struct item *sd, struct item *const *ds,
    size_t nds)
{
	struct proto_res	 m;
	struct resume_state	 st;
	struct buf		 want = BUF_INIT, rej = BUF_INIT;
	uint32_t		 seq;
	size_t			 i;

	assert_int_equal(proto_res_parse(sd->f.payload, sd->f.len, &m),
	    PROTO_OK);
	r->nsd++;
	if (nds == 0)
		fail_msg("line %d: MASTER_RES not answered", sd->line);

	if (r->vp == NULL || !vp_magic_eq(r->vp, m.magic, m.magic_len)) {
		/* No VP with this magic: MASTER_REJ, and the link ends. */
		assert_int_equal(frame_type(ds[0]), PROTO_MASTER_REJ);
		assert_int_equal(proto_put_rej(&rej), 0);
		assert_int_equal(buf_len(&rej), ds[0]->rawlen);
		assert_memory_equal(buf_data(&rej), ds[0]->raw,
		    ds[0]->rawlen);
		assert_int_equal(buf_append(&r->got, buf_data(&rej),
		    buf_len(&rej)), 0);
		buf_free(&rej);
		assert_int_equal(nds, 1);
		r->nrejects++;
		r->nds++;
		return (1);
	}

	assert_int_equal(r->vp->state, VP_ZOMBIE);
	if (frame_type(ds[0]) != PROTO_MASTER_OK)
		fail_msg("line %d: MASTER_RES not answered by MASTER_OK",
		    sd->line);
	assert_int_equal(buf_append(&want, ds[0]->raw, ds[0]->rawlen), 0);
	r->nds++;

	/*
	 * The frames right behind MASTER_OK, numbered from scamper's
	 * rcv_nxt on, are the unacknowledged queue.  Those the engine
	 * does not hold yet were made while the VP was a zombie (03: a
	 * client wrote during the outage): make them now, as a zombie.
	 */
	seq = m.rcv_nxt;
	for (i = 1; i < nds && ds[i]->f.seq == seq && frame_reliable(ds[i]);
	    i++, seq++) {
		if (!proto_seq_lt(seq, r->vp->snd_nxt))
			ds_action(r, ds[i], 1);
		else
			r->nds++;
		assert_int_equal(buf_append(&want, ds[i]->raw,
		    ds[i]->rawlen), 0);
	}
	vp_check_counters(r);

	st.snd_una = vp_snd_una(r->vp);
	st.snd_nxt = r->vp->snd_nxt;
	st.rcv_nxt = r->vp->rcv_nxt;
	if (resume_check(&st, m.rcv_nxt, m.snd_una, m.snd_nxt) != RESUME_OK)
		fail_msg("line %d: resume_check refused a resume the "
		    "reference accepted", sd->line);

	assert_int_equal(vp_resume(r->vp, m.rcv_nxt), 0);
	assert_int_equal(r->vp->state, VP_LIVE);
	if (proto_seq_lt(r->una, m.rcv_nxt))
		r->una = m.rcv_nxt;
	out_expect(r, buf_data(&want), buf_len(&want), ds[0]->line);
	vp_check_counters(r);
	buf_free(&want);
	r->nresumes++;
	return (i);
}

/* The rest of one link, on the daemon's output timeline. */
static void
link_run(struct replay *r, struct item *const *sd, size_t nsd,
    struct item *const *ds, size_t nds)
{
	const struct item	*it;
	size_t			 si = 0, di;
	uint32_t		 n;
	int			 found;

	for (di = 0; di < nds; di++) {
		it = ds[di];
		if (frame_type(it) != PROTO_ACK) {
			ds_action(r, it, 0);
			continue;
		}
		/* ACK(n): the daemon has handled scamper's frame n. */
		n = frame_u32(it);
		for (found = 0; !found; si++) {
			if (si == nsd)
				fail_msg("line %d: ACK %lu of a frame scamper "
				    "did not send", it->line,
				    (unsigned long)n);
			sd_input(r, sd[si]);
			if (frame_reliable(sd[si])) {
				if (sd[si]->f.seq != n)
					fail_msg("line %d: ACK %lu, but "
					    "scamper's next frame is %lu",
					    it->line, (unsigned long)n,
					    (unsigned long)sd[si]->f.seq);
				out_expect(r, it->raw, it->rawlen, it->line);
				r->nds++;
				found = 1;
			} else {
				out_expect(r, NULL, 0, sd[si]->line);
			}
			step_done(r);
		}
	}
	/* What scamper sent after the daemon's last frame. */
	for (; si < nsd; si++) {
		sd_input(r, sd[si]);
		out_expect(r, NULL, 0, sd[si]->line);
		step_done(r);
	}
}

struct run {
	const struct vcase	*vc;
	int			 lazy;
};

static void
test_capture(void **state)
{
	const struct run	*run = *state;
	const struct vcase	*vc = run->vc;
	struct capture		 cp;
	struct replay		 r;
	struct item		**sd, **ds;
	size_t			 i, j, k, nsd, nds;
	const char		*why;
	unsigned long		 dport = 0;
	int			 nlink = 0, type;

	memset(&r, 0, sizeof(r));
	r.vc = vc;
	r.lazy = run->lazy;
	cap_load(&cp, vc->file);
	sd = calloc(cp.n + 1, sizeof(*sd));
	ds = calloc(cp.n + 1, sizeof(*ds));
	assert_non_null(sd);
	assert_non_null(ds);

	for (i = 0; i < cp.n; i = j) {
		/* A link: a SYN and the frames up to the next SYN. */
		if (cp.it[i].kind != IT_SYN)
			fail_msg("%s:%d: frame before any SYN", vc->file,
			    cp.it[i].line);
		if (dport == 0)
			dport = cp.it[i].dport;
		nsd = nds = 0;
		for (j = i + 1; j < cp.n && cp.it[j].kind != IT_SYN; j++) {
			if (cp.it[j].dir == DIR_SD)
				sd[nsd++] = &cp.it[j];
			else
				ds[nds++] = &cp.it[j];
		}
		/* Another port: the scamper side of a relay (04 part B). */
		if (cp.it[i].dport != dport)
			continue;
		nlink++;
		for (k = 0; k < nds; k++)
			assert_int_equal(buf_append(&r.want, ds[k]->raw,
			    ds[k]->rawlen), 0);

		if (nsd == 0)
			fail_msg("%s: link %d carries nothing", vc->file,
			    nlink);
		why = NULL;
		type = proto_hello(&sd[0]->f, &why);
		if (type == PROTO_MASTER_NEW) {
			link_new(&r, sd[0], nds > 0 ? ds[0] : NULL);
			link_run(&r, sd + 1, nsd - 1, ds + 1, nds - 1);
		} else if (type == PROTO_MASTER_RES) {
			size_t	used = link_res(&r, sd[0], ds, nds);

			link_run(&r, sd + 1, nsd - 1, ds + used,
			    nds - used);
		} else {
			fail_msg("%s:%d: proto_hello: %s", vc->file,
			    sd[0]->line, why != NULL ? why : "(no reason)");
		}

		/* The link is gone: a zombie, or the daemon went away. */
		if (r.vp == NULL)
			continue;
		vp_check_counters(&r);
		if (vc->restart_after == nlink) {
			vp_end(&r);
			continue;
		}
		if (r.vp->state == VP_LIVE) {
			vp_zombify(r.vp);
			assert_int_equal(r.vp->state, VP_ZOMBIE);
			assert_int_equal(buf_len(&r.vp->out), 0);
			vp_check_counters(&r);
		}
	}
	if (r.vp != NULL)
		vp_end(&r);

	/* Everything the daemon sent, in one piece. */
	assert_int_equal(buf_len(&r.got), buf_len(&r.want));
	assert_memory_equal(buf_data(&r.got), buf_data(&r.want),
	    buf_len(&r.want));
	assert_int_equal(nlink, vc->nlinks);
	assert_int_equal(r.nresumes, vc->nresumes);
	assert_int_equal(r.nrejects, vc->nrejects);
	assert_int_equal(r.nsd, vc->nsd);
	assert_int_equal(r.nds, vc->nds);

	buf_free(&r.got);
	buf_free(&r.want);
	free(sd);
	free(ds);
	cap_free(&cp);
}

/*
 * Per capture: the monitor name, the clients that leave at once, a
 * daemon restart, and counts that prove nothing was skipped.
 */
static const struct vcase cases[] = {
	/* 01: one channel, "done", keepalives both ways. */
	{ "01-new-with-name.txt", "vp1.example", { 0 }, 0, 1, 0, 0, 19, 19 },
	/*
	 * 02: "a second client that connects and leaves at once (NEW and
	 * FIN back to back, later output discarded)": channel 2 is gone,
	 * scamper's output on it is ACKed and dropped.  Channel 1 only
	 * shut down its write side: vp_chan_eof.
	 */
	{ "02-new-without-name.txt", NULL, { 2 }, 0, 1, 0, 0, 21, 21 },
	/* 03: a zombie queues a client's line, sent after MASTER_OK. */
	{ "03-resume-daemon-queued.txt", "vp3", { 0 }, 0, 2, 1, 0, 23, 23 },
	/* 04: scamper retransmits after MASTER_OK (part A only). */
	{ "04-resume-scamper-unacked.txt", "vp6", { 0 }, 0, 2, 1, 0, 19,
	    19 },
	/* 05: the daemon restarts after link 1: REJ, then a new VP. */
	{ "05-reject-then-new.txt", "vp4", { 0 }, 1, 3, 0, 1, 19, 19 },
	/* 06: IPv6 peer. */
	{ "06-ipv6.txt", "v6.vp", { 0 }, 0, 1, 0, 0, 17, 17 },
};

static const struct run runs[] = {
	{ &cases[0], 0 }, { &cases[0], 1 },
	{ &cases[1], 0 }, { &cases[1], 1 },
	{ &cases[2], 0 }, { &cases[2], 1 },
	{ &cases[3], 0 }, { &cases[3], 1 },
	{ &cases[4], 0 }, { &cases[4], 1 },
	{ &cases[5], 0 }, { &cases[5], 1 },
};

/*
 * File 07, engine-level cases, with the bytes written there.
 */

/* Feed one frame from hex; 0 or -1 from vp_input. */
static int
mini_in(struct replay *r, const char *hex)
{
	struct proto_frame	 f;
	uint8_t			 p[600];
	const char		*why = NULL;
	long			 n;
	int			 rc;

	n = unhex(hex, p, sizeof(p));
	assert_true(n >= PROTO_HDRLEN);
	assert_int_equal(proto_frame_get(p, (size_t)n, &f), (size_t)n);
	rc = vp_input(r->vp, &f, &why);
	if (rc != 0)
		assert_non_null(why);
	return (rc);
}

/* The engine's output since the last call must be exactly hex. */
static void
mini_out(struct replay *r, const char *hex)
{
	uint8_t	 p[600];
	long	 n;

	n = unhex(hex, p, sizeof(p));
	assert_true(n >= 0);
	out_expect(r, p, (size_t)n, 0);
}

static struct vp *
mini_new(struct replay *r, const char *newhex)
{
	struct proto_new	 m;
	uint8_t			 p[600];
	long			 n;

	memset(r, 0, sizeof(*r));
	n = unhex(newhex, p, sizeof(p));
	assert_true(n > PROTO_HDRLEN);
	assert_int_equal(proto_new_parse(p + PROTO_HDRLEN,
	    (size_t)n - PROTO_HDRLEN, &m), PROTO_OK);
	r->vp = vp_new(m.magic, m.magic_len, m.name, &ops, r);
	assert_non_null(r->vp);
	assert_int_equal(vp_send_id(r->vp, "127.0.0.1:40000"), 0);
	mini_out(r, "00000000 00000000 0012 "
	    "01103132372e302e302e313a343030303000");
	return (r->vp);
}

static void
mini_free(struct replay *r)
{
	size_t	i;

	r->freeing = 1;
	vp_free(r->vp);
	r->vp = NULL;
	for (i = 0; i < r->nt; i++) {
		assert_true(r->t[i].closed);
		buf_free(&r->t[i].got);
		buf_free(&r->t[i].want);
	}
	buf_free(&r->got);
	buf_free(&r->want);
}

static struct track *
mini_open(struct replay *r, uint32_t id)
{
	struct track	*t = &r->t[r->nt++];

	memset(t, 0, sizeof(*t));
	t->id = id;
	t->c = vp_chan_open(r->vp, t);
	assert_non_null(t->c);
	assert_int_equal(t->c->id, id);
	return (t);
}

/* E12-E18: established-link reactions, each on a fresh VP. */
static void
test_07_reactions(void **state)
{
	struct replay	r;
	struct vp	*vp;

	(void)state;
	/* E12: ACK with nothing outstanding. */
	vp = mini_new(&r, "00000000 00000000 000e "
	    "0008a8a8a8a8a8a8a8a803703800");
	assert_int_equal(mini_in(&r, "00000000 00000000 0005 0500000000"),
	    -1);
	mini_free(&r);

	/* E13: KEEPALIVE with seq 1, 0 expected. */
	vp = mini_new(&r, "00000000 00000000 000e "
	    "0008a9a9a9a9a9a9a9a903703900");
	assert_int_equal(mini_in(&r, "00000001 00000000 0001 04"), -1);
	/* The right seq is fine and sends nothing. */
	assert_int_equal(mini_in(&r, "00000000 00000000 0001 04"), 0);
	mini_out(&r, "");
	/* E14: KEEPALIVE with a payload byte. */
	assert_int_equal(mini_in(&r, "00000000 00000000 0002 0400"), -1);
	mini_free(&r);

	/*
	 * E15: data for a channel that does not exist.  The reference
	 * (20211212) tears down; we ACK and discard, as 20260420 does.
	 */
	vp = mini_new(&r, "00000000 00000000 000e "
	    "0008a9a9a9a9a9a9a9a903703900");
	assert_int_equal(mini_in(&r, "00000000 00000007 0002 780a"), 0);
	mini_out(&r, "00000000 00000000 0005 0500000000");
	assert_int_equal(vp->rcv_nxt, 1);
	/* E16: FIN for an unknown channel: ACK and ignore (20260420). */
	assert_int_equal(mini_in(&r, "00000001 00000000 0005 0300000009"),
	    0);
	mini_out(&r, "00000000 00000000 0005 0500000001");
	assert_int_equal(vp->rcv_nxt, 2);
	/* E17: unknown control type. */
	assert_int_equal(mini_in(&r, "00000002 00000000 0001 09"), -1);
	mini_free(&r);

	/* E18: a second MASTER_NEW on an established link. */
	vp = mini_new(&r, "00000000 00000000 0010 "
	    "0008b9b9b9b9b9b9b9b9057032346200");
	assert_int_equal(mini_in(&r, "00000000 00000000 0010 "
	    "0008b9b9b9b9b9b9b9b9057032346200"), -1);
	/* ... nor any other handshake message, nor CHANNEL_NEW. */
	assert_int_equal(mini_in(&r, "00000000 00000000 0016 "
	    "06085151515151515151000000030000000100000001"), -1);
	assert_int_equal(mini_in(&r, "00000000 00000000 0005 0200000001"),
	    -1);
	assert_int_equal(mini_in(&r, "00000000 00000000 0001 07"), -1);
	assert_int_equal(mini_in(&r, "00000000 00000000 0005 0800000000"),
	    -1);
	/* A control frame without a type byte. */
	assert_int_equal(mini_in(&r, "00000000 00000000 0000"), -1);
	assert_int_equal(vp->rcv_nxt, 0);
	mini_free(&r);
}

/* E20-E28: no window, takeover, zombie, refused and valid resumes. */
static void
test_07_sequence(void **state)
{
	static const uint8_t	 m51[8] = {
		0x51, 0x51, 0x51, 0x51, 0x51, 0x51, 0x51, 0x51
	};
	struct replay		 r;
	struct resume_state	 st;
	struct proto_res	 m;
	struct track		*t;
	struct vp		*vp;
	uint8_t			 p[64];
	long			 n;

	(void)state;
	/* E20: the daemon sends without waiting for ACKs. */
	vp = mini_new(&r, "00000000 00000000 000e "
	    "0008515151515151515103723100");
	assert_string_equal(vp->monitor, "r1");
	t = mini_open(&r, 1);
	mini_out(&r, "00000000 00000000 0005 0200000001");
	assert_int_equal(vp_chan_data(vp, t->c, "ping -c 1 127.0.0.1\n", 20),
	    0);
	mini_out(&r, "00000001 00000001 0014 "
	    "70696e67202d632031203132372e302e302e310a");
	assert_int_equal(vp_chan_data(vp, t->c, "trace 127.0.0.1\n", 16), 0);
	mini_out(&r, "00000002 00000001 0010 "
	    "7472616365203132372e302e302e310a");
	assert_int_equal(vp->unacked_n, 3);

	/* E21: takeover by MASTER_RES r=1 a=0 n=0 on a second link. */
	n = unhex("06085151515151515151000000010000000000000000", p,
	    sizeof(p));
	assert_int_equal(proto_res_parse(p, (size_t)n, &m), PROTO_OK);
	assert_true(vp_magic_eq(vp, m.magic, m.magic_len));
	st.snd_una = vp_snd_una(vp);
	st.snd_nxt = vp->snd_nxt;
	st.rcv_nxt = vp->rcv_nxt;
	assert_int_equal(st.snd_una, 0);
	assert_int_equal(st.snd_nxt, 3);
	assert_int_equal(resume_check(&st, m.rcv_nxt, m.snd_una, m.snd_nxt),
	    RESUME_OK);
	assert_int_equal(vp_resume(vp, m.rcv_nxt), 0);
	/* Frame 0 (CHANNEL_NEW) dropped because r=1; 1 and 2 resent. */
	mini_out(&r, "00000000 00000000 0005 0800000000"
	    "00000001 00000001 0014 "
	    "70696e67202d632031203132372e302e302e310a"
	    "00000002 00000001 0010 "
	    "7472616365203132372e302e302e310a");
	assert_int_equal(vp->unacked_n, 2);
	assert_int_equal(vp_snd_una(vp), 1);
	assert_int_equal(mini_in(&r, "00000000 00000000 0005 0500000001"),
	    0);
	assert_int_equal(mini_in(&r, "00000000 00000000 0005 0500000002"),
	    0);
	mini_out(&r, "");
	assert_int_equal(vp->unacked_n, 0);
	assert_int_equal(mini_in(&r, "00000000 00000001 0008 "
	    "4f4b2069642d310a"), 0);
	mini_out(&r, "00000003 00000000 0005 0500000000");
	/* The local client receives "OK id-1\n". */
	assert_true(t->ready > 0);
	assert_int_equal(buf_len(&t->c->out), 8);
	assert_memory_equal(buf_data(&t->c->out), "OK id-1\n", 8);
	buf_consume(&t->c->out, 8);
	assert_int_equal(vp_chan_written(vp, t->c), 0);

	/* E22: link closed; the client writes while the VP is a zombie. */
	vp_zombify(vp);
	assert_int_equal(vp->state, VP_ZOMBIE);
	assert_int_equal(vp_chan_data(vp, t->c, "while-zombie\n", 13), 0);
	assert_int_equal(vp_keepalive(vp), 0);
	mini_out(&r, "");
	assert_int_equal(vp->snd_nxt, 4);
	assert_int_equal(vp->unacked_n, 1);

	/* E23: refused resumes (snd_nxt 4, rcv_nxt 1, unacked {3}). */
	st.snd_una = vp_snd_una(vp);
	st.snd_nxt = vp->snd_nxt;
	st.rcv_nxt = vp->rcv_nxt;
	assert_int_equal(st.snd_una, 3);
	assert_int_equal(st.rcv_nxt, 1);
	n = unhex("060851515151515151510000004d0000000100000001", p,
	    sizeof(p));
	assert_int_equal(proto_res_parse(p, (size_t)n, &m), PROTO_OK);
	assert_int_not_equal(resume_check(&st, m.rcv_nxt, m.snd_una,
	    m.snd_nxt), RESUME_OK);
	n = unhex("06085151515151515151000000030000000500000006", p,
	    sizeof(p));
	assert_int_equal(proto_res_parse(p, (size_t)n, &m), PROTO_OK);
	assert_int_not_equal(resume_check(&st, m.rcv_nxt, m.snd_una,
	    m.snd_nxt), RESUME_OK);
	n = unhex("06085151515151515151000000030000000000000000", p,
	    sizeof(p));
	assert_int_equal(proto_res_parse(p, (size_t)n, &m), PROTO_OK);
	assert_int_not_equal(resume_check(&st, m.rcv_nxt, m.snd_una,
	    m.snd_nxt), RESUME_OK);
	n = unhex("06089999999999999999000000000000000000000000", p,
	    sizeof(p));
	assert_int_equal(proto_res_parse(p, (size_t)n, &m), PROTO_OK);
	assert_false(vp_magic_eq(vp, m.magic, m.magic_len));
	/* E25: MASTER_NEW with the zombie's magic finds it. */
	assert_true(vp_magic_eq(vp, m51, 8));
	assert_false(vp_magic_eq(vp, m51, 7));
	/* Untouched. */
	assert_int_equal(vp->state, VP_ZOMBIE);
	assert_int_equal(vp->snd_nxt, 4);
	assert_int_equal(vp->rcv_nxt, 1);
	assert_int_equal(vp->unacked_n, 1);

	/* E26: valid resume r=3 a=1 n=1. */
	n = unhex("06085151515151515151000000030000000100000001", p,
	    sizeof(p));
	assert_int_equal(proto_res_parse(p, (size_t)n, &m), PROTO_OK);
	assert_int_equal(resume_check(&st, m.rcv_nxt, m.snd_una, m.snd_nxt),
	    RESUME_OK);
	assert_int_equal(vp_resume(vp, m.rcv_nxt), 0);
	assert_int_equal(vp->state, VP_LIVE);
	mini_out(&r, "00000000 00000000 0005 0800000001"
	    "00000003 00000001 000d 7768696c652d7a6f6d6269650a");
	assert_int_equal(vp_chan_data(vp, t->c, "after-resume\n", 13), 0);
	mini_out(&r, "00000004 00000001 000d 61667465722d726573756d650a");
	assert_int_equal(mini_in(&r, "00000001 00000000 0005 0500000003"),
	    0);
	assert_int_equal(mini_in(&r, "00000001 00000000 0005 0500000004"),
	    0);
	mini_out(&r, "");
	assert_int_equal(vp->unacked_n, 0);

	/* E27: scamper FINs; no FIN back; the client reads EOF. */
	t->rxfin = 1;
	assert_int_equal(mini_in(&r, "00000001 00000000 0005 0300000001"),
	    0);
	mini_out(&r, "00000005 00000000 0005 0500000001");
	assert_true(t->closed);

	/* E28: the keepalive carries snd_nxt 5. */
	assert_int_equal(vp_keepalive(vp), 0);
	mini_out(&r, "00000005 00000000 0001 04");
	mini_free(&r);
}

int
main(void)
{
	static const char	*names[] = {
		"01 eager", "01 lazy", "02 eager", "02 lazy",
		"03 eager", "03 lazy", "04 eager", "04 lazy",
		"05 eager", "05 lazy", "06 eager", "06 lazy"
	};
	struct CMUnitTest	 tests[sizeof(runs) / sizeof(runs[0]) + 2];
	size_t			 i, n = 0;

	for (i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		memset(&tests[n], 0, sizeof(tests[n]));
		tests[n].name = names[i];
		tests[n].test_func = test_capture;
		tests[n].initial_state = (void *)(uintptr_t)&runs[i];
		n++;
	}
	memset(&tests[n], 0, sizeof(tests[n]));
	tests[n].name = "07 E12-E18 reactions";
	tests[n++].test_func = test_07_reactions;
	memset(&tests[n], 0, sizeof(tests[n]));
	tests[n].name = "07 E20-E28 sequence";
	tests[n++].test_func = test_07_sequence;

	assert_true(n == sizeof(tests) / sizeof(tests[0]));
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
