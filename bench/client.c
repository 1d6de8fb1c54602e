/*
 * client.c: the local-client side of the sc_remoted benchmark, and the
 * raw TCP peer used to measure the bare relay limit.
 *
 *   client [options] MODE ENDPOINT...
 *
 * ENDPOINT is unix:PATH (connect to a unix socket), listen:PATH (create
 * a unix socket, accept one connection) or tcp:ADDR:PORT (connect;
 * loopback only).  MODE is one of:
 *
 *   read      read every endpoint at once as fast as possible until
 *             EOF on all; prints bytes, seconds from the first byte to
 *             the last EOF, and MB/s (10^6 bytes).  Gives up (stalled=1)
 *             when nothing arrives for -w seconds.
 *   slowread  read -c bytes every -i milliseconds until -T expires.
 *   rtt       send "ping <i>\n", wait for "OK ping <i>\n", -n times (or
 *             until -d seconds pass); prints median, p99, max in us.
 *   pipe      send -n lines back to back while reading the replies;
 *             prints replies per second.
 *   send      write -b bytes in 256 KiB writes (vpsim bulk writes its
 *             frames in batches of that size), shut down the write
 *             side, wait for EOF (the raw counterpart of vpsim bulk).
 *   echo      answer each line with "OK <line>\n" until EOF (the raw
 *             counterpart of vpsim echo).
 *
 * Results go to stdout as one line of key=value pairs.  Every wait is
 * bounded by -T (overall, default 120 s); read, rtt and pipe also give
 * up when nothing comes for -w seconds (default 10) and then report
 * stalled=1 with what they measured so far.  Exit status: 0 done,
 * 1 failed or stalled, 2 usage.
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
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAXEP		16
#define BUFSZ		(1024 * 1024)
#define LINESZ		256
#define SENDCHUNK	(256 * 1024)	/* as vpsim's output batches */

static double	 opt_total = 120;	/* -T */
static double	 opt_wait = 10;		/* -w */
static double	 opt_dur;		/* -d */
static long	 opt_n = 1000;		/* -n */
static uint64_t	 opt_bytes = 100000000;	/* -b */
static size_t	 opt_chunk = 65536;	/* -c */
static long	 opt_ival = 100;	/* -i */
static double	 t_begin;
static uint8_t	*buf;
static volatile sig_atomic_t stop;
static int	 slow_mode;

/* SIGTERM: slowread reports what it read; the other modes just stop. */
static void
onsig(int sig)
{
	(void)sig;
	if (!slow_mode)
		_exit(1);
	stop = 1;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
}

static int
left_ms(double deadline)
{
	double l = deadline - now_s();

	if (l <= 0)
		return (0);
	return ((int)(l * 1000) + 1);
}

static void
nonblock(int fd)
{
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

static int
ep_unix(const char *path, int listening)
{
	struct sockaddr_un sun;
	int fd, lfd;
	struct pollfd pfd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "client: %s: path too long\n", path);
		return (-1);
	}
	strcpy(sun.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0) {
		perror("client: socket");
		return (-1);
	}
	if (!listening) {
		if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
			fprintf(stderr, "client: connect %s: %s\n", path,
			    strerror(errno));
			close(fd);
			return (-1);
		}
		return (fd);
	}
	lfd = fd;
	unlink(path);
	if (bind(lfd, (struct sockaddr *)&sun, sizeof(sun)) != 0 ||
	    listen(lfd, 1) != 0) {
		fprintf(stderr, "client: listen %s: %s\n", path,
		    strerror(errno));
		close(lfd);
		return (-1);
	}
	pfd.fd = lfd;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, left_ms(t_begin + opt_total)) != 1) {
		fprintf(stderr, "client: nobody connected to %s\n", path);
		close(lfd);
		unlink(path);
		return (-1);
	}
	fd = accept(lfd, NULL, NULL);
	close(lfd);
	unlink(path);
	if (fd < 0)
		perror("client: accept");
	return (fd);
}

static int
ep_tcp(const char *spec)
{
	char host[128];
	const char *colon = strrchr(spec, ':');
	struct addrinfo hints, *ai;
	size_t hl;
	int fd, one = 1, rc, loop;

	if (colon == NULL || (hl = (size_t)(colon - spec)) >= sizeof(host))
		return (-1);
	memcpy(host, spec, hl);
	host[hl] = '\0';
	if (host[0] == '[' && hl > 2 && host[hl - 1] == ']') {
		memmove(host, host + 1, hl - 2);
		host[hl - 2] = '\0';
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(host, colon + 1, &hints, &ai)) != 0) {
		fprintf(stderr, "client: %s: %s\n", spec, gai_strerror(rc));
		return (-1);
	}
	if (ai->ai_family == AF_INET)
		loop = (ntohl(((struct sockaddr_in *)ai->ai_addr)->
		    sin_addr.s_addr) >> 24) == 127;
	else
		loop = IN6_IS_ADDR_LOOPBACK(&((struct sockaddr_in6 *)
		    ai->ai_addr)->sin6_addr);
	if (!loop) {
		fprintf(stderr, "client: %s is not loopback\n", host);
		freeaddrinfo(ai);
		return (-1);
	}
	fd = socket(ai->ai_family, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
		fprintf(stderr, "client: connect %s: %s\n", spec,
		    strerror(errno));
		freeaddrinfo(ai);
		if (fd >= 0)
			close(fd);
		return (-1);
	}
	freeaddrinfo(ai);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return (fd);
}

