#!/bin/sh
# ops.sh: what an operator relies on: -D with -e, the pid file lock,
# SIGTERM clean-up, stale sockets at startup, -u, the manual page and
# startup failures.
#
# Asserts:
#   (a) "-D -e PIDFILE" returns status 0 within 5 s; as soon as it has
#       returned, PIDFILE holds the pid of a running sc_remoted that is
#       not the process that was started; a VP (fakevp.py) gets its socket
#       in -U; with a syslog sink of our own at /dev/log (created only if
#       nothing is there, removed afterwards), a line from
#       "sc_remoted[PID]" containing "started" arrives, PID being the one
#       in PIDFILE; if /dev/log exists already, or we are not root, only
#       that syslog assertion is skipped, with a message;
#   (b) a second "-D -e PIDFILE" (other port, other -U) exits non-zero
#       within 5 s with a message about the lock on stderr; the first
#       daemon keeps running, PIDFILE still holds its pid, its VP socket
#       is still there, and no other daemon of this test is left;
#   (c) SIGTERM to the daemon of (a): it exits within 10 s, PIDFILE is
#       removed, the -U directory is empty, the VP's link is closed;
#   (d) before a (foreground) start, -U holds: a stale socket named like
#       a VP (vp9-127.0.0.1:40000, bound then closed), a stale IPv6-style
#       one (v6.vp-::1.40001), a VP-named socket someone listens on, a
#       stale socket with another kind of name (other.sock) and a regular
#       file named like a VP.  The daemon removes the two stale VP-named
#       sockets and logs each removal, leaves the live one (still
#       accepting) and the other two alone, and leaves them there when it
#       exits;
#   (f) "mandoc -Tlint -Wwarning man/sc_remoted.1" prints nothing and
#       exits 0 (skipped if mandoc is missing);
#   (g) each of -U naming a missing directory, -U naming a regular file,
#       -M naming an existing regular file, -M in a missing directory and
#       -P on a port someone listens on: with and without -D, exits
#       non-zero within 5 s with a message naming the problem on stderr,
#       leaves no process and no pid file behind, and leaves the regular
#       file and the other listener alone;
#   (e) (root only) "-u nobody" with a -U directory owned by root, mode
#       0755, with and without -D: as in (g), exits non-zero within 5 s
#       with a message naming the directory and the user, and leaves no
#       process and no pid file; with -U owned by nobody it starts,
#       ps shows it running as nobody (real and effective), a real scamper
#       VP gets a socket owned by nobody and a ping through it returns a
#       result (ping part skipped without scamper); with -U owned by
#       root, nobody's group, mode 2770, it starts too and a VP's socket
#       gets that group; SIGTERM: exit status 0, -U empty.
#   (e) runs last because the ping helpers stop the test on failure.
#
# A note on (a): the pid file is read the moment "-D" returns, as a
# service manager or rc script would.  A daemon that writes it only
# after the starting process has exited fails here often, though not
# every time: that is the daemon's race, not the test's; the message
# then says the right pid arrived later.
#
# Exits 0 (all ran passed), 1 (some failed), 77 (nothing could run).
# Kills everything it starts, daemonised ones included, and removes the
# /dev/log it may have created.
#
# Copyright (C) 2026 The sc_remoted authors.
# SPDX-License-Identifier: GPL-2.0-only

# "$(echo $list)" joins pid lists on purpose; "a && b || fail" is the
# lib's idiom; REMOTE_ADDR is read by lib.sh's start_vp.
# shellcheck disable=SC1091,SC2015,SC2116,SC2086,SC2012,SC2034
. "$(dirname "$0")/lib.sh"

MANPAGE=${top_srcdir:-$INTEG_DIR/../..}/man/sc_remoted.1
nfail=0
nran=0
SINK_PID=
SINK_INO=

bad() {
	say "FAIL: $*"
	nfail=$((nfail + 1))
}

ok() {
	say "ok: $*"
}

