/*
 * test_tls.c: unit tests for TLS on links (tls.c).
 *
 * A throwaway PKI is made with the OpenSSL API in a temporary directory
 * (two CAs, a server certificate, and client certificates that are
 * good, expired, from the other CA, for the wrong purpose, or have odd
 * names), so no external program is needed.  Each test then runs real
 * handshakes between tls.c's server side and an OpenSSL client driven
 * here, over non-blocking socketpairs pumped by hand: no network and
 * no event loop.  Covered: handshakes with and without client
 * certificates, data both ways including 200 KB with partial writes,
 * retries with a moved and longer buffer, pending bytes, close_notify
 * and plain EOF, garbage instead of a ClientHello, TLS 1.1, name
 * matching, context loading errors, encrypted keys (never a prompt),
 * the fingerprint and reference counting.
 *
 * Built without OpenSSL, it checks that every function fails cleanly.
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
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#ifdef HAVE_OPENSSL
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#endif

#include "tls.h"

static void
test_hello(void **state)
{
	(void)state;
	assert_true(tls_looks_like_hello(0x16));
	/* A plaintext scamper frame starts with a sequence number of 0. */
	assert_false(tls_looks_like_hello(0x00));
	assert_false(tls_looks_like_hello('G'));
	assert_false(tls_looks_like_hello(0x80));
}

#ifdef HAVE_OPENSSL

#define PASSPHRASE	"s3cret passphrase"
#define DAY		(24L * 60 * 60)
#define BIG		(200 * 1024)

static char	tmpdir[] = "/tmp/test_tls.XXXXXX";
static long	serial = 1;

/* dir/name.ext in a static buffer; two in use at a time at most. */
static const char *
tpath(const char *name, const char *ext)
{
	static char	bufs[4][PATH_MAX];
	static int	next;
	char		*p = bufs[next++ % 4];

	snprintf(p, PATH_MAX, "%s/%s.%s", tmpdir, name, ext);
	return (p);
}

static EVP_PKEY *
make_key(void)
{
	EVP_PKEY_CTX	*kc;
	EVP_PKEY	*k = NULL;

	kc = EVP_PKEY_CTX_new_id(EVP_PKEY_EC, NULL);
	assert_non_null(kc);
	assert_int_equal(EVP_PKEY_keygen_init(kc), 1);
	assert_true(EVP_PKEY_CTX_set_ec_paramgen_curve_nid(kc,
	    NID_X9_62_prime256v1) > 0);
	assert_int_equal(EVP_PKEY_keygen(kc, &k), 1);
	EVP_PKEY_CTX_free(kc);
	return (k);
}

static void
add_ext(X509 *x, int nid, const char *value)
{
	X509_EXTENSION	*ext;

	ext = X509V3_EXT_conf_nid(NULL, NULL, nid, value);
	assert_non_null(ext);
	assert_int_equal(X509_add_ext(x, ext, -1), 1);
	X509_EXTENSION_free(ext);
}

/* A subjectAltName entry; built by hand to allow an embedded NUL. */
struct san {
	int		 type;		/* GEN_DNS, GEN_EMAIL */
	const char	*data;
	size_t		 len;		/* 0: strlen(data) */
};

static void
add_sans(X509 *x, const struct san *sans)
{
	GENERAL_NAMES	*gens;
	GENERAL_NAME	*gn;
	ASN1_IA5STRING	*s;
	size_t		 len;

	if (sans == NULL || sans->data == NULL)
		return;
	gens = sk_GENERAL_NAME_new_null();
	assert_non_null(gens);
	for (; sans->data != NULL; sans++) {
		len = sans->len != 0 ? sans->len : strlen(sans->data);
		assert_non_null(gn = GENERAL_NAME_new());
		assert_non_null(s = ASN1_IA5STRING_new());
		assert_int_equal(ASN1_STRING_set(s, sans->data, (int)len), 1);
		GENERAL_NAME_set0_value(gn, sans->type, s);
		assert_true(sk_GENERAL_NAME_push(gens, gn) > 0);
	}
	assert_int_equal(X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0,
	    0), 1);
	GENERAL_NAMES_free(gens);
}

/*
 * A certificate for key, named cn, valid from..until seconds from now,
 * signed by issuer (self-signed when NULL).  eku NULL makes a CA.
 */
static X509 *
make_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *ikey,
    long from, long until, const char *eku, const struct san *sans)
{
	X509		*x;
	X509_NAME	*n;

	assert_non_null(x = X509_new());
	assert_int_equal(X509_set_version(x, 2), 1);
	assert_int_equal(ASN1_INTEGER_set(X509_get_serialNumber(x),
	    serial++), 1);
	assert_non_null(X509_gmtime_adj(X509_getm_notBefore(x), from));
	assert_non_null(X509_gmtime_adj(X509_getm_notAfter(x), until));
	assert_int_equal(X509_set_pubkey(x, key), 1);
	n = X509_get_subject_name(x);
	assert_int_equal(X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC,
	    (const unsigned char *)"sc_remoted tests", -1, -1, 0), 1);
	assert_int_equal(X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
	    (const unsigned char *)cn, -1, -1, 0), 1);
	assert_int_equal(X509_set_issuer_name(x, issuer != NULL ?
	    X509_get_subject_name(issuer) : n), 1);
	if (eku == NULL) {
		add_ext(x, NID_basic_constraints, "critical,CA:TRUE");
		add_ext(x, NID_key_usage, "critical,keyCertSign,cRLSign");
	} else {
		add_ext(x, NID_basic_constraints, "critical,CA:FALSE");
		add_ext(x, NID_key_usage, "critical,digitalSignature");
		add_ext(x, NID_ext_key_usage, eku);
	}
	add_sans(x, sans);
	assert_true(X509_sign(x, ikey != NULL ? ikey : key, EVP_sha256()) > 0);
	return (x);
}

