#!/bin/sh
# resume.sh: a measurement stream survives three link cuts (resumption).
#
# A real scamper (-M vpr) dials the daemon (default -Z 900) through
# tests/relay.py.  A local client on the VP's socket keeps a stream of
# measurements going: whenever scamper has said MORE it sends
# "ping -U <k> -c 2 -i 0.5 127.0.0.1" (k = 1, 2, ... tags each result),
# at most one a second, and saves every byte it receives.  The relay
# cuts the link three times (a FIN, a reset, a FIN).  After each cut:
#   - the VP's socket is removed at once (the VP is a zombie), and the
#     daemon logs the lost link;
#   - scamper dials back (30-61 s later) with MASTER_RES and the daemon
#     resumes the VP: a socket vpr-127.0.0.1:<port> with a NEW port
#     appears, the daemon logs "resumed", and the client's connection,
#     opened under the first name, keeps working;
#   - the stream goes on (more commands accepted after the resume).
# After the third resume the client stops, sends "done", reads to EOF.
# The transcript must then decode cleanly (DATA framing intact, uudecodes,
# sc_warts2json reads every record) and hold exactly one ping result per
# command sent: userids exactly 1..N, no duplicate start times, each with
# ping_sent 2 and 2 replies from 127.0.0.1; one cycle start and stop; an
# "OK id-" per command, no ERR, no stray line.  The relay saw exactly 4
# connections (no refused resume), the daemon logged exactly 3
# resumptions, one new VP, no takeover, refusal or protocol error.
#
# Takes 2-3 minutes (scamper's reconnect delay is 30-61 s per cut).
#
# Copyright (C) 2026 The sc_remoted authors.
# SPDX-License-Identifier: GPL-2.0-only
TEST_TIMEOUT=${TEST_TIMEOUT:-300}
. "$(dirname "$0")/lib.sh"
require_scamper

RELAY=$INTEG_DIR/../relay.py
[ -f "$RELAY" ] || fail "$RELAY missing"
# How long to wait for scamper to come back after a cut (30-61 s).
RESUME_WAIT=${RESUME_WAIT:-80}

# ---------------------------------------------------------------------
# The streaming client.
cat >"$T/stream.py" <<'EOF'
import os, re, select, socket, sys, time
path, out, state, total = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
start = time.monotonic()
def log(m):
    sys.stderr.write("[%s] %s\n" % (time.strftime("%H:%M:%S"), m)); sys.stderr.flush()
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(5); s.connect(path); s.setblocking(False)
log("connected to %s" % path)
buf = bytearray(); pos = 0
credit = 0; sent = 0; oks = 0; data = 0; errs = []; other = []; done_ok = 0
last = 0.0; done_sent = False; stop_seen = None; eof = False
def progress():
    tmp = state + ".progress.tmp"
    with open(tmp, "w") as f:
        f.write("sent %d oks %d data %d errs %d eof %d\n" % (sent, oks, data, len(errs), eof))
    os.rename(tmp, state + ".progress")
def parse():
    global pos, credit, oks, data, done_ok
    while True:
        j = buf.find(b"\n", pos)
        if j < 0: return
        line = bytes(buf[pos:j])
        m = re.fullmatch(rb"DATA (\d+)", line)
        if m:
            n = int(m.group(1))
            if len(buf) - (j + 1) < n: return
            pos = j + 1 + n; data += 1; continue
        pos = j + 1
        if line == b"MORE": credit += 1
        elif re.fullmatch(rb"OK id-\d+", line): oks += 1
        elif line == b"OK": done_ok += 1
        elif line.startswith(b"ERR"): errs.append(line); log("scamper: %r" % line)
        else: other.append(line); log("unexpected line %r" % line[:80])
def send(b):
    s.setblocking(True)
    try: s.sendall(b)
    finally: s.setblocking(False)
rc = 1
try:
    while not eof:
        now = time.monotonic()
        if now - start > total:
            log("FAIL: time is up (%.0f s)" % total); break
        if not done_sent and os.path.exists(state + ".stop"):
            stop_seen = stop_seen or now
            if credit > 0 or now - stop_seen > 5:
                send(b"done\n"); done_sent = True; log("sent done after %d commands" % sent)
        elif not done_sent and credit > 0 and now - last >= 1.0:
            sent += 1; credit -= 1; last = now
            send(b"ping -U %d -c 2 -i 0.5 127.0.0.1\n" % sent)
            log("sent command %d" % sent); progress()
        r, _, _ = select.select([s], [], [], 0.1)
        if r:
            try: chunk = s.recv(65536)
            except ConnectionResetError: chunk = b""
            if not chunk:
                eof = True; log("EOF after %d bytes" % len(buf))
            else:
                buf += chunk
                with open(out, "ab") as f: f.write(chunk)
                parse()
            progress()
    if eof and done_sent:
        rc = 0
    elif eof:
        log("FAIL: EOF before done")
