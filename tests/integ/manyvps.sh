#!/bin/sh
# manyvps.sh: VPs may fill the descriptor table; only strangers are kept
# out of its top.
#
# Asserts, with the daemon's descriptor limit lowered to 512: 225
# simulated VPs (two descriptors each, 450 in all, well past three
# quarters of the limit) all get their socket within 30 s.  Regression:
# links that had not identified themselves were refused any descriptor
# above three quarters of the limit, which also refused VPs arriving
# once many were connected (9,000 VPs under a limit of 20,000 got
# only 7,520 sockets).
#
# Copyright (C) 2026 The sc_remoted authors.
# SPDX-License-Identifier: GPL-2.0-only
. "$(dirname "$0")/lib.sh"

VPSIM=${VPSIM:-$top_builddir/tests/vpsim}
[ -x "$VPSIM" ] || skip "tests/vpsim not built"

N=225
# The daemon inherits the lowered (soft) limit; vpsim, started after,
# gets a wider one back.
hard=$(ulimit -H -n)
[ "$hard" = unlimited ] || [ "$hard" -ge 1024 ] ||
    skip "descriptor limit $hard is too low for the simulated VPs"
ulimit -S -n 512 || skip "cannot lower the descriptor limit"
start_daemon -Z 0
ulimit -S -n 1024 || fail "cannot raise the descriptor limit again"
"$VPSIM" -P "$LISTEN_ADDR" -M many -m idle -n $N -r 200 -t 60 \
    >"$T/vpsim.log" 2>&1 &
track $!

n=0
while :; do
	have=$(ls "$SOCKDIR" | grep -c '^many-')
	[ "$have" -ge $N ] && break
	[ $n -ge 300 ] && fail "only $have of $N VPs got a socket in 30 s"
	sleep 0.1
	n=$((n + 1))
done
say "all $N VPs have a socket ($(ls /proc/$DAEMON_PID/fd | wc -l) descriptors open)"
daemon_alive || fail "daemon died"
pass
