#!/bin/sh
# flow.sh: flow control between a VP and slow local clients.
#
# Asserts, with simulated VPs (tests/vpsim) streaming full-size frames:
#  1. A client that does not read at first, then reads slowly, gets
#     every byte (twelve tries; three wait 0.5, 1 and 2 s first).  Regression:
#     output flushed while the client's socket was full was never
#     retried, and the transfer stalled for good.
#  2. A client that never reads while its VP streams 256 MB: the
#     daemon's resident memory grows by less than 16 MiB, and a client
#     of another VP keeps getting complete answers meanwhile.
#
# Copyright (C) 2026 The sc_remoted authors.
# SPDX-License-Identifier: GPL-2.0-only
. "$(dirname "$0")/lib.sh"

VPSIM=${VPSIM:-$top_builddir/tests/vpsim}
[ -x "$VPSIM" ] || skip "tests/vpsim not built"
require pgrep

start_daemon

# reader SOCK DELAY: connect, wait DELAY s, then read to EOF in small
# bites with short pauses, so that the socket is often full just after
# the daemon emptied its buffer into it; prints the byte count.
reader() {
	"$PY" - "$1" "$2" <<'PYEOF'
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
time.sleep(float(sys.argv[2]))
n = 0
s.settimeout(10)
try:
	while True:
		d = s.recv(8192)
		if not d:
			break
		n += len(d)
		time.sleep(0.0002)
except socket.timeout:
	pass
print(n)
PYEOF
}

rss_kib() {
	awk '/^VmRSS:/ {print $2}' "/proc/$DAEMON_PID/status"
}

BYTES=4194304
i=0
for delay in 0.5 1 2 0 0 0 0 0 0 0 0 0; do
	i=$((i + 1))
	"$VPSIM" -P "$LISTEN_ADDR" -M bulk$i -m bulk -b $BYTES -t 60 \
	    >"$T/vpsim.bulk$i.log" 2>&1 &
	track $!
	S=$(wait_socket "bulk$i-0-*") || fail "no socket for bulk$i"
	got=$(reader "$S" $delay)
	[ "$got" = $BYTES ] ||
	    fail "client that waited ${delay}s got $got of $BYTES bytes"
	say "waited ${delay}s, then got all $BYTES bytes"
done

# 2. Never reading.  An echo VP answers the other client meanwhile.
"$VPSIM" -P "$LISTEN_ADDR" -M echo -m echo -t 60 >"$T/vpsim.echo.log" 2>&1 &
track $!
E=$(wait_socket 'echo-0-*') || fail "no socket for the echo VP"
"$VPSIM" -P "$LISTEN_ADDR" -M flood -m bulk -b 268435456 -t 60 \
    >"$T/vpsim.flood.log" 2>&1 &
track $!
F=$(wait_socket 'flood-0-*') || fail "no socket for the flood VP"
before=$(rss_kib)
"$PY" -c 'import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); time.sleep(30)' \
    "$F" &
track $!
sleep 3
# The other VP answers 200 round trips in order while the flood is held.
"$PY" - "$E" <<'PYEOF' || fail "the echo VP stopped answering"
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.settimeout(5)
buf = b''
worst = 0.0
for i in range(200):
	t = time.time()
	s.sendall(b'cmd %d\n' % i)
	want = b'OK cmd %d\n' % i
	while want not in buf:
		d = s.recv(65536)
		if not d:
			sys.exit('EOF from the echo VP')
		buf += d
	buf = buf[buf.index(want) + len(want):]
	worst = max(worst, time.time() - t)
print('200 round trips, worst %.1f ms' % (worst * 1000))
if worst > 1.0:
	sys.exit('a round trip took %.3f s' % worst)
PYEOF
after=$(rss_kib)
growth=$(( (after - before) / 1024 ))
say "RSS before ${before} KiB, with a client not reading ${after} KiB"
# Redzones and ASan's quarantine cost more: twice the bound there.
limit=16
[ -n "${SC_SANITIZED:-}" ] && limit=32
[ $growth -lt $limit ] ||
    fail "daemon grew by $growth MiB under a client that does not read"
daemon_alive || fail "daemon died"
pass
