#!/bin/sh
# muxchroot.sh: -R (chroot) end to end, and -v (mux-protocol.md sections
# 11 and 12).
#
# -v: prints "sc_remoted version X" and exits 0, without -P; options
# before it are still validated (-Z 99999 -v fails), options after it
# are not (-v -Z 99999 succeeds).
# -R naming a regular file, or a path that does not exist: non-zero exit
# and an error naming the path; nothing is created.
# -R ROOT (as root) with -U /sock -M /mux -m /meta -e run.pid, all taken
# inside ROOT: the daemon starts; a real scamper VP (-M vpr) connects;
# its -U socket appears at ROOT/sock/vpr-127.0.0.1:<port> and a ping
# through it works; ROOT/mux (used from outside) announces vpr with the
# metadata from ROOT/meta, and a ping through a mux channel works; after
# ROOT/meta is edited, SIGHUP reloads it from inside the root (a new
# client sees the new value); the pid file is ROOT/run.pid (the daemon's
# working directory at start holds none); on SIGTERM the daemon exits
# and removes ROOT/mux.
#
# Copyright (C) 2026 The sc_remoted authors.
# SPDX-License-Identifier: GPL-2.0-only
. "$(dirname "$0")/lib.sh"

MUXC=$INTEG_DIR/../muxclient.py
[ -f "$MUXC" ] || fail "$MUXC missing"

muxc() {
	timeout $((CLIENT_TIMEOUT + 10)) "$PY" "$MUXC" \
	    --timeout "$CLIENT_TIMEOUT" "$@"
}
jcheck() { "$PY" "$MUXC" eval "$@"; }
wait_for() {
	_wf_n=$(( $1 * 10 ))
	shift
	until "$@" 2>/dev/null; do
		[ $_wf_n -le 0 ] && return 1
		sleep 0.1
		_wf_n=$((_wf_n - 1))
	done
}

# ---------------------------------------------------------------------
# -v
rc=0
out=$(timeout 10 "$SC_REMOTED" -v 2>"$T/v.err") || rc=$?
[ "$rc" = 0 ] || fail "-v: exit status $rc"
echo "$out" | grep -Eq '^sc_remoted version [^ ]+$' ||
    fail "-v printed '$out', want 'sc_remoted version X'"
[ "$(echo "$out" | wc -l)" = 1 ] || fail "-v printed more than one line"
say "-v: $out"
rc=0
timeout 10 "$SC_REMOTED" -Z 99999 -v >"$T/v2.out" 2>&1 || rc=$?
[ "$rc" != 0 ] && [ "$rc" != 124 ] ||
    fail "-Z 99999 -v: exit status $rc, want a usage error (options before -v are validated)"
rc=0
out=$(timeout 10 "$SC_REMOTED" -v -Z 99999 2>&1) || rc=$?
[ "$rc" = 0 ] && echo "$out" | grep -q '^sc_remoted version ' ||
    fail "-v -Z 99999: exit status $rc, output '$out' (options after -v are not validated)"

# ---------------------------------------------------------------------
# -R must name a directory.
: >"$T/afile"
rc=0
timeout 10 "$SC_REMOTED" -P "127.0.0.1:$PORT" -R "$T/afile" -M /mux \
    </dev/null >"$T/r1.out" 2>&1 || rc=$?
sed 's/^/  -R file: /' "$T/r1.out"
[ "$rc" != 0 ] && [ "$rc" != 124 ] || fail "-R naming a file: exit status $rc"
grep -q "$T/afile" "$T/r1.out" || fail "-R naming a file: the error does not name it"
rc=0
timeout 10 "$SC_REMOTED" -P "127.0.0.1:$PORT" -R "$T/nosuch" -M /mux \
    </dev/null >"$T/r2.out" 2>&1 || rc=$?
sed 's/^/  -R missing: /' "$T/r2.out"
[ "$rc" != 0 ] && [ "$rc" != 124 ] || fail "-R naming nothing: exit status $rc"
grep -q "$T/nosuch" "$T/r2.out" || fail "-R naming nothing: the error does not name it"
[ -e "$T/nosuch" ] && fail "-R naming nothing: it was created"

# ---------------------------------------------------------------------
# A working root.
require_scamper

