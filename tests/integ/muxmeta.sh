#!/bin/sh
# muxmeta.sh: the metadata file (-m) and its reload on SIGHUP
# (mux-protocol.md sections 6 and 9), seen through the mux socket.
#
# Fake VPs (tests/fakevp.py links) vpa, vpb, vpc and one without a
# monitor name; no scamper needed.
#   Syntax: comments, a line starting with whitespace (empty name: applies
#   to nobody), keywords in any case, an unknown keyword (ignored), a
#   repeated single-valued keyword (the last wins), trailing spaces kept
#   in the value, tags in file order, a name in another case (no match),
#   every keyword (asn4 asn6 cc st place latlong shortname iata tag), the
#   last line without a newline.  vpc has no entry and gets no metadata;
#   the nameless VP neither.
#   SIGHUP with an edited file (vpa changed, vpc gains an entry, vpb's
#   lines moved but unchanged): a connected client W gets VP_DEPART then
#   VP_UPDATE (same id, new values) for vpa and for vpc, nothing for vpb
#   or the nameless VP (our documented behaviour); a new client sees the
#   new values; a VP arriving afterwards (vpd) gets the new entry.
#   SIGHUP with a broken file (a line with only a name; then name and
#   keyword only; a whitespace-only line; a NUL byte in a value): the
#   daemon logs the file's line number each time, keeps the old data (a
#   new client still sees it) and W is told nothing.
#   At startup a broken -m file, or a missing one, is an error naming the
#   file (and the line) with a non-zero exit.
#
# Copyright (C) 2026 The sc_remoted authors.
# SPDX-License-Identifier: GPL-2.0-only
. "$(dirname "$0")/lib.sh"
require pgrep

MUXC=$INTEG_DIR/../muxclient.py
[ -f "$MUXC" ] || fail "$MUXC missing"

muxc() {
	timeout $((CLIENT_TIMEOUT + 10)) "$PY" "$MUXC" \
	    --timeout "$CLIENT_TIMEOUT" "$@"
}
jcheck() { "$PY" "$MUXC" eval "$@"; }
wait_for() {
	_wf_n=$(( $1 * 10 ))
	shift
	until "$@" 2>/dev/null; do
		[ $_wf_n -le 0 ] && return 1
		sleep 0.1
		_wf_n=$((_wf_n - 1))
	done
}
# fake NAME: a fake VP that stays connected (NAME "-": no monitor name).
fake() {
	if [ "$1" = - ]; then _fs=new; else _fs=new:$1; fi
	timeout 100 "$PY" "$FAKEVP" link "$LISTEN_HOST" "$PORT" "$_fs" \
	    expect-open:90 </dev/null >"$T/fake-$1.log" 2>&1 &
	track $!
}
# vpval FILE NAME EXPR: EXPR over the VP dict v of NAME in a list file.
vpval() {
	jcheck "$1" "[$3 for v in vps if v.get('name') == $2][0]"
}
# check_vp FILE NAME PYDICT: the VP's metadata is exactly PYDICT
# (keys asn4 asn6 cc st place latlong shortname iata tags).
check_vp() {
	_got=$(jcheck "$1" "[{k: v[k] for k in ('asn4', 'asn6', 'cc', 'st', 'place', 'latlong', 'shortname', 'iata', 'tags') if k in v and v[k] != []} for v in (vps or ev('VP_UPDATE')) if v.get('name') == $2][-1]") ||
	    fail "$1: no VP $2"
	_want=$("$PY" -c "import json; print(json.dumps($3, sort_keys=True))")
	[ "$_got" = "$_want" ] ||
	    fail "$(basename "$1"): VP $2: metadata $_got, want $_want"
}
logcount() { grep -c -- "$1" "$T/daemon.log"; }
hup() {
	_hc=$(logcount 'SIGHUP\|metadata for')
	kill -HUP "$DAEMON_PID"
	_hup_more() { [ "$(logcount 'SIGHUP\|metadata for')" -gt "$_hc" ]; }
	wait_for 5 _hup_more || fail "daemon logged nothing on SIGHUP"
	sleep 0.3
}

# Version 1.  The place of vpa ends in two spaces; the last line has no
# newline.
printf '%s\n' \
    '# muxmeta.sh, version 1' \
    '' \
    'vpa	asn4	1' \
    'vpa  CC   nz' \
    'vpa  place  Wellington Central  ' \
    'vpa  tag  one' \
    'vpa  Bogus  ignored' \
    'vpa  TAG  two' \
    'vpa  asn4  64500' \
    '  vpa  cc  zz' \
    'VPA  cc  xx' \
    'vpb  asn6  64501' \
    'vpb  st  CA' \
    'vpb  shortname  bee' \
    'vpb  iata  san' \
    'vpb  latlong  32.88,-117.23' \
    'vpb  cc  us' \
    'vpb  place  San Diego' >"$T/meta.1"
