/*
 * vpsim.c: a population of simulated scamper vantage points for load,
 * scale and hostile tests of sc_remoted.
 *
 * One process opens -n TCP links to the daemon (loopback only), speaks
 * the scamper side of the remote-control link protocol on each, and
 * behaves according to -m:
 *
 *   idle      identify, answer nothing but ACK every reliable frame,
 *             send a KEEPALIVE after 30 s without writing; channels the
 *             daemon opens are accepted and their data discarded.
 *   echo      like idle, and each '\n'-terminated line received on a
 *             channel is answered on that channel with "OK <line>\n"
 *             (one frame per reply line, as scamper writes one frame
 *             per output line).
 *   bulk      like idle, and when a channel opens, -b bytes are sent on
 *             it in 65535-byte frames (the last one shorter) as fast as
 *             TCP allows, followed by CHANNEL_FIN.  -b 0: without end.
 *   noack     identify, then never send an ACK (hostile).
 *   midframe  identify, then send a header announcing 65535 payload
 *             bytes on channel -c followed by only -b of them, then
 *             nothing at all (hostile).
 *   garbage   send -b random bytes instead of MASTER_NEW, then nothing
 *             (hostile).
 *
 * The daemon's side of the protocol is checked on every link: sequence
 * numbers, one ACK per reliable frame naming our oldest unacknowledged
 * frame, known channels, well-formed control messages, MASTER_ID text
 * matching our address, a sign of life at least every 60 s.  In the
 * non-hostile modes a violation is printed, the link is closed, and the
 * exit status is 1; so is a link the daemon closes.  In the hostile
 * modes a link closed by the daemon is the expected outcome: the
 * summary counts them and says how long after the hostile act they
 * were closed.
 *
 * When the daemon sends CHANNEL_FIN we answer with our own once our
 * output on that channel is done (bulk: after the remaining bytes, as
 * 20211212 scamper completes its measurements; -a abandons them).
 *
 * Single-threaded, poll(2), no dependency beyond POSIX and the C
 * library.  TCP_NODELAY is set as scamper sets it; TCP_QUICKACK is
 * not.
 *
 * Copyright (C) 2026 The sc_remoted authors.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#define _POSIX_C_SOURCE 200809L

#include <sys/types.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <netdb.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Wire format (see src/proto.h). */
#define HDRLEN		10
#define MAXPAYLOAD	65535
#define T_MASTER_NEW	0
#define T_MASTER_ID	1
#define T_CHANNEL_NEW	2
#define T_CHANNEL_FIN	3
#define T_KEEPALIVE	4
#define T_ACK		5

/* Timers of scamper (remote-protocol.md section 9). */
#define KEEPALIVE_S	30.0
#define SILENCE_S	60.0

#define MAXCONN		19000	/* stays within 20,000 descriptors */
#define MAXOUTSTANDING	256	/* connects in progress at once */
#define CTLMAX		264	/* largest control frame we keep */
#define LINEMAX		60000	/* longest echo line kept */
#define RBUFSZ		(256 * 1024)
#define BULK_BATCH	4		/* bulk frames written at once */
#define WRITES_PER_TURN	64	/* bounded work per link per turn */
#define READS_PER_TURN	16
#define MAXCLOSE	MAXCONN

enum mode { M_IDLE, M_ECHO, M_BULK, M_NOACK, M_MIDFRAME, M_GARBAGE };
static const char *mode_names[] = {
	"idle", "echo", "bulk", "noack", "midframe", "garbage"
};

enum cstate { C_NEW, C_CONNECTING, C_HELLO, C_EST, C_DONE };

#define CH_RXFIN	0x01	/* the daemon sent CHANNEL_FIN */
#define CH_TXFIN	0x02	/* we sent CHANNEL_FIN */

struct chan {
	struct chan	*next;
	uint32_t	 id;
	uint32_t	 fin_seq;	/* seq of our FIN, once TXFIN */
	int		 flags;
	int		 bulk_on;	/* bulk output still to send */
	uint64_t	 bulk_left;	/* 0 with bulk_on: without end */
	char		*line;		/* echo: partial line */
	size_t		 linelen;
};

struct conn {
	int		 fd;
	int		 idx;
	enum cstate	 state;
	int		 mute;		/* hostile act done: write nothing */
	/* receive state: header, then payload of the current frame */
	uint8_t		 hdr[HDRLEN];
	size_t		 hlen;
	uint32_t	 f_seq, f_chan, f_len, f_got;
	struct chan	*f_ch;		/* data frame's channel, or NULL */
	uint8_t		 ctl[CTLMAX];
	/* sequence state */
	uint32_t	 snd_nxt, snd_una, rcv_nxt;
	/* output */
	uint8_t		*tx;
	size_t		 txoff, txlen, txcap;
	/*
	 * Bulk frames staged for writev: their headers here, payloads
	 * straight from the pattern, so the simulator copies nothing,
	 * like the bare relay's sender it is compared with.
	 */
	uint8_t		 bhdr[BULK_BATCH][HDRLEN];
	uint16_t	 blen[BULK_BATCH];
	int		 bn;		/* frames staged */
	size_t		 boff;		/* bytes of them written */
	struct chan	*chans;
	double		 t_start, last_tx, last_rx, t_hostile;
	uint8_t		 magic[8];
	char		 id[64];	/* expected MASTER_ID text */
};

