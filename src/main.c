/*
 * main.c: sc_remoted's start-up order, signals and exit.
 *
 * Every configuration error is found before the daemon detaches, so it
 * reaches the terminal and a non-zero exit status: options, the -U
 * directory, the pid file lock and the listening sockets all come
 * first; then -D, then the pid is written.
 *
 * Copyright (C) 2026 The sc_remoted authors.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <sys/types.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ev.h"
#include "log.h"
#include "meta.h"
#include "notify.h"
#include "options.h"
#include "server.h"
#include "tls.h"
#include "unixdir.h"

/* The exit status of every failure before the loop, as the original. */
#define EXIT_STARTUP	255

static int	 pidfd = -1;
/* The signal mask we started with, and the signals held until ready. */
static sigset_t	 main_oldmask, main_stops;

static void
main_stop_cb(int signo, void *arg)
{
	log_info("%s: shutting down", signo == SIGTERM ? "SIGTERM" :
	    "SIGINT");
	ev_loop_break(arg);
}

/* What SIGHUP needs to reload. */
struct reload {
	const struct options	*opts;
	struct server		*srv;
};

/* Overwrite a secret before its memory is released. */
static void
wipe(char *p)
{
	volatile char	*v = p;

	if (p == NULL)
		return;
	while (*v != '\0')
		*v++ = '\0';
}

/*
 * The first line of a passphrase file, for service managers that cannot
 * answer a prompt.  NULL on failure, logged.
 */
static char *
passfile_read(const char *path)
{
	char	 line[1024];
	FILE	*f;
	char	*p;
	size_t	 n;

	if ((f = fopen(path, "r")) == NULL) {
		log_err("passphrase file %s", path);
		return (NULL);
	}
	if (fgets(line, sizeof(line), f) == NULL) {
		log_errx("passphrase file %s is empty", path);
		fclose(f);
		return (NULL);
	}
	fclose(f);
	n = strcspn(line, "\r\n");
	line[n] = '\0';
	p = strdup(line);
	wipe(line);
	if (p == NULL)
		log_err("passphrase");
	return (p);
}

/*
 * Build the TLS context from -c, -p and -C.  An encrypted key takes its
 * passphrase from -O passfile=, or at start-up only, from the terminal;
 * the passphrase is wiped as soon as the key is loaded.  Logs why it
 * fails and returns NULL.
 */
static struct tls_ctx *
tls_load(const struct options *o, int startup)
{
	struct tls_ctx	*ctx;
	const char	*err = NULL;
	char		*pass = NULL;

	if (tls_key_encrypted(o->tls_key)) {
		if (o->passfile != NULL)
			pass = passfile_read(o->passfile);
		else if (startup) {
			/* Ctrl-C at the prompt must work. */
			sigprocmask(SIG_SETMASK, &main_oldmask, NULL);
			pass = tls_ask_passphrase(o->tls_key, &err);
			sigprocmask(SIG_BLOCK, &main_stops, NULL);
		}
		else
			err = "the key is encrypted and there is no "
			    "-O passfile= to read its passphrase from";
		if (pass == NULL) {
			if (err != NULL)
				log_errx("TLS key %s: %s", o->tls_key, err);
			return (NULL);
		}
	}
	ctx = tls_ctx_new(o->tls_cert, o->tls_key, o->tls_ca, pass, &err);
	if (pass != NULL) {
		wipe(pass);
		free(pass);
	}
	if (ctx == NULL) {
		log_errx("TLS: %s", err != NULL ? err : "cannot load");
		return (NULL);
	}
	log_info("TLS certificate %s, SHA-256 %s%s", o->tls_cert,
	    tls_ctx_fingerprint(ctx), o->tls_ca != NULL ?
	    ", client certificates required" : "");
	return (ctx);
}

/* Load -m; logs why it fails and returns NULL. */
static struct meta *
meta_read(const char *path)
{
	struct meta	*m;
	char		*err = NULL;

	if ((m = meta_load(path, &err)) == NULL) {
		log_errx("-m %s", err != NULL ? err : path);
		free(err);
		return (NULL);
	}
	log_info("metadata for %lu monitor names from %s",
	    (unsigned long)meta_count(m), path);
	return (m);
}