printf 'vpb  tag  last line' >>"$T/meta.1"
cp "$T/meta.1" "$T/meta"

A='{"asn4": "64500", "cc": "nz", "place": "Wellington Central  ", "tags": ["one", "two"]}'
B='{"asn6": "64501", "st": "CA", "shortname": "bee", "iata": "san", "latlong": "32.88,-117.23", "cc": "us", "place": "San Diego", "tags": ["last line"]}'
A2='{"asn4": "64499", "cc": "au", "place": "Sydney", "tags": ["three"]}'
C2='{"cc": "fr", "tags": ["x", "y", "x"]}'
D2='{"iata": "akl"}'
NONE='{}'

start_daemon -M "$T/mux" -m "$T/meta"
wait_for 5 test -S "$T/mux" || fail "mux socket not created"
fake vpa
fake vpb
fake vpc
fake -
four() { muxc list "$T/mux" >"$T/l0.list" 2>"$T/l0.log" &&
    [ "$(wc -l <"$T/l0.list")" -eq 4 ]; }
wait_for 10 four || fail "the four fake VPs did not all arrive"
check_vp "$T/l0.list" "'vpa'" "$A"
check_vp "$T/l0.list" "'vpb'" "$B"
check_vp "$T/l0.list" "'vpc'" "$NONE"
check_vp "$T/l0.list" "None" "$NONE"
jcheck "$T/l0.list" "[len([a for a in v['attrs'] if a[0] == 4]) for v in vps if v.get('name') == 'vpa'] == [1]" ||
    say "note: vpa's repeated asn4 is sent more than once (clients keep the last)"
IDA=$(vpval "$T/l0.list" "'vpa'" "v['id']")
IDB=$(vpval "$T/l0.list" "'vpb'" "v['id']")
IDC=$(vpval "$T/l0.list" "'vpc'" "v['id']")
ARRA=$(vpval "$T/l0.list" "'vpa'" "v['arrival']")
say "version 1: vpa, vpb, vpc, nameless as announced; vpa is VP $IDA"

# W: connected throughout.
timeout 100 "$PY" "$MUXC" watch "$T/mux" 90 --stop-file "$T/w.stop" \
    >"$T/w.out" 2>"$T/w.log" &
W=$!
track "$W"
wait_for 10 grep -q '"GO"' "$T/w.out" || fail "W: no GO"
jcheck "$T/w.out" "len(ev('VP_UPDATE', burst=True)) == 4" ||
    fail "W: burst is not the four VPs"
# live KIND...: W's events after the burst, "KIND id" each.
live() {
	jcheck "$T/w.out" "' '.join('%s %s' % (e['ev'], e.get('id')) for e in E if e['ev'] in ('VP_UPDATE', 'VP_DEPART') and not e.get('burst'))"
}

# ---------------------------------------------------------------------
# Version 2: vpa changed, vpc gains an entry, vpb moved, vpd new.
printf '%s\n' \
    '# muxmeta.sh, version 2' \
    'vpb  asn6  64501' \
    'vpb  st  CA' \
    'vpb  shortname  bee' \
    'vpb  iata  san' \
    'vpb  latlong  32.88,-117.23' \
    'vpb  cc  us' \
    'vpb  place  San Diego' \
    'vpb  tag  last line' \
    'vpa  asn4  64499' \
    'vpa  cc  au' \
    'vpa  place  Sydney' \
    'vpa  tag  three' \
    'vpc  cc  fr' \
    'vpc  tag  x' \
    'vpc  tag  y' \
    'vpc  tag  x' \
    'vpd  iata  akl' >"$T/meta.2"
cp "$T/meta.2" "$T/meta"
hup
two() { [ "$(live | wc -w)" -ge 8 ]; }
wait_for 5 two || fail "W: after SIGHUP, not VP_DEPART + VP_UPDATE for vpa and vpc: $(live)"
sleep 1
ev=$(live)
case " $ev " in
*" VP_DEPART $IDA VP_UPDATE $IDA "*) ;;
*) fail "W: not VP_DEPART $IDA then VP_UPDATE $IDA for vpa: $ev" ;;
esac
case " $ev " in
*" VP_DEPART $IDC VP_UPDATE $IDC "*) ;;
*) fail "W: not VP_DEPART $IDC then VP_UPDATE $IDC for vpc: $ev" ;;
esac
[ "$(echo "$ev" | wc -w)" = 8 ] ||
    fail "W: events for VPs whose metadata did not change: $ev"
check_vp "$T/w.out" "'vpa'" "$A2"
check_vp "$T/w.out" "'vpc'" "$C2"
jcheck "$T/w.out" "[e['arrival'] for e in ev('VP_UPDATE') if e.get('name') == 'vpa'] == ['$ARRA'] * 2" ||
    fail "W: vpa's arrival changed with the reload"