ROOT=$T/root
mkdir -m 755 "$ROOT" "$T/cwd"
mkdir -m 700 "$ROOT/sock"
printf 'vpr  cc  nz\nvpr  place  In The Root\nvpr  tag  chrooted\n' \
    >"$ROOT/meta"
SOCKDIR=$ROOT/sock
# shellcheck disable=SC2086
(cd "$T/cwd" && exec "$SC_REMOTED" -P "$LISTEN_ADDR" -R "$ROOT" -U /sock \
    -M /mux -m /meta -e run.pid -O debug $BACKEND_OPTS \
    </dev/null >>"$T/daemon.log" 2>&1) &
DAEMON_PID=$!
track "$DAEMON_PID"
timeout 15 "$PY" "$FAKEVP" waitport "$LISTEN_HOST" "$PORT" 10 \
    "$DAEMON_PID" || fail "the daemon with -R did not start"
wait_for 5 test -S "$ROOT/mux" || fail "no mux socket at $ROOT/mux"
start_vp -M vpr
S=$(wait_socket 'vpr-*' 20) || fail "no -U socket for vpr in $ROOT/sock"
case $(basename "$S") in
vpr-127.0.0.1:[0-9]*) ;;
*) fail "-U socket $(basename "$S") is not vpr-127.0.0.1:<port>" ;;
esac
say "-U socket $S"

muxc list "$ROOT/mux" >"$T/l1.list" 2>"$T/l1.log" || fail "list failed"
jcheck "$T/l1.list" "[(v.get('name'), v.get('ipv4'), v.get('cc'), v.get('place'), v['tags']) for v in vps] == [('vpr', '127.0.0.1', 'nz', 'In The Root', ['chrooted'])]" ||
    fail "the mux does not announce vpr with the metadata from $ROOT/meta: $(cat "$T/l1.list")"

muxc ping "$ROOT/mux" vpr 127.0.0.1 2 "$T/pm.warts" >"$T/pm.out" \
    2>"$T/pm.log" || fail "ping through the mux socket failed"
timeout 10 sc_warts2json "$T/pm.warts" >"$T/pm.json" 2>>"$T/pm.log" ||
    fail "pm: sc_warts2json failed"
"$PY" "$FAKEVP" summary "$T/pm.json" >"$T/pm.sum" || fail "pm: not JSON"
sed 's/^/  pm: /' "$T/pm.sum"
check_ping pm 127.0.0.1 2

client_cmd pu "$S" 'send:ping -c 2 127.0.0.1\n' ||
    fail "ping through the -U socket failed"
decode pu
check_ping pu 127.0.0.1 2

# SIGHUP reads /meta inside the root.
printf 'vpr  cc  au\n' >"$ROOT/meta"
n=$(grep -c 'metadata for' "$T/daemon.log")
kill -HUP "$DAEMON_PID"
more() { [ "$(grep -c 'metadata for\|SIGHUP' "$T/daemon.log")" -gt "$n" ]; }
wait_for 5 more || fail "the daemon logged nothing on SIGHUP"
sleep 0.3
muxc list "$T/mux" >/dev/null 2>&1 && fail "a mux socket at $T/mux?"
muxc list "$ROOT/mux" >"$T/l2.list" 2>"$T/l2.log" || fail "list failed"
jcheck "$T/l2.list" "[(v.get('cc'), v['tags']) for v in vps] == [('au', [])]" ||
    fail "after SIGHUP the mux shows $(cat "$T/l2.list"), want cc au (the file in the root, reloaded)"
say "ping through $ROOT/mux and through the -U socket; SIGHUP reloaded /meta"

# The pid file, written inside the root.
pidok=1
if [ -e "$T/cwd/run.pid" ]; then
	say "FAIL (reported at the end): the pid file was written at $T/cwd/run.pid, outside the root"
	pidok=0
fi
if [ "$(cat "$ROOT/run.pid" 2>/dev/null)" != "$DAEMON_PID" ]; then
	say "FAIL (reported at the end): $ROOT/run.pid does not hold the daemon's pid $DAEMON_PID"
	pidok=0
fi

kill -TERM "$DAEMON_PID"
wait_exit "$DAEMON_PID" 10 || fail "the daemon did not exit on SIGTERM"
wait_gone "$ROOT/mux" 2 || fail "$ROOT/mux not removed on SIGTERM"
[ "$pidok" = 1 ] ||
    fail "-e run.pid with -R: the pid file is not written inside the root (section 11 step 7)"
pass