static enum mode	 mode = M_IDLE;
static int		 nconn = 1;
static const char	*prefix;
static uint64_t		 opt_bytes;
static int		 opt_bytes_set;
static uint32_t		 opt_chan;
static double		 opt_time = -1;
static double		 opt_rate;
static int		 opt_abandon;
static int		 opt_verbose;
static struct sockaddr_storage daddr;
static socklen_t	 daddrlen;

static struct conn	*conns;
static struct pollfd	*pfds;
static uint8_t		*rbuf;
static volatile sig_atomic_t stop;
static uint64_t		 rng;

static struct {
	long	started, connected, identified, connect_err, closed;
	long	closed_by_daemon, errors, chan_open, chan_fin;
	long	outstanding, ready_reported;
	uint64_t frames_rx, frames_tx, bytes_rx, bytes_tx, payload_tx;
	uint64_t payload_rx, acks_rx, keepalives_rx;
} st;
static double		*close_after;	/* hostile: seconds to close */
static long		 nclose_after;

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
}

static uint64_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (rng);
}

static int
hostile(void)
{
	return (mode == M_NOACK || mode == M_MIDFRAME || mode == M_GARBAGE);
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t
get32(const uint8_t *p)
{
	return (((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	    ((uint32_t)p[2] << 8) | (uint32_t)p[3]);
}

static void
onsig(int sig)
{
	(void)sig;
	stop = 1;
}

static void
chan_free(struct conn *c, struct chan *ch)
{
	struct chan **pp;

	for (pp = &c->chans; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == ch) {
			*pp = ch->next;
			break;
		}
	}
	if (c->f_ch == ch)
		c->f_ch = NULL;
	free(ch->line);
	free(ch);
}

static struct chan *
chan_find(struct conn *c, uint32_t id)
{
	struct chan *ch;

	for (ch = c->chans; ch != NULL; ch = ch->next)
		if (ch->id == id)
			return (ch);
	return (NULL);
}

/* A connect that failed: not a link yet. */
static void
conn_abort(struct conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	pfds[c->idx].fd = -1;
	pfds[c->idx].events = 0;
	if (c->state == C_CONNECTING)
		st.outstanding--;
	c->state = C_DONE;
}

/* Close a link; by_daemon when the daemon closed it. */
static void
conn_close(struct conn *c, int by_daemon)
{
	while (c->chans != NULL)
		chan_free(c, c->chans);
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	pfds[c->idx].fd = -1;
	pfds[c->idx].events = 0;
	free(c->tx);
	c->tx = NULL;
	c->txoff = c->txlen = c->txcap = 0;
	c->bn = 0;
	c->boff = 0;
	if (c->state == C_CONNECTING)
		st.outstanding--;
	c->state = C_DONE;
	st.closed++;
	if (by_daemon) {
		st.closed_by_daemon++;
		if (c->t_hostile > 0 && nclose_after < MAXCLOSE)
			close_after[nclose_after++] = now_s() - c->t_hostile;
	}
}

/* A protocol violation (or unexpected close) by the daemon. */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void
violation(struct conn *c, const char *fmt, ...)
{
	va_list ap;

	st.errors++;
	if (st.errors <= 20 || opt_verbose) {
		fprintf(stderr, "vpsim: link %d: ", c->idx);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
	conn_close(c, 0);
}

static uint8_t *
tx_reserve(struct conn *c, size_t len)
{
	uint8_t *p;
	size_t need;

	if (c->txoff > 0 && (c->txoff == c->txlen || c->txoff > c->txcap / 2)) {
		memmove(c->tx, c->tx + c->txoff, c->txlen - c->txoff);
		c->txlen -= c->txoff;
		c->txoff = 0;
	}
	need = c->txlen + len;
	if (need > c->txcap) {
		size_t cap = c->txcap ? c->txcap : 256;

		while (cap < need)
			cap *= 2;
		if ((p = realloc(c->tx, cap)) == NULL) {
			fprintf(stderr, "vpsim: out of memory\n");
			exit(2);
		}
		c->tx = p;
		c->txcap = cap;
	}
	p = c->tx + c->txlen;
	c->txlen += len;
	return (p);
}

static void
put_hdr(uint8_t *p, uint32_t seq, uint32_t chan, size_t len)
{
	put32(p, seq);
	put32(p + 4, chan);
	p[8] = (uint8_t)(len >> 8);
	p[9] = (uint8_t)len;
	st.frames_tx++;
}

static void
send_ctl_u32(struct conn *c, uint32_t seq, int type, uint32_t v)
{
	uint8_t *p = tx_reserve(c, HDRLEN + 5);

	put_hdr(p, seq, 0, 5);
	p[HDRLEN] = (uint8_t)type;
	put32(p + HDRLEN + 1, v);
}

static void
send_ack(struct conn *c, uint32_t seq)
{
	if (mode == M_NOACK || c->mute)
		return;
	send_ctl_u32(c, c->snd_nxt, T_ACK, seq);
}

static void
send_keepalive(struct conn *c)
{
	uint8_t *p = tx_reserve(c, HDRLEN + 1);

	put_hdr(p, c->snd_nxt, 0, 1);
	p[HDRLEN] = T_KEEPALIVE;
}

static void
send_fin(struct conn *c, struct chan *ch)
{
	ch->fin_seq = c->snd_nxt;
	ch->flags |= CH_TXFIN;
	send_ctl_u32(c, c->snd_nxt++, T_CHANNEL_FIN, ch->id);
	st.chan_fin++;
}

/* One data frame made of up to three pieces. */
static void
send_data(struct conn *c, uint32_t chan, const void *a, size_t alen,
    const void *b, size_t blen, const void *z, size_t zlen)
{
	size_t len = alen + blen + zlen;
	uint8_t *p = tx_reserve(c, HDRLEN + len);

	put_hdr(p, c->snd_nxt++, chan, len);
	p += HDRLEN;
	if (alen > 0)
		memcpy(p, a, alen);
	if (blen > 0)
		memcpy(p + alen, b, blen);
	if (zlen > 0)
		memcpy(p + alen + blen, z, zlen);
	st.payload_tx += len;
}

/* Our output on ch is done: FIN it if the daemon asked, or in bulk. */
static void
chan_output_done(struct conn *c, struct chan *ch)
{
	if ((ch->flags & CH_TXFIN) == 0)
		send_fin(c, ch);
}

static void
echo_reply(struct conn *c, struct chan *ch, const char *p, size_t len)
{
	if (len > MAXPAYLOAD - 4)
		len = MAXPAYLOAD - 4;
	send_data(c, ch->id, "OK ", 3, p, len, "\n", 1);
}

static void
echo_input(struct conn *c, struct chan *ch, const uint8_t *p, size_t len)
{
	const uint8_t *nl;
	size_t seg;

	while (len > 0) {
		nl = memchr(p, '\n', len);
		seg = nl != NULL ? (size_t)(nl - p) : len;
		if (nl == NULL || ch->linelen > 0) {
			size_t room = LINEMAX - ch->linelen;

			if (ch->line == NULL &&
			    (ch->line = malloc(LINEMAX)) == NULL) {
				fprintf(stderr, "vpsim: out of memory\n");
				exit(2);
			}
			if (seg > room)
				seg = room;	/* overlong: truncated */
			memcpy(ch->line + ch->linelen, p, seg);
			ch->linelen += seg;
			if (nl == NULL)
				return;
			echo_reply(c, ch, ch->line, ch->linelen);
			ch->linelen = 0;
		} else {
			echo_reply(c, ch, (const char *)p, seg);
		}
		seg = (size_t)(nl - p) + 1;
		p += seg;
		len -= seg;
	}
}

static uint8_t bulk_pattern[MAXPAYLOAD];

/*
 * Stage up to BULK_BATCH bulk frames, taking their sequence numbers
 * now.  Only with nothing else queued, so that the order on the wire
 * is the order of the sequence numbers: what is queued in tx meanwhile
 * (ACKs, a FIN) goes after them.
 */
static void
bulk_stage(struct conn *c)
{
	static int init;
	struct chan *ch, *next;

	if (!init) {
		size_t i;

		for (i = 0; i < sizeof(bulk_pattern); i++)
			bulk_pattern[i] = (uint8_t)('a' + i % 26);
		init = 1;
	}
	for (ch = c->chans; ch != NULL; ch = next) {
		next = ch->next;
		while (ch->bulk_on && c->bn < BULK_BATCH) {
			size_t n = MAXPAYLOAD;

			if (ch->bulk_left != 0 && ch->bulk_left < n)
				n = (size_t)ch->bulk_left;
			put_hdr(c->bhdr[c->bn], c->snd_nxt++, ch->id, n);
			c->blen[c->bn++] = (uint16_t)n;
			st.payload_tx += n;
			if (ch->bulk_left != 0) {
				ch->bulk_left -= n;
				if (ch->bulk_left == 0) {
					ch->bulk_on = 0;
					chan_output_done(c, ch);
				}
			}
		}
	}
}

/* writev what is left of the staged frames. */
static ssize_t
bulk_write(struct conn *c)
{
	struct iovec iov[2 * BULK_BATCH];
	size_t skip = c->boff;
	int i, n = 0;

	for (i = 0; i < c->bn; i++) {
		if (skip < HDRLEN) {
			iov[n].iov_base = c->bhdr[i] + skip;
			iov[n++].iov_len = HDRLEN - skip;
			skip = 0;
		} else
			skip -= HDRLEN;
		if (skip < c->blen[i]) {
			iov[n].iov_base = bulk_pattern + skip;
			iov[n++].iov_len = c->blen[i] - skip;
			skip = 0;
		} else
			skip -= c->blen[i];
	}
	return (writev(c->fd, iov, n));
}

/* The staged frames' bytes in all. */
static size_t
bulk_staged(const struct conn *c)
{
	size_t len = 0;
	int i;

	for (i = 0; i < c->bn; i++)
		len += HDRLEN + c->blen[i];
	return (len);
}

static int
bulk_wanted(const struct conn *c)
{
	const struct chan *ch;

	for (ch = c->chans; ch != NULL; ch = ch->next)
		if (ch->bulk_on)
			return (1);
	return (0);
}

static void
conn_events(struct conn *c)
{
	short ev = POLLIN;

	if (c->state == C_DONE)
		return;
	if (c->state == C_CONNECTING || c->txlen > c->txoff || c->bn > 0 ||
	    (mode == M_BULK && c->state == C_EST && bulk_wanted(c)))
		ev |= POLLOUT;
	pfds[c->idx].events = ev;
}

/* Write what we can; stage more bulk frames as they drain. */
static void
conn_flush(struct conn *c)
{
	ssize_t n;
	int i, bulk;

	for (i = 0; i < WRITES_PER_TURN && c->state != C_DONE; i++) {
		if (mode == M_BULK && c->state == C_EST && c->bn == 0 &&
		    c->txlen == c->txoff)
			bulk_stage(c);
		if ((bulk = c->bn > 0))
			n = bulk_write(c);
		else if (c->txlen > c->txoff)
			n = write(c->fd, c->tx + c->txoff,
			    c->txlen - c->txoff);
		else
			break;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			if (hostile())
				conn_close(c, 1);
			else
				violation(c, "write: %s", strerror(errno));
			return;
		}
		st.bytes_tx += (uint64_t)n;
		c->last_tx = now_s();
		if (bulk) {
			c->boff += (size_t)n;
			if (c->boff == bulk_staged(c))
				c->bn = 0, c->boff = 0;
			continue;
		}
		c->txoff += (size_t)n;
		if (c->txoff == c->txlen)
			c->txoff = c->txlen = 0;
	}
	conn_events(c);
}

/* The hostile act of midframe: a header for 65535 bytes, then less. */
static void
midframe_act(struct conn *c)
{
	size_t part = opt_bytes_set ? (size_t)opt_bytes : 1000;
	uint8_t *p;
	size_t i;

	if (part >= MAXPAYLOAD)
		part = MAXPAYLOAD - 1;
	p = tx_reserve(c, HDRLEN + part);
	put_hdr(p, c->snd_nxt, opt_chan, MAXPAYLOAD);
	for (i = 0; i < part; i++)
		p[HDRLEN + i] = (uint8_t)(i == 0 && opt_chan == 0 ?
		    T_KEEPALIVE : 'x');
	c->mute = 1;
	c->t_hostile = now_s();
}

static void
handle_master_id(struct conn *c, const uint8_t *p, size_t len)
{
	size_t idlen, i;

	if (len < 2 || (idlen = p[1]) < 1 || 2 + idlen > len) {
		violation(c, "malformed MASTER_ID (len %zu)", len);
		return;
	}
	for (i = 0; i + 1 < idlen; i++) {
		if (p[2 + i] < 0x20 || p[2 + i] > 0x7e) {
			violation(c, "MASTER_ID byte %zu not printable", i);
			return;
		}
	}
	if (p[2 + idlen - 1] != '\0') {
		violation(c, "MASTER_ID not NUL-terminated");
		return;
	}
	if (c->id[0] != '\0' && strcmp((const char *)p + 2, c->id) != 0) {
		violation(c, "MASTER_ID \"%s\", expected \"%s\"",
		    (const char *)p + 2, c->id);
		return;
	}
	c->state = C_EST;
	st.identified++;
	if (mode == M_MIDFRAME)
		midframe_act(c);
}

static void
handle_ctl(struct conn *c)
{
	const uint8_t *p = c->ctl;
	size_t len = c->f_len;
	struct chan *ch;
	uint32_t v;

	if (c->state == C_HELLO) {
		if (p[0] != T_MASTER_ID)
			violation(c, "control type %d before MASTER_ID", p[0]);
		else
			handle_master_id(c, p, len);
		return;
	}
	switch (p[0]) {
	case T_KEEPALIVE:
		if (len != 1)
			violation(c, "KEEPALIVE with %zu bytes", len);
		st.keepalives_rx++;
		return;
	case T_ACK:
		if (len != 5) {
			violation(c, "ACK with %zu bytes", len);
			return;
		}
		v = get32(p + 1);
		st.acks_rx++;
		if (c->snd_una == c->snd_nxt) {
			violation(c, "ACK %u with nothing unacknowledged", v);
			return;
		}
		if (v != c->snd_una) {
			violation(c, "ACK %u, oldest unacknowledged is %u", v,
			    c->snd_una);
			return;
		}
		c->snd_una++;
		for (ch = c->chans; ch != NULL; ch = ch->next) {
			if ((ch->flags & CH_TXFIN) && ch->fin_seq == v) {
				/* the daemon has our FIN: done with it */
				chan_free(c, ch);
				break;
			}
		}
		return;
	case T_CHANNEL_NEW:
	case T_CHANNEL_FIN:
		if (len != 5) {
			violation(c, "CHANNEL_%s with %zu bytes",
			    p[0] == T_CHANNEL_NEW ? "NEW" : "FIN", len);
			return;
		}
		v = get32(p + 1);
		break;
	default:
		violation(c, "control type %d on an established link", p[0]);
		return;
	}

	/* reliable: ACK first, as scamper does */
	send_ack(c, c->f_seq);
	ch = chan_find(c, v);
	if (p[0] == T_CHANNEL_NEW) {
		if (v == 0 || ch != NULL) {
			violation(c, "CHANNEL_NEW %u: %s", v, v == 0 ?
			    "id 0" : "id already open");
			return;
		}
		if ((ch = calloc(1, sizeof(*ch))) == NULL) {
			fprintf(stderr, "vpsim: out of memory\n");
			exit(2);
		}
		ch->id = v;
		ch->next = c->chans;
		c->chans = ch;
		st.chan_open++;
		if (opt_verbose)
			fprintf(stderr, "vpsim: link %d: channel %u open\n",
			    c->idx, v);
		if (mode == M_BULK) {
			ch->bulk_on = 1;
			ch->bulk_left = opt_bytes;
		}
		return;
	}

	/* CHANNEL_FIN */
	if (ch == NULL) {
		violation(c, "CHANNEL_FIN for unknown channel %u", v);
		return;
	}
	if (ch->flags & CH_RXFIN) {
		violation(c, "second CHANNEL_FIN for channel %u", v);
		return;
	}
	ch->flags |= CH_RXFIN;
	if (opt_verbose)
		fprintf(stderr, "vpsim: link %d: channel %u FIN from daemon\n",
		    c->idx, v);
	if (ch->flags & CH_TXFIN)
		return;		/* crossing FINs: ours is on its way */
	if (ch->bulk_on && (opt_abandon || ch->bulk_left == 0))
		ch->bulk_on = 0;	/* abandoned, or endless */
	if (!ch->bulk_on && !c->mute)
		chan_output_done(c, ch);
}

/* A frame header is complete: check it. */
static void
frame_begin(struct conn *c)
{
	c->f_seq = get32(c->hdr);
	c->f_chan = get32(c->hdr + 4);
	c->f_len = ((uint32_t)c->hdr[8] << 8) | c->hdr[9];
	c->f_got = 0;
	c->f_ch = NULL;
	st.frames_rx++;

	if (c->state == C_HELLO) {
		if (c->f_seq != 0 || c->f_chan != 0) {
			violation(c, "handshake frame seq %u channel %u",
			    c->f_seq, c->f_chan);
			return;
		}
	} else if (c->f_seq != c->rcv_nxt) {
		violation(c, "frame seq %u, expected %u (channel %u len %u)",
		    c->f_seq, c->rcv_nxt, c->f_chan, c->f_len);
		return;
	}
	if (c->f_chan == 0) {
		if (c->f_len == 0)
			violation(c, "zero-length control frame");
		else if (c->f_len > CTLMAX)
			violation(c, "control frame of %u bytes", c->f_len);
		return;
	}
	if (c->state == C_HELLO) {
		violation(c, "data frame before MASTER_ID");
		return;
	}
	/* data frame: reliable */
	c->f_ch = chan_find(c, c->f_chan);
	if (c->f_ch == NULL) {
		violation(c, "data for unknown channel %u", c->f_chan);
		return;
	}
	if (c->f_ch->flags & CH_RXFIN) {
		violation(c, "data on channel %u after its FIN", c->f_chan);
		return;
	}
	send_ack(c, c->f_seq);
	c->rcv_nxt++;
	if (c->f_ch->flags & CH_TXFIN)
		c->f_ch = NULL;	/* crossing our FIN: discard */
}

static void
frame_end(struct conn *c)
{
	if (c->f_chan != 0)
		return;
	if (c->state == C_EST && (c->ctl[0] == T_CHANNEL_NEW ||
	    c->ctl[0] == T_CHANNEL_FIN))
		c->rcv_nxt++;
	handle_ctl(c);
}

/* Feed received bytes through the frame parser. */
static void
conn_input(struct conn *c, const uint8_t *p, size_t len)
{
	size_t n;

	while (len > 0 && c->state != C_DONE) {
		if (c->hlen < HDRLEN) {
			n = HDRLEN - c->hlen;
			if (n > len)
				n = len;
			memcpy(c->hdr + c->hlen, p, n);
			c->hlen += n;
			p += n;
			len -= n;
			if (c->hlen < HDRLEN)
				return;
			frame_begin(c);
			if (c->state == C_DONE)
				return;
		} else {
			n = c->f_len - c->f_got;
			if (n > len)
				n = len;
			if (c->f_chan == 0)
				memcpy(c->ctl + c->f_got, p, n);
			else {
				st.payload_rx += n;
				if (c->f_ch != NULL && mode == M_ECHO &&
				    !c->mute)
					echo_input(c, c->f_ch, p, n);
			}
			c->f_got += (uint32_t)n;
			p += n;
			len -= n;
		}
		if (c->hlen == HDRLEN && c->f_got == c->f_len) {
			c->hlen = 0;
			frame_end(c);
		}
	}
}

static void
conn_read(struct conn *c)
{
	ssize_t n;
	int i;

	for (i = 0; i < READS_PER_TURN && c->state != C_DONE; i++) {
		n = read(c->fd, rbuf, RBUFSZ);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			if (hostile() || stop)
				conn_close(c, 1);
			else
				violation(c, "read: %s", strerror(errno));
			return;
		}
		if (n == 0) {
			if (hostile() || stop)
				conn_close(c, 1);
			else
				violation(c, "link closed by the daemon");
			return;
		}
		st.bytes_rx += (uint64_t)n;
		c->last_rx = now_s();
		if (mode == M_GARBAGE) {
			/* the daemon should say nothing to garbage */
			continue;
		}
		conn_input(c, rbuf, (size_t)n);
		if ((size_t)n < RBUFSZ)
			return;
	}
}

static void
make_id(struct conn *c)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char a[INET6_ADDRSTRLEN];

	c->id[0] = '\0';
	if (getsockname(c->fd, (struct sockaddr *)&ss, &sl) != 0)
		return;
	if (ss.ss_family == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)&ss;

		inet_ntop(AF_INET, &s->sin_addr, a, sizeof(a));
		snprintf(c->id, sizeof(c->id), "%s:%u", a,
		    (unsigned)ntohs(s->sin_port));
	} else if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)&ss;

		inet_ntop(AF_INET6, &s->sin6_addr, a, sizeof(a));
		snprintf(c->id, sizeof(c->id), "%s.%u", a,
		    (unsigned)ntohs(s->sin6_port));
	}
}

