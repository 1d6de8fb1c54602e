#!/bin/sh
# tlsauth.sh: client-certificate authentication (-C) and
# -O skipnameverification.
#
# Each VP is real scamper behind a socat relay that speaks TLS to the
# daemon (see tls.sh), presenting the client certificate given to socat.
#
# Asserts:
#   - "-O allowplaintext" together with -C is refused at start-up
#     (non-zero exit within 10 s, nothing listening);
#   - daemon with -c/-p -C ca.pem: scamper -M vp1 presenting vp1's
#     certificate (SAN DNS:vp1) gets a socket and answers a ping;
#   - refused, each with no new socket in the -U directory for 5 s, a
#     daemon log line saying why, the daemon still running and the good
#     VP still answering a ping afterwards:
#       no client certificate            (log: no certificate)
#       vp1 certificate from another CA  (log: certificate verify failed)
#       expired vp1 certificate          (log: ... expired)
#       vp2's certificate with -M vp1    (log: certificate ... is not for
#                                         monitor name vp1)
#       vp1's certificate without -M     (log: no monitor name)
#   - a certificate with CN vp3 and no subjectAltName is accepted for
#     -M vp3 (the CN is used when there is no DNS SAN);
#   - daemon with -C and -O skipnameverification: vp2's certificate with
#     -M vp1 is accepted (socket vp1-*, ping), and so is vp1's certificate
#     with no -M at all; a link with no client certificate is still
#     refused.
#
# Copyright (C) 2026 The sc_remoted authors.
# SPDX-License-Identifier: GPL-2.0-only
. "$(dirname "$0")/lib.sh"
. "$INTEG_DIR/tlscerts.sh"
require_scamper
require_tls
make_certs

# How long a refused VP is watched for a socket.
NEG_WAIT=${NEG_WAIT:-5}

# ---- -O allowplaintext cannot go with -C.
xport=$(free_port) || fail "no free port"
# shellcheck disable=SC2086
"$SC_REMOTED" -P "127.0.0.1:$xport" -U "$SOCKDIR" $BACKEND_OPTS \
    -c "$C/server.pem" -p "$C/server.key" -C "$C/ca.pem" \
    -O allowplaintext </dev/null >"$T/xplain.log" 2>&1 &
xpid=$!
track "$xpid"
wait_exit "$xpid" 10 || fail "-C with -O allowplaintext: daemon still runs"
[ "$EXIT_STATUS" != 0 ] || fail "-C with -O allowplaintext: exit status 0"
grep -q 'listening on' "$T/xplain.log" &&
    fail "-C with -O allowplaintext: the daemon listened"
say "ok: -C with -O allowplaintext refused (status $EXIT_STATUS)"

# accepted NAME GLOB [SCAMPER-ARGS] [-- SOCAT-OPTIONS]: the VP gets a
# socket matching GLOB and answers a ping; sets ACC to the socket.
accepted() {
	_ac_name=$1
	_ac_glob=$2
	shift 2
	start_tls_vp "$_ac_name" "$@"
	ACC=$(wait_socket "$_ac_glob") ||
	    fail "$_ac_name: no socket $_ac_glob appeared"
	ping_ok "$_ac_name" "$ACC" 1
	say "ok: $_ac_name accepted ($(basename "$ACC"))"
}

# refused NAME ERE [SCAMPER-ARGS] [-- SOCAT-OPTIONS]: the VP gets no
# socket for NEG_WAIT s, the daemon logs a line matching ERE, stays up,
# and the VP in $GOOD still answers.
refused() {
	_rf_name=$1
	_rf_ere=$2
	shift 2
	_rf_mark=$(log_mark)
	_rf_before=$(ls -A "$SOCKDIR")
	start_tls_vp "$_rf_name" "$@"
	_rf_n=$((NEG_WAIT * 10))
	while [ $_rf_n -gt 0 ]; do
		_rf_now=$(ls -A "$SOCKDIR")
		[ "$_rf_now" = "$_rf_before" ] ||
		    fail "$_rf_name: a socket appeared: $(echo "$_rf_now" | tr '\n' ' ')"
		sleep 0.1
		_rf_n=$((_rf_n - 1))
	done
	wait_log "$_rf_mark" "$_rf_ere" 5 ||
	    fail "$_rf_name: the daemon did not log /$_rf_ere/"
	say "ok: $_rf_name refused; log: $(log_since "$_rf_mark" |
	    grep -E -- "$_rf_ere" | head -n 1 | sed 's/^\[[^]]*\] //')"
	grep -Eq 'SSL connection using|successfully connected' \
	    "$T/socat.$_rf_name.log" ||
	    fail "$_rf_name: socat never reached the daemon"
	daemon_alive || fail "$_rf_name: daemon died"
	stop_pid "$VP_PID"
	stop_pid "$SOCAT_PID"
	[ -S "$GOOD" ] || fail "$_rf_name: the good VP's socket vanished"
	ping_ok "good-after-$_rf_name" "$GOOD" 1
}

# ---- -C: the certificate must verify and name the monitor.
start_daemon -c "$C/server.pem" -p "$C/server.key" -C "$C/ca.pem"
wait_log 0 'client certificates required' 5 ||
    fail "the daemon did not log that it requires client certificates"
accepted vp1 'vp1-*' -M vp1 -- "cert=$C/vp1.pem" "key=$C/vp1.key"
GOOD=$ACC
GOOD_VP=$VP_PID

NOCERT='no client certificate|did not return a certificate|certificate required'
refused nocert "$NOCERT" -M vp1
refused otherca 'certificate verify failed|unable to get (local )?issuer' \
    -M vp1 -- "cert=$C/vp1other.pem" "key=$C/vp1other.key"
refused expired 'expired' \
    -M vp1 -- "cert=$C/vp1exp.pem" "key=$C/vp1exp.key"
refused mismatch 'certificate .*is not for monitor name vp1' \
    -M vp1 -- "cert=$C/vp2.pem" "key=$C/vp2.key"
refused noname 'no monitor name' \
    -- "cert=$C/vp1.pem" "key=$C/vp1.key"
accepted vp3cn 'vp3-*' -M vp3 -- "cert=$C/vp3.pem" "key=$C/vp3.key"
stop_pid "$VP_PID"
stop_pid "$SOCAT_PID"
[ -S "$GOOD" ] || fail "the good VP's socket vanished"
daemon_alive || fail "daemon died"
stop_pid "$GOOD_VP"
stop_daemon

# ---- -C with -O skipnameverification: only the chain counts.
use_port "$(free_port)" || fail "no free port"
start_daemon -c "$C/server.pem" -p "$C/server.key" -C "$C/ca.pem" \
    -O skipnameverification
accepted skip-vp2as1 'vp1-*' -M vp1 -- "cert=$C/vp2.pem" "key=$C/vp2.key"
GOOD=$ACC
accepted skip-noname '127.0.0.1:*' -- "cert=$C/vp1.pem" "key=$C/vp1.key"
stop_pid "$VP_PID"
stop_pid "$SOCAT_PID"
refused skip-nocert "$NOCERT" -M vp1
pass
