/*
 * tls.h: TLS on links, wrapped behind results the event loop can act
 * on, so that the rest of the daemon never calls OpenSSL itself.
 *
 * Without OpenSSL (--without-openssl) the same functions exist and fail,
 * and tls_available() says so.
 *
 * Copyright (C) 2026 The sc_remoted authors.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef TLS_H
#define TLS_H

#include <stddef.h>
#include <sys/types.h>

/* Results of the connection functions (besides a byte count > 0). */
#define TLS_EOF		0	/* orderly close (close_notify or TCP EOF) */
#define TLS_ERR		-1	/* fatal: tls_conn_error() says why */
#define TLS_WANT_READ	-2	/* call again when the socket is readable */
#define TLS_WANT_WRITE	-3	/* call again when the socket is writable */

struct tls_ctx;
struct tls_conn;

int		 tls_available(void);

/*
 * A server context from a PEM certificate chain file and a PEM private
 * key file, TLS 1.2 or newer.  With cafile, clients must present a
 * certificate that verifies against it.  passphrase, when not NULL, is
 * used for an encrypted key.  Returns NULL and sets *err to a message
 * for the log (static storage) on failure.  The context is reference
 * counted: every connection holds a reference, so a reload can replace
 * the server's context while old connections keep theirs.
 */
struct tls_ctx	*tls_ctx_new(const char *certfile, const char *keyfile,
		    const char *cafile, const char *passphrase,
		    const char **err);
void		 tls_ctx_ref(struct tls_ctx *ctx);
void		 tls_ctx_unref(struct tls_ctx *ctx);
/* SHA-256 fingerprint of the server certificate, hex with colons. */
const char	*tls_ctx_fingerprint(const struct tls_ctx *ctx);

/* Server side of fd (non-blocking, already accepted).  NULL on ENOMEM. */
struct tls_conn	*tls_conn_new(struct tls_ctx *ctx, int fd);
void		 tls_conn_free(struct tls_conn *c);

/*
 * Drive the handshake: 1 when complete, or TLS_WANT_READ,
 * TLS_WANT_WRITE, TLS_ERR.
 */
int		 tls_conn_handshake(struct tls_conn *c);
/* Bytes read (> 0), or TLS_EOF, TLS_ERR, TLS_WANT_READ, TLS_WANT_WRITE. */
ssize_t		 tls_conn_read(struct tls_conn *c, void *buf, size_t len);
/*
 * Bytes written (> 0), or TLS_ERR, TLS_WANT_READ, TLS_WANT_WRITE.
 * After TLS_WANT_*, call again with the same leading bytes, at least
 * len of them; the buffer may have moved or grown meanwhile.
 */
ssize_t		 tls_conn_write(struct tls_conn *c, const void *buf,
		    size_t len);
/* Decrypted bytes already held inside the library, ready to read. */
size_t		 tls_conn_pending(struct tls_conn *c);
/* Why the last call failed, for the log (static or per-conn storage). */
const char	*tls_conn_error(struct tls_conn *c);

/*
 * Client certificate checks (with a cafile).  tls_conn_has_cert: the
 * client presented a certificate that verified.  tls_conn_name_ok: the
 * monitor name matches that certificate: a DNS subjectAltName or the
 * subject's first common name, ASCII case ignored, "*.S" matching one
 * label (mux-protocol.md section 10).
 */
int		 tls_conn_has_cert(struct tls_conn *c);
int		 tls_conn_name_ok(struct tls_conn *c, const char *name);
/* A short description of the client certificate's subject, or "". */
const char	*tls_conn_peer_subject(struct tls_conn *c);

/* Whether a link's first byte starts a TLS handshake record. */
int		 tls_looks_like_hello(unsigned char first);

/*
 * Read a passphrase for an encrypted key from the terminal (no echo).
 * Returns a malloc'd string the caller must wipe and free, or NULL with
 * *err set when there is no terminal.
 */
char		*tls_ask_passphrase(const char *keyfile, const char **err);
/* Whether keyfile holds an encrypted PEM key. */
int		 tls_key_encrypted(const char *keyfile);

#endif /* TLS_H */