/* The TCP connection is up: say hello (or be hostile). */
static void
conn_hello(struct conn *c)
{
	uint8_t *p;
	size_t i, nlen = 0, len;
	char name[300];

	st.connected++;
	make_id(c);
	c->state = C_HELLO;
	c->last_rx = c->last_tx = now_s();
	if (mode == M_GARBAGE) {
		size_t n = opt_bytes_set ? (size_t)opt_bytes : 1024;

		p = tx_reserve(c, n);
		for (i = 0; i < n; i++)
			p[i] = (uint8_t)rnd();
		c->mute = 1;
		c->t_hostile = now_s();
		conn_flush(c);
		return;
	}
	if (prefix != NULL)
		nlen = (size_t)snprintf(name, sizeof(name), "%s-%d", prefix,
		    c->idx) + 1;
	len = 1 + 1 + sizeof(c->magic) + 1 + nlen;
	p = tx_reserve(c, HDRLEN + len);
	put_hdr(p, 0, 0, len);
	p += HDRLEN;
	*p++ = T_MASTER_NEW;
	*p++ = sizeof(c->magic);
	memcpy(p, c->magic, sizeof(c->magic));
	p += sizeof(c->magic);
	*p++ = (uint8_t)nlen;
	if (nlen > 0)
		memcpy(p, name, nlen);
	if (mode == M_NOACK)
		c->t_hostile = now_s();
	conn_flush(c);
}

