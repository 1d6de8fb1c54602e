#!/bin/sh
# noname.sh: a VP started without -M.
#
# Asserts: the socket is named 127.0.0.1:<port> (no monitor-name
# prefix) with mode srwx------, and one ping through it returns a
# complete result whose list name carries the same peer address.
#
# Copyright (C) 2026 The sc_remoted authors.
# SPDX-License-Identifier: GPL-2.0-only
. "$(dirname "$0")/lib.sh"
require_scamper

start_daemon
start_vp
S=$(wait_socket '*') || fail "no VP socket appeared"
name=$(basename "$S")
say "VP socket $name"
case $name in
127.0.0.1:*) ;;
*) fail "socket $name is not 127.0.0.1:<port>" ;;
esac
port=${name#127.0.0.1:}
case $port in
''|*[!0-9]*) fail "socket $name: '$port' is not a port number" ;;
esac
mode=$(sock_mode "$S")
[ "$mode" = "srwx------" ] || fail "socket mode is $mode, want srwx------"
[ "$(ls "$SOCKDIR" | wc -l)" -eq 1 ] || fail "more than one socket in -U dir"

client_cmd c1 "$S" 'send:ping -c 1 127.0.0.1\n' ||
    fail "client c1 did not complete"
decode c1
check_ping c1 127.0.0.1 1
case $(list_of c1) in
"$name"_[0-9]*) ;;
*) fail "list name '$(list_of c1)' does not start with '$name'_" ;;
esac

daemon_alive || fail "daemon died"
pass