static void
main_hup_cb(int signo, void *arg)
{
	struct reload	*rl = arg;
	struct tls_ctx	*ctx;
	struct meta	*m;

	(void)signo;
	if (rl->opts->tls_cert == NULL && rl->opts->metafile == NULL) {
		log_info("SIGHUP: nothing to reload");
		return;
	}
	if (rl->opts->metafile != NULL) {
		/* A broken file keeps the data already loaded. */
		if ((m = meta_read(rl->opts->metafile)) == NULL)
			log_errx("SIGHUP: keeping the metadata already "
			    "loaded");
		else
			server_set_meta(rl->srv, m);
	}
	if (rl->opts->tls_cert == NULL)
		return;
	/* A bad file must not stop a running fleet: keep the old one. */
	if ((ctx = tls_load(rl->opts, 0)) == NULL) {
		log_errx("SIGHUP: keeping the TLS certificate already loaded");
		return;
	}
	server_set_tls(rl->srv, ctx);
	tls_ctx_unref(ctx);
	log_info("SIGHUP: new links get the reloaded certificate");
}

/*
 * Detach from the terminal in two steps, so that the command that
 * started the daemon returns only once it is serving, with its status:
 * detach_begin forks, and the parent waits on a pipe; the child goes on
 * setting up with stderr still on the terminal, so errors after the
 * fork are seen too; detach_done tells the parent all is well and lets
 * go of the terminal.  The parent exits 0 on that word, 255 if the
 * child failed (the pipe closed without it).  Not daemon(3): /dev/null
 * is opened beforehand, since it may not exist inside a -R root.
 */
static int	 detach_fd = -1;

static int
detach_begin(int devnull)
{
	int	 p[2];
	char	 c = '\0';	/* stays so if the child dies unheard */

	if (pipe(p) != 0)
		return (-1);
	switch (fork()) {
	case -1:
		return (-1);
	case 0:
		break;
	default:
		close(p[1]);
		while (read(p[0], &c, 1) == -1 && errno == EINTR)
			;
		_exit(c == 'k' ? 0 : EXIT_STARTUP);
	}
	close(p[0]);
	(void)fcntl(p[1], F_SETFD, FD_CLOEXEC);
	detach_fd = p[1];
	if (setsid() == -1 || dup2(devnull, STDIN_FILENO) == -1 ||
	    dup2(devnull, STDOUT_FILENO) == -1)
		return (-1);
	return (0);
}

static void
detach_done(int devnull)
{
	(void)write(detach_fd, "k", 1);
	close(detach_fd);
	detach_fd = -1;
	(void)dup2(devnull, STDERR_FILENO);
	if (devnull > STDERR_FILENO)
		close(devnull);
}

/*
 * -R: confine the daemon to root before it touches -U, -M, -m or the
 * TLS files, whose paths are then taken inside it.
 */
static int
enter_root(const char *root)
{
	struct stat	 st;

	if (stat(root, &st) != 0) {
		log_err("-R %s", root);
		return (-1);
	}
	if (!S_ISDIR(st.st_mode)) {
		log_errx("-R %s: not a directory", root);
		return (-1);
	}
	if (chroot(root) != 0 || chdir("/") != 0) {
		log_err("-R %s: cannot chroot (root or CAP_SYS_CHROOT is "
		    "needed)", root);
		return (-1);
	}
	log_info("chrooted to %s", root);
	return (0);
}

/*
 * Open and lock the pid file before detaching, so that a second daemon
 * on the same file is refused on the terminal.  The lock stays with the
 * open descriptor, which the detached child inherits.
 */
static int
pidfile_open(const char *path)
{
	if ((pidfd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644)) == -1) {
		log_err("pid file %s", path);
		return (-1);
	}
#ifdef HAVE_FLOCK
	if (flock(pidfd, LOCK_EX | LOCK_NB) != 0) {
		if (errno == EWOULDBLOCK)
			log_errx("pid file %s is locked: another sc_remoted "
			    "is running", path);
		else
			log_err("locking pid file %s", path);
		close(pidfd);
		pidfd = -1;
		return (-1);
	}
