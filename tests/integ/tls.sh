#!/bin/sh
# tls.sh: TLS links (-c/-p), an encrypted key (-O passfile=), clients
# that do not speak TLS, and -O allowplaintext.
#
# Real scamper cannot be pointed at a test CA in a way we control, so each
# TLS VP is "scamper -R 127.0.0.1:RELAY" plus a socat relay that carries
# the link over TLS (OpenSSL, verifying the daemon's certificate against
# the test CA and the name localhost) to the daemon.
#
# Asserts:
#   (a) daemon with -c/-p: it logs its certificate; openssl s_client with
#       TLS 1.0 or 1.1 fails the handshake, with TLS 1.2 succeeds and
#       verifies the chain; a VP over TLS gets its socket
#       vp1-127.0.0.1:<port> and a "ping -c 3" through it returns one
#       ping with replies;
#   (c) on that daemon, while a ping through the TLS VP is running: a
#       plaintext MASTER_NEW (fakevp.py), 4 KB of random bytes, and a
#       TLS-looking record with a bogus handshake message are each closed
#       by the daemon within 5 s and create no socket; the plaintext
#       client gets no MASTER_ID; afterwards the daemon runs, the TLS VP's
#       socket is the only one, its link was never lost, and both the
#       concurrent ping and a new one through it return results;
#   (b) a daemon whose key is encrypted, with -O passfile=FILE, starts
#       (logs its certificate) and a TLS VP through it answers a ping;
#       with a wrong passphrase the daemon exits non-zero within 10 s
#       without listening and logs a line naming the key;
#   (d) daemon with -c/-p -O allowplaintext: a TLS VP (via socat) and a
#       plaintext VP (scamper straight to the port) are connected at the
#       same time, both sockets appear, and both answer pings run
#       concurrently.
#
# Copyright (C) 2026 The sc_remoted authors.
# SPDX-License-Identifier: GPL-2.0-only
. "$(dirname "$0")/lib.sh"
. "$INTEG_DIR/tlscerts.sh"
require_scamper
require_tls
make_certs

# only_socket PATH: PATH is the only entry of SOCKDIR.
only_socket() {
	_os=$(ls -A "$SOCKDIR")
	[ "$_os" = "$(basename "$1")" ] ||
	    fail "$2: the -U directory holds '$(echo "$_os" | tr '\n' ' ')', want only $(basename "$1")"
}

# bad_link DESC LOGNAME STEP...: a fakevp.py link that must be closed.
bad_link() {
	_bl_d=$1
	_bl_l=$2
	shift 2
	if link "$@" >"$T/$_bl_l.log" 2>&1; then
		say "ok: $_bl_d: closed"
	else
		sed 's/^/    /' "$T/$_bl_l.log"
		fail "$_bl_d: not closed within 5 s"
	fi
	grep -q 'MASTER_ID' "$T/$_bl_l.log" &&
	    fail "$_bl_d: the daemon answered with MASTER_ID"
	daemon_alive || fail "daemon died after: $_bl_d"
}

# ---- (a) TLS, no client certificates.
start_daemon -c "$C/server.pem" -p "$C/server.key"
wait_log 0 'TLS certificate .*server\.pem' 5 ||
    fail "(a) the daemon did not log its TLS certificate"
# TLS 1.2 is the floor: 1.0 and 1.1 are refused (the client is told to
# allow them), 1.2 is accepted with our chain.
for v in tls1 tls1_1; do
	timeout 10 openssl s_client -connect "127.0.0.1:$PORT" -"$v" \
	    -cipher 'DEFAULT:@SECLEVEL=0' </dev/null >"$T/s_client.$v.log" 2>&1 &&
	    fail "(a) a $v handshake succeeded"
done
timeout 10 openssl s_client -connect "127.0.0.1:$PORT" -tls1_2 \
    -CAfile "$C/ca.pem" -verify_return_error </dev/null \
    >"$T/s_client.tls1_2.log" 2>&1 || fail "(a) a TLS 1.2 handshake failed"
grep -Eq 'Protocol *: TLSv1\.2' "$T/s_client.tls1_2.log" ||
    fail "(a) s_client -tls1_2 did not report TLSv1.2"
daemon_alive || fail "(a) daemon died"
start_tls_vp vp1 -M vp1
S1=$(wait_socket 'vp1-*') || fail "(a) no socket for the TLS VP vp1 appeared"
case $(basename "$S1") in
vp1-127.0.0.1:[0-9]*) ;;
*) fail "(a) socket $(basename "$S1") is not vp1-127.0.0.1:<port>" ;;
esac
grep -q 'SSL connection using' "$T/socat.vp1.log" ||
    fail "(a) socat did not report a TLS session with the daemon"
ping_ok a "$S1" 3
say "(a) ok: ping over TLS"

# ---- (c) clients that do not speak TLS, while the TLS VP works.
client_bg c_during "$S1" 'send:ping -c 4 -i 1 127.0.0.1\n' \
    'until:OK id-[0-9]+' 'send:done\n' 'until:^OK$' readeof
