#!/bin/sh
# muxbad.sh: malformed and unusual input on the mux socket
# (mux-protocol.md sections 7.6 and 8), played by tests/muxclient.py
# against a daemon with two real scamper VPs, vb1 and vb2.
#
# Survivors: before any case, a mux client K opens a channel on vb1 and
# a local client U connects to vb1's -U socket (both have had scamper's
# MORE).  After every case the daemon runs and both VP sockets exist; at
# the end K and U each run a ping that must succeed.
#
# Each of these closes that mux connection (within 3 s, after GO), and
# only it (section 8):
#   channel-0 message with length 0, and with length 1;
#   channel-0 length 65,537 and 0xffffffff (the header alone suffices);
#   CHANNEL_OPEN with a 7-byte payload, and with none;
#   CHANNEL_OPEN with channel id 0;
#   CHANNEL_OPEN of a channel already open (in the same write, and
#   after the first has had MORE);
#   CHANNEL_CLOSE with a 3-byte payload, and with none;
#   length 1 on a connection with a channel open.
# These keep the connection (and a later valid CHANNEL_OPEN works):
#   a 65,536-byte control message of an unknown type (the limit itself);
#   control types 0, 1, 2, 5 and 0xffff from the client (ignored);
#   CHANNEL_CLOSE for an unknown channel (ignored);
#   CHANNEL_OPEN with 4 trailing bytes (they are ignored, the channel works);
#   CHANNEL_OPEN for VP ids 999 and 0: CHANNEL_CLOSE(chan) comes back, and
#   the id can then be opened on a real VP;
#   data for channels never opened, and for one the daemon closed:
#   discarded silently (nothing comes back on them);
#   CHANNEL_OPEN and a data frame written one byte at a time: the channel
#   works and the ping in that frame runs;
#   a client CHANNEL_CLOSE (sent twice) after "ping -c 2" was accepted:
#   end of input, scamper finishes, the ping result arrives, then
#   CHANNEL_CLOSE; a command sent after it is not run.
# A client that stops reading: it floods vb1 with 100,000 bad command
# lines (about 2.5 MB of "ERR" replies) and reads nothing for 6 s;
# meanwhile a ping over the mux on vb2 completes within 5 s; then the
# slow client reads every reply.
#
# Copyright (C) 2026 The sc_remoted authors.
# SPDX-License-Identifier: GPL-2.0-only
TEST_TIMEOUT=${TEST_TIMEOUT:-150}
. "$(dirname "$0")/lib.sh"
require_scamper

MUXC=$INTEG_DIR/../muxclient.py
[ -f "$MUXC" ] || fail "$MUXC missing"

muxc() {
	timeout $((CLIENT_TIMEOUT + 10)) "$PY" "$MUXC" \
	    --timeout "$CLIENT_TIMEOUT" "$@"
}
jcheck() { "$PY" "$MUXC" eval "$@"; }
now() { "$PY" -c 'import time; print("%.3f" % time.time())'; }
wait_for() {
	_wf_n=$(( $1 * 10 ))
	shift
	until "$@" 2>/dev/null; do
		[ $_wf_n -le 0 ] && return 1
		sleep 0.1
		_wf_n=$((_wf_n - 1))
	done
}
# warts_sum NAME: $T/NAME.warts -> NAME.json -> NAME.sum
warts_sum() {
	timeout 10 sc_warts2json "$T/$1.warts" >"$T/$1.json" 2>>"$T/$1.log" ||
	    fail "$1: sc_warts2json failed"
	"$PY" "$FAKEVP" summary "$T/$1.json" >"$T/$1.sum" ||
	    fail "$1: sc_warts2json output is not JSON"
	sed "s/^/  $1: /" "$T/$1.sum"
}