static int
ep_open(const char *spec)
{
	if (strncmp(spec, "unix:", 5) == 0)
		return (ep_unix(spec + 5, 0));
	if (strncmp(spec, "listen:", 7) == 0)
		return (ep_unix(spec + 7, 1));
	if (strncmp(spec, "tcp:", 4) == 0)
		return (ep_tcp(spec + 4));
	fprintf(stderr, "client: bad endpoint %s\n", spec);
	return (-1);
}

/* read: all endpoints at once until EOF on each. */
static int
do_read(int *fds, int n)
{
	struct pollfd pfd[MAXEP];
	uint64_t total = 0;
	double first = 0, last = 0, deadline = t_begin + opt_total;
	double last_rx = now_s();
	int i, open = n, rc, stalled = 0;
	ssize_t r;

	for (i = 0; i < n; i++) {
		nonblock(fds[i]);
		pfd[i].fd = fds[i];
		pfd[i].events = POLLIN;
	}
	while (open > 0) {
		double until = last_rx + opt_wait;

		rc = poll(pfd, (nfds_t)n, left_ms(until < deadline ? until :
		    deadline));
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc <= 0) {
			stalled = now_s() < deadline;
			break;
		}
		for (i = 0; i < n; i++) {
			if (pfd[i].fd < 0 || pfd[i].revents == 0)
				continue;
			r = read(pfd[i].fd, buf, BUFSZ);
			if (r > 0) {
				last_rx = now_s();
				if (total == 0)
					first = last_rx;
				total += (uint64_t)r;
				continue;
			}
			if (r < 0 && (errno == EAGAIN || errno == EINTR))
				continue;
			last = now_s();
			close(pfd[i].fd);
			pfd[i].fd = -1;
			open--;
		}
	}
	if (last < first)
		last = first;
	printf("bytes=%llu secs=%.3f mbs=%.1f eof=%d/%d stalled=%d\n",
	    (unsigned long long)total, last - first,
	    last > first ? (double)total / (last - first) / 1e6 : 0.0,
	    n - open, n, stalled);
	return (open == 0 ? 0 : 1);
}

/* slowread: -c bytes every -i ms until -T. */
static int
do_slowread(int fd)
{
	uint64_t total = 0;
	double deadline = t_begin + opt_total;
	size_t want = opt_chunk < BUFSZ ? opt_chunk : BUFSZ;
	struct timespec ts;
	ssize_t r;
	int eof = 0;

	while (now_s() < deadline && !stop) {
		size_t got = 0;

		while (got < want) {
			struct pollfd pfd;

			pfd.fd = fd;
			pfd.events = POLLIN;
			if (stop || poll(&pfd, 1, left_ms(deadline)) <= 0)
				break;
			r = read(fd, buf, want - got);
			if (r <= 0) {
				if (r < 0 && errno == EINTR)
					continue;
				eof = 1;
				break;
			}
			got += (size_t)r;
		}
		total += got;
		if (eof)
			break;
		ts.tv_sec = opt_ival / 1000;
		ts.tv_nsec = (opt_ival % 1000) * 1000000L;
		nanosleep(&ts, NULL);
	}
	printf("bytes=%llu secs=%.3f eof=%d\n", (unsigned long long)total,
	    now_s() - t_begin, eof);
	return (0);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x < y ? -1 : x > y);
}

/* Read one line into line[]; 1 ok, 0 EOF, -1 timeout or error. */
static int
read_line(int fd, char *line, size_t cap, uint8_t *rb, size_t *rlen,
    double deadline)
{
	struct pollfd pfd;
	uint8_t *nl;
	ssize_t r;
	size_t len;

	for (;;) {
		nl = memchr(rb, '\n', *rlen);
		if (nl != NULL) {
			len = (size_t)(nl - rb);
			if (len >= cap)
				len = cap - 1;
			memcpy(line, rb, len);
			line[len] = '\0';
			len = (size_t)(nl - rb) + 1;
			memmove(rb, rb + len, *rlen - len);
			*rlen -= len;
			return (1);
		}
		if (*rlen >= BUFSZ / 2)
			return (-1);
		pfd.fd = fd;
		pfd.events = POLLIN;
		r = poll(&pfd, 1, left_ms(deadline));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return (-1);
		r = read(fd, rb + *rlen, BUFSZ / 2);
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (r <= 0)
			return (r == 0 ? 0 : -1);
		*rlen += (size_t)r;
	}
}