# daemons_here: pids of daemons whose command line names our temp dir.
daemons_here() {
	ps -eo pid=,args= 2>/dev/null | while read -r _dh_p _dh_a; do
		case $_dh_a in
		"$SC_REMOTED "*"$T/"*) echo "$_dh_p" ;;
		esac
	done
}

# kill_strays: TERM, then KILL, every daemon of ours still running.
kill_strays() {
	_ks=$(daemons_here)
	[ -z "$_ks" ] && return 0
	for _p in $_ks; do
		kill -TERM "$_p" 2>/dev/null
	done
	_ks_n=30
	while [ -n "$(daemons_here)" ] && [ $_ks_n -gt 0 ]; do
		sleep 0.1
		_ks_n=$((_ks_n - 1))
	done
	for _p in $(daemons_here); do
		kill -KILL "$_p" 2>/dev/null
	done
}

inode_of() {
	ls -di "$1" 2>/dev/null | awk '{ print $1 }'
}

stop_sink() {
	[ -n "$SINK_PID" ] || return 0
	kill "$SINK_PID" 2>/dev/null
	wait "$SINK_PID" 2>/dev/null
	# Only the socket we bound, never someone else's /dev/log.
	if [ -S /dev/log ] && [ -n "$SINK_INO" ] &&
	    [ "$(inode_of /dev/log)" = "$SINK_INO" ]; then
		rm -f /dev/log
	fi
	SINK_PID=
	SINK_INO=
}

ops_cleanup() {
	_orc=$?
	kill_strays
	stop_sink
	(exit $_orc)
	cleanup
}
trap ops_cleanup EXIT

# start_sink: bind a datagram socket at /dev/log, writing each message
# as one line to $T/syslog.out.  Returns 1 with SINK_WHY set when it
# must not or cannot.
start_sink() {
	if [ -e /dev/log ] || [ -L /dev/log ]; then
		SINK_WHY="/dev/log already exists and is not ours"
		return 1
	fi
	if [ "$(id -u)" != 0 ]; then
		SINK_WHY="not root, so no /dev/log of our own"
		return 1
	fi
	: >"$T/syslog.out"
	"$PY" -c 'import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log")  # fails, rather than replaces, if one appeared
os.chmod("/dev/log", 0o666)
out = open(sys.argv[1], "ab", buffering=0)
open(sys.argv[2], "w").close()
while True:
    out.write(s.recv(65536).replace(b"\n", b" ") + b"\n")
' "$T/syslog.out" "$T/syslog.ready" </dev/null >"$T/sink.log" 2>&1 &
	SINK_PID=$!
	track "$SINK_PID"
	_ss_n=50
	while [ ! -f "$T/syslog.ready" ]; do
		if ! alive "$SINK_PID" || [ $_ss_n -le 0 ]; then
			SINK_WHY="could not bind /dev/log: $(tail -n 1 \
			    "$T/sink.log")"
			kill "$SINK_PID" 2>/dev/null
			SINK_PID=
			return 1
		fi
		sleep 0.1
		_ss_n=$((_ss_n - 1))
	done
	SINK_INO=$(inode_of /dev/log)
	return 0
}

# bg_run SECS OUT ERR ARGS...: run the daemon with ARGS in the
# background, wait at most SECS for that process to exit; sets RC (124
# if it did not) and RUN_PID.
bg_run() {
	_br_s=$1
	_br_o=$2
	_br_e=$3
	shift 3
	"$SC_REMOTED" "$@" </dev/null >"$_br_o" 2>"$_br_e" &
	RUN_PID=$!
	if wait_exit "$RUN_PID" "$_br_s"; then
		RC=$EXIT_STATUS
	else
		RC=124
		kill_tree KILL "$RUN_PID"
		wait "$RUN_PID" 2>/dev/null
	fi
}

# new_port: a fresh PORT for the next daemon.
new_port() {
	PORT=$(free_port) || fail "no free port found"
	LISTEN_ADDR=127.0.0.1:$PORT
	REMOTE_ADDR=127.0.0.1:$PORT
}