start_daemon -M "$T/mux"
wait_for 5 test -S "$T/mux" || fail "mux socket not created"
start_vp -M vb1
start_vp -M vb2
S1=$(wait_socket 'vb1-*' 20) || fail "no socket for VP vb1 appeared"
S2=$(wait_socket 'vb2-*' 20) || fail "no socket for VP vb2 appeared"
muxc list "$T/mux" >"$T/l.list" 2>"$T/l.log" || fail "list failed"
ID1=$(jcheck "$T/l.list" "[v['id'] for v in vps if v.get('name') == 'vb1'][0]") ||
    fail "vb1 not listed"
ID2=$(jcheck "$T/l.list" "[v['id'] for v in vps if v.get('name') == 'vb2'][0]") ||
    fail "vb2 not listed"
V1=$(printf '%08x' "$ID1")
say "vb1 is VP $ID1, vb2 is VP $ID2"

# Survivor K: a mux channel on vb1, used at the end.
muxc --timeout 120 run "$T/mux" open:vb1:9 'until:9:^MORE$' \
    "touch:$T/k.ready" "waitfile:$T/k.go" 'send:9:ping -c 2 127.0.0.1\n' \
    'until:9:^OK id-[0-9]+$' 'send:9:done\n' expect-close:9 \
    "warts:9:$T/k.warts" >"$T/k.out" 2>"$T/k.log" &
K=$!
track "$K"
# Survivor U: a local client on vb1's -U socket.
cat >"$T/holder.py" <<'EOF'
import os, re, select, socket, sys, time
path, base = sys.argv[1], sys.argv[2]
end = time.monotonic() + 120
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(5); s.connect(path); s.setblocking(False)
buf = bytearray(); state = 0
def text():
    out = []; i = 0
    while True:
        j = buf.find(b"\n", i)
        if j < 0: return out
        ln = bytes(buf[i:j]); i = j + 1
        m = re.fullmatch(rb"DATA (\d+)", ln)
        if m: i += int(m.group(1))
        else: out.append(ln)
def send(b):
    s.setblocking(True); s.sendall(b); s.setblocking(False)
while time.monotonic() < end:
    lines = text()
    if state == 0 and b"MORE" in lines:
        open(base + ".ready", "w").close(); state = 1
    if state == 1 and os.path.exists(base + ".go"):
        send(b"ping -c 2 127.0.0.1\n"); state = 2
    if state == 2 and any(re.fullmatch(rb"OK id-\d+", l) for l in lines):
        send(b"done\n"); state = 3
    r, _, _ = select.select([s], [], [], 0.05)
    if not r: continue
    try: chunk = s.recv(65536)
    except ConnectionResetError: chunk = b""
    if not chunk:
        open(base + ".raw", "wb").write(buf)
        sys.exit(0 if state == 3 else 1)
    buf += chunk
open(base + ".raw", "wb").write(buf)
sys.exit(1)
EOF
timeout 130 "$PY" "$T/holder.py" "$S1" "$T/u" </dev/null 2>"$T/u.log" &
U=$!
track "$U"
wait_for 15 test -e "$T/k.ready" || fail "survivor K: channel did not open"
wait_for 15 test -e "$T/u.ready" || fail "survivor U: no MORE"

survivors() {
	daemon_alive || fail "daemon died ($1)"
	[ -S "$S1" ] && [ -S "$S2" ] || fail "a VP socket vanished ($1)"
	alive "$K" || fail "survivor K is gone ($1)"
	alive "$U" || fail "survivor U is gone ($1)"
}

# bad DESC HEX...: a fresh connection; the bytes (one write each) must
# make the daemon close it.
nbad=0
bad() {
	_d=$1
	shift
	muxc raw "$T/mux" "$@" --wait 3 --expect closed >"$T/bad.out" \
	    2>>"$T/bad.log" || fail "not disconnected: $_d ($(tail -n 1 "$T/bad.out"))"
	nbad=$((nbad + 1))
	survivors "$_d"
}
bad "channel-0 length 0" 00000000 00000000
bad "channel-0 length 1" 00000000000000017f
bad "channel-0 length 65537" 0000000000010001 0063000000000000
bad "channel-0 length 0xffffffff" 00000000ffffffff 0063
bad "CHANNEL_OPEN, 7-byte payload" "00000000 00000009 0003 $V1 000000"
bad "CHANNEL_OPEN, no payload" "00000000 00000002 0003"
bad "CHANNEL_OPEN of channel 0" "00000000 0000000a 0003 $V1 00000000"
bad "CHANNEL_OPEN twice, one write" \
    "00000000 0000000a 0003 $V1 00000007 00000000 0000000a 0003 $V1 00000007"
