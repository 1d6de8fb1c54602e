/*
 * log.c: error, info and debug messages to stderr or syslog.
 *
 * The reference daemon said nothing unless -O debug was given and
 * nothing at all once daemonised; here errors and VP events are always
 * logged, to stderr in the foreground and to syslog after -D.
 *
 * Copyright (C) 2026 The sc_remoted authors.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <sys/time.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "log.h"

#define LOG_LINE_MAX	1024

static int	log_where = LOG_TO_STDERR;
static int	log_flags;
static int	log_syslog_open;

/* The last message, without prefixes, for log_last(). */
static char	log_lastbuf[LOG_LINE_MAX];

static void	log_vmsg(int, const char *, int, const char *, va_list)
		    LOG_PRINTF(4, 0);

void
log_init(int where, int flags)
{
	int	saved = errno;

	/*
	 * Load the time zone now: after chroot or a sandbox the zone
	 * file may no longer be readable, and timestamps would silently
	 * switch to UTC.
	 */
	tzset();
	if (where == LOG_TO_SYSLOG && !log_syslog_open) {
		openlog("sc_remoted", LOG_PID | LOG_NDELAY, LOG_DAEMON);
		log_syslog_open = 1;
	}
	log_where = where;
	log_flags = flags;
	errno = saved;
}

void
log_syslog_prepare(void)
{
	int	saved = errno;

	/*
	 * Connect to the log socket now, while /dev/log is reachable: a
	 * -R root usually has none.
	 */
	if (!log_syslog_open) {
		openlog("sc_remoted", LOG_PID | LOG_NDELAY, LOG_DAEMON);
		log_syslog_open = 1;
	}
	errno = saved;
}

int
log_debug_enabled(void)
{
	return ((log_flags & LOGF_DEBUG) != 0);
}

/* "[YYYY-MM-DD HH:MM:SS.mmm] " in local time, or "" on failure. */
static void
log_stamp(char *dst, size_t size)
{
	struct timeval	 tv;
	struct tm	 tm;
	time_t		 t;
	char		 date[32];

	dst[0] = '\0';
	if (gettimeofday(&tv, NULL) != 0)
		return;
	t = tv.tv_sec;
	if (localtime_r(&t, &tm) == NULL)
		return;
	if (strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S", &tm) == 0)
		return;
	snprintf(dst, size, "[%s.%03d] ", date,
	    (int)((tv.tv_usec / 1000) % 1000));
}

/*
 * Format and emit one message.  errnum is appended as ": strerror"
 * when non-zero.  The caller saves and restores errno.
 */
static void
log_vmsg(int pri, const char *func, int errnum, const char *fmt,
    va_list ap)
{
	char		 stamp[48];
	const char	*level;
	size_t		 len;

	vsnprintf(log_lastbuf, sizeof(log_lastbuf), fmt, ap);
	if (errnum != 0) {
		len = strlen(log_lastbuf);
		snprintf(log_lastbuf + len, sizeof(log_lastbuf) - len,
		    ": %s", strerror(errnum));
	}

	if (log_where == LOG_TO_SYSLOG) {
		if (func != NULL)
			syslog(pri, "%s: %s", func, log_lastbuf);
		else
			syslog(pri, "%s", log_lastbuf);
		return;
	}

	if (log_flags & LOGF_NOTIMES)
		stamp[0] = '\0';
	else
		log_stamp(stamp, sizeof(stamp));
	if (pri == LOG_ERR)
		level = "error: ";
	else if (pri == LOG_DEBUG)
		level = "debug: ";
	else
		level = "";
	/* One call per line, so that lines from a crash stay whole. */
	fprintf(stderr, "%s%s%s%s%s\n", stamp, level,
	    func != NULL ? func : "", func != NULL ? ": " : "", log_lastbuf);
}

void
log_err(const char *fmt, ...)
{
	va_list	ap;
	int	saved = errno;

	va_start(ap, fmt);
	log_vmsg(LOG_ERR, NULL, saved, fmt, ap);
	va_end(ap);
	errno = saved;
}

void
log_errx(const char *fmt, ...)
{
	va_list	ap;
	int	saved = errno;

	va_start(ap, fmt);
	log_vmsg(LOG_ERR, NULL, 0, fmt, ap);
	va_end(ap);
	errno = saved;
}

void
log_info(const char *fmt, ...)
{
	va_list	ap;
	int	saved = errno;

	va_start(ap, fmt);
	log_vmsg(LOG_INFO, NULL, 0, fmt, ap);
	va_end(ap);
	errno = saved;
}

void
log_debugf(const char *func, const char *fmt, ...)
{
	va_list	ap;
	int	saved = errno;

	/* The macro checks too; this covers direct calls. */
	if (!log_debug_enabled())
		return;
	va_start(ap, fmt);
	log_vmsg(LOG_DEBUG, func != NULL ? func : "?", 0, fmt, ap);
	va_end(ap);
	errno = saved;
}

void
fatal(const char *fmt, ...)
{
	va_list	ap;
	int	saved = errno;

	va_start(ap, fmt);
	log_vmsg(LOG_ERR, NULL, saved, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vmsg(LOG_ERR, NULL, 0, fmt, ap);
	va_end(ap);
	exit(1);
}

char *
log_escape(char *dst, size_t size, const void *src, size_t len)
{
	static const char	 hex[] = "0123456789abcdef";
	const unsigned char	*p = src;
	size_t			 i, o = 0;
	int			 saved = errno;

	if (size == 0)
		return (dst);
	for (i = 0; i < len; i++) {
		/* Never split an escape: stop if the whole one won't fit. */
		if (p[i] == '\\') {
			if (o + 2 >= size)
				break;
			dst[o++] = '\\';
			dst[o++] = '\\';
		} else if (p[i] >= 0x20 && p[i] <= 0x7e) {
			if (o + 1 >= size)
				break;
			dst[o++] = (char)p[i];
		} else {
			if (o + 4 >= size)
				break;
			dst[o++] = '\\';
			dst[o++] = 'x';
			dst[o++] = hex[p[i] >> 4];
			dst[o++] = hex[p[i] & 0x0f];
		}
	}
	dst[o] = '\0';
	errno = saved;
	return (dst);
}

const char *
log_last(void)
{
	return (log_lastbuf);
}