finally:
    progress()
    s.close()
log("sent %d oks %d data %d errs %d stray %d done-OK %d" % (sent, oks, data, len(errs), len(other), done_ok))
with open(state + ".result", "w") as f:
    f.write("%d %d %d %d %d %d\n" % (sent, oks, data, len(errs), len(other), done_ok))
sys.exit(rc)
EOF

# The check of the decoded results.
cat >"$T/check.py" <<'EOF'
import json, sys
sent = int(sys.argv[2])
pings = []; starts = 0; stops = 0; bad = []
for raw in open(sys.argv[1]):
    raw = raw.strip()
    if not raw: continue
    try: o = json.loads(raw)
    except ValueError as e:
        bad.append("invalid JSON: %s" % e); continue
    t = o.get("type")
    if t == "ping": pings.append(o)
    elif t == "cycle-start": starts += 1
    elif t == "cycle-stop": stops += 1
    else: bad.append("unexpected record type %r" % t)
ids = sorted(p.get("userid") for p in pings)
if len(pings) != sent:
    bad.append("%d ping results for %d commands" % (len(pings), sent))
if ids != list(range(1, sent + 1)):
    dup = sorted(set(i for i in ids if ids.count(i) > 1))
    miss = sorted(set(range(1, sent + 1)) - set(ids))
    bad.append("userids are not 1..%d: duplicated %s, missing %s" % (sent, dup, miss))
st = [(p["start"]["sec"], p["start"]["usec"]) for p in pings]
if len(set(st)) != len(st):
    bad.append("duplicate start times")
for p in pings:
    resp = p.get("responses") or []
    stats = p.get("statistics") or {}
    if p.get("dst") != "127.0.0.1" or p.get("ping_sent") != 2 or \
       stats.get("replies") != 2 or len(resp) != 2 or \
       any(r.get("from") != "127.0.0.1" for r in resp):
        bad.append("ping %s: dst=%s sent=%s replies=%s responses=%d" % (
            p.get("userid"), p.get("dst"), p.get("ping_sent"),
            stats.get("replies"), len(resp)))
if starts != 1 or stops != 1:
    bad.append("%d cycle starts, %d cycle stops (want 1 each)" % (starts, stops))
for b in bad: print(b)
print("%d ping results, userids 1..%d" % (len(pings), sent) if not bad else "")
sys.exit(1 if bad else 0)
EOF

# progress FIELD: a number from the client's progress file (empty if none).
progress() {
	awk -v k="$1" '{ for (i = 1; i < NF; i++) if ($i == k) print $(i + 1) }' \
	    "$T/stream.progress" 2>/dev/null
}
# wait_oks N SECS: wait until the client has seen N "OK id-" lines.
wait_oks() {
	_wo_n=$(( $2 * 10 ))
	while :; do
		_wo=$(progress oks)
		[ -n "$_wo" ] && [ "$_wo" -ge "$1" ] && return 0
		[ $_wo_n -le 0 ] && return 1
		alive "$CLIENT_PID" || return 1
		sleep 0.1
		_wo_n=$((_wo_n - 1))
	done
}
logcount() { grep -c -- "$1" "$T/daemon.log"; }

start_daemon

RPORT=$(free_port) || fail "no free port for the relay"
[ "$RPORT" = "$PORT" ] && { RPORT=$(free_port) || fail "no free port"; }
"$PY" "$RELAY" --ctl "$T/relay.ctl" --ready "$T/relay.ready" \
    --stats "$T/relay.stats" "$RPORT" "$PORT" </dev/null 2>"$T/relay.log" &
RELAY_PID=$!
track "$RELAY_PID"
n=0
until [ -s "$T/relay.ready" ]; do
	[ $n -ge 100 ] && fail "relay did not start"
	alive "$RELAY_PID" || fail "relay exited"
	sleep 0.1
	n=$((n + 1))
done
relay_cmd() { echo "$1" >"$T/relay.ctl"; }
relay_accepts() { sed -n 's/^accepts \([0-9]*\).*/\1/p' "$T/relay.stats"; }

REMOTE_ADDR=127.0.0.1:$RPORT
start_vp -M vpr
S=$(wait_socket 'vpr-*' 20) || fail "no socket for VP vpr appeared"
say "VP socket $(basename "$S")"