bad "CHANNEL_CLOSE, 3-byte payload" "00000000 00000005 0004 000000"
bad "CHANNEL_CLOSE, no payload" "00000000 00000002 0004"
muxc run "$T/mux" open:vb1:7 'until:7:^MORE$' \
    "raw:00000000 0000000a 0003 $V1 00000007" expect-eof \
    >"$T/dup.out" 2>"$T/dup.log" ||
    fail "CHANNEL_OPEN of a channel already open (after MORE): not disconnected"
survivors "CHANNEL_OPEN of an open channel"
muxc run "$T/mux" open:vb2:3 'until:3:^MORE$' "raw:00000000 00000001 00" \
    expect-eof >"$T/len1.out" 2>"$T/len1.log" ||
    fail "length 1 with a channel open: not disconnected"
survivors "length 1 with a channel open"
say "$((nbad + 2)) kinds of malformed input: each closed only its connection"

# ---------------------------------------------------------------------
# Input that keeps the connection.
muxc run "$T/mux" ctlpad:99:65536 expect-open:1 open:vb1:1 'until:1:^MORE$' \
    >"$T/big.out" 2>"$T/big.log" ||
    fail "a 65,536-byte control message (the limit) was refused"
muxc run "$T/mux" \
    "raw:00000000 0000000a 0000 $V1 00000001" \
    "raw:00000000 00000006 0001 $V1" \
    "raw:00000000 00000002 0002" \
    "raw:00000000 00000006 0005 00000001" \
    "raw:00000000 00000008 ffff 0102030405ff" \
    "raw:00000000 00000006 0004 00000037" \
    expect-open:1 open:vb1:1 'until:1:^MORE$' \
    "raw:00000000 0000000e 0003 $V1 00000002 deadbeef" 'until:2:^MORE$' \
    expect-open:1 >"$T/unk.out" 2>"$T/unk.log" ||
    fail "unknown control types, CHANNEL_CLOSE of an unknown channel or CHANNEL_OPEN with trailing bytes: $(tail -n 1 "$T/unk.log")"
survivors "unknown control types"
muxc run "$T/mux" 'open:#999:3' expect-close:3 'open:#0:4' expect-close:4 \
    expect-open:1 open:vb1:3 'until:3:^MORE$' \
    'send:4:ping -c 1 127.0.0.1\n' 'send:77:ping -c 1 127.0.0.1\n' \
    'send:12345678:done\n' expect-open:2 open:vb1:77 'until:77:^MORE$' \
    expect-open:1 >"$T/unkvp.out" 2>"$T/unkvp.log" ||
    fail "CHANNEL_OPEN for an unknown VP, or data for a channel not open: $(tail -n 1 "$T/unkvp.log")"
jcheck "$T/unkvp.out" "[e['chan'] for e in ev('CHANNEL_CLOSE')] == [3, 4]" ||
    fail "CHANNEL_OPEN for VPs 999 and 0: not exactly CHANNEL_CLOSE(3), CHANNEL_CLOSE(4)"
jcheck "$T/unkvp.out" "not [e for e in ev('DATA') if e['chan'] not in (3, 77)]" ||
    fail "data came back on a channel that was not open"
survivors "unknown VP ids, data for channels not open"
say "unknown types, the 65,536-byte limit, unknown VPs, stray data: connection kept"

