/*
 * log.h: logging for the daemon.
 *
 * In the foreground messages go to stderr, each with a timestamp unless
 * -O notimes; once daemonised they go to syslog.  Levels: error (always),
 * info (always: VP arrival, departure, zombie, resumption, rejection),
 * debug (-O debug: protocol detail).  The _x variants do not append the
 * errno string; the others do.  Every call preserves errno.
 *
 * Copyright (C) 2026 The sc_remoted authors.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef LOG_H
#define LOG_H

#include <stddef.h>

#define LOG_TO_STDERR	0
#define LOG_TO_SYSLOG	1

#define LOGF_NOTIMES	0x01	/* no timestamps on stderr */
#define LOGF_DEBUG	0x02	/* debug messages wanted */

void	log_init(int where, int flags);
/* Open the syslog connection ahead of a chroot; log_init switches. */
void	log_syslog_prepare(void);
int	log_debug_enabled(void);

#if defined(__GNUC__)
#define LOG_PRINTF(a, b)	__attribute__((format(printf, a, b)))
#define LOG_NORETURN		__attribute__((noreturn))
#else
#define LOG_PRINTF(a, b)
#define LOG_NORETURN
#endif

void	log_err(const char *fmt, ...) LOG_PRINTF(1, 2);
void	log_errx(const char *fmt, ...) LOG_PRINTF(1, 2);
void	log_info(const char *fmt, ...) LOG_PRINTF(1, 2);
void	log_debugf(const char *func, const char *fmt, ...) LOG_PRINTF(2, 3);
void	fatal(const char *fmt, ...) LOG_PRINTF(1, 2) LOG_NORETURN;
void	fatalx(const char *fmt, ...) LOG_PRINTF(1, 2) LOG_NORETURN;

/* Debug lines name the function they come from. */
#define log_debug(...)	do {						\
	if (log_debug_enabled())					\
		log_debugf(__func__, __VA_ARGS__);			\
} while (0)

/*
 * Make a string from a peer printable for a log line: bytes outside
 * printable ASCII become \xNN.  Writes at most size bytes including the
 * NUL and returns dst.
 */
char	*log_escape(char *dst, size_t size, const void *src, size_t len);

/* For tests: the last message logged at any level (without prefixes). */
const char *log_last(void);

#endif /* LOG_H */