# wait_pid_gone PID SECS: wait until PID (not our child) is gone.
wait_pid_gone() {
	_wp_n=$(($2 * 10))
	while alive "$1"; do
		[ $_wp_n -le 0 ] && return 1
		sleep 0.1
		_wp_n=$((_wp_n - 1))
	done
	return 0
}

# ------------------------------------------------------------------
# (a) -D -e: prompt return, the daemon's own pid, a VP, syslog.

case_a() {
	say "(a) -D -e: detaching, pid file, VP socket, syslog"
	nran=$((nran + 1))
	new_port
	PIDF=$T/ops.pid
	A_DPID=
	A_SOCK=
	if start_sink; then
		SYSLOG=1
	else
		SYSLOG=0
		say "SKIP (a) syslog assertion only: $SINK_WHY"
	fi

	# In the foreground of this shell, so that the pid file is read the
	# moment the command returns, as a service manager would; the
	# started process's pid is recorded by the sh that execs it.
	_pidnow=
	_pidlate=
	# shellcheck disable=SC2016,SC2086
	timeout -k 1 5 sh -c 'echo $$ >"$0"; exec "$@"' "$T/a.parent" \
	    "$SC_REMOTED" -D -e "$PIDF" -P "$LISTEN_ADDR" -U "$SOCKDIR" \
	    $BACKEND_OPTS </dev/null >"$T/a.out" 2>"$T/a.err"
	RC=$?
	read -r _pidnow <"$PIDF" 2>/dev/null
	read -r RUN_PID <"$T/a.parent" 2>/dev/null
	for _p in $(daemons_here); do
		track "$_p"
	done
	if [ "$RC" = 124 ]; then
		bad "(a) -D did not return within 5 s"
		return
	fi
	if [ "$RC" != 0 ]; then
		bad "(a) -D exited with status $RC: $(head -n 3 "$T/a.err")"
		return
	fi
	if [ -z "$_pidnow" ] || ! alive "$_pidnow" ||
	    [ "$_pidnow" = "$RUN_PID" ]; then
		# Tell a late write from a wrong one.
		sleep 2
		_pidlate=$(cat "$PIDF" 2>/dev/null)
		if [ -n "$_pidlate" ] && [ "$_pidlate" != "$_pidnow" ] &&
		    [ "$_pidlate" != "$RUN_PID" ] && alive "$_pidlate"; then
			bad "(a) when -D returned, the pid file held" \
			    "'$_pidnow'; the daemon's pid $_pidlate was" \
			    "written only later (race with the parent's exit)"
			_pidnow=$_pidlate
		else
			bad "(a) pid file holds '$_pidnow' (started process" \
			    "was $RUN_PID), not a running daemon"
			return
		fi
	fi
	case $(ps -o args= -p "$_pidnow" 2>/dev/null) in
	"$SC_REMOTED "*) ;;
	*)
		bad "(a) pid $_pidnow in the pid file is not sc_remoted:" \
		    "$(ps -o args= -p "$_pidnow" 2>/dev/null)"
		return
		;;
	esac
	[ "$A_DPID" = "" ] && [ -z "${_pidlate:-}" ] &&
	    ok "(a) -D returned 0 at once; pid file holds daemon" \
	    "$_pidnow (started process was $RUN_PID)"
	A_DPID=$_pidnow
	track "$A_DPID"

	"$PY" "$FAKEVP" link 127.0.0.1 "$PORT" new:opsa expect-open:60 \
	    </dev/null >"$T/vpa.log" 2>&1 &
	A_VP=$!
	track "$A_VP"
	if A_SOCK=$(wait_socket 'opsa-*' 10); then
		ok "(a) VP socket $(basename "$A_SOCK")"
	else
		bad "(a) no socket for VP opsa in $SOCKDIR"
		tail -n 5 "$T/vpa.log"
	fi

	if [ "$SYSLOG" = 1 ]; then
		_n=50
		until grep "sc_remoted\[$A_DPID\]" "$T/syslog.out" |
		    grep -q started; do
			if [ $_n -le 0 ]; then
				bad "(a) no syslog line from" \
				    "sc_remoted[$A_DPID] with 'started'"
				sed 's/^/    syslog: /' "$T/syslog.out" | head
				break
			fi
			sleep 0.1
			_n=$((_n - 1))
		done
		[ $_n -gt 0 ] && ok "(a) syslog: $(grep started \
		    "$T/syslog.out" | head -n 1)"
	fi
}

