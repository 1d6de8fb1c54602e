#!/bin/sh
# zombie.sh: what happens to a VP and its local clients when its link
# breaks (remote-protocol.md section 10, vectors/07 E22 and E33).
#
# Three daemons, each with a real scamper dialling it through
# tests/relay.py, and a local client on the VP's socket holding a
# channel open (it has received scamper's MORE).  The relay then cuts
# the link (closes both TCP connections):
#   (a) -Z 3:   the socket is removed at once (< 1 s); the client stays
#               connected (no EOF 1.5 s after the cut) and gets EOF when
#               the zombie expires, 2-8 s after the cut; the daemon logs
#               the expiry.
#   (b) -Z 0:   the socket is removed at once (< 1 s) and the client gets
#               EOF at once (< 2 s).
#   (c) -Z 900: after the cut the client writes "ping -c 1 127.0.0.1\n"
#               to the zombie; nothing comes back while the VP is a
#               zombie; scamper resumes (30-61 s later) under a new
#               socket name, the daemon logs a resumption, and the
#               client receives the
#               ping result (the queued frame was retransmitted); after
#               "done" it reads to EOF; the transcript holds one ping
#               with replies.
# (a) and (b) run while (c) waits for scamper; about 40-75 s in all.
#
# Copyright (C) 2026 The sc_remoted authors.
# SPDX-License-Identifier: GPL-2.0-only
TEST_TIMEOUT=${TEST_TIMEOUT:-150}
. "$(dirname "$0")/lib.sh"
require_scamper

RELAY=$INTEG_DIR/../relay.py
[ -f "$RELAY" ] || fail "$RELAY missing"
RESUME_WAIT=${RESUME_WAIT:-80}

# A local client: connects, waits for MORE (the channel is open), then
# writes $T/NAME.ready; it saves what it receives to $T/NAME.raw, sends
# the contents of $T/NAME.send whenever that file appears (and removes
# it), keeps "lines DATA" counts in $T/NAME.progress and, at EOF,
# writes the wall-clock time to $T/NAME.eof and exits 0.
cat >"$T/holder.py" <<'EOF'
import os, re, select, socket, sys, time
path, base, total = sys.argv[1], sys.argv[2], float(sys.argv[3])
end = time.monotonic() + total
def log(m):
    sys.stderr.write("[%.3f] %s\n" % (time.time(), m)); sys.stderr.flush()
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(5); s.connect(path); s.setblocking(False)
log("connected to %s" % path)
buf = bytearray(); ready = False
open(base + ".raw", "wb").close()
def scan():
    i = 0; n = 0; lines = []
    while True:
        j = buf.find(b"\n", i)
        if j < 0: return n, lines
        line = bytes(buf[i:j]); i = j + 1
        m = re.fullmatch(rb"DATA (\d+)", line)
        if m:
            if len(buf) - i < int(m.group(1)): return n, lines
            i += int(m.group(1)); n += 1
        else:
            lines.append(line)
while time.monotonic() < end:
    if os.path.exists(base + ".send"):
        msg = open(base + ".send", "rb").read()
        os.unlink(base + ".send")
        s.setblocking(True); s.sendall(msg); s.setblocking(False)
        log("sent %r" % msg)
    r, _, _ = select.select([s], [], [], 0.05)
    if not r: continue
    try: chunk = s.recv(65536)
    except ConnectionResetError: chunk = b""
    if not chunk:
        t = time.time()
        with open(base + ".eof", "w") as f: f.write("%.3f\n" % t)
        log("EOF after %d bytes" % len(buf))
        sys.exit(0)
    buf += chunk
    with open(base + ".raw", "ab") as f: f.write(chunk)
    n, lines = scan()
    with open(base + ".progress.tmp", "w") as f:
        f.write("%d %s\n" % (n, b" ".join(l.replace(b" ", b"_") for l in lines).decode("ascii", "replace")))
    os.rename(base + ".progress.tmp", base + ".progress")
    if not ready and b"MORE" in lines:
        ready = True; open(base + ".ready", "w").close(); log("channel open")
