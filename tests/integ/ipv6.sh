#!/bin/sh
# ipv6.sh: daemon and VP over IPv6 loopback.
#
# Asserts: with -P '[::1]:PORT' and scamper -R '[::1]:PORT' -M v6.vp the
# socket is named v6.vp-::1.<port> (IPv6 peer text, a dot before the
# port); "ping -c 1 ::1" through it returns a complete result whose
# list name starts with "::1.<port>_".  Skips when ::1 is unusable.
#
# Copyright (C) 2026 The sc_remoted authors.
# SPDX-License-Identifier: GPL-2.0-only
. "$(dirname "$0")/lib.sh"
require_scamper
"$PY" "$FAKEVP" has-ipv6 || skip "::1 is not configured"

PORT=$(free_port -6) || fail "no free IPv6 port found"
LISTEN_ADDR="[::1]:$PORT"
REMOTE_ADDR="[::1]:$PORT"
LISTEN_HOST=::1

start_daemon
start_vp -M v6.vp
S=$(wait_socket 'v6.vp-*') || fail "no socket for VP v6.vp appeared"
name=$(basename "$S")
say "VP socket $name"
peer=${name#v6.vp-}
case $peer in
::1.*) ;;
*) fail "socket $name is not v6.vp-::1.<port>" ;;
esac
port=${peer#::1.}
case $port in
''|*[!0-9]*) fail "socket $name: '$port' is not a port number" ;;
esac
mode=$(sock_mode "$S")
[ "$mode" = "srwx------" ] || fail "socket mode is $mode, want srwx------"

client_cmd c1 "$S" 'send:ping -c 1 ::1\n' || fail "client c1 did not complete"
decode c1
check_ping c1 ::1 1
case $(list_of c1) in
"$peer"_[0-9]*) ;;
*) fail "list name '$(list_of c1)' does not start with '$peer'_" ;;
esac
check_monitor c1 v6.vp

daemon_alive || fail "daemon died"
pass
