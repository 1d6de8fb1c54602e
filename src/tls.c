/*
 * tls.c: TLS on links (see tls.h), the only file that calls OpenSSL.
 *
 * Every link is the server side of a TLS connection on a non-blocking
 * socket.  The functions here turn OpenSSL's return codes into the
 * small set of results in tls.h, so the event loop only needs to know
 * which direction to wait for, and they collect OpenSSL's error queue
 * into messages that name the file or the cause.  Client certificate
 * names are matched by our own code, by the rules of mux-protocol.md
 * section 10, which OpenSSL's X509_check_host does not implement (the
 * subject CN is a candidate even when DNS subjectAltNames exist).
 *
 * Built without OpenSSL, the same functions exist and fail.
 *
 * Copyright (C) 2026 The sc_remoted authors.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#ifdef HAVE_OPENSSL
#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#endif

#include "tls.h"

/* A TLS record of type handshake (22) starts every ClientHello. */
#define TLS_RECORD_HANDSHAKE	0x16

/* Longest passphrase accepted from the terminal. */
#define TLS_PASS_MAX		1024

/* Room for messages: a file name plus an OpenSSL reason. */
#define TLS_ERRLEN		1280

int
tls_looks_like_hello(unsigned char first)
{
	return (first == TLS_RECORD_HANDSHAKE);
}

/*
 * Whether keyfile holds an encrypted PEM key.  Both PKCS#8 ("BEGIN
 * ENCRYPTED PRIVATE KEY") and the traditional form ("Proc-Type:
 * 4,ENCRYPTED" in the headers) are recognised; only line starts are
 * looked at, so base64 text never matches by accident.
 */
int
tls_key_encrypted(const char *keyfile)
{
	static const char	 pkcs8[] =
	    "-----BEGIN ENCRYPTED PRIVATE KEY-----";
	static const char	 trad[] = "Proc-Type: 4,ENCRYPTED";
	char			 line[256];
	FILE			*fp;
	int			 bol = 1, found = 0;
	size_t			 n;

	if ((fp = fopen(keyfile, "r")) == NULL)
		return (0);
	while (!found && fgets(line, sizeof(line), fp) != NULL) {
		n = strlen(line);
		if (bol && (strncmp(line, pkcs8, sizeof(pkcs8) - 1) == 0 ||
		    strncmp(line, trad, sizeof(trad) - 1) == 0))
			found = 1;
		/* A line longer than the buffer continues in the next. */
		bol = n > 0 && line[n - 1] == '\n';
	}
	fclose(fp);
	return (found);
}

#ifdef HAVE_OPENSSL

/* Messages for *err, which tls.h promises are static storage. */
static char	tls_errbuf[TLS_ERRLEN];

struct tls_ctx {
	SSL_CTX		*ssl;
	int		 refs;
	/* "AB:CD:..." for a SHA-256 digest: 32 * 3 bytes with the NUL. */
	char		 fingerprint[EVP_MAX_MD_SIZE * 3 + 1];
};

struct tls_conn {
	struct tls_ctx	*ctx;
	SSL		*ssl;
	/*
	 * After a fatal error OpenSSL's state is undefined and it may
	 * report nonsense (a leftover alert makes a write "bad length"),
	 * so later calls repeat the first verdict and its message.
	 */
	int		 dead;
	int		 dead_rv;
	char		 err[TLS_ERRLEN];
	char		 subject[256];
};

/* What the key passphrase callback may use, and whether it was asked. */
struct tls_pass {
	const char	*pass;
	int		 asked;
};

int
tls_available(void)
{
	return (1);
}

/*
 * The reason of one queued error, preferring OpenSSL's text and
 * falling back to the last field of the long form, which for system
 * errors in OpenSSL 3 is the strerror text.
 */
static void
tls_reason(unsigned long e, char *dst, size_t size)
{
	const char	*r, *p;
	char		 full[256];

	if ((r = ERR_reason_error_string(e)) != NULL) {
		snprintf(dst, size, "%s", r);
		return;
	}
	ERR_error_string_n(e, full, sizeof(full));
	p = strrchr(full, ':');
	snprintf(dst, size, "%s", p != NULL && p[1] != '\0' ? p + 1 : full);
}

