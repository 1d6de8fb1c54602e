#!/bin/sh
# attach.sh: sc_attach drives a VP through its socket.
#
# Asserts: "sc_attach -R SOCKET -i cmds -o out.warts" with four pings
# and a trace exits 0, and out.warts decodes to every one of the five
# results: four pings to 127.0.0.1 (1, 2, 1 and 2 probes sent) and one
# trace to 127.0.0.1.
#
# Copyright (C) 2026 The sc_remoted authors.
# SPDX-License-Identifier: GPL-2.0-only
. "$(dirname "$0")/lib.sh"
require_scamper

start_daemon
start_vp -M att
S=$(wait_socket 'att-*') || fail "no socket for VP att appeared"

cat >"$T/cmds" <<CMDS
ping -c 1 127.0.0.1
ping -c 2 127.0.0.1
trace 127.0.0.1
ping -c 1 127.0.0.1
ping -c 2 127.0.0.1
CMDS

timeout 40 sc_attach -R "$S" -i "$T/cmds" -o "$T/att.warts" \
    >"$T/sc_attach.log" 2>&1 || fail "sc_attach failed (status $?)"
timeout 10 sc_warts2json "$T/att.warts" >"$T/att.json" 2>>"$T/sc_attach.log" ||
    fail "sc_warts2json failed"
"$PY" "$FAKEVP" summary "$T/att.json" >"$T/att.sum" ||
    fail "sc_warts2json output is not JSON"
sed 's/^/  att: /' "$T/att.sum"

n=$(sum_count att '^ping dst=127\.0\.0\.1 sent=[12] replies=[1-9]')
[ "$n" = 4 ] || fail "$n ping results with replies, expected 4"
[ "$(sum_count att '^ping dst=127\.0\.0\.1 sent=1 ')" = 2 ] ||
    fail "expected two 1-probe pings"
[ "$(sum_count att '^ping dst=127\.0\.0\.1 sent=2 ')" = 2 ] ||
    fail "expected two 2-probe pings"
[ "$(sum_count att '^trace dst=127\.0\.0\.1 ')" = 1 ] ||
    fail "expected one trace result"

daemon_alive || fail "daemon died"
pass