static void
write_certs(const char *path, X509 *x, X509 *extra)
{
	FILE	*fp;

	assert_non_null(fp = fopen(path, "w"));
	assert_int_equal(PEM_write_X509(fp, x), 1);
	if (extra != NULL)
		assert_int_equal(PEM_write_X509(fp, extra), 1);
	assert_int_equal(fclose(fp), 0);
}

static void
write_key(const char *path, EVP_PKEY *k, const char *pass)
{
	FILE	*fp;

	assert_non_null(fp = fopen(path, "w"));
	if (pass != NULL)
		assert_int_equal(PEM_write_PrivateKey(fp, k, EVP_aes_256_cbc(),
		    (unsigned char *)(uintptr_t)pass, (int)strlen(pass), NULL,
		    NULL), 1);
	else
		assert_int_equal(PEM_write_PrivateKey(fp, k, NULL, NULL, 0,
		    NULL, NULL), 1);
	assert_int_equal(fclose(fp), 0);
}

static void
write_text(const char *path, const char *text)
{
	FILE	*fp;

	assert_non_null(fp = fopen(path, "w"));
	assert_true(fputs(text, fp) >= 0);
	assert_int_equal(fclose(fp), 0);
}

/* A leaf for name in dir/name.{crt,key}, issued by ca/cakey. */
static void
make_leaf(const char *name, const char *cn, X509 *ca, EVP_PKEY *cakey,
    long from, long until, const char *eku, const struct san *sans)
{
	EVP_PKEY	*k = make_key();
	X509		*x;

	x = make_cert(k, cn, ca, cakey, from, until, eku, sans);
	write_certs(tpath(name, "crt"), x, NULL);
	write_key(tpath(name, "key"), k, NULL);
	X509_free(x);
	EVP_PKEY_free(k);
}

static int
pki_setup(void **state)
{
	static const struct san	srv_sans[] = {
		{ GEN_DNS, "server.example", 0 }, { 0, NULL, 0 } };
	static const struct san	vp1_sans[] = {
		{ GEN_DNS, "vp1.example", 0 }, { 0, NULL, 0 } };
	static const struct san	multi_sans[] = {
		{ GEN_DNS, "*.vps.example", 0 },
		{ GEN_DNS, "f*.other.example", 0 },
		{ GEN_DNS, "*", 0 },
		{ GEN_DNS, "*.", 0 },
		{ GEN_DNS, "san.example", 0 },
		{ GEN_EMAIL, "mail.example", 0 },
		{ 0, NULL, 0 } };
	static const char	nul_name[] = "vp1.example\0.evil.example";
	static const struct san	nul_sans[] = {
		{ GEN_DNS, nul_name, sizeof(nul_name) - 1 },
		{ 0, NULL, 0 } };
	EVP_PKEY	*cakey, *ca2key, *srvkey, *other;
	X509		*ca, *ca2, *srv;

	(void)state;
	assert_non_null(mkdtemp(tmpdir));

	cakey = make_key();
	ca = make_cert(cakey, "Test CA", NULL, NULL, -DAY, 30 * DAY, NULL,
	    NULL);
	write_certs(tpath("ca", "crt"), ca, NULL);
	ca2key = make_key();
	ca2 = make_cert(ca2key, "Other CA", NULL, NULL, -DAY, 30 * DAY, NULL,
	    NULL);
	write_certs(tpath("ca2", "crt"), ca2, NULL);

	/* The server's file is a chain: leaf, then the CA. */
	srvkey = make_key();
	srv = make_cert(srvkey, "server.example", ca, cakey, -DAY, 30 * DAY,
	    "serverAuth", srv_sans);
	write_certs(tpath("srv", "crt"), srv, ca);
	write_key(tpath("srv", "key"), srvkey, NULL);
	write_key(tpath("srvenc", "key"), srvkey, PASSPHRASE);
	other = make_key();
	write_key(tpath("other", "key"), other, NULL);

	make_leaf("vp1", "vp1.example", ca, cakey, -DAY, 30 * DAY,
	    "clientAuth", vp1_sans);
	make_leaf("cnonly", "cnonly.example", ca, cakey, -DAY, 30 * DAY,
	    "clientAuth", NULL);
	make_leaf("expired", "vp1.example", ca, cakey, -2 * DAY, -DAY,
	    "clientAuth", vp1_sans);
	make_leaf("foreign", "vp1.example", ca2, ca2key, -DAY, 30 * DAY,
	    "clientAuth", vp1_sans);
	make_leaf("serveronly", "vp1.example", ca, cakey, -DAY, 30 * DAY,
	    "serverAuth", vp1_sans);
	make_leaf("multi", "cn.example", ca, cakey, -DAY, 30 * DAY,
	    "clientAuth", multi_sans);
	make_leaf("nul", "nul.example", ca, cakey, -DAY, 30 * DAY,
	    "clientAuth", nul_sans);

	write_text(tpath("junk", "pem"), "this is not PEM\n");
	write_text(tpath("trad", "key"), "-----BEGIN EC PRIVATE KEY-----\n"
	    "Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n"
	    "-----END EC PRIVATE KEY-----\n");

	X509_free(ca);
	X509_free(ca2);
	X509_free(srv);
	EVP_PKEY_free(cakey);
	EVP_PKEY_free(ca2key);
	EVP_PKEY_free(srvkey);
	EVP_PKEY_free(other);
	return (0);
}