/*
 * Describe the error queue in dst and empty it.  The oldest error is
 * the root cause ("No such file or directory", "no start line"); the
 * later ones only say which layer passed it on ("PEM lib").  Text that
 * OpenSSL attached to it is kept, except for system errors, whose text
 * only repeats the call ("calling fopen(...)").  *code gets the error
 * for callers that recognise specific reasons.
 */
static void
tls_queue(char *dst, size_t size, unsigned long *code)
{
	unsigned long	 e, first = 0;
	const char	*data;
	char		 reason[256], extra[256] = "";
	int		 flags;

#if OPENSSL_VERSION_NUMBER >= 0x30000000L
	while ((e = ERR_get_error_all(NULL, NULL, NULL, &data,
	    &flags)) != 0) {
#else
	while ((e = ERR_get_error_line_data(NULL, NULL, &data,
	    &flags)) != 0) {
#endif
		if (first != 0)
			continue;
		first = e;
		/* Copied: the queue may reuse it for the next error. */
		if ((flags & ERR_TXT_STRING) && data != NULL &&
		    ERR_GET_LIB(e) != ERR_LIB_SYS)
			snprintf(extra, sizeof(extra), "%s", data);
	}
	if (code != NULL)
		*code = first;
	if (first == 0) {
		snprintf(dst, size, "unknown error");
		return;
	}
	tls_reason(first, reason, sizeof(reason));
	if (extra[0] != '\0')
		snprintf(dst, size, "%s (%s)", reason, extra);
	else
		snprintf(dst, size, "%s", reason);
}

/* *err = "<what> <file>: <OpenSSL reason>", in static storage. */
static void
tls_ctx_fail(const char **err, const char *what, const char *file)
{
	char	reason[512];

	tls_queue(reason, sizeof(reason), NULL);
	snprintf(tls_errbuf, sizeof(tls_errbuf), "%s %s: %s", what, file,
	    reason);
	*err = tls_errbuf;
}

/*
 * The passphrase callback for the key.  It never prompts: with no
 * passphrase given it fails, so OpenSSL's own terminal prompt, which
 * would block a daemon and escape our control, is never reached.
 */
static int
tls_pass_cb(char *buf, int size, int rwflag, void *arg)
{
	struct tls_pass	*tp = arg;
	size_t		 len;

	(void)rwflag;
	if (tp == NULL)
		return (-1);
	tp->asked = 1;
	if (tp->pass == NULL || size <= 0)
		return (-1);
	/* Truncating would only turn into a confusing "bad decrypt". */
	if ((len = strlen(tp->pass)) > (size_t)size)
		return (-1);
	memcpy(buf, tp->pass, len);
	return ((int)len);
}

/* Load the certificate chain, key and check that they belong together. */
static int
tls_ctx_load_pair(SSL_CTX *ssl, const char *certfile, const char *keyfile,
    const char *passphrase, const char **err)
{
	struct tls_pass	 tp;
	unsigned long	 code;
	char		 reason[512];
	int		 rc;

	tp.pass = passphrase;
	tp.asked = 0;
	SSL_CTX_set_default_passwd_cb(ssl, tls_pass_cb);
	SSL_CTX_set_default_passwd_cb_userdata(ssl, &tp);

	if (SSL_CTX_use_certificate_chain_file(ssl, certfile) != 1) {
		tls_ctx_fail(err, "cannot load certificate chain from",
		    certfile);
		rc = -1;
		goto out;
	}

	rc = -1;
	if (SSL_CTX_use_PrivateKey_file(ssl, keyfile, SSL_FILETYPE_PEM) != 1) {
		tls_queue(reason, sizeof(reason), &code);
		if (tp.asked && passphrase == NULL)
			snprintf(tls_errbuf, sizeof(tls_errbuf), "the private "
			    "key in %s is encrypted and no passphrase was "
			    "given", keyfile);
		else if (tp.asked)
			snprintf(tls_errbuf, sizeof(tls_errbuf), "cannot "
			    "decrypt the private key in %s: %s (wrong "
			    "passphrase?)", keyfile, reason);
		else if (ERR_GET_LIB(code) == ERR_LIB_X509 &&
		    ERR_GET_REASON(code) == X509_R_KEY_VALUES_MISMATCH)
			/* OpenSSL 3 checks the pair while loading. */
			snprintf(tls_errbuf, sizeof(tls_errbuf), "the private "
			    "key in %s does not match the certificate in %s",
			    keyfile, certfile);
		else
			snprintf(tls_errbuf, sizeof(tls_errbuf), "cannot load "
			    "private key from %s: %s", keyfile, reason);
		*err = tls_errbuf;
		goto out;
	}

	/*
	 * OpenSSL 1.1.1 drops a certificate that does not match the key
	 * instead of failing above, so this catches that case too.
	 */
	if (SSL_CTX_check_private_key(ssl) != 1) {
		tls_queue(reason, sizeof(reason), NULL);
		snprintf(tls_errbuf, sizeof(tls_errbuf), "the private key in "
		    "%s does not match the certificate in %s: %s", keyfile,
		    certfile, reason);
		*err = tls_errbuf;
		goto out;
	}
	rc = 0;
 out:
	/* tp is about to go out of scope; later loads must not see it. */
	SSL_CTX_set_default_passwd_cb_userdata(ssl, NULL);
	return (rc);
}

/* Trust and request client certificates from the CAs in cafile. */
static int
tls_ctx_load_ca(SSL_CTX *ssl, const char *cafile, const char **err)
{
	STACK_OF(X509_NAME)	*names;

	if (SSL_CTX_load_verify_locations(ssl, cafile, NULL) != 1) {
		tls_ctx_fail(err, "cannot load CA certificates from", cafile);
		return (-1);
	}
	/* The same CAs are named in the certificate request. */
	ERR_clear_error();
	if ((names = SSL_load_client_CA_file(cafile)) == NULL) {
		tls_ctx_fail(err, "cannot read CA names from", cafile);
		return (-1);
	}
	SSL_CTX_set_client_CA_list(ssl, names);
	SSL_CTX_set_verify(ssl, SSL_VERIFY_PEER |
	    SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	return (0);
}

/* The SHA-256 fingerprint of the leaf certificate, for the log. */
static int
tls_ctx_digest(struct tls_ctx *ctx, const char **err)
{
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen = 0, i;
	X509		*leaf;
	char		*p = ctx->fingerprint;

	if ((leaf = SSL_CTX_get0_certificate(ctx->ssl)) == NULL ||
	    X509_digest(leaf, EVP_sha256(), md, &mdlen) != 1) {
		tls_ctx_fail(err, "cannot compute the fingerprint of",
		    "the server certificate");
		return (-1);
	}
	for (i = 0; i < mdlen; i++) {
		snprintf(p, 4, "%s%02X", i > 0 ? ":" : "", md[i]);
		p += strlen(p);
	}
	return (0);
}

/* Options for every link: TLS 1.2+, no renegotiation, no resumption. */
static void
tls_ctx_options(SSL_CTX *ssl)
{
	static const unsigned char	sid[] = "sc_remoted";
	long				opts = 0;

	SSL_CTX_set_min_proto_version(ssl, TLS1_2_VERSION);
#ifdef SSL_OP_NO_RENEGOTIATION
	/* A peer could otherwise make reads need writes and vice versa. */
	opts |= SSL_OP_NO_RENEGOTIATION;
#endif
#ifdef SSL_OP_NO_CLIENT_RENEGOTIATION
	opts |= SSL_OP_NO_CLIENT_RENEGOTIATION;
#endif
	/*
	 * Sessions are not resumed: scamper reconnects rarely, and a full
	 * handshake checks the client certificate (and its expiry) anew
	 * every time.  The context id is set anyway, because OpenSSL
	 * refuses resumption with client verification without one.
	 */
	opts |= SSL_OP_NO_TICKET;
	SSL_CTX_set_options(ssl, opts);
	SSL_CTX_set_session_cache_mode(ssl, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_num_tickets(ssl, 0);
	SSL_CTX_set_session_id_context(ssl, sid, sizeof(sid) - 1);

	/*
	 * Partial writes let the event loop keep its own output buffer;
	 * that buffer may be reallocated between a write that wanted to
	 * wait and its retry.  Idle links give their buffers back, as a
	 * daemon may hold many of them.
	 */
	SSL_CTX_set_mode(ssl, SSL_MODE_ENABLE_PARTIAL_WRITE |
	    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
}

struct tls_ctx *
tls_ctx_new(const char *certfile, const char *keyfile, const char *cafile,
    const char *passphrase, const char **err)
{
	struct tls_ctx	*ctx;

	ERR_clear_error();
	if ((ctx = calloc(1, sizeof(*ctx))) == NULL) {
		*err = "out of memory for the TLS context";
		return (NULL);
	}
	ctx->refs = 1;
	if ((ctx->ssl = SSL_CTX_new(TLS_server_method())) == NULL) {
		tls_ctx_fail(err, "cannot create", "a TLS context");
		goto fail;
	}
	tls_ctx_options(ctx->ssl);
	if (tls_ctx_load_pair(ctx->ssl, certfile, keyfile, passphrase,
	    err) != 0)
		goto fail;
	if (cafile != NULL && tls_ctx_load_ca(ctx->ssl, cafile, err) != 0)
		goto fail;
	if (tls_ctx_digest(ctx, err) != 0)
		goto fail;
	return (ctx);
 fail:
	SSL_CTX_free(ctx->ssl);
	free(ctx);
	ERR_clear_error();
	return (NULL);
}

void
tls_ctx_ref(struct tls_ctx *ctx)
{
	ctx->refs++;
}

void
tls_ctx_unref(struct tls_ctx *ctx)
{
	if (ctx == NULL || --ctx->refs > 0)
		return;
	SSL_CTX_free(ctx->ssl);
	free(ctx);
}

const char *
tls_ctx_fingerprint(const struct tls_ctx *ctx)
{
	return (ctx->fingerprint);
}

struct tls_conn *
tls_conn_new(struct tls_ctx *ctx, int fd)
{
	struct tls_conn	*c;

	ERR_clear_error();
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return (NULL);
	/* SSL_set_fd makes a socket BIO that leaves fd open on free. */
	if ((c->ssl = SSL_new(ctx->ssl)) == NULL ||
	    SSL_set_fd(c->ssl, fd) != 1) {
		SSL_free(c->ssl);
		free(c);
		ERR_clear_error();
		return (NULL);
	}
	SSL_set_accept_state(c->ssl);
	tls_ctx_ref(ctx);
	c->ctx = ctx;
	return (c);
}

void
tls_conn_free(struct tls_conn *c)
{
	if (c == NULL)
		return;
	/*
	 * No close_notify is sent: the link is being dropped, and a
	 * write here could block the loop or raise SIGPIPE.
	 */
	SSL_free(c->ssl);
	tls_ctx_unref(c->ctx);
	free(c);
}

const char *
tls_conn_error(struct tls_conn *c)
{
	return (c->err[0] != '\0' ? c->err : "no error");
}

/* Whether a failed read was a TCP EOF without close_notify. */
static int
tls_unexpected_eof(int sslerr, int saved_errno)
{
	unsigned long	e = ERR_peek_error();

	/* OpenSSL 1.1.1: SYSCALL with nothing queued and no errno. */
	if (sslerr == SSL_ERROR_SYSCALL && e == 0 && saved_errno == 0)
		return (1);
#ifdef SSL_R_UNEXPECTED_EOF_WHILE_READING
	/* OpenSSL 3 reports it as a protocol error of its own. */
	if (sslerr == SSL_ERROR_SSL && ERR_GET_LIB(e) == ERR_LIB_SSL &&
	    ERR_GET_REASON(e) == SSL_R_UNEXPECTED_EOF_WHILE_READING)
		return (1);
#endif
	return (0);
}

/* Record a fatal result: later calls give it again (see dead). */
static int
tls_conn_die(struct tls_conn *c, int rv)
{
	c->dead = 1;
	c->dead_rv = rv;
	return (rv);
}

/*
 * Map a failed SSL call (ret is its return value, saved_errno the errno
 * right after it) to a TLS_ result and, for TLS_EOF and TLS_ERR, a
 * message.  what names the operation for the message.  Where EOF is
 * not a result the caller can get (handshake, write), it is TLS_ERR.
 */
static int
tls_conn_fail(struct tls_conn *c, int ret, int saved_errno,
    const char *what, int eof_ok)
{
	long	 vr;
	char	 reason[512];
	int	 sslerr;

	sslerr = SSL_get_error(c->ssl, ret);
	switch (sslerr) {
	case SSL_ERROR_WANT_READ:
		return (TLS_WANT_READ);
	case SSL_ERROR_WANT_WRITE:
		return (TLS_WANT_WRITE);
	case SSL_ERROR_ZERO_RETURN:
		/* Not fatal: the link may still send after close_notify. */
		snprintf(c->err, sizeof(c->err), "%s: peer sent close_notify",
		    what);
		ERR_clear_error();
		return (eof_ok ? TLS_EOF : tls_conn_die(c, TLS_ERR));
	case SSL_ERROR_SYSCALL:
	case SSL_ERROR_SSL:
		if (tls_unexpected_eof(sslerr, saved_errno)) {
			snprintf(c->err, sizeof(c->err), "%s: connection "
			    "closed without close_notify", what);
			ERR_clear_error();
			return (tls_conn_die(c, eof_ok ? TLS_EOF : TLS_ERR));
		}
		if (sslerr == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) {
			snprintf(c->err, sizeof(c->err), "%s: %s", what,
			    strerror(saved_errno));
			return (tls_conn_die(c, TLS_ERR));
		}
		tls_queue(reason, sizeof(reason), NULL);
		/* "certificate verify failed" alone does not say why. */
		vr = SSL_get_verify_result(c->ssl);
		if (vr != X509_V_OK)
			snprintf(c->err, sizeof(c->err), "%s: %s: %s", what,
			    reason, X509_verify_cert_error_string(vr));
		else
			snprintf(c->err, sizeof(c->err), "%s: %s", what,
			    reason);
		return (tls_conn_die(c, TLS_ERR));
	default:
		snprintf(c->err, sizeof(c->err), "%s: unexpected OpenSSL "
		    "result %d", what, sslerr);
		ERR_clear_error();
		return (tls_conn_die(c, TLS_ERR));
	}
}

int
tls_conn_handshake(struct tls_conn *c)
{
	int	ret, saved;

	if (c->dead)
		return (TLS_ERR);
	ERR_clear_error();
	errno = 0;
	ret = SSL_do_handshake(c->ssl);
	saved = errno;
	if (ret == 1)
		return (1);
	return (tls_conn_fail(c, ret, saved, "TLS handshake failed", 0));
}

ssize_t
tls_conn_read(struct tls_conn *c, void *buf, size_t len)
{
	size_t	n = 0;
	int	ret, saved;

	if (c->dead)
		return (c->dead_rv);
	if (len == 0) {
		snprintf(c->err, sizeof(c->err), "TLS read of 0 bytes");
		return (TLS_ERR);
	}
	ERR_clear_error();
	errno = 0;
	ret = SSL_read_ex(c->ssl, buf, len, &n);
	saved = errno;
	if (ret == 1 && n > 0)
		return ((ssize_t)n);
	return (tls_conn_fail(c, ret, saved, "TLS read", 1));
}

/*
 * With partial writes, SSL_write_ex returns as soon as one record is
 * out.  When the socket fills it returns TLS_WANT_* having already
 * taken bytes from the start of buf into records it holds (and maybe
 * sent); a later call counts them, so it must pass the same bytes
 * again, at least as many (more is fine), from any address
 * (SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER).
 */
ssize_t
tls_conn_write(struct tls_conn *c, const void *buf, size_t len)
{
	size_t	n = 0;
	int	ret, saved;

	if (c->dead)
		return (TLS_ERR);
	if (len == 0) {
		snprintf(c->err, sizeof(c->err), "TLS write of 0 bytes");
		return (TLS_ERR);
	}
	ERR_clear_error();
	errno = 0;
	ret = SSL_write_ex(c->ssl, buf, len, &n);
	saved = errno;
	if (ret == 1 && n > 0)
		return ((ssize_t)n);
	return (tls_conn_fail(c, ret, saved, "TLS write", 0));
}

size_t
tls_conn_pending(struct tls_conn *c)
{
	int	n = SSL_pending(c->ssl);

	return (n > 0 ? (size_t)n : 0);
}

/* The client's certificate with a reference the caller frees. */
static X509 *
tls_conn_peer(struct tls_conn *c)
{
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
	return (SSL_get1_peer_certificate(c->ssl));
#else
	return (SSL_get_peer_certificate(c->ssl));
#endif
}

int
tls_conn_has_cert(struct tls_conn *c)
{
	X509	*x;
	int	 ok;

	if ((x = tls_conn_peer(c)) == NULL)
		return (0);
	ok = SSL_get_verify_result(c->ssl) == X509_V_OK;
	X509_free(x);
	return (ok);
}

/* ASCII-only case folding: names must not depend on the locale. */
static int
tls_lower(int ch)
{
	return (ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
}

static int
tls_eq_nocase(const unsigned char *a, size_t alen, const char *b,
    size_t blen)
{
	size_t	i;

	if (alen != blen)
		return (0);
	for (i = 0; i < alen; i++)
		if (tls_lower(a[i]) != tls_lower((unsigned char)b[i]))
			return (0);
	return (1);
}

/*
 * One certificate name against the monitor name (mux-protocol.md
 * section 10): equal ignoring ASCII case, or "*.S" matching exactly
 * one non-empty label followed by ".S".  Any other name starting
 * with "*" never matches, and neither does one with a NUL inside,
 * which could otherwise hide a suffix from a C string comparison.
 */
static int
tls_name_match(const unsigned char *cand, size_t clen, const char *name)
{
	const char	*dot;
	size_t		 nlen = strlen(name);

	if (clen == 0 || memchr(cand, '\0', clen) != NULL)
		return (0);
	/* Monitor names cannot hold '*'; one that does matches nothing. */
	if (strchr(name, '*') != NULL)
		return (0);
	if (cand[0] != '*')
		return (tls_eq_nocase(cand, clen, name, nlen));
	if (clen < 3 || cand[1] != '.')
		return (0);
	if ((dot = strchr(name, '.')) == NULL || dot == name)
		return (0);
	return (tls_eq_nocase(cand + 2, clen - 2, dot + 1,
	    nlen - (size_t)(dot + 1 - name)));
}

/* Whether a DNS subjectAltName of x matches name. */
static int
tls_san_match(X509 *x, const char *name)
{
	GENERAL_NAMES		*sans;
	const GENERAL_NAME	*gn;
	int			 i, found = 0;

	if ((sans = X509_get_ext_d2i(x, NID_subject_alt_name, NULL,
	    NULL)) == NULL)
		return (0);
	for (i = 0; !found && i < sk_GENERAL_NAME_num(sans); i++) {
		gn = sk_GENERAL_NAME_value(sans, i);
		if (gn->type != GEN_DNS)
			continue;
		found = tls_name_match(ASN1_STRING_get0_data(gn->d.dNSName),
		    (size_t)ASN1_STRING_length(gn->d.dNSName), name);
	}
	GENERAL_NAMES_free(sans);
	return (found);
}

/* Whether the subject's first common name matches name. */
static int
tls_cn_match(X509 *x, const char *name)
{
	X509_NAME_ENTRY	*ne;
	unsigned char	*cn = NULL;
	int		 idx, len, found;

	idx = X509_NAME_get_index_by_NID(X509_get_subject_name(x),
	    NID_commonName, -1);
	if (idx < 0 || (ne = X509_NAME_get_entry(X509_get_subject_name(x),
	    idx)) == NULL)
		return (0);
	/* The CN may be any string type; compare its UTF-8 form. */
	if ((len = ASN1_STRING_to_UTF8(&cn, X509_NAME_ENTRY_get_data(ne))) < 0)
		return (0);
	found = tls_name_match(cn, (size_t)len, name);
	OPENSSL_free(cn);
	return (found);
}

/*
 * Candidates are every DNS subjectAltName, then the first CN, which is
 * tried even when there are DNS names and none matched: that is how
 * the reference daemon and scamper match, and certificates made for
 * them may rely on it.  Only a verified certificate is considered.
 */
int
tls_conn_name_ok(struct tls_conn *c, const char *name)
{
	X509	*x;
	int	 ok = 0;

	if (name == NULL || *name == '\0' || !tls_conn_has_cert(c))
		return (0);
	if ((x = tls_conn_peer(c)) == NULL)
		return (0);
	ok = tls_san_match(x, name) || tls_cn_match(x, name);
	X509_free(x);
	ERR_clear_error();
	return (ok);
}

/*
 * One line such as "C=AU, O=Example, CN=vp1.example".  The flags
 * escape control characters and bytes above 0x7f, so the text from
 * the peer is safe to log as it is.
 */
const char *
tls_conn_peer_subject(struct tls_conn *c)
{
	X509	*x;
	BIO	*bio;
	int	 n = 0;

	c->subject[0] = '\0';
	if ((x = tls_conn_peer(c)) == NULL)
		return (c->subject);
	if ((bio = BIO_new(BIO_s_mem())) != NULL) {
		if (X509_NAME_print_ex(bio, X509_get_subject_name(x), 0,
		    XN_FLAG_ONELINE & ~XN_FLAG_SPC_EQ) >= 0)
			n = BIO_read(bio, c->subject,
			    (int)sizeof(c->subject) - 1);
		BIO_free(bio);
	}
	c->subject[n > 0 ? n : 0] = '\0';
	X509_free(x);
	ERR_clear_error();
	return (c->subject);
}

/* Set by the signal handler while the passphrase is being read. */
static volatile sig_atomic_t	tls_ask_signo;

static void
tls_ask_cb(int signo)
{
	tls_ask_signo = signo;
}

/* Overwrite memory that held a secret, in a way not optimised away. */
static void
tls_wipe(void *p, size_t len)
{
	volatile unsigned char	*v = p;

	while (len-- > 0)
		*v++ = 0;
}

/* Read one line from the terminal into buf; -1 on error or too long. */
static int
tls_ask_line(int fd, char *buf, size_t size, const char **why)
{
	size_t	len = 0;
	ssize_t	n;
	char	ch;
	int	toolong = 0;

	for (;;) {
		n = read(fd, &ch, 1);
		if (n < 0 && errno == EINTR && tls_ask_signo == 0)
			continue;
		if (n < 0) {
			*why = tls_ask_signo != 0 ? "interrupted" :
			    strerror(errno);
			return (-1);
		}
		if (n == 0 || ch == '\n')
			break;
		if (len + 1 < size)
			buf[len++] = ch;
		else
			toolong = 1;
	}
	if (n == 0 && len == 0) {
		*why = "no passphrase entered";
		return (-1);
	}
	if (len > 0 && buf[len - 1] == '\r')
		len--;
	buf[len] = '\0';
	if (toolong) {
		*why = "passphrase too long";
		return (-1);
	}
	return (0);
}

/*
 * The prompt runs with echo off, so a signal that would stop or end
 * the process is caught: the terminal is restored first, then the
 * signal is raised again under the handler that was there before.
 */
char *
tls_ask_passphrase(const char *keyfile, const char **err)
{
	static const int	 sigs[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM,
				    SIGTSTP };
	struct sigaction	 sa, osa[sizeof(sigs) / sizeof(sigs[0])];
	struct termios		 old, noecho;
	const char		*why = NULL;
	char			*pass;
	size_t			 i, nsigs = sizeof(sigs) / sizeof(sigs[0]);
	int			 fd, signo;

	if ((fd = open("/dev/tty", O_RDWR | O_NOCTTY)) == -1) {
		snprintf(tls_errbuf, sizeof(tls_errbuf), "no terminal to ask "
		    "for the passphrase of %s; run in the foreground (no -D) "
		    "from a terminal, or use an unencrypted key", keyfile);
		*err = tls_errbuf;
		return (NULL);
	}
	(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
	if ((pass = malloc(TLS_PASS_MAX)) == NULL) {
		close(fd);
		*err = "out of memory for the passphrase";
		return (NULL);
	}
	if (tcgetattr(fd, &old) != 0) {
		why = strerror(errno);
		goto done;
	}

	tls_ask_signo = 0;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = tls_ask_cb;	/* no SA_RESTART: read sees EINTR */
	for (i = 0; i < nsigs; i++)
		(void)sigaction(sigs[i], &sa, &osa[i]);

	noecho = old;
	noecho.c_lflag &= ~(tcflag_t)ECHO;
	if (tcsetattr(fd, TCSAFLUSH, &noecho) != 0)
		why = tls_ask_signo != 0 ? "interrupted" : strerror(errno);
	else {
		(void)dprintf(fd, "Passphrase for %s: ", keyfile);
		(void)tls_ask_line(fd, pass, TLS_PASS_MAX, &why);
		/* The user's newline was not echoed. */
		(void)dprintf(fd, "\n");
		(void)tcsetattr(fd, TCSAFLUSH, &old);
	}

	for (i = 0; i < nsigs; i++)
		(void)sigaction(sigs[i], &osa[i], NULL);
	if ((signo = tls_ask_signo) != 0) {
		why = "interrupted";
		(void)kill(getpid(), signo);
	}
 done:
	close(fd);
	if (why == NULL)
		return (pass);
	tls_wipe(pass, TLS_PASS_MAX);
	free(pass);
	snprintf(tls_errbuf, sizeof(tls_errbuf), "cannot read the passphrase "
	    "of %s: %s", keyfile, why);
	*err = tls_errbuf;
	return (NULL);
}

#else /* !HAVE_OPENSSL */

static const char	tls_nossl[] = "built without OpenSSL";

int
tls_available(void)
{
	return (0);
}

struct tls_ctx *
tls_ctx_new(const char *certfile, const char *keyfile, const char *cafile,
    const char *passphrase, const char **err)
{
	(void)certfile;
	(void)keyfile;
	(void)cafile;
	(void)passphrase;
	*err = tls_nossl;
	return (NULL);
}

void
tls_ctx_ref(struct tls_ctx *ctx)
{
	(void)ctx;
}

void
tls_ctx_unref(struct tls_ctx *ctx)
{
	(void)ctx;
}

const char *
tls_ctx_fingerprint(const struct tls_ctx *ctx)
{
	(void)ctx;
	return ("");
}

struct tls_conn *
tls_conn_new(struct tls_ctx *ctx, int fd)
{
	(void)ctx;
	(void)fd;
	errno = ENOTSUP;
	return (NULL);
}

void
tls_conn_free(struct tls_conn *c)
{
	(void)c;
}

int
tls_conn_handshake(struct tls_conn *c)
{
	(void)c;
	return (TLS_ERR);
}

ssize_t
tls_conn_read(struct tls_conn *c, void *buf, size_t len)
{
	(void)c;
	(void)buf;
	(void)len;
	return (TLS_ERR);
}

ssize_t
tls_conn_write(struct tls_conn *c, const void *buf, size_t len)
{
	(void)c;
	(void)buf;
	(void)len;
	return (TLS_ERR);
}

size_t
tls_conn_pending(struct tls_conn *c)
{
	(void)c;
	return (0);
}

const char *
tls_conn_error(struct tls_conn *c)
{
	(void)c;
	return (tls_nossl);
}

int
tls_conn_has_cert(struct tls_conn *c)
{
	(void)c;
	return (0);
}

int
tls_conn_name_ok(struct tls_conn *c, const char *name)
{
	(void)c;
	(void)name;
	return (0);
}

const char *
tls_conn_peer_subject(struct tls_conn *c)
{
	(void)c;
	return ("");
}

char *
tls_ask_passphrase(const char *keyfile, const char **err)
{
	(void)keyfile;
	*err = tls_nossl;
	return (NULL);
}

#endif /* HAVE_OPENSSL */
