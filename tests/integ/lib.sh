# lib.sh: shared helpers for the sc_remoted integration tests.
#
# Copyright (C) 2026 The sc_remoted authors.
# SPDX-License-Identifier: GPL-2.0-only
#
# Sourced by every tests/integ/*.sh script.  POSIX sh.  The automake
# harness exports SC_REMOTED (the daemon under test), top_srcdir and
# top_builddir; SC_REMOTED_BACKEND=select adds "-O select".
#
# Exit status convention (automake): 0 pass, 1 fail, 77 skip.
#
# What a test gets:
#   T            per-test scratch directory (removed at exit)
#   SOCKDIR      $T/sock, the daemon's -U directory
#   PORT         a free TCP port for the daemon
#   FAKEVP       path of tests/fakevp.py;  PY  the python3 to run it
#   require PROG...      skip (77) unless every PROG is installed
#   require_root         skip unless root (scamper's ping needs raw sockets)
#   start_daemon [ARGS]  run the daemon in the background, wait for PORT
#   start_vp [ARGS]      run "scamper -R ADDR ARGS" in the background
#   wait_socket GLOB [S] wait for a socket in SOCKDIR, print its path
#   wait_gone PATH [S]   wait until PATH no longer exists
#   client NAME SOCKET STEP...     run a local client (fakevp.py client)
#   client_bg NAME SOCKET STEP...  the same in the background
#   decode NAME          $T/NAME.raw -> NAME.warts -> NAME.json -> NAME.sum
#   fail MSG             report, show the logs, exit 1
#
# Every process started through these helpers is killed on exit, along
# with its children, whether the test passes, fails or is interrupted.

INTEG_DIR=$(cd "$(dirname "$0")" && pwd)
FAKEVP=$INTEG_DIR/../fakevp.py
PY=${PYTHON:-python3}
TESTNAME=$(basename "$0" .sh)
[ "${SC_REMOTED_BACKEND:-}" = select ] && TESTNAME="select/$TESTNAME"

if [ -z "${SC_REMOTED:-}" ]; then
	if [ -n "${top_builddir:-}" ]; then
		SC_REMOTED=$top_builddir/src/sc_remoted
	else
		SC_REMOTED=$INTEG_DIR/../../src/sc_remoted
	fi
fi

BACKEND_OPTS=
if [ "${SC_REMOTED_BACKEND:-}" = select ]; then
	BACKEND_OPTS="-O select"
fi

# Per-step time bounds (seconds).
CLIENT_TIMEOUT=${CLIENT_TIMEOUT:-25}
# Whole-test bound: the watchdog sends SIGTERM to the test after this.
TEST_TIMEOUT=${TEST_TIMEOUT:-150}

_pids=
_watchdog=
T=

say() { printf '%s: %s\n' "$TESTNAME" "$*"; }

skip() {
	say "SKIP: $*"
	exit 77
}

# Processes to kill at exit.
track() { _pids="$_pids $*"; }

# kill_tree SIG PID: signal PID's children (recursively), then PID.
# Children go first, and get up to a second to be reaped by PID, so
# that nothing is left for init to collect.
kill_tree() {
	if command -v pgrep >/dev/null 2>&1; then
		_kt_kids=$(pgrep -P "$2" 2>/dev/null)
		for _kt_c in $_kt_kids; do
			kill_tree "$1" "$_kt_c"
		done
		_kt_n=10
		while [ -n "$_kt_kids" ] && [ $_kt_n -gt 0 ] &&
		    [ -n "$(pgrep -P "$2" 2>/dev/null)" ]; do
			sleep 0.1
			_kt_n=$((_kt_n - 1))
		done
	fi
	kill -"$1" "$2" 2>/dev/null
}

# alive PID: true while PID runs (an unreaped zombie counts as dead).
alive() {
	kill -0 "$1" 2>/dev/null || return 1
	case $(ps -o stat= -p "$1" 2>/dev/null) in
	Z*|"") return 1 ;;
	esac
	return 0
}

_san_re='ERROR: (LeakSanitizer|AddressSanitizer)|runtime error:'

