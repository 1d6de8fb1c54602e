#!/bin/sh
# notify.sh: readiness notification for Type=notify service managers.
#
# Asserts, with a datagram socket standing in for systemd's:
#  1. With NOTIFY_SOCKET set to a path, the daemon sends READY=1 once,
#     and only when it accepts VP connections on its port and its -M
#     socket exists; on SIGTERM it sends STOPPING=1.
#  2. The same with a name in the abstract namespace (@name), on Linux.
#  3. A NOTIFY_SOCKET that is not a socket path is refused at start-up
#     with a message naming it, and a non-zero exit.
#
# Copyright (C) 2026 The sc_remoted authors.
# SPDX-License-Identifier: GPL-2.0-only
. "$(dirname "$0")/lib.sh"

# listener ADDR OUT: receive notifications on ADDR (a path, or @name)
# until STOPPING=1 or 30 s; for each, note whether the daemon's port
# accepts connections and its mux socket exists at that moment.
listener() {
	"$PY" - "$1" "$2" "$LISTEN_HOST" "$PORT" "$T/mux" <<'PYEOF' &
import os, socket, sys, time
addr, out, host, port, mux = sys.argv[1:6]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind('\0' + addr[1:] if addr.startswith('@') else addr)
s.settimeout(30)
f = open(out, 'w')
f.write('bound\n')
f.flush()
try:
	while True:
		msg = s.recv(4096).decode()
		try:
			c = socket.create_connection((host, int(port)), 1)
			c.close()
			up = 'open'
		except OSError:
			up = 'closed'
		mx = 'yes' if os.path.exists(mux) else 'no'
		f.write('%s port=%s mux=%s\n' % (msg.strip(), up, mx))
		f.flush()
		if 'STOPPING=1' in msg:
			break
except socket.timeout:
	f.write('timeout\n')
PYEOF
	track $!
	_n=50
	until grep -q bound "$2" 2>/dev/null; do
		_n=$((_n - 1))
		[ $_n -gt 0 ] || fail "notification listener did not start"
		sleep 0.1
	done
}

# wait_line FILE TEXT: wait up to 10 s for a line starting with TEXT.
wait_line() {
	_n=100
	until grep -q "^$2" "$1"; do
		_n=$((_n - 1))
		[ $_n -gt 0 ] || fail "no $2 in $1: $(cat "$1")"
		sleep 0.1
	done
}

# check ADDR: one daemon's life under notification at ADDR.
check() {
	out=$T/notify.$2.out
	listener "$1" "$out"
	NOTIFY_SOCKET=$1
	export NOTIFY_SOCKET
	start_daemon -M "$T/mux"
	unset NOTIFY_SOCKET
	wait_line "$out" READY=1
	grep -q '^READY=1 port=open mux=yes$' "$out" ||
	    fail "READY=1 before the daemon was serving: $(cat "$out")"
	kill -TERM "$DAEMON_PID"
	wait_exit "$DAEMON_PID" 10 || fail "daemon did not stop on SIGTERM"
	wait_line "$out" STOPPING=1
	[ "$(grep -c '^READY=1' "$out")" = 1 ] ||
	    fail "READY=1 sent more than once: $(cat "$out")"
	say "$2: READY=1 once serving, STOPPING=1 on SIGTERM"
}

check "$T/notify" path
if [ "$(uname -s)" = Linux ]; then
	check "@sc_remoted-test-$$" abstract
fi

# 3. Not a socket path: a clear error, and no daemon.
rc=0
NOTIFY_SOCKET=relative/notify "$SC_REMOTED" -P "$LISTEN_ADDR" \
    -U "$SOCKDIR" >"$T/bad.log" 2>&1 || rc=$?
[ $rc -ne 0 ] || fail "a bad NOTIFY_SOCKET was accepted"
grep -q 'NOTIFY_SOCKET=relative/notify' "$T/bad.log" ||
    fail "no message names the bad NOTIFY_SOCKET: $(cat "$T/bad.log")"
say "a bad NOTIFY_SOCKET: exit $rc, $(head -n 1 "$T/bad.log")"
pass