static void
conn_start(struct conn *c)
{
	int fd, one = 1;
	uint64_t r;

	st.started++;
	c->t_start = now_s();
	r = rnd();
	memcpy(c->magic, &r, sizeof(c->magic));
	fd = socket(daddr.ss_family, SOCK_STREAM, 0);
	if (fd < 0) {
		fprintf(stderr, "vpsim: socket: %s\n", strerror(errno));
		st.connect_err++;
		c->state = C_DONE;
		return;
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) != 0 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) != 0)
		fprintf(stderr, "vpsim: fcntl: %s\n", strerror(errno));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	c->fd = fd;
	pfds[c->idx].fd = fd;
	if (connect(fd, (struct sockaddr *)&daddr, daddrlen) == 0) {
		conn_hello(c);
		return;
	}
	if (errno != EINPROGRESS) {
		if (st.connect_err++ < 10)
			fprintf(stderr, "vpsim: link %d: connect: %s\n",
			    c->idx, strerror(errno));
		conn_abort(c);
		return;
	}
	c->state = C_CONNECTING;
	st.outstanding++;
	pfds[c->idx].events = POLLOUT;
}

static void
conn_connected(struct conn *c)
{
	int err = 0;
	socklen_t sl = sizeof(err);

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &sl) != 0)
		err = errno;
	if (err == EINPROGRESS)
		return;
	if (err != 0) {
		if (st.connect_err++ < 10)
			fprintf(stderr, "vpsim: link %d: connect: %s\n",
			    c->idx, strerror(err));
		conn_abort(c);
		return;
	}
	st.outstanding--;
	conn_hello(c);
}