cleanup() {
	_rc=$?
	trap - EXIT INT TERM HUP PIPE
	[ -n "$_watchdog" ] && kill "$_watchdog" 2>/dev/null
	_all="$_pids"
	if command -v pgrep >/dev/null 2>&1; then
		_all="$_all $(pgrep -P $$ 2>/dev/null)"
	fi
	# Once each: a second SIGTERM would cut a daemon's exit short.
	_all=$(echo $_all | tr ' ' '\n' | sort -u)
	for _p in $_all; do
		[ "$_p" = "$_watchdog" ] || kill_tree TERM "$_p"
	done
	_n=0
	while [ $_n -lt 30 ]; do
		_left=
		for _p in $_all; do
			alive "$_p" && _left="$_left $_p"
		done
		[ -z "$_left" ] && break
		sleep 0.1
		_n=$((_n + 1))
	done
	for _p in $_left; do
		kill_tree KILL "$_p"
	done
	wait 2>/dev/null
	# Leaks are reported at exit, which for most daemons is only now:
	# a sanitizer's report in any log fails a test that passed.
	if [ "$_rc" = 0 ] && [ -n "$T" ] && [ -d "$T" ]; then
		_san=$(grep -l -E "$_san_re" "$T"/*.log 2>/dev/null)
		if [ -n "$_san" ]; then
			for _f in $_san; do
				say "FAIL: sanitizer report in $(basename "$_f"):"
				grep -A 25 -E "$_san_re" "$_f" | head -n 60
			done
			_rc=1
		fi
	fi
	if [ -n "$T" ] && [ -d "$T" ]; then
		if [ -n "${KEEP_TMP:-}" ]; then
			say "keeping $T"
		else
			rm -rf "$T"
		fi
	fi
	exit $_rc
}

trap cleanup EXIT
trap 'say "interrupted"; exit 130' INT
trap 'say "terminated (watchdog after ${TEST_TIMEOUT}s?)"; exit 143' TERM
trap 'exit 129' HUP
# Output to a closed pipe (e.g. "./ping.sh | head"): stop writing, but
# still clean up.
trap 'exec >/dev/null 2>&1; exit 141' PIPE

# tail_logs: the end of every log of this test, daemon first.
tail_logs() {
	if [ -f "$T/daemon.log" ]; then
		echo "---- daemon.log (last 40 lines) ----"
		tail -n 40 "$T/daemon.log"
	fi
	for _f in "$T"/*.log; do
		[ -f "$_f" ] || continue
		[ "$_f" = "$T/daemon.log" ] && continue
		echo "---- $(basename "$_f") (last 15 lines) ----"
		tail -n 15 "$_f"
	done
	echo "----"
}

fail() {
	say "FAIL: $*"
	[ -n "$T" ] && [ -d "$T" ] && tail_logs
	exit 1
}

pass() {
	say "PASS${*:+: $*}"
	exit 0
}

# require PROG...: skip unless each program is on PATH.
require() {
	for _r in "$@"; do
		command -v "$_r" >/dev/null 2>&1 || skip "$_r not installed"
	done
}

require_root() {
	[ "$(id -u)" = 0 ] || skip "not root (scamper needs raw sockets for ping)"
}

# The usual requirements of a test that runs real scamper.
require_scamper() {
	require "$PY" timeout pgrep scamper sc_attach sc_warts2json
	require_root
}

# Basic setup, done for every test.
[ -f "$FAKEVP" ] || { say "FAIL: $FAKEVP missing"; exit 1; }
command -v "$PY" >/dev/null 2>&1 || skip "$PY not installed"
# Run the interpreter itself, not a wrapper such as a pyenv shim: the
# tests start python often.
_py=$("$PY" -c 'import sys; print(sys.executable)' 2>/dev/null) &&
    [ -x "$_py" ] && PY=$_py
command -v timeout >/dev/null 2>&1 || skip "timeout not installed"
[ -x "$SC_REMOTED" ] || { say "FAIL: daemon $SC_REMOTED not executable"; exit 1; }

_tmpbase=${TMPDIR:-/tmp}
# Unix socket paths must fit sun_path: keep the base short.
[ ${#_tmpbase} -gt 40 ] && _tmpbase=/tmp
T=$(mktemp -d "$_tmpbase/scri.XXXXXX") || { say "FAIL: mktemp"; exit 1; }
SOCKDIR=$T/sock
mkdir "$SOCKDIR"
chmod 700 "$SOCKDIR"

"$PY" -c 'import os, sys, time
time.sleep(float(sys.argv[2]))
os.kill(int(sys.argv[1]), 15)' $$ "$TEST_TIMEOUT" </dev/null >/dev/null 2>&1 &
_watchdog=$!

# free_port [-6]: use as PORT=$(free_port) || fail ...
free_port() {
	"$PY" "$FAKEVP" freeport "$@"
}

PORT=$(free_port) || fail "no free port found"
# Where the daemon listens (-P) and where scamper dials (-R), and the
# host to probe; ipv6.sh overrides all three.
LISTEN_ADDR="127.0.0.1:$PORT"
REMOTE_ADDR="127.0.0.1:$PORT"
LISTEN_HOST=127.0.0.1

say "daemon: $SC_REMOTED ${BACKEND_OPTS:-(default backend)}; port $PORT; dir $T"

# start_daemon [ARGS]: sets DAEMON_PID.  If the daemon exits at once
# (most likely another test took PORT since free_port looked), try
# again twice on a new port.
start_daemon() {
	_sd_try=0
	while :; do
		# shellcheck disable=SC2086
		"$SC_REMOTED" -P "$LISTEN_ADDR" -U "$SOCKDIR" -O debug \
		    $BACKEND_OPTS "$@" </dev/null >>"$T/daemon.log" 2>&1 &
		DAEMON_PID=$!
		track "$DAEMON_PID"
		timeout 15 "$PY" "$FAKEVP" waitport "$LISTEN_HOST" "$PORT" 10 \
		    "$DAEMON_PID" && return 0
		if alive "$DAEMON_PID" || [ $_sd_try -ge 2 ]; then
			fail "daemon not accepting on $LISTEN_ADDR"
		fi
		wait "$DAEMON_PID"
		_sd_try=$((_sd_try + 1))
		case $LISTEN_HOST in
		*:*) PORT=$(free_port -6) || fail "no free port found" ;;
		*) PORT=$(free_port) || fail "no free port found" ;;
		esac
		LISTEN_ADDR=${LISTEN_ADDR%:*}:$PORT
		REMOTE_ADDR=${REMOTE_ADDR%:*}:$PORT
		say "daemon exited at startup; retrying on port $PORT"
	done
}

daemon_alive() { alive "$DAEMON_PID"; }

# start_vp [ARGS]: scamper -R; sets VP_PID (log $T/scamper.N.log).
# scamper runs under "fakevp.py reap", which collects scamper's
# privilege-separation helper too; VP_PID is that wrapper's pid and
# vp_main_pid prints scamper's own.
_vpn=0
start_vp() {
	_vpn=$((_vpn + 1))
	"$PY" "$FAKEVP" reap scamper -R "$REMOTE_ADDR" "$@" </dev/null \
	    >"$T/scamper.$_vpn.log" 2>&1 &
	VP_PID=$!
	track "$VP_PID"
}

# vp_main_pid [WRAPPER_PID]: scamper's pid under its wrapper.
vp_main_pid() {
	_vm_n=50
	while [ $_vm_n -gt 0 ]; do
		_vm=$(pgrep -P "${1:-$VP_PID}" 2>/dev/null | head -n 1)
		[ -n "$_vm" ] && { echo "$_vm"; return 0; }
		sleep 0.1
		_vm_n=$((_vm_n - 1))
	done
	return 1
}

# wait_socket GLOB [SECS]: print the path of the socket in SOCKDIR
# matching GLOB once one exists.  Use as P=$(wait_socket 'x-*') || fail.
wait_socket() {
	_ws_n=$(( ${2:-15} * 10 ))
	while [ "$_ws_n" -gt 0 ]; do
		for _ws in "$SOCKDIR"/$1; do
			if [ -S "$_ws" ]; then
				printf '%s\n' "$_ws"
				return 0
			fi
		done
		sleep 0.1
		_ws_n=$((_ws_n - 1))
	done
	return 1
}

# wait_gone PATH [SECS]
wait_gone() {
	_wg_n=$(( ${2:-5} * 10 ))
	while [ -e "$1" ] || [ -L "$1" ]; do
		[ "$_wg_n" -le 0 ] && return 1
		sleep 0.1
		_wg_n=$((_wg_n - 1))
	done
	return 0
}

# wait_exit PID SECS: wait until PID has exited; set EXIT_STATUS.
wait_exit() {
	_we_n=$(( $2 * 10 ))
	while alive "$1"; do
		[ "$_we_n" -le 0 ] && return 1
		sleep 0.1
		_we_n=$((_we_n - 1))
	done
	wait "$1"
	EXIT_STATUS=$?
	return 0
}

# client NAME SOCKET STEP...: transcript in $T/NAME.raw, log NAME.log.
client() {
	_cn=$1
	shift
	timeout $((CLIENT_TIMEOUT + 5)) "$PY" "$FAKEVP" client \
	    --timeout "$CLIENT_TIMEOUT" --out "$T/$_cn.raw" "$@" \
	    >"$T/$_cn.log" 2>&1
}

# client_bg NAME SOCKET STEP...: the same in the background; sets CLIENT_PID.
client_bg() {
	_cn=$1
	shift
	timeout $((CLIENT_TIMEOUT + 5)) "$PY" "$FAKEVP" client \
	    --timeout "$CLIENT_TIMEOUT" --out "$T/$_cn.raw" "$@" \
	    >"$T/$_cn.log" 2>&1 &
	CLIENT_PID=$!
	track "$CLIENT_PID"
}

# A full measurement on a fresh channel: send CMD, wait until accepted,
# say done, read to EOF.
client_cmd() {
	_cc_name=$1
	_cc_sock=$2
	shift 2
	client "$_cc_name" "$_cc_sock" "$@" 'until:OK id-[0-9]+' \
	    'send:done\n' 'until:^OK$' readeof
}

# link STEP...: fakevp.py link against the daemon (log to stdout).
link() {
	timeout 30 "$PY" "$FAKEVP" link "$LISTEN_HOST" "$PORT" "$@" 2>&1
}

# decode NAME: $T/NAME.raw -> .warts -> .json -> .sum (summary lines).
decode() {
	"$PY" "$FAKEVP" uu2warts "$T/$1.raw" "$T/$1.warts" \
	    >>"$T/$1.log" 2>&1 || fail "$1: transcript does not decode"
	timeout 10 sc_warts2json "$T/$1.warts" >"$T/$1.json" \
	    2>>"$T/$1.log" || fail "$1: sc_warts2json failed"
	"$PY" "$FAKEVP" summary "$T/$1.json" >"$T/$1.sum" ||
	    fail "$1: sc_warts2json output is not JSON"
	sed "s/^/  $1: /" "$T/$1.sum"
}

# sum_count NAME REGEX: number of summary lines of NAME matching REGEX.
sum_count() {
	grep -E -c "$2" "$T/$1.sum"
}

# check_ping NAME DST SENT: the transcript holds exactly one ping to
# DST with SENT probes and at least one reply, between a cycle start
# and a cycle stop.
check_ping() {
	[ "$(sum_count "$1" '^ping ')" = 1 ] ||
	    fail "$1: expected one ping result"
	grep -q "^ping dst=$2 sent=$3 replies=[1-9]" "$T/$1.sum" ||
	    fail "$1: ping result is not 'dst=$2 sent=$3' with replies"
	[ "$(sum_count "$1" '^cycle-start ')" = 1 ] ||
	    fail "$1: expected one cycle-start"
	[ "$(sum_count "$1" '^cycle-stop ')" = 1 ] ||
	    fail "$1: expected one cycle-stop"
}

# list_of NAME: the list name of NAME's cycle-start record.
list_of() {
	sed -n 's/^cycle-start list=//p' "$T/$1.sum"
}

# check_monitor NAME MONITOR: sc_wartsdump (when installed) shows the
# monitor name scamper put into the list record.
check_monitor() {
	command -v sc_wartsdump >/dev/null 2>&1 || return 0
	timeout 10 sc_wartsdump "$T/$1.warts" >"$T/$1.dump" 2>&1
	grep -q "monitor: $2\$" "$T/$1.dump" ||
	    fail "$1: monitor name $2 not in the results"
}

# sock_mode PATH: the ls mode string, e.g. srwx------.
sock_mode() {
	ls -ld "$1" | cut -c1-10
}