during=$CLIENT_PID

bad_link "plaintext MASTER_NEW on the TLS port" plain \
    sendnew:plain expect-close
# Random bytes, but reproducible; the first byte is kept below 0x80 so
# that OpenSSL cannot take the start for an SSLv2 record header whose
# length asks for more than we send.
garbage=$("$PY" -c 'import random
r = random.Random(20260420)
b = bytearray(r.getrandbits(8) for _ in range(4096))
b[0] = 0x47
print(b.hex())') || fail "cannot make the garbage"
bad_link "4 KB of random bytes" garbage "raw:$garbage" expect-close
# A TLS handshake record (0x16 0x03 0x01, 64 bytes) whose message is
# not a ClientHello.
ff=ffffffffffffffffffffffffffffffff
bad_link "TLS record with a bogus handshake message" badrec \
    "raw:1603010040$ff$ff$ff$ff" expect-close

wait "$during" || fail "(c) the ping running during the bad clients failed"
decode c_during
check_ping c_during 127.0.0.1 4
[ -S "$S1" ] || fail "(c) the TLS VP's socket vanished"
only_socket "$S1" "(c)"
ping_ok c_after "$S1" 1
grep -Eq 'VP vp1-.*(link lost|resum)' "$T/daemon.log" &&
    fail "(c) the TLS VP's link was lost or resumed"
say "(c) ok: non-TLS clients closed; the TLS VP kept working"
stop_pid "$VP_PID"
stop_pid "$SOCAT_PID"
stop_daemon

# ---- (b) encrypted key with -O passfile=.
use_port "$(free_port)" || fail "no free port"
mark=$(log_mark)
start_daemon -c "$C/server.pem" -p "$C/server-enc.key" \
    -O "passfile=$C/passfile"
wait_log "$mark" 'TLS certificate .*server\.pem' 5 ||
    fail "(b) the daemon did not log its TLS certificate"
start_tls_vp vp2 -M vp2
S2=$(wait_socket 'vp2-*') ||
    fail "(b) no socket for the TLS VP vp2 appeared (encrypted key)"
ping_ok b "$S2" 1
say "(b) ok: encrypted key unlocked with -O passfile="
stop_pid "$VP_PID"
stop_pid "$SOCAT_PID"
stop_daemon

printf 'not the passphrase\n' >"$C/badpass"
bport=$(free_port) || fail "no free port"
mark=$(log_mark)
# shellcheck disable=SC2086
"$SC_REMOTED" -P "127.0.0.1:$bport" -U "$SOCKDIR" -O debug $BACKEND_OPTS \
    -c "$C/server.pem" -p "$C/server-enc.key" -O "passfile=$C/badpass" \
    </dev/null >>"$T/daemon.log" 2>&1 &
bad=$!
track "$bad"
wait_exit "$bad" 10 || fail "(b) daemon with a wrong passphrase still runs"
[ "$EXIT_STATUS" != 0 ] ||
    fail "(b) daemon with a wrong passphrase exited with status 0"
log_since "$mark" | grep -q 'server-enc\.key' ||
    fail "(b) wrong passphrase: no log line names the key"
grep -q 'listening on 127.0.0.1:'"$bport" "$T/daemon.log" &&
    fail "(b) daemon with a wrong passphrase listened"
say "(b) ok: wrong passphrase refused (status $EXIT_STATUS)"

# ---- (d) -O allowplaintext: TLS and plaintext VPs on one port.
use_port "$(free_port)" || fail "no free port"
start_daemon -c "$C/server.pem" -p "$C/server.key" -O allowplaintext
start_tls_vp tlsvp -M tlsvp
start_vp -M plainvp
ST=$(wait_socket 'tlsvp-*') || fail "(d) no socket for the TLS VP appeared"
SP=$(wait_socket 'plainvp-*') ||
    fail "(d) no socket for the plaintext VP appeared"
client_bg d_tls "$ST" 'send:ping -c 2 -i 1 127.0.0.1\n' \
    'until:OK id-[0-9]+' 'send:done\n' 'until:^OK$' readeof
dt=$CLIENT_PID
client_bg d_plain "$SP" 'send:ping -c 2 -i 1 127.0.0.1\n' \
    'until:OK id-[0-9]+' 'send:done\n' 'until:^OK$' readeof
dp=$CLIENT_PID
wait "$dt" || fail "(d) the ping through the TLS VP did not complete"
wait "$dp" || fail "(d) the ping through the plaintext VP did not complete"
decode d_tls
decode d_plain
check_ping d_tls 127.0.0.1 2
check_ping d_plain 127.0.0.1 2
[ -S "$ST" ] && [ -S "$SP" ] || fail "(d) a VP socket vanished"
daemon_alive || fail "(d) daemon died"
say "(d) ok: TLS and plaintext VPs on one port"
pass