static void
conn_timers(struct conn *c, double now)
{
	if (c->state != C_EST && c->state != C_HELLO)
		return;
	if (mode != M_GARBAGE && mode != M_MIDFRAME &&
	    now - c->last_rx >= SILENCE_S) {
		violation(c, "nothing from the daemon for %.0f s",
		    now - c->last_rx);
		return;
	}
	if (c->state == C_EST && !c->mute && now - c->last_tx >= KEEPALIVE_S &&
	    c->txlen == c->txoff) {
		send_keepalive(c);
		conn_flush(c);
	}
}

static int
parse_addr(const char *arg)
{
	char host[256];
	const char *port, *colon;
	struct addrinfo hints, *ai;
	size_t hl;
	int rc;

	if (arg[0] == '[') {
		colon = strchr(arg, ']');
		if (colon == NULL || colon[1] != ':')
			return (-1);
		hl = (size_t)(colon - arg - 1);
		if (hl >= sizeof(host))
			return (-1);
		memcpy(host, arg + 1, hl);
		port = colon + 2;
	} else {
		colon = strrchr(arg, ':');
		if (colon == NULL)
			return (-1);
		hl = (size_t)(colon - arg);
		if (hl >= sizeof(host))
			return (-1);
		memcpy(host, arg, hl);
		port = colon + 1;
	}
	host[hl] = '\0';
	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(host, port, &hints, &ai)) != 0) {
		fprintf(stderr, "vpsim: %s: %s\n", arg, gai_strerror(rc));
		return (-1);
	}
	memcpy(&daddr, ai->ai_addr, ai->ai_addrlen);
	daddrlen = ai->ai_addrlen;
	freeaddrinfo(ai);
	/* loopback only: this is a load generator */
	if (daddr.ss_family == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)&daddr;

		if ((ntohl(s->sin_addr.s_addr) >> 24) != 127)
			goto notloop;
	} else {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)&daddr;

		if (!IN6_IS_ADDR_LOOPBACK(&s->sin6_addr))
			goto notloop;
	}
	return (0);
