#!/bin/sh
# tlsreload.sh: SIGHUP reloads the TLS certificate and key for new links.
#
# The daemon runs with -c live.pem -p live.key -O passfile=FILE; the
# files are overwritten between SIGHUPs.  A is server.pem/server.key, B
# serverB.pem/serverB.key (same names, another key); VPs are real scamper
# behind a socat TLS relay (see tls.sh).
#
# Asserts:
#   - at start a new TLS client (openssl s_client) sees A's SHA-256
#     fingerprint; VP vp1 connects over TLS and answers a ping;
#   - after copying B over the files and SIGHUP: the daemon logs the
#     reload with B's fingerprint, a new client sees B, the established
#     vp1 (still on the old context) answers a ping, and a new VP vp2
#     connects with B and answers a ping;
#   - each of these bad reloads leaves the daemon running, logs an error
#     and the "keeping" line, and new clients still see B, with vp1 and
#     vp2 still answering: the key file overwritten with garbage; A's
#     certificate with B's key (a mismatched pair); the certificate file
#     missing;
#   - vp1's and vp2's links are never lost or resumed meanwhile;
#   - finally A's certificate with A's key encrypted (its passphrase in the
#     -O passfile= file) and SIGHUP: new clients see A again, both VPs
#     answer.
#
# Copyright (C) 2026 The sc_remoted authors.
# SPDX-License-Identifier: GPL-2.0-only
. "$(dirname "$0")/lib.sh"
. "$INTEG_DIR/tlscerts.sh"
require_scamper
require_tls
make_certs

FA=$(cert_fp "$C/server.pem")
FB=$(cert_fp "$C/serverB.pem")
[ -n "$FA" ] && [ -n "$FB" ] || fail "no fingerprints of A and B"

# install_pair CERT KEY: overwrite live.pem and live.key in place.
install_pair() {
	cat "$1" >"$C/live.pem" || fail "cannot write live.pem"
	cat "$2" >"$C/live.key" || fail "cannot write live.key"
}

# sees WHAT FP: a new TLS client sees the certificate with fingerprint FP.
sees() {
	_se=$(fingerprint)
	[ "$_se" = "$2" ] ||
	    fail "$1: a new client sees '${_se:-no certificate}', want $2"
}

# hup: SIGHUP the daemon; sets MARK to the log position before it.
hup() {
	MARK=$(log_mark)
	kill -HUP "$DAEMON_PID" || fail "cannot signal the daemon"
}

# bad_reload DESC: the SIGHUP just sent must fail harmlessly.
bad_reload() {
	wait_log "$MARK" 'SIGHUP: keeping the TLS certificate already loaded' 10 ||
	    fail "$1: no 'keeping the TLS certificate' log line"
	log_since "$MARK" | grep -q 'error: ' ||
	    fail "$1: no error logged"
	log_since "$MARK" | grep -q 'new links get the reloaded' &&
	    fail "$1: the daemon says it reloaded"
	sleep 0.2
	daemon_alive || fail "$1: the daemon died"
	sees "$1" "$FB"
	ping_ok "vp1-$2" "$S1" 1
	ping_ok "vp2-$2" "$S2" 1
	say "ok: $1: refused, B kept; log: $(log_since "$MARK" |
	    grep 'error: ' | head -n 1 | sed 's/^\[[^]]*\] //')"
}

install_pair "$C/server.pem" "$C/server.key"
start_daemon -c "$C/live.pem" -p "$C/live.key" -O "passfile=$C/passfile"
sees "start" "$FA"
start_tls_vp vp1 -M vp1
S1=$(wait_socket 'vp1-*') || fail "no socket for VP vp1 appeared"
ping_ok vp1-a "$S1" 1
say "ok: A served; vp1 connected"

# ---- A -> B.
install_pair "$C/serverB.pem" "$C/serverB.key"
hup
wait_log "$MARK" 'SIGHUP: new links get the reloaded certificate' 10 ||
    fail "B: the daemon did not log the reload"
log_since "$MARK" | grep -q "SHA-256 ${FB#*=}" ||
    fail "B: the reload log line does not give B's fingerprint"
daemon_alive || fail "B: the daemon died"
sees "B" "$FB"
[ -S "$S1" ] || fail "B: vp1's socket vanished"
ping_ok vp1-b "$S1" 1
start_tls_vp vp2 -M vp2
S2=$(wait_socket 'vp2-*') || fail "B: no socket for the new VP vp2 appeared"
grep -q 'SSL connection using' "$T/socat.vp2.log" ||
    fail "B: socat of vp2 did not report a TLS session"
ping_ok vp2-b "$S2" 1
say "ok: B served after SIGHUP; vp1 kept working; vp2 connected"

# ---- Bad files: the daemon keeps B.
"$PY" -c 'import os, sys; sys.stdout.buffer.write(os.urandom(2048))' \
    >"$C/live.key" || fail "cannot write the garbage key"
hup
bad_reload "garbage key" garbage

install_pair "$C/server.pem" "$C/serverB.key"
hup
bad_reload "A's certificate with B's key" mismatch

rm -f "$C/live.pem"
cat "$C/serverB.key" >"$C/live.key"
hup
bad_reload "certificate file missing" missing

# ---- Back to A, with its key encrypted: the passfile unlocks it.
install_pair "$C/server.pem" "$C/server-enc.key"
hup
wait_log "$MARK" 'SIGHUP: new links get the reloaded certificate' 10 ||
    fail "A (encrypted key): the daemon did not reload"
sees "A again" "$FA"
ping_ok vp1-a2 "$S1" 1
ping_ok vp2-a2 "$S2" 1
say "ok: A served again (encrypted key, -O passfile=)"

# The established links rode through every reload: never lost, never
# replaced by a resumption.
grep -Eq 'VP (vp1|vp2)-.*(link lost|resum)' "$T/daemon.log" &&
    fail "a VP's link was lost or resumed during the reloads"
daemon_alive || fail "daemon died"
pass