static int
pki_teardown(void **state)
{
	static const char *const	files[] = {
		"ca.crt", "ca2.crt", "srv.crt", "srv.key", "srvenc.key",
		"other.key", "vp1.crt", "vp1.key", "cnonly.crt",
		"cnonly.key", "expired.crt", "expired.key", "foreign.crt",
		"foreign.key", "serveronly.crt", "serveronly.key",
		"multi.crt", "multi.key", "nul.crt", "nul.key", "junk.pem",
		"trad.key", NULL };
	char				p[PATH_MAX];
	size_t				i;

	(void)state;
	for (i = 0; files[i] != NULL; i++) {
		snprintf(p, sizeof(p), "%s/%s", tmpdir, files[i]);
		(void)unlink(p);
	}
	(void)rmdir(tmpdir);
	return (0);
}

/* The server context, with client certificates from ca.crt or not. */
static struct tls_ctx *
server_ctx(int with_ca)
{
	struct tls_ctx	*ctx;
	const char	*err = NULL;
	char		 cert[PATH_MAX], key[PATH_MAX], ca[PATH_MAX];

	snprintf(cert, sizeof(cert), "%s", tpath("srv", "crt"));
	snprintf(key, sizeof(key), "%s", tpath("srv", "key"));
	snprintf(ca, sizeof(ca), "%s", tpath("ca", "crt"));
	ctx = tls_ctx_new(cert, key, with_ca ? ca : NULL, NULL, &err);
	if (ctx == NULL)
		fail_msg("tls_ctx_new: %s", err);
	return (ctx);
}

/* One link: tls.c's server on sfd, an OpenSSL client on cfd. */
struct link {
	int		 sfd, cfd;
	struct tls_conn	*s;
	SSL_CTX		*cctx;
	SSL		*cl;
	int		 client_done;
};

static void
nonblock(int fd)
{
	int	fl;

	assert_true((fl = fcntl(fd, F_GETFL)) != -1);
	assert_int_equal(fcntl(fd, F_SETFL, fl | O_NONBLOCK), 0);
}

/*
 * A client presenting id's certificate (none when NULL), speaking only
 * the given TLS version (any when 0); it checks the server as scamper
 * does.
 */
static void
link_open(struct link *l, struct tls_ctx *ctx, const char *id, int version)
{
	int	sv[2];
	char	cert[PATH_MAX];

	memset(l, 0, sizeof(*l));
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	l->sfd = sv[0];
	l->cfd = sv[1];
	nonblock(l->sfd);
	nonblock(l->cfd);
	assert_non_null(l->s = tls_conn_new(ctx, l->sfd));

	assert_non_null(l->cctx = SSL_CTX_new(TLS_client_method()));
	assert_int_equal(SSL_CTX_load_verify_locations(l->cctx,
	    tpath("ca", "crt"), NULL), 1);
	SSL_CTX_set_verify(l->cctx, SSL_VERIFY_PEER, NULL);
	SSL_CTX_set_mode(l->cctx, SSL_MODE_ENABLE_PARTIAL_WRITE);
	if (id != NULL) {
		snprintf(cert, sizeof(cert), "%s", tpath(id, "crt"));
		assert_int_equal(SSL_CTX_use_certificate_file(l->cctx, cert,
		    SSL_FILETYPE_PEM), 1);
		assert_int_equal(SSL_CTX_use_PrivateKey_file(l->cctx,
		    tpath(id, "key"), SSL_FILETYPE_PEM), 1);
	}
	if (version != 0) {
		/* The system's defaults may forbid old protocols. */
		assert_int_equal(SSL_CTX_set_cipher_list(l->cctx,
		    "DEFAULT:@SECLEVEL=0"), 1);
		assert_int_equal(SSL_CTX_set_min_proto_version(l->cctx,
		    version), 1);
		assert_int_equal(SSL_CTX_set_max_proto_version(l->cctx,
		    version), 1);
	}
	assert_non_null(l->cl = SSL_new(l->cctx));
	assert_int_equal(SSL_set_fd(l->cl, l->cfd), 1);
	assert_int_equal(SSL_set1_host(l->cl, "server.example"), 1);
	SSL_set_connect_state(l->cl);
}

static void
link_close(struct link *l)
{
	tls_conn_free(l->s);
	SSL_free(l->cl);
	SSL_CTX_free(l->cctx);
	if (l->sfd >= 0)
		close(l->sfd);
	if (l->cfd >= 0)
		close(l->cfd);
	ERR_clear_error();
}

/*
 * Step both sides until the server has finished (1) or failed
 * (TLS_ERR); a client that fails closes its side so the server sees
 * it.  100 means neither happened, which is a bug.
 */
static int
pump_handshake(struct link *l)
{
	int	sr = TLS_WANT_READ, r, e, cfail = 0, i;

	for (i = 0; i < 1000; i++) {
		if (!l->client_done && !cfail) {
			ERR_clear_error();
			if ((r = SSL_do_handshake(l->cl)) == 1)
				l->client_done = 1;
			else if ((e = SSL_get_error(l->cl, r)) !=
			    SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
				cfail = 1;
				(void)shutdown(l->cfd, SHUT_WR);
			}
		}
		sr = tls_conn_handshake(l->s);
		if (sr == TLS_ERR || (sr == 1 && (l->client_done || cfail)))
			return (sr);
		assert_true(sr == 1 || sr == TLS_WANT_READ ||
		    sr == TLS_WANT_WRITE);
	}
	return (100);
}