notloop:
	fprintf(stderr, "vpsim: %s is not a loopback address\n", host);
	return (-1);
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: vpsim -P host:port [-n conns] [-M prefix] [-m mode]\n"
	    "             [-b bytes] [-c channel] [-t secs] [-r rate] [-av]\n"
	    "  -P  daemon address, loopback only (127.0.0.1:P, [::1]:P)\n"
	    "  -n  number of simulated VPs (1..%d, default 1)\n"
	    "  -M  monitor names PREFIX-0 .. PREFIX-(n-1) (default none)\n"
	    "  -m  idle | echo | bulk | noack | midframe | garbage\n"
	    "  -b  bulk: bytes per channel (0: endless, default 100000000)"
	    "\n"
	    "      midframe: payload bytes sent (default 1000)\n"
	    "      garbage: random bytes sent (default 1024)\n"
	    "  -c  midframe: channel of the truncated frame (default 0)\n"
	    "  -t  run for secs, then exit (default: until SIGINT/TERM)\n"
	    "  -r  connections opened per second (default: no limit)\n"
	    "  -a  bulk: abandon output when the daemon FINs a channel\n"
	    "  -v  verbose\n", MAXCONN);
	exit(2);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x < y ? -1 : x > y);
}

static void
summary(double elapsed)
{
	printf("vpsim: mode=%s links=%d started=%ld connected=%ld "
	    "identified=%ld closed=%ld closed_by_daemon=%ld "
	    "connect_errors=%ld channels=%ld fins_sent=%ld "
	    "frames_rx=%llu frames_tx=%llu bytes_rx=%llu bytes_tx=%llu "
	    "acks_rx=%llu keepalives_rx=%llu errors=%ld secs=%.1f",
	    mode_names[mode], nconn, st.started, st.connected,
	    st.identified, st.closed, st.closed_by_daemon, st.connect_err,
	    st.chan_open, st.chan_fin,
	    (unsigned long long)st.frames_rx,
	    (unsigned long long)st.frames_tx,
	    (unsigned long long)st.bytes_rx,
	    (unsigned long long)st.bytes_tx,
	    (unsigned long long)st.acks_rx,
	    (unsigned long long)st.keepalives_rx, st.errors, elapsed);
	if (hostile() && nclose_after > 0) {
		qsort(close_after, (size_t)nclose_after, sizeof(double),
		    cmp_double);
		printf(" close_after_s=%.1f/%.1f/%.1f",
		    close_after[0], close_after[nclose_after / 2],
		    close_after[nclose_after - 1]);
	}
	printf("\n");
	fflush(stdout);
}