#endif
	return (0);
}

static int
pidfile_write(const char *path)
{
	char	 s[32];
	int	 n;

	n = snprintf(s, sizeof(s), "%ld\n", (long)getpid());
	if (ftruncate(pidfd, 0) != 0 || write(pidfd, s, (size_t)n) != n) {
		log_err("writing pid file %s", path);
		return (-1);
	}
	return (0);
}

/* -u: the user to become, looked up before a chroot hides passwd. */
struct runas {
	uid_t	 uid;
	gid_t	 gid;
};

static int
runas_lookup(const char *user, struct runas *ra)
{
	struct passwd	*pw;

	errno = 0;
	if ((pw = getpwnam(user)) == NULL) {
		if (errno != 0)
			log_err("-u %s", user);
		else
			log_errx("-u %s: no such user", user);
		return (-1);
	}
	ra->uid = pw->pw_uid;
	ra->gid = pw->pw_gid;
	return (0);
}

/*
 * VP sockets are made in -U as VPs arrive, after root is gone: check
 * now, as that user, that it will be able to, so that the mistake is
 * reported at start-up on the terminal rather than at the first VP.
 */
static int
runas_check_dir(const char *user, const struct runas *ra, const char *dir)
{
	gid_t	 og = getegid();
	int	 ok;

	if (setegid(ra->gid) != 0 || seteuid(ra->uid) != 0) {
		log_err("-u %s", user);
		(void)seteuid(0);
		(void)setegid(og);
		return (-1);
	}
	ok = faccessat(AT_FDCWD, dir, W_OK | X_OK, AT_EACCESS) == 0;
	if (seteuid(0) != 0 || setegid(og) != 0) {
		log_err("-u %s: cannot go back to root to finish", user);
		return (-1);
	}
	if (!ok) {
		log_errx("-U %s is not writable by user %s: make it theirs "
		    "(or their group's, mode 2770)", dir, user);
		return (-1);
	}
	return (0);
}

/* Become the user for good, once everything needing root is done. */
static int
runas_drop(const char *user, const struct runas *ra)
{
	gid_t	 gid = ra->gid;

	if (setgroups(1, &gid) != 0 || setgid(gid) != 0 ||
	    setuid(ra->uid) != 0) {
		log_err("-u %s: cannot become that user", user);
		return (-1);
	}
	if (ra->uid != 0 && setuid(0) == 0) {
		log_errx("-u %s: could regain root; refusing to run", user);
		return (-1);
	}
	return (0);
}

