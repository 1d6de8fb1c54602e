#!/bin/sh
# twoclients.sh: two local clients on one VP socket at the same time.
#
# Asserts: both connect before either finishes; client A runs
# "ping -c 2", client B "ping -c 3"; each gets exactly its own complete
# result (A: one ping with 2 probes, B: one with 3), each on its own
# channel (different list names), and both see EOF.
#
# Copyright (C) 2026 The sc_remoted authors.
# SPDX-License-Identifier: GPL-2.0-only
. "$(dirname "$0")/lib.sh"
require_scamper

start_daemon
start_vp -M two
S=$(wait_socket 'two-*') || fail "no socket for VP two appeared"

# Both clients hold their channel open until both have been accepted,
# so the two measurements really overlap.
client_bg a "$S" 'send:ping -c 2 -i 1 127.0.0.1\n' 'until:OK id-[0-9]+' \
    'sleep:0.5' 'send:done\n' 'until:^OK$' readeof
A=$CLIENT_PID
client_bg b "$S" 'send:ping -c 3 -i 1 127.0.0.1\n' 'until:OK id-[0-9]+' \
    'sleep:0.5' 'send:done\n' 'until:^OK$' readeof
B=$CLIENT_PID
wait "$A" || fail "client a did not complete"
wait "$B" || fail "client b did not complete"

decode a
decode b
check_ping a 127.0.0.1 2
check_ping b 127.0.0.1 3
la=$(list_of a)
lb=$(list_of b)
[ -n "$la" ] && [ "$la" != "$lb" ] ||
    fail "clients share a channel? list names '$la' and '$lb'"

daemon_alive || fail "daemon died"
pass