static void
raise_nofile(int need)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < (rlim_t)need) {
		rl.rlim_cur = rl.rlim_max == RLIM_INFINITY ||
		    rl.rlim_max >= (rlim_t)need ? (rlim_t)need : rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < (rlim_t)need) {
		fprintf(stderr, "vpsim: %d links need %d descriptors, "
		    "limit is %llu\n", nconn, need,
		    (unsigned long long)rl.rlim_cur);
		exit(2);
	}
}

static int
parse_num(const char *s, double *v)
{
	char *end;

	errno = 0;
	*v = strtod(s, &end);
	return (errno != 0 || end == s || *end != '\0' || *v < 0 ? -1 : 0);
}

int
main(int argc, char **argv)
{
	struct sigaction sa;
	double t0, now, next_timers = 0, v;
	int ch, i, next = 0, timeout, have_addr = 0;
	long ready_at = -1;
	const char *p;
	uint64_t seed;
	FILE *f;

	while ((ch = getopt(argc, argv, "P:n:M:m:b:c:t:r:av")) != -1) {
		switch (ch) {
		case 'P':
			if (parse_addr(optarg) != 0)
				usage();
			have_addr = 1;
			break;
		case 'n':
			if (parse_num(optarg, &v) != 0 || v < 1 ||
			    v > MAXCONN || v != (int)v)
				usage();
			nconn = (int)v;
			break;
		case 'M':
			prefix = optarg;
			if (strlen(prefix) < 1 || strlen(prefix) > 200)
				usage();
			for (p = prefix; *p != '\0'; p++)
				if (!((*p >= 'a' && *p <= 'z') ||
				    (*p >= 'A' && *p <= 'Z') ||
				    (*p >= '0' && *p <= '9') ||
				    *p == '.' || *p == '-'))
					usage();
			break;
		case 'm':
			for (i = 0; i < (int)(sizeof(mode_names) /
			    sizeof(mode_names[0])); i++)
				if (strcmp(optarg, mode_names[i]) == 0)
					break;
			if (i == (int)(sizeof(mode_names) /
			    sizeof(mode_names[0])))
				usage();
			mode = (enum mode)i;
			break;
		case 'b':
			if (parse_num(optarg, &v) != 0 || v > 1e18)
				usage();
			opt_bytes = (uint64_t)v;
			opt_bytes_set = 1;
			break;
		case 'c':
			if (parse_num(optarg, &v) != 0 || v > UINT32_MAX)
				usage();
			opt_chan = (uint32_t)v;
			break;
		case 't':
			if (parse_num(optarg, &opt_time) != 0)
				usage();
			break;
		case 'r':
			if (parse_num(optarg, &opt_rate) != 0)
				usage();
			break;
		case 'a':
			opt_abandon = 1;
			break;
		case 'v':
			opt_verbose = 1;
			break;
		default:
			usage();
		}
	}
	if (!have_addr || optind != argc)
		usage();
	if (mode == M_BULK && !opt_bytes_set)
		opt_bytes = 100000000;
	raise_nofile(nconn + 32);

	seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	if ((f = fopen("/dev/urandom", "rb")) != NULL) {
		if (fread(&rng, sizeof(rng), 1, f) != 1)
			rng = 0;
		fclose(f);
	}
	rng ^= seed;
	if (rng == 0)
		rng = 0x9e3779b97f4a7c15ULL;

	conns = calloc((size_t)nconn, sizeof(*conns));
	pfds = calloc((size_t)nconn, sizeof(*pfds));
	rbuf = malloc(RBUFSZ);
	close_after = calloc(MAXCLOSE, sizeof(double));
	if (conns == NULL || pfds == NULL || rbuf == NULL ||
	    close_after == NULL) {
		fprintf(stderr, "vpsim: out of memory\n");
		return (2);
	}
	for (i = 0; i < nconn; i++) {
		conns[i].fd = -1;
		conns[i].idx = i;
		pfds[i].fd = -1;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = onsig;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);

	t0 = now_s();
	while (!stop) {
		now = now_s();
		if (opt_time >= 0 && now - t0 >= opt_time)
			break;

		/* open links, within the rate and the connect window */
		while (next < nconn && st.outstanding < MAXOUTSTANDING) {
			if (opt_rate > 0 && (double)next >= (now - t0) *
			    opt_rate)
				break;
			conn_start(&conns[next++]);
		}
		if (ready_at < 0 && st.identified == nconn) {
			ready_at = 1;
			fprintf(stderr, "vpsim: %d links identified in "
			    "%.2f s\n", nconn, now - t0);
		}

		/* timers, scanned once a second */
		if (now >= next_timers) {
			for (i = 0; i < nconn && !stop; i++)
				conn_timers(&conns[i], now);
			next_timers = now + 1.0;
		}

		timeout = (int)((next_timers - now) * 1000) + 1;
		if (opt_rate > 0 && next < nconn && timeout > 10)
			timeout = 10;
		if (opt_time >= 0) {
			double left = opt_time - (now - t0);
			int lm = (int)(left * 1000) + 1;

			if (lm < timeout)
				timeout = lm;
		}
		if (timeout < 0)
			timeout = 0;
		if (poll(pfds, (nfds_t)next, timeout) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "vpsim: poll: %s\n", strerror(errno));
			return (2);
		}
		for (i = 0; i < next; i++) {
			struct conn *c = &conns[i];
			short re = pfds[i].revents;

			if (re == 0 || c->state == C_DONE)
				continue;
			if (c->state == C_CONNECTING) {
				conn_connected(c);
				continue;
			}
			if (re & (POLLIN | POLLHUP | POLLERR))
				conn_read(c);
			if (c->state != C_DONE && !(c->mute &&
			    c->txlen == c->txoff))
				conn_flush(c);
		}
	}
	summary(now_s() - t0);
	if (hostile())
		return (0);
	return (st.errors > 0 || st.connect_err > 0 ? 1 : 0);
}