static void
handshake_ok(struct link *l)
{
	int	r = pump_handshake(l);

	if (r != 1)
		fail_msg("handshake: %d: %s", r, tls_conn_error(l->s));
	assert_true(l->client_done);
}

/* The TLS version a test runs with: its prestate, or any. */
static int	tls12 = TLS1_2_VERSION;

static int
version_of(void **state)
{
	return (*state != NULL ? *(int *)*state : 0);
}

/* The server reads exactly len bytes, which the client has sent. */
static void
server_read_exact(struct link *l, void *buf, size_t len)
{
	size_t	got = 0;
	ssize_t	n;

	while (got < len) {
		n = tls_conn_read(l->s, (char *)buf + got, len - got);
		if (n <= 0)
			fail_msg("tls_conn_read: %zd: %s", n,
			    tls_conn_error(l->s));
		got += (size_t)n;
	}
}

static void
client_write_all(struct link *l, const void *buf, size_t len)
{
	size_t	n;

	ERR_clear_error();
	assert_int_equal(SSL_write_ex(l->cl, buf, len, &n), 1);
	assert_int_equal(n, len);
}

static void
client_read_exact(struct link *l, void *buf, size_t len)
{
	size_t	got = 0, n;

	while (got < len) {
		ERR_clear_error();
		assert_int_equal(SSL_read_ex(l->cl, (char *)buf + got,
		    len - got, &n), 1);
		got += n;
	}
}

static uint8_t
pat(size_t i)
{
	return ((uint8_t)((i * 7) ^ (i >> 8) ^ (i >> 16)));
}

static void
test_key_encrypted(void **state)
{
	(void)state;
	assert_true(tls_key_encrypted(tpath("srvenc", "key")));
	assert_true(tls_key_encrypted(tpath("trad", "key")));
	assert_false(tls_key_encrypted(tpath("srv", "key")));
	assert_false(tls_key_encrypted(tpath("srv", "crt")));
	assert_false(tls_key_encrypted(tpath("missing", "key")));
}

/* tls_ctx_new fails with a message naming the file and the cause. */
static void
ctx_fails(const char *cert, const char *key, const char *ca,
    const char *pass, const char *file, const char *why)
{
	struct tls_ctx	*ctx;
	const char	*err = NULL;
	char		 c[PATH_MAX], k[PATH_MAX], a[PATH_MAX], f[PATH_MAX];

	snprintf(c, sizeof(c), "%s", cert);
	snprintf(k, sizeof(k), "%s", key);
	snprintf(a, sizeof(a), "%s", ca != NULL ? ca : "");
	snprintf(f, sizeof(f), "%s", file);
	ctx = tls_ctx_new(c, k, ca != NULL ? a : NULL, pass, &err);
	assert_null(ctx);
	assert_non_null(err);
	if (strstr(err, f) == NULL || strstr(err, why) == NULL)
		fail_msg("message \"%s\" lacks \"%s\" or \"%s\"", err, f,
		    why);
	print_message("  %s\n", err);
}

static void
test_ctx_errors(void **state)
{
	char	srvcrt[PATH_MAX], srvkey[PATH_MAX], junk[PATH_MAX];
	char	missing[PATH_MAX];

	(void)state;
	snprintf(srvcrt, sizeof(srvcrt), "%s", tpath("srv", "crt"));
	snprintf(srvkey, sizeof(srvkey), "%s", tpath("srv", "key"));
	snprintf(junk, sizeof(junk), "%s", tpath("junk", "pem"));
	snprintf(missing, sizeof(missing), "%s", tpath("missing", "pem"));

	ctx_fails(missing, srvkey, NULL, NULL, missing,
	    "No such file or directory");
	ctx_fails(junk, srvkey, NULL, NULL, junk, "certificate chain");
	ctx_fails(srvkey, srvkey, NULL, NULL, srvkey, "certificate chain");
	ctx_fails(srvcrt, missing, NULL, NULL, missing,
	    "No such file or directory");
	ctx_fails(srvcrt, junk, NULL, NULL, junk, "private key");
	/* A certificate where the key should be. */
	ctx_fails(srvcrt, srvcrt, NULL, NULL, srvcrt, "private key");
	ctx_fails(srvcrt, tpath("other", "key"), NULL, NULL,
	    tpath("other", "key"), "does not match");
	ctx_fails(srvcrt, srvkey, missing, NULL, missing,
	    "No such file or directory");
	ctx_fails(srvcrt, srvkey, junk, NULL, junk, "CA");
}

static void
test_ctx_passphrase(void **state)
{
	struct tls_ctx	*ctx;
	const char	*err = NULL;
	char		 crt[PATH_MAX], enc[PATH_MAX];

	(void)state;
	snprintf(crt, sizeof(crt), "%s", tpath("srv", "crt"));
	snprintf(enc, sizeof(enc), "%s", tpath("srvenc", "key"));
	ctx = tls_ctx_new(crt, enc, NULL, PASSPHRASE, &err);
	if (ctx == NULL)
		fail_msg("right passphrase: %s", err);
	tls_ctx_unref(ctx);

	ctx_fails(crt, enc, NULL, "wrong", enc, "wrong passphrase");
	ctx_fails(crt, enc, NULL, NULL, enc, "no passphrase");
	/* A passphrase for a key that has none is harmless. */
	ctx = tls_ctx_new(crt, tpath("srv", "key"), NULL, "unused", &err);
	assert_non_null(ctx);
	tls_ctx_unref(ctx);
}

/*
 * Without a passphrase, loading an encrypted key must not fall back to
 * OpenSSL's prompt, which reads stdin when there is no terminal.  In a
 * child without a controlling terminal whose stdin holds the right
 * passphrase, the load must still fail.
 */