muxc list "$T/mux" >"$T/l2.list" 2>"$T/l2.log" || fail "list failed"
check_vp "$T/l2.list" "'vpa'" "$A2"
check_vp "$T/l2.list" "'vpb'" "$B"
check_vp "$T/l2.list" "'vpc'" "$C2"
check_vp "$T/l2.list" "None" "$NONE"
[ "$(vpval "$T/l2.list" "'vpa'" "v['id']")" = "$IDA" ] || fail "vpa's id changed"
fake vpd
hasd() { jcheck "$T/w.out" "len(ev('VP_UPDATE', name='vpd')) == 1"; }
wait_for 10 hasd || fail "W: no VP_UPDATE for vpd"
check_vp "$T/w.out" "'vpd'" "$D2"
say "version 2: W got VP_DEPART + VP_UPDATE for vpa and vpc only; new clients and vpd see it"

# ---------------------------------------------------------------------
# Broken versions: each reported with its line, version 2 kept.
nw=$(live | wc -w)
# broken LINE DESC: install $T/meta.bad, SIGHUP; the daemon must log
# "line LINE" once more than before.
broken() {
	_before=$(grep -c "line $1\b" "$T/daemon.log")
	cp "$T/meta.bad" "$T/meta"
	hup
	[ "$(grep -c "line $1\b" "$T/daemon.log")" -gt "$_before" ] ||
	    fail "broken file ($2): the daemon did not log 'line $1'"
	grep "line $1\b" "$T/daemon.log" | tail -n 1 | sed 's/^/  log: /'
}
# Each is version 2 with vpa's place changed and one bad line inserted.
{ sed -n '1,3p' "$T/meta.2"; echo 'vpa'; sed -n '4,$p' "$T/meta.2"; } |
    sed 's/Sydney/Perth/' >"$T/meta.bad"
broken 4 "a line with only a name"
{ sed -n '1,5p' "$T/meta.2"; echo 'vpa  place   '; sed -n '6,$p' "$T/meta.2"; } |
    sed 's/Sydney/Perth/' >"$T/meta.bad"
broken 6 "name and keyword only"
{ sed -n '1,7p' "$T/meta.2"; printf ' \t \n'; sed -n '8,$p' "$T/meta.2"; } |
    sed 's/Sydney/Perth/' >"$T/meta.bad"
broken 8 "a whitespace-only line"
{ sed -n '1,10p' "$T/meta.2"; printf 'vpa  cc  n\000z\n'; sed -n '11,$p' "$T/meta.2"; } |
    sed 's/Sydney/Perth/' >"$T/meta.bad"
broken 11 "a NUL byte in a value"
sleep 1
[ "$(live | wc -w)" = "$nw" ] ||
    fail "W was told something after a broken file: $(live)"
muxc list "$T/mux" >"$T/l3.list" 2>"$T/l3.log" || fail "list failed"
check_vp "$T/l3.list" "'vpa'" "$A2"
check_vp "$T/l3.list" "'vpb'" "$B"
check_vp "$T/l3.list" "'vpc'" "$C2"
check_vp "$T/l3.list" "'vpd'" "$D2"
say "broken files: each reported with its line; version 2 kept, W told nothing"

touch "$T/w.stop"
wait_exit "$W" 10 || fail "W did not stop"
[ "$EXIT_STATUS" = 0 ] || fail "W saw protocol violations ($(tail -n 1 "$T/w.log"))"

# ---------------------------------------------------------------------
# At startup.
P2=$(free_port) || fail "no free port"
{ sed -n '1,2p' "$T/meta.2"; echo 'vpb'; sed -n '3,$p' "$T/meta.2"; } \
    >"$T/bad.meta"
rc=0
timeout 10 "$SC_REMOTED" -P "127.0.0.1:$P2" -M "$T/mux2" -m "$T/bad.meta" \
    </dev/null >"$T/start1.out" 2>&1 || rc=$?
sed 's/^/  startup: /' "$T/start1.out"
[ "$rc" != 0 ] && [ "$rc" != 124 ] ||
    fail "a broken -m file at startup: exit status $rc, want a non-zero exit"
grep -q "bad.meta" "$T/start1.out" && grep -q "line 3\b" "$T/start1.out" ||
    fail "a broken -m file at startup: the error does not name the file and line 3"
rc=0
timeout 10 "$SC_REMOTED" -P "127.0.0.1:$P2" -M "$T/mux3" -m "$T/nosuch.meta" \
    </dev/null >"$T/start2.out" 2>&1 || rc=$?
sed 's/^/  startup: /' "$T/start2.out"
[ "$rc" != 0 ] && [ "$rc" != 124 ] ||
    fail "a missing -m file at startup: exit status $rc, want a non-zero exit"
grep -q "nosuch.meta" "$T/start2.out" ||
    fail "a missing -m file at startup: the error does not name the file"

daemon_alive || fail "daemon died"
pass
