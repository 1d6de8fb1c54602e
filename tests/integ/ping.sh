#!/bin/sh
# ping.sh: one VP with a monitor name; one local client runs a ping.
#
# Asserts: the VP's socket is named vp1-127.0.0.1:<port> with mode
# srwx------; a client that sends "ping -c 3 127.0.0.1" and "done" gets
# the whole result stream (decodes to warts; a cycle start, one ping to
# 127.0.0.1 with 3 probes sent and replies, a cycle stop) and then EOF;
# the warts list name carries the MASTER_ID text (127.0.0.1:<port>_<n>),
# i.e. the same peer address as the socket name; the daemon survives.
#
# Copyright (C) 2026 The sc_remoted authors.
# SPDX-License-Identifier: GPL-2.0-only
. "$(dirname "$0")/lib.sh"
require_scamper

start_daemon
start_vp -M vp1
S=$(wait_socket 'vp1-*') || fail "no socket for VP vp1 appeared"
name=$(basename "$S")
say "VP socket $name"

peer=${name#vp1-}
port=${peer#127.0.0.1:}
case $peer in
127.0.0.1:*) ;;
*) fail "socket $name is not vp1-127.0.0.1:<port>" ;;
esac
case $port in
''|*[!0-9]*) fail "socket $name: '$port' is not a port number" ;;
esac
[ "$port" -ge 1 ] && [ "$port" -le 65535 ] || fail "bad port in $name"
mode=$(sock_mode "$S")
[ "$mode" = "srwx------" ] || fail "socket mode is $mode, want srwx------"

client_cmd c1 "$S" 'send:ping -c 3 127.0.0.1\n' ||
    fail "client c1 did not complete"
decode c1
check_ping c1 127.0.0.1 3
list=$(list_of c1)
case $list in
"$peer"_[0-9]*) ;;
*) fail "list name '$list' does not start with the VP id '$peer'_" ;;
esac
check_monitor c1 vp1

daemon_alive || fail "daemon died"
[ -S "$S" ] || fail "VP socket vanished"
pass
