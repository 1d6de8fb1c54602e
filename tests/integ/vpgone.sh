#!/bin/sh
# vpgone.sh: with -Z 0 a VP whose scamper dies is discarded at once.
#
# Asserts: after scamper is killed with SIGKILL, the VP's socket is
# removed within 5 s, a local client that was connected to it sees EOF
# within 5 s, and the daemon keeps running; a second scamper can then
# connect (new socket) and a ping through it returns a complete result.
#
# Copyright (C) 2026 The sc_remoted authors.
# SPDX-License-Identifier: GPL-2.0-only
. "$(dirname "$0")/lib.sh"
require_scamper

start_daemon -Z 0
start_vp -M vpa
S=$(wait_socket 'vpa-*') || fail "no socket for VP vpa appeared"

# A client that holds a channel open: it must be closed with the VP.
client_bg held "$S" 'until:MORE' readeof
HELD=$CLIENT_PID
# Wait for its channel to be up (scamper's MORE arrived) before the kill.
n=0
until grep -q 'matched' "$T/held.log" 2>/dev/null; do
	[ $n -ge 100 ] && fail "held client got no MORE from scamper"
	sleep 0.1
	n=$((n + 1))
done

main=$(vp_main_pid) || fail "cannot find scamper's pid"
kill -KILL "$main" || fail "cannot kill scamper"
wait_gone "$S" 5 || fail "socket $S still present 5 s after scamper died"
wait_exit "$HELD" 5 || fail "held client not closed 5 s after scamper died"
[ "$EXIT_STATUS" = 0 ] || fail "held client did not see a clean EOF"
daemon_alive || fail "daemon died when its VP went away"
wait_exit "$VP_PID" 5 || fail "scamper wrapper still running"

start_vp -M vpb
S2=$(wait_socket 'vpb-*') || fail "no socket for the second VP appeared"
client_cmd c "$S2" 'send:ping -c 1 127.0.0.1\n' ||
    fail "client c did not complete on the second VP"
decode c
check_ping c 127.0.0.1 1
[ ! -e "$S" ] || fail "first VP's socket came back"

daemon_alive || fail "daemon died"
pass
