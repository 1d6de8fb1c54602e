#!/bin/sh
# cmdline.sh: command-line validation and startup failures.
#
# Asserts that each bad command line below makes the daemon exit
# (within 3 s) with a non-zero status and a usage message on stderr
# (text containing "usage", any case); for the -U checks and for a
# port already in use, which are startup rather than syntax errors, a
# non-empty error message is enough.  "-?" must also exit non-zero
# with the usage text.  A still-running daemon counts as having
# accepted the command line.  Also asserts that a good command line
# does start (control case).
#
# Our daemon is stricter than the 20211212 reference (daemon-behaviour.md
# 2.1 and W24/W25).  The reference is expected to FAIL these cases:
#   -Z abc, -Z 10abc, -P 127.0.0.1:80x (lax number parsing: accepted),
#   -4 -6 -P PORT (runs listening nowhere), a positional argument
#   (ignored), and "port in use" (exits 255 but prints nothing unless
#   -O debug).
# Set CMDLINE_KEEP_GOING=0 to stop at the first failure.
#
# Copyright (C) 2026 The sc_remoted authors.
# SPDX-License-Identifier: GPL-2.0-only
. "$(dirname "$0")/lib.sh"

D=$SOCKDIR
LP=127.0.0.1:$PORT
FILE=$T/regular-file
: >"$FILE"
nfail=0

# run_daemon ARGS...: run the daemon for at most 3 s; sets RC, stderr
# in $T/err.
run_daemon() {
	(cd "$T" && timeout -k 2 3 "$SC_REMOTED" "$@" \
	    </dev/null >"$T/out" 2>"$T/err")
	RC=$?
}

bad1() {
	say "FAIL: $*"
	sed 's/^/    stderr: /' "$T/err" | head -n 5
	nfail=$((nfail + 1))
	[ "${CMDLINE_KEEP_GOING:-1}" = 1 ] || fail "stopping"
}

# check KIND DESC ARGS...: KIND is usage (syntax error) or msg.
check() {
	kind=$1
	desc=$2
	shift 2
	run_daemon "$@"
	if [ "$RC" = 124 ] || [ "$RC" = 137 ]; then
		bad1 "$desc: accepted (daemon still running after 3 s)"
	elif [ "$RC" = 0 ]; then
		bad1 "$desc: exit status 0"
	elif [ ! -s "$T/err" ]; then
		bad1 "$desc: status $RC but nothing on stderr"
	elif [ "$kind" = usage ] && ! grep -qi usage "$T/err"; then
		bad1 "$desc: status $RC but no usage text on stderr"
	else
		say "ok: $desc (status $RC)"
	fi
}

check usage "missing -P"          -U "$D"
check usage "missing -U"          -P "$LP"
check usage "no arguments"
check usage "-Z abc"              -P "$LP" -U "$D" -Z abc
check usage "-Z 10abc"            -P "$LP" -U "$D" -Z 10abc
check usage "-Z 99999"            -P "$LP" -U "$D" -Z 99999
check usage "-Z -1"               -P "$LP" -U "$D" -Z -1
check usage "-P 0"                -P 0 -U "$D"
check usage "-P 127.0.0.1:0"      -P 127.0.0.1:0 -U "$D"
check usage "-P 65536"            -P 65536 -U "$D"
check usage "-P abc"              -P abc -U "$D"
check usage "-P 80x"              -P 80x -U "$D"
check usage "-P 127.0.0.1:80x"    -P 127.0.0.1:80x -U "$D"
check usage "-P [::1]"            -P '[::1]' -U "$D"
check usage "-P ::1:PORT"         -P "::1:$PORT" -U "$D"
check usage "-6 with IPv4 -P"     -6 -P "$LP" -U "$D"
check usage "-4 -6 -P PORT"       -4 -6 -P "$PORT" -U "$D"
check usage "-O bogus"            -P "$LP" -U "$D" -O bogus
check usage "unknown option -x"   -P "$LP" -U "$D" -x
check usage "-P without argument" -U "$D" -P
check usage "positional argument" -P "$LP" -U "$D" extra
check msg   "-U /nonexistent"     -P "$LP" -U /nonexistent/sc_remoted.d
check msg   "-U regular file"     -P "$LP" -U "$FILE"
check usage "-?"                  '-?'

# Control: a good command line starts and listens.  It then holds the
# port for the next check.
start_daemon
check msg   "port already in use" -P "$LISTEN_ADDR" -U "$D"
daemon_alive || fail "the first daemon died"

[ "$nfail" -eq 0 ] || fail "$nfail command-line checks failed"
pass