# ------------------------------------------------------------------
# (b) a second instance on the same pid file.

case_b() {
	say "(b) second -D -e on the same pid file"
	if [ -z "$A_DPID" ]; then
		say "SKIP (b): no daemon from (a)"
		return
	fi
	nran=$((nran + 1))
	_p2=$(free_port) || fail "no free port found"
	mkdir -p "$T/sock2"
	# shellcheck disable=SC2086
	bg_run 5 "$T/b.out" "$T/b.err" -D -e "$PIDF" -P "127.0.0.1:$_p2" \
	    -U "$T/sock2" $BACKEND_OPTS
	if [ "$RC" = 0 ] || [ "$RC" = 124 ]; then
		bad "(b) second instance: status $RC, want non-zero"
	elif ! grep -qi lock "$T/b.err"; then
		bad "(b) second instance: status $RC but no message about" \
		    "the lock: $(head -n 3 "$T/b.err")"
	else
		ok "(b) refused, status $RC: $(head -n 1 "$T/b.err")"
	fi
	alive "$A_DPID" || bad "(b) the first daemon died"
	[ "$(cat "$PIDF" 2>/dev/null)" = "$A_DPID" ] ||
	    bad "(b) pid file now holds '$(cat "$PIDF" 2>/dev/null)'," \
	    "not $A_DPID"
	[ -n "$A_SOCK" ] && [ ! -S "$A_SOCK" ] &&
	    bad "(b) the first daemon's VP socket vanished"
	_left=$(daemons_here)
	if [ "$(echo $_left)" != "$A_DPID" ]; then
		bad "(b) daemons running: '$(echo $_left)', want only $A_DPID"
		for _p in $_left; do
			[ "$_p" = "$A_DPID" ] || kill -KILL "$_p" 2>/dev/null
		done
	fi
}

# ------------------------------------------------------------------
# (c) SIGTERM: pid file removed, -U empty.

case_c() {
	say "(c) SIGTERM to the -D daemon"
	if [ -z "$A_DPID" ]; then
		say "SKIP (c): no daemon from (a)"
		stop_sink
		return
	fi
	nran=$((nran + 1))
	kill -TERM "$A_DPID"
	if ! wait_pid_gone "$A_DPID" 10; then
		bad "(c) daemon $A_DPID still running 10 s after SIGTERM"
		kill -KILL "$A_DPID" 2>/dev/null
		stop_sink
		return
	fi
	[ -e "$PIDF" ] && bad "(c) pid file $PIDF not removed"
	_left=$(ls -A "$SOCKDIR")
	[ -z "$_left" ] || bad "(c) -U directory not empty: $_left"
	wait_exit "$A_VP" 5 || bad "(c) the VP's link was not closed"
	if [ "$SYSLOG" = 1 ] &&
	    ! grep "sc_remoted\[$A_DPID\]" "$T/syslog.out" |
	    grep -q SIGTERM; then
		bad "(c) SIGTERM not logged to syslog"
	fi
	stop_sink
	[ -e "$PIDF" ] || [ -n "$_left" ] ||
	    ok "(c) exited; pid file removed, -U empty"
}

# ------------------------------------------------------------------
# (d) stale sockets at startup.

# mksock PATH: a unix socket file nobody listens on.
mksock() {
	"$PY" -c 'import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1])
s.close()' "$1"
}

# can_connect PATH
can_connect() {
	"$PY" -c 'import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(3)
s.connect(sys.argv[1])' "$1" 2>/dev/null
}