static void
test_ctx_never_prompts(void **state)
{
	struct tls_ctx	*ctx;
	const char	*err = "";
	char		 crt[PATH_MAX], enc[PATH_MAX];
	pid_t		 pid;
	int		 p[2], status;

	(void)state;
	snprintf(crt, sizeof(crt), "%s", tpath("srv", "crt"));
	snprintf(enc, sizeof(enc), "%s", tpath("srvenc", "key"));
	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], PASSPHRASE "\n", sizeof(PASSPHRASE)),
	    (ssize_t)sizeof(PASSPHRASE));
	close(p[1]);
	assert_true((pid = fork()) != -1);
	if (pid == 0) {
		if (setsid() == -1 || dup2(p[0], 0) == -1)
			_exit(2);
		ctx = tls_ctx_new(crt, enc, NULL, NULL, &err);
		_exit(ctx == NULL && strstr(err, "no passphrase") != NULL ?
		    0 : 1);
	}
	close(p[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* With no controlling terminal, asking fails at once and says why. */
static void
test_ask_no_tty(void **state)
{
	const char	*err = "";
	char		*pass;
	pid_t		 pid;
	int		 status;

	(void)state;
	assert_true((pid = fork()) != -1);
	if (pid == 0) {
		if (setsid() == -1)
			_exit(2);
		pass = tls_ask_passphrase("/etc/key.pem", &err);
		_exit(pass == NULL && strstr(err, "no terminal") != NULL &&
		    strstr(err, "/etc/key.pem") != NULL ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/*
 * The child: a session whose controlling terminal is the pty slave,
 * asking for a passphrase.  Exit status 0 when it got the expected
 * one and the terminal echoes again afterwards.
 */
static void
ask_child(const char *slave)
{
	struct termios	 t;
	const char	*err = "";
	char		*pass;
	int		 fd, ok;

	if (setsid() == -1 || (fd = open(slave, O_RDWR)) == -1)
		_exit(2);
#ifdef TIOCSCTTY
	(void)ioctl(fd, TIOCSCTTY, 0);
#endif
	if ((pass = tls_ask_passphrase("k.pem", &err)) == NULL)
		_exit(3);
	ok = strcmp(pass, PASSPHRASE) == 0;
	free(pass);
	if (tcgetattr(fd, &t) != 0 || !(t.c_lflag & ECHO))
		_exit(4);
	_exit(ok ? 0 : 5);
}

/* Read from the pty master until want appears; what was read in out. */
static void
pty_expect(int mfd, const char *want, char *out, size_t size)
{
	struct pollfd	pfd;
	size_t		len = 0;
	ssize_t		n;

	out[0] = '\0';
	while (strstr(out, want) == NULL) {
		pfd.fd = mfd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 5000) != 1)
			fail_msg("no \"%s\" from the pty: \"%s\"", want, out);
		if ((n = read(mfd, out + len, size - 1 - len)) <= 0)
			fail_msg("pty read: %s", strerror(errno));
		len += (size_t)n;
		out[len] = '\0';
	}
}

/* On a terminal: prompt, no echo, the line returned, echo restored. */
static void
test_ask_tty(void **state)
{
	char	out[512];
	pid_t	pid;
	int	mfd, status;

	(void)state;
	if ((mfd = posix_openpt(O_RDWR | O_NOCTTY)) == -1 ||
	    grantpt(mfd) != 0 || unlockpt(mfd) != 0) {
		print_message("  no pty: skipped\n");
		skip();
	}
	assert_true((pid = fork()) != -1);
	if (pid == 0)
		ask_child(ptsname(mfd));
	pty_expect(mfd, "Passphrase for k.pem: ", out, sizeof(out));
	assert_int_equal(write(mfd, PASSPHRASE "\n", sizeof(PASSPHRASE)),
	    (ssize_t)sizeof(PASSPHRASE));
	pty_expect(mfd, "\n", out, sizeof(out));
	/* Only the newline the prompt writes itself: no echo. */
	assert_null(strstr(out, "s3cret"));
	assert_int_equal(waitpid(pid, &status, 0), pid);
	close(mfd);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void
test_fingerprint(void **state)
{
	struct tls_ctx	*ctx;
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen, i;
	const char	*fp;
	char		 want[3 * EVP_MAX_MD_SIZE + 1] = "";
	FILE		*f;
	X509		*x;

	(void)state;
	ctx = server_ctx(0);
	fp = tls_ctx_fingerprint(ctx);
	assert_int_equal(strlen(fp), 32 * 3 - 1);
	for (i = 0; i < 32 * 3 - 1; i++) {
		if (i % 3 == 2)
			assert_int_equal(fp[i], ':');
		else
			assert_non_null(strchr("0123456789ABCDEF", fp[i]));
	}

	/* It is the leaf's, not the CA's that follows in the chain. */
	assert_non_null(f = fopen(tpath("srv", "crt"), "r"));
	assert_non_null(x = PEM_read_X509(f, NULL, NULL, NULL));
	fclose(f);
	assert_int_equal(X509_digest(x, EVP_sha256(), md, &mdlen), 1);
	for (i = 0; i < mdlen; i++)
		snprintf(want + strlen(want), 4, "%s%02X", i ? ":" : "",
		    md[i]);
	assert_string_equal(fp, want);
	X509_free(x);
	tls_ctx_unref(ctx);
}

/*
 * 200 KB from the server through a small socket buffer: partial
 * writes and TLS_WANT_WRITE.  Each retry passes the same bytes from a
 * new address, and more of them than the call that had to wait, as an
 * output FIFO that was reallocated and appended to would.  The client
 * reads only once the server has to wait, so that the buffer fills.
 */
static void
big_to_client(struct link *l)
{
	uint8_t	*src, *dst, *wb = NULL, *nb;
	size_t	 sent = 0, got = 0, wlen, n, i;
	ssize_t	 r;
	int	 retry = 0, wants = 0, partial = 0, guard = 0;

	assert_non_null(src = malloc(BIG));
	assert_non_null(dst = malloc(BIG));
	for (i = 0; i < BIG; i++)
		src[i] = pat(i);
	while (got < BIG) {
		assert_true(++guard < 100000);
		while (sent < BIG) {
			wlen = BIG - sent;
			if (!retry && wlen > 50000)
				wlen = 50000;
			/* New buffer before the old one goes: a new address. */
			assert_non_null(nb = malloc(wlen));
			memcpy(nb, src + sent, wlen);
			free(wb);
			wb = nb;
			r = tls_conn_write(l->s, wb, wlen);
			if (r > 0) {
				assert_true((size_t)r <= wlen);
				partial += (size_t)r < wlen;
				sent += (size_t)r;
				retry = 0;
			} else if (r == TLS_WANT_WRITE) {
				wants++;
				retry = 1;
				break;
			} else
				fail_msg("tls_conn_write: %zd: %s", r,
				    tls_conn_error(l->s));
		}
		for (;;) {
			ERR_clear_error();
			if (SSL_read_ex(l->cl, dst + got, BIG - got, &n) != 1) {
				assert_int_equal(SSL_get_error(l->cl, 0),
				    SSL_ERROR_WANT_READ);
				break;
			}
			got += n;
		}
	}
	assert_int_equal(sent, BIG);
	assert_memory_equal(src, dst, BIG);
	assert_true(wants > 0);
	assert_true(partial > 0);
	free(wb);
	free(src);
	free(dst);
}

/* 200 KB from the client, read in small pieces: pending bytes. */
static void
big_to_server(struct link *l)
{
	uint8_t	*src, *dst;
	size_t	 sent = 0, got = 0, n, i, pend;
	ssize_t	 r;
	int	 saw_pending = 0, guard = 0;

	assert_non_null(src = malloc(BIG));
	assert_non_null(dst = malloc(BIG));
	for (i = 0; i < BIG; i++)
		src[i] = pat(i + 12345);
	while (got < BIG) {
		assert_true(++guard < 100000);
		if (sent < BIG) {
			ERR_clear_error();
			if (SSL_write_ex(l->cl, src + sent, BIG - sent,
			    &n) == 1)
				sent += n;
			else
				assert_int_equal(SSL_get_error(l->cl, 0),
				    SSL_ERROR_WANT_WRITE);
		}
		while (got < BIG) {
			r = tls_conn_read(l->s, dst + got,
			    BIG - got < 1000 ? BIG - got : 1000);
			if (r == TLS_WANT_READ)
				break;
			if (r <= 0)
				fail_msg("tls_conn_read: %zd: %s", r,
				    tls_conn_error(l->s));
			got += (size_t)r;
			/* What is pending can be read without the socket. */
			if ((pend = tls_conn_pending(l->s)) > 0) {
				saw_pending = 1;
				assert_true(pend <= BIG - got);
				server_read_exact(l, dst + got, pend);
				got += pend;
				assert_int_equal(tls_conn_pending(l->s), 0);
			}
		}
	}
	assert_memory_equal(src, dst, BIG);
	assert_true(saw_pending);
	free(src);
	free(dst);
}

static void
test_data(void **state)
{
	struct tls_ctx	*ctx;
	struct link	 l;
	char		 buf[64];
	int		 sndbuf = 32768;

	ctx = server_ctx(0);
	link_open(&l, ctx, "vp1", version_of(state));
	assert_int_equal(setsockopt(l.sfd, SOL_SOCKET, SO_SNDBUF, &sndbuf,
	    sizeof(sndbuf)), 0);
	assert_int_equal(setsockopt(l.cfd, SOL_SOCKET, SO_SNDBUF, &sndbuf,
	    sizeof(sndbuf)), 0);
	handshake_ok(&l);
	assert_int_equal(SSL_version(l.cl), version_of(state) != 0 ?
	    version_of(state) : TLS1_3_VERSION);
	/* Without a CA file no certificate is asked for. */
	assert_false(tls_conn_has_cert(l.s));
	assert_false(tls_conn_name_ok(l.s, "vp1.example"));
	assert_string_equal(tls_conn_peer_subject(l.s), "");
	assert_int_equal(tls_conn_pending(l.s), 0);
	assert_int_equal(tls_conn_read(l.s, buf, sizeof(buf)),
	    TLS_WANT_READ);

	client_write_all(&l, "hello from vp", 13);
	server_read_exact(&l, buf, 13);
	assert_memory_equal(buf, "hello from vp", 13);
	assert_int_equal(tls_conn_write(l.s, "hello back", 10), 10);
	client_read_exact(&l, buf, 10);
	assert_memory_equal(buf, "hello back", 10);

	/* Part of a record read: the rest is pending. */
	client_write_all(&l, "0123456789", 10);
	server_read_exact(&l, buf, 4);
	assert_int_equal(tls_conn_pending(l.s), 6);
	server_read_exact(&l, buf + 4, 6);
	assert_memory_equal(buf, "0123456789", 10);

	big_to_client(&l);
	big_to_server(&l);

	/* An orderly close. */
	ERR_clear_error();
	assert_true(SSL_shutdown(l.cl) >= 0);
	assert_int_equal(tls_conn_read(l.s, buf, sizeof(buf)), TLS_EOF);
	assert_non_null(strstr(tls_conn_error(l.s), "close_notify"));
	link_close(&l);
	tls_ctx_unref(ctx);
}

/* A plain TCP close is TLS_EOF, as on a plaintext link. */
static void
test_plain_close(void **state)
{
	struct tls_ctx	*ctx;
	struct link	 l;
	char		 buf[64];
	ssize_t		 r;

	(void)state;
	ctx = server_ctx(0);
	link_open(&l, ctx, NULL, 0);
	handshake_ok(&l);
	client_write_all(&l, "last words", 10);
	close(l.cfd);
	l.cfd = -1;
	/* Data before the close is still delivered. */
	server_read_exact(&l, buf, 10);
	assert_memory_equal(buf, "last words", 10);
	r = tls_conn_read(l.s, buf, sizeof(buf));
	if (r != TLS_EOF)
		fail_msg("read after close: %zd: %s", r, tls_conn_error(l.s));
	assert_non_null(strstr(tls_conn_error(l.s), "without close_notify"));
	/* The link is dead now; the verdict and its reason stay. */
	assert_int_equal(tls_conn_read(l.s, buf, sizeof(buf)), TLS_EOF);
	assert_int_equal(tls_conn_write(l.s, "x", 1), TLS_ERR);
	assert_non_null(strstr(tls_conn_error(l.s), "without close_notify"));
	link_close(&l);

	/* Writing to a closed socket is an error (EPIPE), not a signal. */
	link_open(&l, ctx, NULL, 0);
	handshake_ok(&l);
	close(l.cfd);
	l.cfd = -1;
	assert_int_equal(tls_conn_write(l.s, "x", 1), TLS_ERR);
	assert_non_null(strstr(tls_conn_error(l.s), strerror(EPIPE)));
	assert_int_equal(tls_conn_write(l.s, "x", 1), TLS_ERR);
	print_message("  %s\n", tls_conn_error(l.s));
	link_close(&l);
	tls_ctx_unref(ctx);
}

/* EOF inside the handshake fails it. */
static void
test_eof_in_handshake(void **state)
{
	struct tls_ctx	*ctx;
	struct link	 l;

	(void)state;
	ctx = server_ctx(0);
	link_open(&l, ctx, NULL, 0);
	assert_int_equal(tls_conn_handshake(l.s), TLS_WANT_READ);
	(void)shutdown(l.cfd, SHUT_WR);
	assert_int_equal(tls_conn_handshake(l.s), TLS_ERR);
	print_message("  %s\n", tls_conn_error(l.s));
	link_close(&l);
	tls_ctx_unref(ctx);
}

/* Bytes that are not a ClientHello: a plaintext scamper, or HTTP. */
static void
garbage(const void *bytes, size_t len)
{
	struct tls_ctx	*ctx;
	struct link	 l;
	int		 r;

	ctx = server_ctx(0);
	link_open(&l, ctx, NULL, 0);
	assert_int_equal(write(l.cfd, bytes, len), (ssize_t)len);
	r = tls_conn_handshake(l.s);
	assert_int_equal(r, TLS_ERR);
	assert_non_null(strstr(tls_conn_error(l.s), "TLS handshake failed"));
	assert_true(strlen(tls_conn_error(l.s)) >
	    strlen("TLS handshake failed: "));
	print_message("  %s\n", tls_conn_error(l.s));
	link_close(&l);
	tls_ctx_unref(ctx);
}

static void
test_garbage(void **state)
{
	static const uint8_t	frame[] = { 0, 0, 0, 0, 0, 0, 0, 12, 1, 2,
				    3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };

	(void)state;
	garbage("GET / HTTP/1.0\r\n\r\n", 18);
	garbage(frame, sizeof(frame));
}

static void
test_tls11_refused(void **state)
{
	struct tls_ctx	*ctx;
	struct link	 l;

	(void)state;
	ctx = server_ctx(0);
	link_open(&l, ctx, NULL, TLS1_1_VERSION);
	assert_int_equal(pump_handshake(&l), TLS_ERR);
	assert_false(l.client_done);
	print_message("  %s\n", tls_conn_error(l.s));
	link_close(&l);
	tls_ctx_unref(ctx);
}

/* A client with id's certificate is refused in the handshake. */
static void
refused(struct tls_ctx *ctx, const char *id, int version, const char *why)
{
	struct link	l;

	link_open(&l, ctx, id, version);
	assert_int_equal(pump_handshake(&l), TLS_ERR);
	if (why != NULL && strstr(tls_conn_error(l.s), why) == NULL)
		fail_msg("\"%s\" lacks \"%s\"", tls_conn_error(l.s), why);
	print_message("  %s: %s\n", id != NULL ? id : "no certificate",
	    tls_conn_error(l.s));
	link_close(&l);
}

static void
test_client_refused(void **state)
{
	struct tls_ctx	*ctx;
	int		 v;

	ctx = server_ctx(1);
	v = version_of(state);
	refused(ctx, NULL, v, "certificate");
	refused(ctx, "expired", v, "expired");
	refused(ctx, "foreign", v, "unable to get local issuer");
	/* A certificate for servers only is not a client's. */
	refused(ctx, "serveronly", v, "purpose");
	tls_ctx_unref(ctx);
}

/* A client with id's certificate gets through; check names on it. */
static void
accepted(struct tls_ctx *ctx, const char *id, int version,
    const char *const *yes, const char *const *no, const char *subject)
{
	struct link	l;

	link_open(&l, ctx, id, version);
	handshake_ok(&l);
	assert_true(tls_conn_has_cert(l.s));
	for (; *yes != NULL; yes++)
		if (!tls_conn_name_ok(l.s, *yes))
			fail_msg("%s: %s should match", id, *yes);
	for (; *no != NULL; no++)
		if (tls_conn_name_ok(l.s, *no))
			fail_msg("%s: %s should not match", id, *no);
	if (strstr(tls_conn_peer_subject(l.s), subject) == NULL)
		fail_msg("subject \"%s\" lacks \"%s\"",
		    tls_conn_peer_subject(l.s), subject);

	/* Data flows after a verified handshake too. */
	client_write_all(&l, "id", 2);
	server_read_exact(&l, (char[2]){ 0 }, 2);
	link_close(&l);
}

static void
test_client_names(void **state)
{
	static const char *const	vp1_yes[] = { "vp1.example",
					    "VP1.EXAMPLE", "Vp1.Example",
					    NULL };
	static const char *const	vp1_no[] = { "vp2.example", "vp1",
					    "vp1.example.", "x.vp1.example",
					    "", NULL };
	static const char *const	cn_yes[] = { "cnonly.example",
					    "CNONLY.example", NULL };
	static const char *const	cn_no[] = { "vp1.example",
					    "cnonly", NULL };
	static const char *const	multi_yes[] = { "a.vps.example",
					    "VP-9.Vps.Example", "san.example",
					    "cn.example", NULL };
	static const char *const	multi_no[] = { "vps.example",
					    "a.b.vps.example", ".vps.example",
					    "fa.other.example", "x",
					    "mail.example", "*.vps.example",
					    NULL };
	static const char *const	nul_yes[] = { "nul.example", NULL };
	static const char *const	nul_no[] = { "vp1.example", NULL };
	struct tls_ctx			*ctx;
	int				 v = version_of(state);

	ctx = server_ctx(1);
	accepted(ctx, "vp1", v, vp1_yes, vp1_no, "CN=vp1.example");
	accepted(ctx, "cnonly", v, cn_yes, cn_no, "CN=cnonly.example");
	/* The CN is a candidate even beside DNS names (section 10). */
	accepted(ctx, "multi", v, multi_yes, multi_no, "CN=cn.example");
	accepted(ctx, "nul", v, nul_yes, nul_no, "CN=nul.example");
	tls_ctx_unref(ctx);
}

/* A link keeps its context alive after the server lets go of it. */
static void
test_refcount(void **state)
{
	struct tls_ctx	*ctx;
	struct link	 l;
	char		 buf[8];

	(void)state;
	ctx = server_ctx(1);
	link_open(&l, ctx, "vp1", 0);
	tls_ctx_ref(ctx);
	tls_ctx_unref(ctx);
	tls_ctx_unref(ctx);
	handshake_ok(&l);
	assert_true(tls_conn_name_ok(l.s, "vp1.example"));
	client_write_all(&l, "alive", 5);
	server_read_exact(&l, buf, 5);
	assert_int_equal(tls_conn_write(l.s, "yes", 3), 3);
	client_read_exact(&l, buf, 3);
	assert_memory_equal(buf, "yes", 3);
	link_close(&l);
	tls_ctx_unref(NULL);
	tls_conn_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_hello),
		cmocka_unit_test(test_key_encrypted),
		cmocka_unit_test(test_ctx_errors),
		cmocka_unit_test(test_ctx_passphrase),
		cmocka_unit_test(test_ctx_never_prompts),
		cmocka_unit_test(test_ask_no_tty),
		cmocka_unit_test(test_ask_tty),
		cmocka_unit_test(test_fingerprint),
		cmocka_unit_test(test_data),
		cmocka_unit_test_prestate(test_data, &tls12),
		cmocka_unit_test(test_plain_close),
		cmocka_unit_test(test_eof_in_handshake),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_tls11_refused),
		cmocka_unit_test(test_client_refused),
		cmocka_unit_test_prestate(test_client_refused, &tls12),
		cmocka_unit_test(test_client_names),
		cmocka_unit_test_prestate(test_client_names, &tls12),
		cmocka_unit_test(test_refcount),
	};

	/* As in the daemon: a write to a closed link is EPIPE. */
	(void)signal(SIGPIPE, SIG_IGN);
	assert_true(tls_available());
	return (cmocka_run_group_tests(tests, pki_setup, pki_teardown));
}

#else /* !HAVE_OPENSSL */

static void
test_stubs(void **state)
{
	const char	*err = NULL;
	char		 buf[4];

	(void)state;
	assert_false(tls_available());
	assert_null(tls_ctx_new("c", "k", NULL, NULL, &err));
	assert_string_equal(err, "built without OpenSSL");
	err = NULL;
	assert_null(tls_ask_passphrase("k", &err));
	assert_non_null(err);
	assert_null(tls_conn_new(NULL, 0));
	assert_int_equal(tls_conn_handshake(NULL), TLS_ERR);
	assert_int_equal(tls_conn_read(NULL, buf, sizeof(buf)), TLS_ERR);
	assert_int_equal(tls_conn_write(NULL, buf, sizeof(buf)), TLS_ERR);
	assert_int_equal(tls_conn_pending(NULL), 0);
	assert_false(tls_conn_has_cert(NULL));
	assert_false(tls_conn_name_ok(NULL, "x"));
	assert_string_equal(tls_conn_peer_subject(NULL), "");
	tls_conn_free(NULL);
	tls_ctx_unref(NULL);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_hello),
		cmocka_unit_test(test_stubs),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}

#endif /* HAVE_OPENSSL */
