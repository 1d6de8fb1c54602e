#!/bin/sh
# signals.sh: SIGHUP, SIGINT and SIGTERM against a daemon with a VP.
#
# Asserts, for each of SIGINT and SIGTERM (a fresh daemon each):
#   - the -e pid file holds the daemon's pid while it runs;
#   - (SIGINT run only) SIGHUP without TLS changes nothing: the daemon
#     keeps running and the VP's socket stays;
#   - after the signal the daemon exits within 10 s with status 0, the
#     -U directory is empty (VP socket unlinked), the pid file is gone,
#     and a local client that was connected sees EOF.
# And the same when SIGTERM keeps coming, as fast as the shell can send
# it, until the daemon is gone (SIGTERMS): the clean-up finishes all the
# same.
#
# The SIGTERM half is what our daemon must do (daemon-behaviour.md W20,
# W26); the 20211212 reference has no SIGTERM handler (status 143, socket
# and pid file left behind), so it fails that half by design.  Set
# SIGNALS_SKIP_TERM=1 to run only the SIGINT half.
#
# Copyright (C) 2026 The sc_remoted authors.
# SPDX-License-Identifier: GPL-2.0-only
. "$(dirname "$0")/lib.sh"
require_scamper

# run_signal SIG NAME
run_signal() {
	sig=$1
	vp=$2
	pidfile=$T/remoted.$vp.pid
	start_daemon -e "$pidfile"
	[ -f "$pidfile" ] || fail "$sig: pid file $pidfile not written"
	[ "$(cat "$pidfile")" = "$DAEMON_PID" ] ||
	    fail "$sig: pid file holds '$(cat "$pidfile")', daemon is $DAEMON_PID"
	start_vp -M "$vp"
	S=$(wait_socket "$vp-*") || fail "$sig: no socket for VP $vp appeared"
	client_bg "held-$vp" "$S" 'until:MORE' readeof
	held=$CLIENT_PID
	n=0
	until grep -q 'matched' "$T/held-$vp.log" 2>/dev/null; do
		[ $n -ge 100 ] && fail "$sig: held client got no MORE"
		sleep 0.1
		n=$((n + 1))
	done

	if [ "$sig" = INT ]; then
		kill -HUP "$DAEMON_PID"
		sleep 0.5
		daemon_alive || fail "SIGHUP killed the daemon"
		[ -S "$S" ] || fail "SIGHUP removed the VP socket"
	fi

	if [ "$sig" = TERMS ]; then
		# SIGTERM again and again until it is gone: the later
		# ones land during the clean-up, which must still finish.
		n=0
		while kill -TERM "$DAEMON_PID" 2>/dev/null &&
		    [ $n -lt 100000 ]; do
			n=$((n + 1))
		done
	else
		kill -"$sig" "$DAEMON_PID"
	fi
	wait_exit "$DAEMON_PID" 10 || fail "SIG$sig: daemon still running after 10 s"
	[ "$EXIT_STATUS" = 0 ] ||
	    fail "SIG$sig: daemon exit status $EXIT_STATUS, want 0"
	left=$(ls -A "$SOCKDIR")
	[ -z "$left" ] || fail "SIG$sig: -U directory not empty: $left"
	[ ! -e "$pidfile" ] || fail "SIG$sig: pid file not removed"
	wait_exit "$held" 5 || fail "SIG$sig: connected client not closed"
	say "SIG$sig: clean exit"
	kill_tree TERM "$VP_PID"
}

run_signal INT sigint
if [ "${SIGNALS_SKIP_TERM:-0}" = 1 ]; then
	say "SIGTERM half skipped (SIGNALS_SKIP_TERM=1)"
else
	PORT=$(free_port) || fail "no free port found"
	LISTEN_ADDR="127.0.0.1:$PORT"
	REMOTE_ADDR="127.0.0.1:$PORT"
	run_signal TERM sigterm
	PORT=$(free_port) || fail "no free port found"
	LISTEN_ADDR="127.0.0.1:$PORT"
	REMOTE_ADDR="127.0.0.1:$PORT"
	run_signal TERMS sigterms
fi
pass
