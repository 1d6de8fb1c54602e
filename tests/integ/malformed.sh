#!/bin/sh
# malformed.sh: malformed link input, played by tests/fakevp.py.
#
# A real scamper VP stays connected throughout.  Each case below uses a
# fresh TCP link from fakevp.py and asserts that the daemon closes that
# link within 5 s (remote-protocol.md section 14, vectors/07); for cases
# on an established link also that the fake VP's socket, present after
# MASTER_ID, is removed.  After every case the real VP's socket must
# still exist, and at the end a ping through it must still work.
#
# Cases (both the reference and our daemon):
#   pending link:  monitor name with '_'; MASTER_NEW with seq 1; a data
#     frame first; KEEPALIVE first; magic_len 0; MASTER_RES for an
#     unknown magic (MASTER_REJ, then close)
#   established:   unknown control type; KEEPALIVE with a payload; ACK
#     with nothing outstanding (a MASTER_RES for that VP then gets
#     MASTER_REJ, or MASTER_OK if the daemon kept it as a zombie); ACK
#     for the wrong frame; wrong seq; a second MASTER_NEW
#   positive:      MASTER_NEW sent one byte per write is accepted, and
#     MASTER_RES for that VP then gets MASTER_OK
# Cases for our daemon only (the 20211212 reference differs on purpose),
# run when SC_REMOTED_STRICT_NEW=1, or by default when SC_REMOTED is not
# /usr/bin/sc_remoted (SC_REMOTED_STRICT_NEW=0 turns them off):
#   a zero-length control frame on a pending link is closed at once;
#   data for an unknown channel and CHANNEL_FIN for an unknown channel
#   are ACKed and ignored, the link stays up and can still open channels.
#
# Copyright (C) 2026 The sc_remoted authors.
# SPDX-License-Identifier: GPL-2.0-only
. "$(dirname "$0")/lib.sh"
require_scamper

strict=${SC_REMOTED_STRICT_NEW:-}
if [ -z "$strict" ]; then
	real=$(cd "$(dirname "$SC_REMOTED")" && pwd -P)/$(basename "$SC_REMOTED")
	if [ "$real" = /usr/bin/sc_remoted ]; then strict=0; else strict=1; fi
fi

start_daemon
start_vp -M real
REAL=$(wait_socket 'real-*') || fail "no socket for the real VP appeared"

ncase=0
# case_ DESC STEP...: run fakevp.py link with the steps; must succeed.
case_() {
	_desc=$1
	shift
	ncase=$((ncase + 1))
	if link "$@" >"$T/case$ncase.log" 2>&1; then
		say "ok: $_desc"
	else
		sed 's/^/    /' "$T/case$ncase.log"
		fail "case $ncase ($_desc)"
	fi
	daemon_alive || fail "daemon died in case $ncase ($_desc)"
	[ -S "$REAL" ] || fail "real VP's socket vanished in case $ncase ($_desc)"
}

M1=a1a1a1a1a1a1a1a1
# Pending links.
case_ "monitor name with '_' is refused" \
    sendnew:bad_name expect-close
for f in "$SOCKDIR"/bad_name*; do
	[ -e "$f" ] && fail "a socket was created for bad_name: $f"
done
case_ "MASTER_NEW with seq 1" \
    "frame:1:0:0008${M1}03703500" expect-close
case_ "data frame before MASTER_NEW" \
    frame:0:1:68656c6c6f0a expect-close
case_ "KEEPALIVE before MASTER_NEW" \
    frame:0:0:04 expect-close
case_ "magic_len 0" \
    frame:0:0:000000 expect-close
case_ "MASTER_RES for an unknown magic gets MASTER_REJ" \
    magic:9999999999999999 res:0:0:0 expect:0:0:07 expect-close

# Established links: MASTER_NEW/ID first, then the bad frame.
# est DESC NAME MAGIC STEP...
est() {
	_d=$1
	_n=$2
	_m=$3
	shift 3
	case_ "$_d" "magic:$_m" "new:$_n" "expect-socket:$SOCKDIR" "$@" \
	    expect-close "expect-nosocket:$SOCKDIR"
}
est "unknown control type 9"       e1 e1e1e1e1e1e1e1e1 frame:0:0:09
est "KEEPALIVE with a payload"     e2 e2e2e2e2e2e2e2e2 frame:0:0:0400
est "ACK with nothing outstanding" e3 e3e3e3e3e3e3e3e3 frame:0:0:0500000000
# Section 14 recommends teardown for a bad ACK (a later MASTER_RES gets
# MASTER_REJ), W10 calls discarding the VP a weakness: accept a zombie
# too (MASTER_OK 0), but nothing else.
case_ "MASTER_RES for that VP: MASTER_REJ (or MASTER_OK if zombie)" \
    magic:e3e3e3e3e3e3e3e3 res:0:0:0 expect:0:0:07,0800000000
est "ACK for a frame never sent"   e4 e4e4e4e4e4e4e4e4 "client:$SOCKDIR" \
    expect:0:0:0200000001 frame:0:0:0500000005
est "KEEPALIVE with the wrong seq" e5 e5e5e5e5e5e5e5e5 frame:1:0:04
est "second MASTER_NEW"            e6 e6e6e6e6e6e6e6e6 \
    frame:0:0:0008b9b9b9b9b9b9b9b9057032346200

# Positive: a header and payload trickling in one byte at a time; then
# that VP (a zombie or still linked) resumes with MASTER_RES, which
# shows that the MASTER_REJ cases above were not refusing everything.
case_ "MASTER_NEW one byte per write is accepted" \
    magic:5151515151515151 newslow:slow "expect-socket:$SOCKDIR" \
    expect-open:0.5
case_ "MASTER_RES for that VP gets MASTER_OK 0" \
    magic:5151515151515151 res:0:0:0 expect:0:0:0800000000 expect-open:0.5

if [ "$strict" = 1 ]; then
	say "strict cases (our daemon's required behaviour)"
	case_ "zero-length control frame on a pending link" \
	    raw:00000000000000000000 expect-close:2
	# Data for channel 7 (seq 0) and FIN for channel 9 (seq 1) are
	# ACKed (ACK's seq field = the daemon's snd_nxt, still 0) and
	# ignored; a KEEPALIVE with the right seq (2) keeps the link; a
	# local client still gets a channel (CHANNEL_NEW 1 as seq 0).
	case_ "data and CHANNEL_FIN for unknown channels are ACKed" \
	    new:s1 "expect-socket:$SOCKDIR" \
	    frame:0:7:780a expect:0:0:0500000000 \
	    frame:1:0:0300000009 expect:0:0:0500000001 \
	    frame:2:0:04 expect-open:1 \
	    "client:$SOCKDIR" expect:0:0:0200000001 \
	    frame:2:0:0500000000 expect-open:1 "expect-socket:$SOCKDIR"
else
	say "strict cases skipped (reference daemon)"
fi

client_cmd c "$REAL" 'send:ping -c 1 127.0.0.1\n' ||
    fail "the real VP no longer answers"
decode c
check_ping c 127.0.0.1 1
daemon_alive || fail "daemon died"
pass
