/*
 * relay.c: the bare limit for the sc_remoted benchmark.  A trivial
 * TCP -> unix relay with no framing: it accepts TCP connections on
 * -P addr:port (loopback only), connects each to the unix socket -u
 * PATH, and copies bytes both ways with large buffers until both sides
 * have closed.  Half-closes are passed on.  What sc_remoted does on
 * top of this (framing, sequence numbers, ACKs, channels) is the cost
 * the benchmark shows.
 *
 *   relay -P 127.0.0.1:PORT -u PATH [-1] [-T secs]
 *
 * -1 exits after the first connection pair is done; -T bounds the run
 * (default 300 s).  Single-threaded, poll(2).
 *
 * Copyright (C) 2026 The sc_remoted authors.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#define _POSIX_C_SOURCE 200809L

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <netdb.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAXPAIR		64
#define BUFSZ		(1024 * 1024)

/* One direction: read from `from', queue in buf, write to `to'. */
struct dir {
	int		 from, to;
	char		*buf;
	size_t		 off, len;
	int		 eof;		/* read side saw EOF or error */
	int		 shut;		/* write side shut down */
};

struct pair {
	int		 used;
	int		 tcp, unx;
	struct dir	 d[2];		/* 0: tcp->unix, 1: unix->tcp */
};

static struct pair	 pairs[MAXPAIR];
static volatile sig_atomic_t stop;

static void
onsig(int sig)
{
	(void)sig;
	stop = 1;
}

static void
nonblock(int fd)
{
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

static int
listen_tcp(const char *spec)
{
	char host[128];
	const char *colon = strrchr(spec, ':');
	struct addrinfo hints, *ai;
	size_t hl;
	int fd, one = 1, loop, rc;

	if (colon == NULL || (hl = (size_t)(colon - spec)) >= sizeof(host))
		return (-1);
	memcpy(host, spec, hl);
	host[hl] = '\0';
	if (host[0] == '[' && hl > 2 && host[hl - 1] == ']') {
		memmove(host, host + 1, hl - 2);
		host[hl - 2] = '\0';
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(host, colon + 1, &hints, &ai)) != 0) {
		fprintf(stderr, "relay: %s: %s\n", spec, gai_strerror(rc));
		return (-1);
	}
	if (ai->ai_family == AF_INET)
		loop = (ntohl(((struct sockaddr_in *)ai->ai_addr)->
		    sin_addr.s_addr) >> 24) == 127;
	else
		loop = IN6_IS_ADDR_LOOPBACK(&((struct sockaddr_in6 *)
		    ai->ai_addr)->sin6_addr);
	fd = loop ? socket(ai->ai_family, SOCK_STREAM, 0) : -1;
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
	    sizeof(one)) != 0 || bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 ||
	    listen(fd, 16) != 0) {
		fprintf(stderr, "relay: cannot listen on %s%s\n", spec,
		    loop ? "" : " (not loopback)");
		freeaddrinfo(ai);
		return (-1);
	}
	freeaddrinfo(ai);
	nonblock(fd);
	return (fd);
}

static int
connect_unix(const char *path)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path))
		return (-1);
	strcpy(sun.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0)
		return (-1);
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		fprintf(stderr, "relay: connect %s: %s\n", path,
		    strerror(errno));
		close(fd);
		return (-1);
	}
	nonblock(fd);
	return (fd);
}

static void
pair_free(struct pair *p)
{
	close(p->tcp);
	if (p->unx >= 0)
		close(p->unx);
	free(p->d[0].buf);
	free(p->d[1].buf);
	memset(p, 0, sizeof(*p));
}

