/*
 * test_unixdir.c: unit tests for the per-VP socket directory
 * (unixdir.c): names, creation and modes, collisions, and the startup
 * checks and cleaning.
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

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "unixdir.h"

/* A fresh directory under /tmp per test, removed with its contents. */
static int
setup_dir(void **state)
{
	char	*dir;

	dir = strdup("/tmp/test_unixdir.XXXXXX");
	assert_non_null(dir);
	assert_non_null(mkdtemp(dir));
	*state = dir;
	return (0);
}

static int
teardown_dir(void **state)
{
	char		*dir = *state, path[1024];
	struct dirent	*de;
	DIR		*d;

	assert_non_null(d = opendir(dir));
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		unlink(path);
	}
	closedir(d);
	assert_int_equal(rmdir(dir), 0);
	free(dir);
	return (0);
}

static void
make_path(char *dst, size_t size, const char *dir, const char *name)
{
	assert_true((size_t)snprintf(dst, size, "%s/%s", dir, name) < size);
}

static void
make_file(const char *dir, const char *name, const char *content)
{
	char	path[1024];
	int	fd;

	make_path(path, sizeof(path), dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd != -1);
	assert_int_equal(write(fd, content, strlen(content)),
	    (ssize_t)strlen(content));
	close(fd);
}

/* A socket file that nobody listens on, as a crashed run leaves. */
static void
make_stale_socket(const char *dir, const char *name)
{
	struct sockaddr_un	sun;
	int			fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	make_path(sun.sun_path, sizeof(sun.sun_path), dir, name);
	assert_true((fd = socket(AF_UNIX, SOCK_STREAM, 0)) != -1);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(fd);
}

static int
is_socket(const char *dir, const char *name)
{
	char		path[1024];
	struct stat	st;

	make_path(path, sizeof(path), dir, name);
	return (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode));
}

static int
exists(const char *dir, const char *name)
{
	char		path[1024];
	struct stat	st;

	make_path(path, sizeof(path), dir, name);
	return (lstat(path, &st) == 0);
}

