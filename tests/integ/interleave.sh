#!/bin/sh
# interleave.sh: every byte arrives intact when many links stream at once.
#
# Links share one read buffer, and a link whose read ended inside a
# frame leaves the start of that frame there until its next read, or
# until another link needs the buffer and the partial frame moves to
# the link's own.  With five simulated VPs streaming full-size frames
# at the same time, reads end inside frames and links take turns all
# the time.  Asserts that each client gets exactly the bytes its VP
# sent, in order, and that every VP saw each of its frames ACKed.
#
# Copyright (C) 2026 The sc_remoted authors.
# SPDX-License-Identifier: GPL-2.0-only
. "$(dirname "$0")/lib.sh"

VPSIM=${VPSIM:-$top_builddir/tests/vpsim}
[ -x "$VPSIM" ] || skip "tests/vpsim not built"

start_daemon

N=5
BYTES=20000000
i=0
socks=
vps=
while [ $i -lt $N ]; do
	"$VPSIM" -P "$LISTEN_ADDR" -M il$i -m bulk -b $BYTES -t 60 \
	    >"$T/vpsim.il$i.log" 2>&1 &
	track $!
	vps="$vps $!"
	i=$((i + 1))
done
i=0
while [ $i -lt $N ]; do
	S=$(wait_socket "il$i-0-*") || fail "no socket for VP il$i"
	socks="$socks $S"
	i=$((i + 1))
done

# Read every socket at once and compare with what vpsim sends: frames
# of 65535 bytes, each payload 'abc...' from its start, the last one
# shorter.
"$PY" - $BYTES $socks <<'PYEOF' || fail "a client got wrong bytes"
import selectors, socket, sys
total = int(sys.argv[1])
frame = bytes(ord('a') + i % 26 for i in range(65535))
want = (frame * (total // 65535 + 1))[:total]
sel = selectors.DefaultSelector()
got = {}
for path in sys.argv[2:]:
	s = socket.socket(socket.AF_UNIX)
	s.connect(path)
	s.setblocking(False)
	sel.register(s, selectors.EVENT_READ, path)
	got[path] = []
left = len(got)
while left > 0:
	ev = sel.select(timeout=20)
	if not ev:
		sys.exit('no data for 20 s')
	for key, _ in ev:
		d = key.fileobj.recv(1 << 20)
		if d:
			got[key.data].append(d)
			continue
		sel.unregister(key.fileobj)
		left -= 1
for path, parts in got.items():
	b = b''.join(parts)
	if b != want:
		n = min(len(b), len(want))
		k = next((i for i in range(n) if b[i] != want[i]), n)
		sys.exit('%s: %d bytes, want %d; first difference at %d' %
		    (path, len(b), len(want), k))
print('%d clients got their %d bytes each, intact' % (len(got), total))
PYEOF

# Stopped, each VP prints its summary: no protocol error, and every
# frame it sent was acknowledged in order.
kill -TERM $vps 2>/dev/null
for p in $vps; do
	wait_exit "$p" 10 || fail "vpsim $p did not stop"
done
i=0
while [ $i -lt $N ]; do
	grep -q ' errors=0 ' "$T/vpsim.il$i.log" ||
	    fail "VP il$i: $(tail -n 3 "$T/vpsim.il$i.log")"
	i=$((i + 1))
done
daemon_alive || fail "daemon died"
pass