int
main(int argc, char *argv[])
{
	struct options	 opts;
	struct ev_loop	*loop = NULL;
	struct server	*srv = NULL;
	struct tls_ctx	*ctx;
	struct reload	 rl;
	struct runas	 ra = { 0, 0 };
	int		 rc, logflags = 0, devnull = -1;

	/*
	 * Hold the signals we handle until the handlers exist, so that an
	 * early SIGTERM or SIGHUP is acted on rather than killing us half
	 * set up (a pid file without a pid, sockets without a daemon).
	 */
	sigemptyset(&main_stops);
	sigaddset(&main_stops, SIGINT);
	sigaddset(&main_stops, SIGTERM);
	sigaddset(&main_stops, SIGHUP);
	sigprocmask(SIG_BLOCK, &main_stops, &main_oldmask);

	log_init(LOG_TO_STDERR, 0);
	if ((rc = options_parse(&opts, argc, argv, stderr)) != 0)
		return (EXIT_STARTUP);
	if (opts.version) {
		printf("sc_remoted version %s\n", PACKAGE_VERSION);
		options_free(&opts);
		return (0);
	}
	if (opts.flags & OPT_NOTIMES)
		logflags |= LOGF_NOTIMES;
	if (opts.flags & OPT_DEBUG)
		logflags |= LOGF_DEBUG;
	log_init(LOG_TO_STDERR, logflags);

	/* mux-protocol.md 10: without -C it simply has no effect. */
	if ((opts.flags & OPT_SKIPNAME) && opts.tls_ca == NULL)
		log_info("-O skipnameverification has no effect without -C");
	/* What a -R root may lack: /dev/null, /dev/log, passwd. */
	if (opts.daemonise) {
		if ((devnull = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1) {
			log_err("/dev/null");
			goto fail;
		}
		log_syslog_prepare();
	}
	if (opts.user != NULL && runas_lookup(opts.user, &ra) != 0)
		goto fail;
	if (notify_open() != 0)
		goto fail;
	/* Every path from here on is inside the -R root, the pid file too. */
	if (opts.chroot != NULL && enter_root(opts.chroot) != 0)
		goto fail;
	if (opts.pidfile != NULL && pidfile_open(opts.pidfile) != 0)
		goto fail;
	if (opts.unixdir != NULL && unixdir_check(opts.unixdir) != 0) {
		log_err("-U %s", opts.unixdir);
		goto fail;
	}
	if (opts.user != NULL && opts.unixdir != NULL &&
	    runas_check_dir(opts.user, &ra, opts.unixdir) != 0)
		goto fail;
	(void)signal(SIGPIPE, SIG_IGN);
	if ((srv = server_new(&opts)) == NULL) {
		log_err("server");
		goto fail;
	}
	if (opts.tls_cert != NULL) {
		if ((ctx = tls_load(&opts, 1)) == NULL)
			goto fail;
		server_set_tls(srv, ctx);
		tls_ctx_unref(ctx);
	}
	if (opts.metafile != NULL) {
		struct meta	*m;

		if ((m = meta_read(opts.metafile)) == NULL)
			goto fail;
		server_set_meta(srv, m);
	}
	if (server_listen(srv) != 0)
		goto fail;
	if (opts.muxpath != NULL && server_mux(srv, opts.muxpath) != 0)
		goto fail;
	if (opts.unixdir != NULL)
		(void)unixdir_clean(opts.unixdir);

	if (opts.daemonise && detach_begin(devnull) != 0) {
		log_err("detaching");
		goto fail;
	}
	if (opts.pidfile != NULL && pidfile_write(opts.pidfile) != 0)
		goto fail;
	if (opts.user != NULL && runas_drop(opts.user, &ra) != 0)
		goto fail;

	/* After detaching: a kqueue is not inherited across fork. */
	if ((loop = ev_loop_new((opts.flags & OPT_SELECT) ? "select" :
	    NULL)) == NULL) {
		log_err("event loop");
		goto fail;
	}
	rl.opts = &opts;
	rl.srv = srv;
	if (ev_signal_add(loop, SIGINT, main_stop_cb, loop) != 0 ||
	    ev_signal_add(loop, SIGTERM, main_stop_cb, loop) != 0 ||
	    ev_signal_add(loop, SIGHUP, main_hup_cb, &rl) != 0) {
		log_err("signal handlers");
		goto fail;
	}
	if (server_start(srv, loop) != 0)
		goto fail;
	/* Serving: the starting command may return now. */
	if (opts.daemonise) {
		detach_done(devnull);
		log_init(LOG_TO_SYSLOG, logflags);
	}
	sigprocmask(SIG_SETMASK, &main_oldmask, NULL);
	log_info("sc_remoted %s started, event backend %s", PACKAGE_VERSION,
	    ev_loop_backend(loop));
	notify_send("READY=1");

	rc = ev_loop_run(loop);
	if (rc != 0)
		log_err("event loop failed");
	/*
	 * Hold further stop signals: a second SIGTERM must not cut the
	 * clean-up short and leave sockets or the pid file behind.
	 */
	sigprocmask(SIG_BLOCK, &main_stops, NULL);
	notify_send("STOPPING=1");
	notify_close();
	server_free(srv);
	ev_loop_free(loop);
	if (opts.pidfile != NULL) {
		(void)unlink(opts.pidfile);
		close(pidfd);
	}
	options_free(&opts);
	return (rc == 0 ? 0 : EXIT_STARTUP);

 fail:
	notify_close();
	server_free(srv);
	if (loop != NULL)
		ev_loop_free(loop);
	if (opts.pidfile != NULL && pidfd != -1) {
		(void)unlink(opts.pidfile);
		close(pidfd);
	}
	options_free(&opts);
	return (EXIT_STARTUP);
}