case_d() {
	say "(d) stale sockets in -U at startup"
	nran=$((nran + 1))
	new_port
	rm -rf "${SOCKDIR:?}"/* 2>/dev/null
	stale=$SOCKDIR/vp9-127.0.0.1:40000
	stale6=$SOCKDIR/v6.vp-::1.40001
	live=$SOCKDIR/live-127.0.0.1:40002
	other=$SOCKDIR/other.sock
	plain=$SOCKDIR/file-127.0.0.1:40003
	mksock "$stale" && mksock "$stale6" && mksock "$other" ||
	    fail "(d) cannot create test sockets"
	echo data >"$plain"
	"$PY" -c 'import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1])
s.listen(64)
open(sys.argv[2], "w").close()
time.sleep(120)' "$live" "$T/live.ready" </dev/null >"$T/live.log" 2>&1 &
	_lp=$!
	track "$_lp"
	_n=50
	while [ ! -f "$T/live.ready" ] && [ $_n -gt 0 ]; do
		sleep 0.1
		_n=$((_n - 1))
	done
	[ -f "$T/live.ready" ] || fail "(d) the live listener did not start"

	start_daemon
	_nb=$nfail
	[ -e "$stale" ] && bad "(d) stale $(basename "$stale") not removed"
	[ -e "$stale6" ] &&
	    bad "(d) stale $(basename "$stale6") not removed"
	grep -q "removed stale socket $(basename "$stale")\$" \
	    "$T/daemon.log" || bad "(d) removal of $(basename "$stale")" \
	    "not logged"
	grep -q "removed stale socket $(basename "$stale6")\$" \
	    "$T/daemon.log" || bad "(d) removal of $(basename "$stale6")" \
	    "not logged"
	[ -S "$live" ] || bad "(d) the live socket was removed"
	can_connect "$live" || bad "(d) the live socket no longer accepts"
	[ -S "$other" ] || bad "(d) other.sock (not a VP name) was removed"
	[ -f "$plain" ] || bad "(d) a regular file with a VP name was removed"
	grep -q "stale socket other.sock" "$T/daemon.log" &&
	    bad "(d) the daemon logged something about other.sock"

	kill -TERM "$DAEMON_PID"
	if wait_exit "$DAEMON_PID" 10; then
		[ "$EXIT_STATUS" = 0 ] ||
		    bad "(d) exit status $EXIT_STATUS after SIGTERM"
	else
		bad "(d) daemon still running 10 s after SIGTERM"
	fi
	[ -S "$live" ] && [ -S "$other" ] && [ -f "$plain" ] ||
	    bad "(d) the daemon removed files not its own at exit"
	kill "$_lp" 2>/dev/null
	[ $nfail = $_nb ] && ok "(d) stale VP sockets removed and logged;" \
	    "live socket, other.sock and the regular file left alone"
	rm -rf "${SOCKDIR:?}"/* 2>/dev/null
}

# ------------------------------------------------------------------
# (f) the manual page.

case_f() {
	say "(f) mandoc -Tlint -Wwarning"
	if ! command -v mandoc >/dev/null 2>&1; then
		say "SKIP (f): mandoc not installed"
		return
	fi
	nran=$((nran + 1))
	if [ ! -f "$MANPAGE" ]; then
		bad "(f) $MANPAGE missing"
		return
	fi
	_out=$(mandoc -Tlint -Wwarning "$MANPAGE" 2>&1)
	_rc=$?
	if [ $_rc != 0 ] || [ -n "$_out" ]; then
		bad "(f) mandoc -Tlint -Wwarning: status $_rc"
		printf '%s\n' "$_out" | head -n 20 | sed 's/^/    /'
	else
		ok "(f) manual page lints clean"
	fi
}

# ------------------------------------------------------------------
# (g) startup failures, with and without -D.

# startfail DESC PATTERN ARGS...: for "" and -D, the daemon with ARGS
# (and -e) must fail as described in the header; PATTERN is a grep
# regular expression the message must match.
startfail() {
	_sf_desc=$1
	_sf_pat=$2
	shift 2
	for _sf_d in fg -D; do
		_sf_flag=
		[ "$_sf_d" = -D ] && _sf_flag=-D
		rm -f "$T/g.pid"
		# shellcheck disable=SC2086
		bg_run 5 "$T/g.out" "$T/g.err" $_sf_flag -e "$T/g.pid" \
		    $BACKEND_OPTS "$@"
		_sf_left=$(daemons_here)
		if [ "$RC" = 0 ] || [ "$RC" = 124 ]; then
			bad "$_sf_desc [$_sf_d]: status $RC, want non-zero"
		elif [ ! -s "$T/g.err" ]; then
			bad "$_sf_desc [$_sf_d]: status $RC, nothing on" \
			    "stderr"
		elif ! grep -q -- "$_sf_pat" "$T/g.err"; then
			bad "$_sf_desc [$_sf_d]: message does not name" \
			    "'$_sf_pat': $(tail -n 1 "$T/g.err")"
		else
			ok "$_sf_desc [$_sf_d]: status $RC:" \
			    "$(grep -- "$_sf_pat" "$T/g.err" | head -n 1)"
		fi
		if [ -n "$_sf_left" ]; then
			bad "$_sf_desc [$_sf_d]: daemon left running:" \
			    "$(echo $_sf_left)"
			kill_strays
		fi
		[ -e "$T/g.pid" ] &&
		    bad "$_sf_desc [$_sf_d]: pid file left behind"
	done
}

case_g() {
	say "(g) startup failures"
	nran=$((nran + 1))
	new_port
	: >"$T/regular"
	startfail "(g) -U missing directory" "$T/nodir" \
	    -P "$LISTEN_ADDR" -U "$T/nodir"
	startfail "(g) -U regular file" "$T/regular" \
	    -P "$LISTEN_ADDR" -U "$T/regular"
	startfail "(g) -M existing regular file" "$T/regular" \
	    -P "$LISTEN_ADDR" -U "$SOCKDIR" -M "$T/regular"
	[ -f "$T/regular" ] && [ ! -S "$T/regular" ] ||
	    bad "(g) the regular file at -M was replaced"
	startfail "(g) -M in a missing directory" "$T/nodir/mux" \
	    -P "$LISTEN_ADDR" -U "$SOCKDIR" -M "$T/nodir/mux"

	"$PY" -c 'import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(8)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write("%d\n" % s.getsockname()[1])
import os
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
time.sleep(120)' "$T/busy.port" </dev/null >"$T/busy.log" 2>&1 &
	_bp=$!
	track "$_bp"
	_n=50
	while [ ! -f "$T/busy.port" ] && [ $_n -gt 0 ]; do
		sleep 0.1
		_n=$((_n - 1))
	done
	_busy=$(cat "$T/busy.port" 2>/dev/null)
	if [ -z "$_busy" ]; then
		bad "(g) could not occupy a port"
	else
		startfail "(g) -P port in use" "in use" \
		    -P "127.0.0.1:$_busy" -U "$SOCKDIR"
		alive "$_bp" || bad "(g) the port's owner died"
	fi
	kill "$_bp" 2>/dev/null
	_left=$(ls -A "$SOCKDIR")
	[ -z "$_left" ] || bad "(g) -U directory not empty: $_left"
}

# ------------------------------------------------------------------
# (e) -u nobody.

case_e() {
	say "(e) -u nobody"
	if [ "$(id -u)" != 0 ]; then
		say "SKIP (e): not root"
		return
	fi
	if ! id nobody >/dev/null 2>&1; then
		say "SKIP (e): no user nobody"
		return
	fi
	nran=$((nran + 1))
	_ngrp=$(id -gn nobody)
	# nobody must be able to reach directories below $T.
	chmod 711 "$T"

	UD=$T/udir
	mkdir "$UD" && chmod 755 "$UD" || fail "(e) mkdir $UD"
	new_port
	# As every startup failure in (g): with and without -D.
	startfail "(e) -u nobody, -U owned by root" "$UD.*nobody" \
	    -u nobody -P "$LISTEN_ADDR" -U "$UD"

	chown nobody "$UD" || fail "(e) chown nobody $UD"
	SOCKDIR=$UD
	: >"$T/daemon.log"
	start_daemon -u nobody
	_who=$(ps -o ruser=,user= -p "$DAEMON_PID" 2>/dev/null)
	# shellcheck disable=SC2086
	set -- $_who
	if [ "${1:-}" = nobody ] && [ "${2:-}" = nobody ]; then
		ok "(e) running as nobody (real and effective)"
	else
		bad "(e) daemon runs as '$_who', want nobody nobody"
	fi

	_have_scamper=1
	for _r in scamper sc_attach sc_warts2json pgrep; do
		command -v "$_r" >/dev/null 2>&1 || _have_scamper=0
	done
	if [ $_have_scamper = 1 ]; then
		start_vp -M opsu
		if S=$(wait_socket 'opsu-*' 20); then
			_own=$(ls -ln "$S" | awk '{ print $3 }')
			[ "$_own" = "$(id -u nobody)" ] ||
			    bad "(e) VP socket owned by uid $_own, not nobody"
			client_cmd ping "$S" 'send:ping -c 3 127.0.0.1\n' ||
			    fail "(e) ping client did not complete"
			decode ping
			check_ping ping 127.0.0.1 3
			ok "(e) scamper VP connected; ping returned a result"
		else
			bad "(e) no socket for VP opsu in $UD"
		fi
		kill_tree TERM "$VP_PID"
	else
		say "SKIP (e) ping part: scamper tools not installed"
		"$PY" "$FAKEVP" link 127.0.0.1 "$PORT" new:opsu \
		    "expect-socket:$UD" >"$T/vpu.log" 2>&1 ||
		    bad "(e) fake VP got no socket under -u nobody"
	fi
	kill -TERM "$DAEMON_PID"
	if wait_exit "$DAEMON_PID" 10; then
		[ "$EXIT_STATUS" = 0 ] ||
		    bad "(e) exit status $EXIT_STATUS after SIGTERM"
	else
		bad "(e) daemon still running 10 s after SIGTERM"
	fi
	_left=$(ls -A "$UD")
	[ -z "$_left" ] || bad "(e) -U not empty after SIGTERM: $_left"

	# The group way: root-owned, nobody's group, set-gid, 2770.
	UD2=$T/gdir
	mkdir "$UD2" && chgrp "$_ngrp" "$UD2" && chmod 2770 "$UD2" ||
	    fail "(e) cannot make $UD2"
	SOCKDIR=$UD2
	new_port
	: >"$T/daemon.log"
	start_daemon -u nobody
	"$PY" "$FAKEVP" link 127.0.0.1 "$PORT" new:opsg expect-open:30 \
	    </dev/null >"$T/vpg.log" 2>&1 &
	track $!
	if S=$(wait_socket 'opsg-*' 10); then
		_grp=$(ls -ln "$S" | awk '{ print $4 }')
		if [ "$_grp" = "$(id -g nobody)" ]; then
			ok "(e) group-writable set-gid -U works; socket" \
			    "group $_ngrp"
		else
			bad "(e) socket in $UD2 has gid $_grp, want $_ngrp"
		fi
	else
		bad "(e) no VP socket in the group-writable $UD2"
	fi
	kill -TERM "$DAEMON_PID"
	wait_exit "$DAEMON_PID" 10 ||
	    bad "(e) daemon still running 10 s after SIGTERM"
	SOCKDIR=$T/sock
}

case_a
case_b
case_c
case_d
case_f
case_g
case_e

[ -z "$(daemons_here)" ] || bad "daemons still running at the end"
if [ $nfail -gt 0 ]; then
	say "FAIL: $nfail check(s) failed"
	exit 1
fi
[ $nran -gt 0 ] || skip "nothing could run"
pass