# One byte per write.
OPEN2="00000000 0000000a 0003 $V1 00000002"
CMD=$(printf 'ping -c 1 127.0.0.1\n' | od -An -tx1 | tr -d ' \n')
LEN=$(printf '%08x' $(( ${#CMD} / 2 )))
muxc run "$T/mux" "slow:$OPEN2" 'until:2:^MORE$' "slow:00000002 $LEN $CMD" \
    'until:2:^OK id-[0-9]+$' 'send:2:done\n' expect-close:2 \
    "warts:2:$T/split.warts" >"$T/split.out" 2>"$T/split.log" ||
    fail "messages written one byte at a time: $(tail -n 1 "$T/split.log")"
warts_sum split
check_ping split 127.0.0.1 1
survivors "one byte per write"

# A client CHANNEL_CLOSE is end of input.
t0=$(now)
muxc run "$T/mux" open:vb2:1 'until:1:^MORE$' 'send:1:ping -c 2 127.0.0.1\n' \
    'until:1:^OK id-[0-9]+$' close:1 close:1 'send:1:ping -c 1 127.0.0.2\n' \
    expect-close:1 "warts:1:$T/hc.warts" expect-open:1 \
    >"$T/hc.out" 2>"$T/hc.log" ||
    fail "client CHANNEL_CLOSE: no CHANNEL_CLOSE from the daemon ($(tail -n 1 "$T/hc.log"))"
warts_sum hc
[ "$(grep -c '^ping ' "$T/hc.sum")" = 1 ] ||
    fail "client CHANNEL_CLOSE: want exactly one ping result (the one before the close)"
grep -q '^ping dst=127.0.0.1 sent=2 replies=[1-9]' "$T/hc.sum" ||
    fail "client CHANNEL_CLOSE: the ping before the close did not complete"
jcheck "$T/hc.out" "len(ev('CHANNEL_CLOSE', chan=1)) == 1" ||
    fail "client CHANNEL_CLOSE: want one CHANNEL_CLOSE(1)"
survivors "client CHANNEL_CLOSE"
say "client CHANNEL_CLOSE: scamper finished, then CHANNEL_CLOSE"

# ---------------------------------------------------------------------
# The survivors work.
touch "$T/k.go" "$T/u.go"
wait_exit "$K" 30 || fail "survivor K: ping did not complete"
[ "$EXIT_STATUS" = 0 ] || fail "survivor K failed ($(tail -n 1 "$T/k.log"))"
wait_exit "$U" 30 || fail "survivor U: ping did not complete"
[ "$EXIT_STATUS" = 0 ] || fail "survivor U failed"
warts_sum k
check_ping k 127.0.0.1 2
decode u
check_ping u 127.0.0.1 2
say "the mux client and the -U client that were there throughout still work"

# ---------------------------------------------------------------------
# A client that stops reading does not stall others.
muxc --timeout 60 run "$T/mux" open:vb1:1 'until:1:^MORE$' \
    'sendrep:1:100000:x\n' "touch:$T/s.ready" noread:6 \
    'lines:1:100000:^ERR' 'send:1:done\n' expect-close:1 \
    >/dev/null 2>"$T/slow.log" &
SL=$!
track "$SL"
wait_for 10 test -e "$T/s.ready" || fail "slow client did not start"
sleep 1
t0=$(now)
muxc ping "$T/mux" vb2 127.0.0.1 1 "$T/f.warts" >"$T/f.out" 2>"$T/f.log" ||
    fail "the ping on vb2 failed while another client did not read"
t1=$(now)
d=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
say "ping on vb2 took $d s while a client did not read its vb1 stream"
awk -v d="$d" 'BEGIN { exit !(d < 5) }' ||
    fail "the ping on vb2 took $d s: stalled by the client that does not read"
alive "$SL" || fail "the slow client was disconnected (or failed) while not reading"
warts_sum f
check_ping f 127.0.0.1 1
wait_exit "$SL" 60 || fail "the slow client did not get its whole stream"
[ "$EXIT_STATUS" = 0 ] || fail "the slow client did not get its whole stream ($(tail -n 1 "$T/slow.log"))"

daemon_alive || fail "daemon died"
[ -S "$S1" ] && [ -S "$S2" ] || fail "a VP socket vanished"
pass