static int
do_rtt(int fd)
{
	double *lat, t, deadline, stop_at, sum = 0;
	char out[LINESZ], want[LINESZ], line[LINESZ];
	size_t rlen = 0;
	long i, done = 0;
	int stalled = 0, bad = 0, rc;

	lat = calloc((size_t)opt_n, sizeof(double));
	if (lat == NULL)
		return (1);
	nonblock(fd);
	stop_at = opt_dur > 0 ? now_s() + opt_dur : 0;
	for (i = 0; i < opt_n; i++) {
		int len = snprintf(out, sizeof(out), "ping %ld\n", i);

		if (stop_at > 0 && now_s() >= stop_at)
			break;
		if (now_s() >= t_begin + opt_total) {
			stalled = 1;
			break;
		}
		snprintf(want, sizeof(want), "OK ping %ld", i);
		t = now_s();
		if (write(fd, out, (size_t)len) != len) {
			bad = 1;
			break;
		}
		deadline = t + opt_wait;
		if (deadline > t_begin + opt_total)
			deadline = t_begin + opt_total;
		rc = read_line(fd, line, sizeof(line), buf, &rlen, deadline);
		if (rc <= 0) {
			stalled = rc < 0;
			bad = rc == 0;
			break;
		}
		if (strcmp(line, want) != 0) {
			fprintf(stderr, "client: got \"%s\", expected \"%s\"\n",
			    line, want);
			bad = 1;
			break;
		}
		lat[done++] = (now_s() - t) * 1e6;
		sum += lat[done - 1];
	}
	qsort(lat, (size_t)done, sizeof(double), cmp_double);
	if (done > 0)
		printf("n=%ld median_us=%.1f p99_us=%.1f max_us=%.1f "
		    "mean_us=%.1f stalled=%d bad=%d\n", done,
		    lat[done / 2], lat[(done * 99) / 100 < done ?
		    (done * 99) / 100 : done - 1], lat[done - 1],
		    sum / (double)done, stalled, bad);
	else
		printf("n=0 stalled=%d bad=%d\n", stalled, bad);
	free(lat);
	return (stalled || bad ? 1 : 0);
}

