#!/bin/sh
# clientgone.sh: a local client vanishing mid-measurement harms nobody.
#
# Asserts: client A starts "ping -c 5 -i 1", waits for "OK id-N", then
# closes its socket abruptly after 1 s (unread output pending); client
# B, running concurrently on the same VP, gets its complete "ping -c 3"
# result and EOF; afterwards a new client C gets a complete result
# too, the VP's socket is still there and the daemon still runs.
#
# Copyright (C) 2026 The sc_remoted authors.
# SPDX-License-Identifier: GPL-2.0-only
. "$(dirname "$0")/lib.sh"
require_scamper

start_daemon
start_vp -M gone
S=$(wait_socket 'gone-*') || fail "no socket for VP gone appeared"

client_bg a "$S" 'send:ping -c 5 -i 1 127.0.0.1\n' 'until:OK id-[0-9]+' \
    'sleep:1' close
A=$CLIENT_PID
client_bg b "$S" 'send:ping -c 3 -i 1 127.0.0.1\n' 'until:OK id-[0-9]+' \
    'send:done\n' 'until:^OK$' readeof
B=$CLIENT_PID
wait "$A" || fail "client a failed before closing"
wait "$B" || fail "client b did not complete"
decode b
check_ping b 127.0.0.1 3

daemon_alive || fail "daemon died after client a left"
[ -S "$S" ] || fail "VP socket vanished"

client_cmd c "$S" 'send:ping -c 1 127.0.0.1\n' ||
    fail "client c did not complete"
decode c
check_ping c 127.0.0.1 1

daemon_alive || fail "daemon died"
pass