log("FAIL: no EOF within %.0f s" % total)
sys.exit(1)
EOF

now() { "$PY" -c 'import time; print("%.3f" % time.time())'; }
# elapsed T0 T1: T1 - T0 in seconds, one decimal.
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f\n", b - a }'; }
# between X LO HI: LO <= X <= HI
between() { awk -v x="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(x >= lo && x <= hi) }'; }

# inst NAME ZOMBIE_SECS: a daemon (log $T/daemon-NAME.log, sockets in
# $T/NAME), a relay in front of it (log $T/relay-NAME.log, control FIFO
# $T/NAME.ctl) and scamper -M NAME dialling the relay.
inst() {
	_n=$1
	mkdir -m 700 "$T/$_n" || fail "mkdir $T/$_n"
	_dp=$(free_port) || fail "no free port"
	_rp=$(free_port) || fail "no free port"
	[ "$_rp" = "$_dp" ] && { _rp=$(free_port) || fail "no free port"; }
	# shellcheck disable=SC2086
	"$SC_REMOTED" -P "127.0.0.1:$_dp" -U "$T/$_n" -O debug $BACKEND_OPTS \
	    -Z "$2" </dev/null >>"$T/daemon-$_n.log" 2>&1 &
	eval "DPID_$_n=$!"
	track $!
	timeout 15 "$PY" "$FAKEVP" waitport 127.0.0.1 "$_dp" 10 $! ||
	    fail "($_n) daemon not accepting on port $_dp"
	"$PY" "$RELAY" --ctl "$T/$_n.ctl" --ready "$T/$_n.rready" \
	    "$_rp" "$_dp" </dev/null 2>"$T/relay-$_n.log" &
	track $!
	_w=0
	until [ -s "$T/$_n.rready" ]; do
		[ $_w -ge 100 ] && fail "($_n) relay did not start"
		sleep 0.1
		_w=$((_w + 1))
	done
	"$PY" "$FAKEVP" reap scamper -R "127.0.0.1:$_rp" -M "$_n" </dev/null \
	    >"$T/scamper-$_n.log" 2>&1 &
	track $!
}

# sock_of NAME: the VP's socket in $T/NAME (empty if none).
sock_of() {
	for _s in "$T/$1/$1"-*; do
		[ -S "$_s" ] && { printf '%s\n' "$_s"; return 0; }
	done
	return 1
}
# wait_sock NAME SECS [NOT]: wait for a socket other than NOT; print it.
wait_sock() {
	_ws_n=$(( $2 * 10 ))
	while :; do
		_s=$(sock_of "$1") && [ "$_s" != "${3:-}" ] &&
		    { printf '%s\n' "$_s"; return 0; }
		[ $_ws_n -le 0 ] && return 1
		sleep 0.1
		_ws_n=$((_ws_n - 1))
	done
}
# holder NAME: start a holding client on NAME's VP socket, wait for MORE.
holder() {
	_s=$(wait_sock "$1" 20) || fail "($1) no VP socket appeared"
	timeout 130 "$PY" "$T/holder.py" "$_s" "$T/$1" 120 </dev/null \
	    2>"$T/$1.log" &
	eval "HPID_$1=$!"
	track $!
}
wait_ready() {
	_w=0
	until [ -e "$T/$1.ready" ]; do
		[ $_w -ge 150 ] && fail "($1) the client's channel did not open"
		sleep 0.1
		_w=$((_w + 1))
	done
}
relay_cut() { echo close >"$T/$1.ctl"; }

inst c 900
inst a 3
inst b 0
holder c
holder a
holder b
wait_ready c
wait_ready a
wait_ready b
SC=$(sock_of c)
SA=$(sock_of a)
SB=$(sock_of b)

# (c) cut, then write to the zombie.
say "(c) cut; the client writes to the zombie"
resumed=$(grep -c ': resumed' "$T/daemon-c.log")
relay_cut c
wait_gone "$SC" 1 || fail "(c) socket not removed within 1 s of the cut"
[ -e "$T/c.eof" ] && fail "(c) client got EOF at the cut"
printf 'ping -c 1 127.0.0.1\n' >"$T/c.send.tmp"
mv "$T/c.send.tmp" "$T/c.send"
TC=$(now)

# (a) -Z 3.
say "(a) -Z 3: cut"
T0=$(now)
relay_cut a
wait_gone "$SA" 1 || fail "(a) socket not removed within 1 s of the cut"
sleep 1.5
[ -e "$T/a.eof" ] && fail "(a) client got EOF $(elapsed "$T0" "$(cat "$T/a.eof")") s after the cut, before the 3 s zombie deadline"
eval "wait_exit \$HPID_a 10" || fail "(a) client not closed within 11.5 s of the cut"
[ "$EXIT_STATUS" = 0 ] || fail "(a) client failed"
d=$(elapsed "$T0" "$(cat "$T/a.eof")")
say "(a) client EOF $d s after the cut"
between "$d" 2 8 || fail "(a) client EOF $d s after the cut, want 2-8 s (-Z 3)"
grep -q 'zombie expired\|expired' "$T/daemon-a.log" ||
    fail "(a) the daemon did not log the zombie's expiry"

# (b) -Z 0.
say "(b) -Z 0: cut"
T0=$(now)
relay_cut b
wait_gone "$SB" 1 || fail "(b) socket not removed within 1 s of the cut"
eval "wait_exit \$HPID_b 3" || fail "(b) client not closed within 3 s of the cut"
[ "$EXIT_STATUS" = 0 ] || fail "(b) client failed"
d=$(elapsed "$T0" "$(cat "$T/b.eof")")
say "(b) client EOF $d s after the cut"
between "$d" 0 2 || fail "(b) client EOF $d s after the cut, want < 2 s (-Z 0)"

# (c) wait for the resume.  Nothing may come back before it.
say "(c) waiting for scamper to resume"
n=0
while :; do
	prog=$(cat "$T/c.progress" 2>/dev/null)
	S2=$(sock_of c) && [ "$S2" != "$SC" ] && break
	case $prog in
	*OK_id-*) fail "(c) the command was answered while the VP was a zombie" ;;
	esac
	[ -e "$T/c.eof" ] && fail "(c) the client got EOF while the VP was a zombie"
	[ $n -ge $((RESUME_WAIT * 10)) ] &&
	    fail "(c) scamper did not resume within $RESUME_WAIT s"
	sleep 0.1
	n=$((n + 1))
done
say "(c) resumed after $(elapsed "$TC" "$(now)") s: $(basename "$S2") (was $(basename "$SC"))"
n=0
until [ "$(grep -c ': resumed' "$T/daemon-c.log")" -gt "$resumed" ]; do
	[ $n -ge 30 ] && fail "(c) the daemon did not log a resumption"
	sleep 0.1
	n=$((n + 1))
done
# list, cycle start, ping result
n=0
until [ "$(cut -d' ' -f1 "$T/c.progress" 2>/dev/null || echo 0)" -ge 3 ]; do
	[ $n -ge 150 ] && fail "(c) no ping result within 15 s of the resume"
	[ -e "$T/c.eof" ] && fail "(c) EOF before the ping result"
	sleep 0.1
	n=$((n + 1))
done
printf 'done\n' >"$T/c.send.tmp"
mv "$T/c.send.tmp" "$T/c.send"
eval "wait_exit \$HPID_c 20" || fail "(c) no EOF within 20 s of done"
[ "$EXIT_STATUS" = 0 ] || fail "(c) client failed"
decode c
check_ping c 127.0.0.1 1

for x in a b c; do
	eval "alive \$DPID_$x" || fail "($x) daemon died"
done
pass