static int
do_pipe(int fd)
{
	struct pollfd pfd;
	char out[64 * 1024], line[LINESZ], want[LINESZ];
	size_t rlen = 0, olen = 0, ooff = 0;
	long sent = 0, got = 0;
	double t0 = now_s(), last_rx = t0, deadline = t_begin + opt_total;
	int stalled = 0, bad = 0, rc;
	ssize_t r;
	uint8_t *nl;

	nonblock(fd);
	while (got < opt_n) {
		/* fill the output buffer with more lines */
		if (ooff == olen && sent < opt_n) {
			ooff = olen = 0;
			while (sent < opt_n && olen + 32 < sizeof(out))
				olen += (size_t)snprintf(out + olen,
				    sizeof(out) - olen, "ping %ld\n", sent++);
		}
		pfd.fd = fd;
		pfd.events = POLLIN | (ooff < olen ? POLLOUT : 0);
		if (now_s() >= deadline || now_s() - last_rx > opt_wait) {
			stalled = 1;
			break;
		}
		rc = poll(&pfd, 1, 200);
		if (rc < 0 && errno != EINTR)
			break;
		if (rc <= 0)
			continue;
		if ((pfd.revents & POLLOUT) && ooff < olen) {
			r = write(fd, out + ooff, olen - ooff);
			if (r > 0)
				ooff += (size_t)r;
			else if (r < 0 && errno != EAGAIN && errno != EINTR) {
				bad = 1;
				break;
			}
		}
		if (!(pfd.revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		r = read(fd, buf + rlen, BUFSZ - rlen);
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (r <= 0) {
			bad = 1;
			break;
		}
		last_rx = now_s();
		rlen += (size_t)r;
		while ((nl = memchr(buf, '\n', rlen)) != NULL) {
			size_t len = (size_t)(nl - buf);

			if (len >= sizeof(line))
				len = sizeof(line) - 1;
			memcpy(line, buf, len);
			line[len] = '\0';
			snprintf(want, sizeof(want), "OK ping %ld", got);
			if (strcmp(line, want) != 0) {
				fprintf(stderr, "client: got \"%s\", expected "
				    "\"%s\"\n", line, want);
				bad = 1;
				break;
			}
			got++;
			len = (size_t)(nl - buf) + 1;
			memmove(buf, buf + len, rlen - len);
			rlen -= len;
		}
		if (bad)
			break;
	}
	t0 = now_s() - t0;
	printf("n=%ld secs=%.3f lines_per_s=%.0f stalled=%d bad=%d\n", got,
	    t0, t0 > 0 ? (double)got / t0 : 0.0, stalled, bad);
	return (stalled || bad || got < opt_n ? 1 : 0);
}

static int
do_send(int fd)
{
	uint64_t left = opt_bytes;
	double t0 = now_s();
	size_t i;
	ssize_t r;

	for (i = 0; i < SENDCHUNK; i++)
		buf[i] = (uint8_t)('a' + i % 26);
	while (left > 0) {
		size_t n = left < SENDCHUNK ? (size_t)left : SENDCHUNK;

		r = write(fd, buf, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			perror("client: write");
			return (1);
		}
		left -= (uint64_t)r;
	}
	shutdown(fd, SHUT_WR);
	while ((r = read(fd, buf, BUFSZ)) > 0)
		;
	printf("bytes=%llu secs=%.3f\n", (unsigned long long)opt_bytes,
	    now_s() - t0);
	return (0);
}

static int
do_echo(int fd)
{
	uint8_t *in = buf, *out = buf + BUFSZ / 2, *p, *nl;
	size_t ilen = 0, olen, len;
	ssize_t r;

	for (;;) {
		r = read(fd, in + ilen, BUFSZ / 4 - ilen);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		ilen += (size_t)r;
		olen = 0;
		p = in;
		while ((nl = memchr(p, '\n', ilen - (size_t)(p - in))) !=
		    NULL) {
			len = (size_t)(nl - p);
			if (olen + len + 4 > BUFSZ / 2)
				break;
			memcpy(out + olen, "OK ", 3);
			memcpy(out + olen + 3, p, len);
			out[olen + 3 + len] = '\n';
			olen += len + 4;
			p = nl + 1;
		}
		ilen -= (size_t)(p - in);
		memmove(in, p, ilen);
		if (ilen == BUFSZ / 4)
			ilen = 0;	/* overlong line: dropped */
		for (len = 0; len < olen; ) {
			r = write(fd, out + len, olen - len);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				return (1);
			len += (size_t)r;
		}
	}
	return (0);
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: client [-T secs] [-w secs] [-n lines] [-d secs] "
	    "[-b bytes]\n"
	    "              [-c chunk] [-i ms] MODE ENDPOINT...\n"
	    "  MODE: read slowread rtt pipe send echo\n"
	    "  ENDPOINT: unix:PATH listen:PATH tcp:ADDR:PORT\n");
	exit(2);
}

static double
num(const char *s)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end != '\0' || v < 0)
		usage();
	return (v);
}

int
main(int argc, char **argv)
{
	int fds[MAXEP], n, i, ch, rc = 2;
	const char *mode;
	struct sigaction sa;

	while ((ch = getopt(argc, argv, "T:w:n:d:b:c:i:")) != -1) {
		switch (ch) {
		case 'T': opt_total = num(optarg); break;
		case 'w': opt_wait = num(optarg); break;
		case 'n': opt_n = (long)num(optarg); break;
		case 'd': opt_dur = num(optarg); break;
		case 'b': opt_bytes = (uint64_t)num(optarg); break;
		case 'c': opt_chunk = (size_t)num(optarg); break;
		case 'i': opt_ival = (long)num(optarg); break;
		default: usage();
		}
	}
	if (argc - optind < 2 || argc - optind - 1 > MAXEP || opt_n < 1 ||
	    opt_chunk < 1)
		usage();
	mode = argv[optind++];
	slow_mode = strcmp(mode, "slowread") == 0;
	n = argc - optind;
	if (strcmp(mode, "read") != 0 && n != 1)
		usage();
	if ((buf = malloc(BUFSZ)) == NULL)
		return (1);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGPIPE, &sa, NULL);
	sa.sa_handler = onsig;
	sigaction(SIGTERM, &sa, NULL);	/* slowread: report, then exit */
	/* a hard stop, whatever happens */
	alarm((unsigned)opt_total + 5);
	t_begin = now_s();
	for (i = 0; i < n; i++)
		if ((fds[i] = ep_open(argv[optind + i])) < 0)
			return (1);
	if (strcmp(mode, "read") == 0)
		rc = do_read(fds, n);
	else if (strcmp(mode, "slowread") == 0)
		rc = do_slowread(fds[0]);
	else if (strcmp(mode, "rtt") == 0)
		rc = do_rtt(fds[0]);
	else if (strcmp(mode, "pipe") == 0)
		rc = do_pipe(fds[0]);
	else if (strcmp(mode, "send") == 0)
		rc = do_send(fds[0]);
	else if (strcmp(mode, "echo") == 0)
		rc = do_echo(fds[0]);
	else
		usage();
	fflush(stdout);
	return (rc);
}