timeout 295 "$PY" "$T/stream.py" "$S" "$T/stream.raw" "$T/stream" 290 \
    </dev/null 2>"$T/stream.log" &
CLIENT_PID=$!
track "$CLIENT_PID"
wait_oks 2 20 || fail "the stream did not start (fewer than 2 commands accepted)"

i=0
for mode in close rst close; do
	i=$((i + 1))
	# Keep streaming a few seconds on this link first.
	o=$(progress oks)
	sleep 4
	wait_oks $((o + 2)) 15 ||
	    fail "cut $i: the stream is not progressing before the cut"
	old=$S
	resumed=$(logcount ': resumed')
	lost=$(logcount ': link lost')
	say "cut $i ($mode) with $(progress sent) commands sent so far"
	relay_cmd "$mode"
	wait_gone "$old" 3 || fail "cut $i: socket $old still there 3 s after the cut"
	n=0
	until [ "$(logcount ': link lost')" -gt "$lost" ]; do
		[ $n -ge 30 ] && fail "cut $i: daemon did not log the lost link"
		sleep 0.1
		n=$((n + 1))
	done
	alive "$CLIENT_PID" || fail "cut $i: the client lost its connection"
	# Wait for scamper to resume: a new vpr-* socket.
	S=
	n=0
	while [ -z "$S" ]; do
		for f in "$SOCKDIR"/vpr-*; do
			[ -S "$f" ] && [ "$f" != "$old" ] && S=$f
		done
		[ -n "$S" ] && break
		[ $n -ge $((RESUME_WAIT * 10)) ] &&
		    fail "cut $i: no new socket within $RESUME_WAIT s"
		sleep 0.1
		n=$((n + 1))
	done
	[ -e "$old" ] && fail "cut $i: the old socket $old came back"
	say "resume $i: socket $(basename "$S") (was $(basename "$old"))"
	case $(basename "$S") in
	vpr-127.0.0.1:[0-9]*) ;;
	*) fail "resume $i: socket name $(basename "$S") is not vpr-127.0.0.1:<port>" ;;
	esac
	n=0
	until [ "$(logcount ': resumed')" -gt "$resumed" ]; do
		[ $n -ge 30 ] && fail "resume $i: daemon did not log a resumption"
		sleep 0.1
		n=$((n + 1))
	done
	alive "$CLIENT_PID" || fail "resume $i: the client lost its connection"
	daemon_alive || fail "resume $i: daemon died"
done

# Stream a little more on the third link, then finish.
o=$(progress oks)
sleep 4
wait_oks $((o + 2)) 15 || fail "the stream is not progressing after resume 3"
touch "$T/stream.stop"
wait_exit "$CLIENT_PID" 60 || fail "the client did not finish within 60 s of done"
[ "$EXIT_STATUS" = 0 ] || fail "the client failed (status $EXIT_STATUS)"
read -r sent oks ndata nerr nstray ndone <"$T/stream.result" ||
    fail "no client result"
say "client: $sent commands sent, $oks accepted, $ndata DATA objects"
[ "$nerr" = 0 ] || fail "scamper answered ERR $nerr times"
[ "$nstray" = 0 ] || fail "$nstray unexpected text lines in the stream (corrupted?)"
[ "$oks" = "$sent" ] || fail "$oks commands accepted (OK id-) for $sent sent"
[ "$ndone" = 1 ] || fail "'done' answered OK $ndone times"
# list + cycle start + one result per command + cycle stop
[ "$ndata" = $((sent + 3)) ] ||
    fail "$ndata DATA objects, want $((sent + 3)) for $sent commands"

decode stream >/dev/null
out=$("$PY" "$T/check.py" "$T/stream.json" "$sent") || {
	echo "$out"
	fail "the results do not match the commands"
}
say "$out"

[ "$(relay_accepts)" = 4 ] ||
    fail "relay accepted $(relay_accepts) connections, want 4 (a refused resume?)"
[ "$(logcount ': resumed')" = 3 ] || fail "daemon logged $(logcount ': resumed') resumptions, want 3"
[ "$(logcount ': new VP')" = 1 ] ||
    fail "daemon logged $(logcount ': new VP') new VPs, want 1 (a MASTER_NEW after a REJ?)"
for w in 'taken over' 'resumption refused' 'protocol error' 'bad MASTER'; do
	[ "$(logcount "$w")" = 0 ] || fail "daemon logged '$w'"
done
daemon_alive || fail "daemon died"
pass