static void
test_peername_ipv4(void **state)
{
	struct sockaddr_in	sin;
	char			buf[64];

	(void)state;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(46648);
	assert_int_equal(inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr), 1);
	assert_int_equal(unixdir_peername(buf, sizeof(buf),
	    (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_string_equal(buf, "127.0.0.1:46648");

	sin.sin_port = htons(1);
	assert_int_equal(inet_pton(AF_INET, "192.0.2.255", &sin.sin_addr), 1);
	assert_int_equal(unixdir_peername(buf, sizeof(buf),
	    (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_string_equal(buf, "192.0.2.255:1");

	/* Exactly fitting, then one byte short. */
	assert_int_equal(unixdir_peername(buf, sizeof("192.0.2.255:1"),
	    (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(unixdir_peername(buf, sizeof("192.0.2.255:1") - 1,
	    (struct sockaddr *)&sin, sizeof(sin)), -1);
	/* A truncated sockaddr is refused. */
	assert_int_equal(unixdir_peername(buf, sizeof(buf),
	    (struct sockaddr *)&sin, sizeof(sin) - 1), -1);
}

static void
test_peername_ipv6(void **state)
{
	struct sockaddr_in6	sin6;
	struct sockaddr_un	sun;
	char			buf[128];

	(void)state;
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons(43744);
	assert_int_equal(inet_pton(AF_INET6, "::1", &sin6.sin6_addr), 1);
	assert_int_equal(unixdir_peername(buf, sizeof(buf),
	    (struct sockaddr *)&sin6, sizeof(sin6)), 0);
	assert_string_equal(buf, "::1.43744");

	/* inet_ntop's compressed lower-case form. */
	sin6.sin6_port = htons(65535);
	assert_int_equal(inet_pton(AF_INET6, "2001:DB8:0:0:0:0:0:A",
	    &sin6.sin6_addr), 1);
	assert_int_equal(unixdir_peername(buf, sizeof(buf),
	    (struct sockaddr *)&sin6, sizeof(sin6)), 0);
	assert_string_equal(buf, "2001:db8::a.65535");

	assert_int_equal(unixdir_peername(buf, 5,
	    (struct sockaddr *)&sin6, sizeof(sin6)), -1);

	/* Not an internet address. */
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	assert_int_equal(unixdir_peername(buf, sizeof(buf),
	    (struct sockaddr *)&sun, sizeof(sun)), -1);
}

static void
test_vpname(void **state)
{
	char	buf[32];

	(void)state;
	assert_int_equal(unixdir_vpname(buf, sizeof(buf), "vp1.example",
	    "127.0.0.1:46648"), 0);
	assert_string_equal(buf, "vp1.example-127.0.0.1:46648");
	assert_int_equal(unixdir_vpname(buf, sizeof(buf), "v6.vp",
	    "::1.43744"), 0);
	assert_string_equal(buf, "v6.vp-::1.43744");
	assert_int_equal(unixdir_vpname(buf, sizeof(buf), NULL,
	    "127.0.0.1:52734"), 0);
	assert_string_equal(buf, "127.0.0.1:52734");
	/* As the reference: an empty monitor name still gets the dash. */
	assert_int_equal(unixdir_vpname(buf, sizeof(buf), "", "::1.1"), 0);
	assert_string_equal(buf, "-::1.1");
	/* 31 characters fit in 32 bytes, 32 do not. */
	assert_int_equal(unixdir_vpname(buf, sizeof(buf),
	    "0123456789012345", "67890123456789"), 0);
	assert_int_equal(unixdir_vpname(buf, sizeof(buf),
	    "0123456789012345", "678901234567890"), -1);
	assert_int_equal(unixdir_vpname(buf, sizeof(buf), NULL,
	    "01234567890123456789012345678901"), -1);
}

/* Create dir/name with mode under umask, check its mode and flags. */
static void
listen_mode(const char *dir, const char *name, mode_t mode, mode_t mask)
{
	char		path[1024];
	struct stat	st;
	mode_t		old;
	int		fd, fl;

	make_path(path, sizeof(path), dir, name);
	old = umask(mask);
	fd = unixdir_listen(dir, name, mode);
	/* The umask around bind is put back. */
	assert_int_equal(umask(old), mask);
	assert_true(fd != -1);

	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 07777, mode);

	assert_true((fl = fcntl(fd, F_GETFL)) != -1);
	assert_true(fl & O_NONBLOCK);
	assert_true((fl = fcntl(fd, F_GETFD)) != -1);
	assert_true(fl & FD_CLOEXEC);
	close(fd);
}

static void
test_listen_modes(void **state)
{
	const char	*dir = *state;

	/* A lax umask must not widen it, a strict one not narrow it. */
	listen_mode(dir, "a", 0700, 0);
	listen_mode(dir, "b", 0770, 0);
	listen_mode(dir, "c", 0777, 0);
	listen_mode(dir, "d", 0777, 0077);
	listen_mode(dir, "e", 0770, 0022);
}

static void
test_listen_accepts(void **state)
{
	const char		*dir = *state;
	struct sockaddr_un	 sun;
	int			 lfd, cfd, afd;

	assert_true((lfd = unixdir_listen(dir, "vp", 0700)) != -1);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	make_path(sun.sun_path, sizeof(sun.sun_path), dir, "vp");
	assert_true((cfd = socket(AF_UNIX, SOCK_STREAM, 0)) != -1);
	assert_int_equal(connect(cfd, (struct sockaddr *)&sun,
	    sizeof(sun)), 0);
	assert_true((afd = accept(lfd, NULL, NULL)) != -1);
	close(afd);
	close(cfd);
	/* Non-blocking: no second client, no wait. */
	assert_int_equal(accept(lfd, NULL, NULL), -1);
	assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
	close(lfd);
}

static void
test_listen_exists(void **state)
{
	const char	*dir = *state;
	char		 path[1024], buf[64];
	struct stat	 st;
	int		 fd;
	ssize_t		 n;

	/* A regular file: EEXIST, and the file is not touched. */
	make_file(dir, "file", "keep me\n");
	make_path(path, sizeof(path), dir, "file");
	assert_int_equal(chmod(path, 0640), 0);
	errno = 0;
	assert_int_equal(unixdir_listen(dir, "file", 0777), -1);
	assert_int_equal(errno, EEXIST);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_true((fd = open(path, O_RDONLY)) != -1);
	n = read(fd, buf, sizeof(buf));
	close(fd);
	assert_int_equal(n, 8);
	assert_memory_equal(buf, "keep me\n", 8);

	/* A stale socket: EEXIST too, and it stays. */
	make_stale_socket(dir, "stale");
	errno = 0;
	assert_int_equal(unixdir_listen(dir, "stale", 0700), -1);
	assert_int_equal(errno, EEXIST);
	assert_true(is_socket(dir, "stale"));

	/* A live one of ours. */
	assert_true((fd = unixdir_listen(dir, "live", 0700)) != -1);
	errno = 0;
	assert_int_equal(unixdir_listen(dir, "live", 0700), -1);
	assert_int_equal(errno, EEXIST);
	close(fd);
}

static void
test_listen_too_long(void **state)
{
	const char		*dir = *state;
	struct sockaddr_un	 sun;
	char			 name[sizeof(sun.sun_path) + 1];
	size_t			 room;
	int			 fd;

	/* dir + '/' + name + NUL fills sun_path exactly: fits. */
	room = sizeof(sun.sun_path) - strlen(dir) - 2;
	memset(name, 'n', room);
	name[room] = '\0';
	assert_true((fd = unixdir_listen(dir, name, 0700)) != -1);
	close(fd);
	unixdir_unlink(dir, name);
	assert_false(exists(dir, name));

	/* One more byte does not. */
	name[room] = 'n';
	name[room + 1] = '\0';
	errno = 0;
	assert_int_equal(unixdir_listen(dir, name, 0700), -1);
	assert_int_equal(errno, ENAMETOOLONG);
}

static void
test_listen_no_dir(void **state)
{
	char	missing[1024];

	make_path(missing, sizeof(missing), *state, "nosuchdir");
	errno = 0;
	assert_int_equal(unixdir_listen(missing, "x", 0700), -1);
	assert_int_equal(errno, ENOENT);
}

static void
test_unlink(void **state)
{
	const char	*dir = *state;
	char		 target[1024], lpath[1024];
	int		 fd;

	assert_true((fd = unixdir_listen(dir, "sock", 0700)) != -1);
	close(fd);
	make_file(dir, "file", "x");

	/* A symlink to a socket is not a socket. */
	make_path(target, sizeof(target), dir, "sock");
	make_path(lpath, sizeof(lpath), dir, "link");
	assert_int_equal(symlink(target, lpath), 0);

	errno = 1234;
	unixdir_unlink(dir, "file");
	unixdir_unlink(dir, "link");
	unixdir_unlink(dir, "missing");
	assert_int_equal(errno, 1234);
	assert_true(exists(dir, "file"));
	assert_true(exists(dir, "link"));
	assert_true(is_socket(dir, "sock"));

	unixdir_unlink(dir, "sock");
	assert_false(exists(dir, "sock"));
}

static void
test_check(void **state)
{
	const char	*dir = *state;
	char		 path[1024], lpath[1024];
	int		 fd;

	assert_int_equal(unixdir_check(dir), 0);

	make_file(dir, "file", "x");
	make_path(path, sizeof(path), dir, "file");
	errno = 0;
	assert_int_equal(unixdir_check(path), -1);
	assert_int_equal(errno, ENOTDIR);

	/* The reference took a socket for a directory. */
	assert_true((fd = unixdir_listen(dir, "sock", 0700)) != -1);
	make_path(path, sizeof(path), dir, "sock");
	errno = 0;
	assert_int_equal(unixdir_check(path), -1);
	assert_int_equal(errno, ENOTDIR);
	close(fd);

	make_path(path, sizeof(path), dir, "missing");
	errno = 0;
	assert_int_equal(unixdir_check(path), -1);
	assert_int_equal(errno, ENOENT);

	/* Symlinks are followed: a link to a directory is fine. */
	make_path(lpath, sizeof(lpath), dir, "dirlink");
	assert_int_equal(symlink(dir, lpath), 0);
	assert_int_equal(unixdir_check(lpath), 0);
}

static void
test_clean(void **state)
{
	const char	*dir = *state;
	int		 live;

	make_stale_socket(dir, "vp1-127.0.0.1:4000");
	make_stale_socket(dir, "v6.vp-::1.43744");
	/* Not a VP name: somebody else's, left alone even if stale. */
	make_stale_socket(dir, "other.sock");
	assert_true((live = unixdir_listen(dir, "127.0.0.1:5000",
	    0700)) != -1);
	make_file(dir, "file:1", "x");

	assert_int_equal(unixdir_clean(dir), 2);
	assert_false(exists(dir, "vp1-127.0.0.1:4000"));
	assert_false(exists(dir, "v6.vp-::1.43744"));
	assert_true(is_socket(dir, "other.sock"));
	assert_true(is_socket(dir, "127.0.0.1:5000"));
	assert_true(exists(dir, "file:1"));

	/* Nothing left to remove: the last message is about the live one. */
	assert_int_equal(unixdir_clean(dir), 0);
	assert_string_equal(log_last(),
	    "left live socket 127.0.0.1:5000 alone");
	close(live);

	/* Once its owner is gone it is stale too. */
	assert_int_equal(unixdir_clean(dir), 1);
	assert_string_equal(log_last(),
	    "removed stale socket 127.0.0.1:5000");
	assert_false(exists(dir, "127.0.0.1:5000"));
	assert_true(exists(dir, "file:1"));
}

static void
test_is_vpname(void **state)
{
	(void)state;
	assert_true(unixdir_is_vpname("127.0.0.1:52734"));
	assert_true(unixdir_is_vpname("vp1.example-127.0.0.1:46648"));
	assert_true(unixdir_is_vpname("v6.vp-::1.43744"));
	assert_false(unixdir_is_vpname("other.sock"));
	assert_false(unixdir_is_vpname("x:123456"));
	assert_false(unixdir_is_vpname(":1"));
	assert_false(unixdir_is_vpname("1234"));
	assert_false(unixdir_is_vpname(""));
}

static void
test_clean_escapes(void **state)
{
	const char	*dir = *state;

	make_stale_socket(dir, "bad\nname\\:80");
	assert_int_equal(unixdir_clean(dir), 1);
	assert_string_equal(log_last(),
	    "removed stale socket bad\\x0aname\\\\:80");
}

static void
test_clean_no_dir(void **state)
{
	char	missing[1024];

	make_path(missing, sizeof(missing), *state, "nosuchdir");
	assert_int_equal(unixdir_clean(missing), -1);
	assert_int_equal(errno, ENOENT);
}

#define DIRTEST(f)	cmocka_unit_test_setup_teardown(f, setup_dir,	\
			    teardown_dir)

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_peername_ipv4),
		cmocka_unit_test(test_peername_ipv6),
		cmocka_unit_test(test_vpname),
		DIRTEST(test_listen_modes),
		DIRTEST(test_listen_accepts),
		DIRTEST(test_listen_exists),
		DIRTEST(test_listen_too_long),
		DIRTEST(test_listen_no_dir),
		DIRTEST(test_unlink),
		DIRTEST(test_check),
		DIRTEST(test_clean),
		cmocka_unit_test(test_is_vpname),
		DIRTEST(test_clean_escapes),
		DIRTEST(test_clean_no_dir),
	};

	/* unixdir_clean logs each decision; keep the test output tidy. */
	log_init(LOG_TO_STDERR, LOGF_NOTIMES);
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