/* Move what can be moved in one direction; -1 on a hard error. */
static int
dir_run(struct dir *d)
{
	ssize_t r;
	int i;

	for (i = 0; i < 16; i++) {
		int moved = 0;

		if (d->off == d->len)
			d->off = d->len = 0;
		if (d->len < BUFSZ && !d->eof) {
			r = read(d->from, d->buf + d->len, BUFSZ - d->len);
			if (r > 0) {
				d->len += (size_t)r;
				moved = 1;
			} else if (r == 0 || (errno != EAGAIN &&
			    errno != EINTR))
				d->eof = 1;
		}
		if (d->off < d->len) {
			r = write(d->to, d->buf + d->off, d->len - d->off);
			if (r > 0) {
				d->off += (size_t)r;
				moved = 1;
				if (d->off == d->len)
					d->off = d->len = 0;
			} else if (r < 0 && errno != EAGAIN && errno != EINTR)
				return (-1);
		}
		if (d->eof && d->off == d->len) {
			if (!d->shut) {
				shutdown(d->to, SHUT_WR);
				d->shut = 1;
			}
			return (0);
		}
		if (!moved)
			return (0);
	}
	return (0);
}

int
main(int argc, char **argv)
{
	struct pollfd pfd[1 + 2 * MAXPAIR];
	struct pair *map[1 + 2 * MAXPAIR];
	const char *spec = NULL, *path = NULL;
	double limit = 300;
	struct timespec t0, t;
	struct sigaction sa;
	int ch, lfd, once = 0, served = 0, i, n, one = 1;

	while ((ch = getopt(argc, argv, "P:u:1T:")) != -1) {
		switch (ch) {
		case 'P': spec = optarg; break;
		case 'u': path = optarg; break;
		case '1': once = 1; break;
		case 'T': limit = atof(optarg); break;
		default: goto usage;
		}
	}
	if (spec == NULL || path == NULL || optind != argc)
		goto usage;
	if ((lfd = listen_tcp(spec)) < 0)
		return (1);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = onsig;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t0);

	while (!stop) {
		int active = 0;

		clock_gettime(CLOCK_MONOTONIC, &t);
		if ((double)(t.tv_sec - t0.tv_sec) > limit)
			break;
		n = 0;
		pfd[n].fd = lfd;
		pfd[n].events = POLLIN;
		map[n++] = NULL;
		for (i = 0; i < MAXPAIR; i++) {
			struct pair *p = &pairs[i];
			short et = 0, eu = 0;

			if (!p->used)
				continue;
			active++;
			if (p->d[0].len < BUFSZ && !p->d[0].eof)
				et |= POLLIN;
			if (p->d[1].off < p->d[1].len)
				et |= POLLOUT;
			if (p->d[1].len < BUFSZ && !p->d[1].eof)
				eu |= POLLIN;
			if (p->d[0].off < p->d[0].len)
				eu |= POLLOUT;
			pfd[n].fd = p->tcp;
			pfd[n].events = et;
			map[n++] = p;
			pfd[n].fd = p->unx;
			pfd[n].events = eu;
			map[n++] = p;
		}
		if (once && served > 0 && active == 0)
			break;
		if (poll(pfd, (nfds_t)n, 1000) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if ((pfd[0].revents & POLLIN) && !(once && served > 0)) {
			int fd = accept(lfd, NULL, NULL);

			for (i = 0; fd >= 0 && i < MAXPAIR; i++)
				if (!pairs[i].used)
					break;
			if (fd >= 0 && i == MAXPAIR) {
				close(fd);
				fd = -1;
			}
			if (fd >= 0) {
				struct pair *p = &pairs[i];

				setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
				    sizeof(one));
				nonblock(fd);
				p->tcp = fd;
				p->unx = connect_unix(path);
				p->d[0].buf = malloc(BUFSZ);
				p->d[1].buf = malloc(BUFSZ);
				p->used = 1;
				served++;
				if (p->unx < 0 || p->d[0].buf == NULL ||
				    p->d[1].buf == NULL) {
					pair_free(p);
				} else {
					p->d[0].from = p->d[1].to = p->tcp;
					p->d[0].to = p->d[1].from = p->unx;
				}
			}
		}
		for (i = 1; i < n; i++) {
			struct pair *p = map[i];

			if (pfd[i].revents == 0 || !p->used)
				continue;
			if (dir_run(&p->d[0]) != 0 || dir_run(&p->d[1]) != 0 ||
			    (p->d[0].shut && p->d[1].shut))
				pair_free(p);
		}
	}
	close(lfd);
	return (0);
usage:
	fprintf(stderr, "usage: relay -P addr:port -u path [-1] [-T secs]\n");
	return (2);
}
