#!/bin/sh
# mux.sh: the multiplexed socket (-M) end to end with real scamper VPs
# (mux-protocol.md sections 5-7), driven by tests/muxclient.py.
#
# Daemon A (-Z 0, -M, -m with entries for mxa and mxb.test: asn4, cc, a
# place with spaces, latlong, two tags) and VPs mxa, mxb.test:
#   - the mux socket has mode srwx------; a second daemon given the same
#     -M path fails and leaves it in place;
#   - a mux client connected before any VP arrives gets GO first (empty
#     burst), then one VP_UPDATE per VP as it arrives;
#   - a client connecting afterwards gets both VP_UPDATEs, then GO: ids
#     non-zero and distinct, name, arrival as <sec>.<6 digits> within the
#     test's run, ipv4 127.0.0.1 (no ipv6), asn4/cc/place/latlong
#     verbatim, the tags in file order, no other attribute; the same ids
#     and arrivals as the early client was told;
#   - two channels on one mux connection, one per VP, run a ping at once
#     (mxa to 127.0.0.1, mxb.test to 127.0.0.2); each transcript decodes
#     (sc_warts2json) to one ping to its own dst with replies, between a
#     cycle start and stop whose list name carries that VP's peer address
#     (the same as its -U socket name);
#   - scamper of mxa is killed (SIGKILL) while a mux client holds a
#     channel on it: that client gets CHANNEL_CLOSE for the channel, then
#     VP_DEPART for mxa's id; the early client gets VP_DEPART too; a new
#     client sees only mxb.test.
# Daemon B (default -Z, VP mxz dialling through tests/relay.py):
#   - client W1 knows mxz; the relay cuts the link (the VP is a zombie);
#     W1 then opens a channel to mxz and sends a ping: held until scamper
#     resumes, then answered; W1 gets no VP_UPDATE or VP_DEPART;
#   - client W2 connects while mxz is a zombie: its burst does not
#     include mxz; when scamper resumes (30-61 s after the cut) W2 gets a
#     VP_UPDATE for mxz with the id and arrival it had before.
# Daemon A's part runs while daemon B waits for scamper: 40-75 s in all.
#
# Copyright (C) 2026 The sc_remoted authors.
# SPDX-License-Identifier: GPL-2.0-only
TEST_TIMEOUT=${TEST_TIMEOUT:-150}
. "$(dirname "$0")/lib.sh"
require_scamper

MUXC=$INTEG_DIR/../muxclient.py
RELAY=$INTEG_DIR/../relay.py
[ -f "$MUXC" ] || fail "$MUXC missing"
[ -f "$RELAY" ] || fail "$RELAY missing"
RESUME_WAIT=${RESUME_WAIT:-80}

# muxc ARGS: muxclient.py with the usual bound.
muxc() {
	timeout $((CLIENT_TIMEOUT + 10)) "$PY" "$MUXC" \
	    --timeout "$CLIENT_TIMEOUT" "$@"
}
# jcheck FILE EXPR: a check over muxclient.py's JSON lines.
jcheck() { "$PY" "$MUXC" eval "$@"; }
now() { "$PY" -c 'import time; print("%.6f" % time.time())'; }
# wait_for SECS CMD...: poll until CMD succeeds.
wait_for() {
	_wf_n=$(( $1 * 10 ))
	shift
	until "$@" 2>/dev/null; do
		[ $_wf_n -le 0 ] && return 1
		sleep 0.1
		_wf_n=$((_wf_n - 1))
	done
}
logcount() { grep -c -- "$2" "$1"; }

T0=$(now)

cat >"$T/meta" <<'EOF'
# mux.sh metadata
mxa       asn4     64500
mxa       cc       nz
mxa       place    Hamilton City
mxa       latlong  -37.7875184,175.2783528
mxa       tag      os:freebsd
mxa       tag      hardware:pi4
mxb.test  tag      zeta
mxb.test  asn4     64501
mxb.test  place    San Diego  Supercomputer Center
mxb.test  cc       us
mxb.test  latlong  32.8801,-117.2340
mxb.test  tag      alpha
mxz       cc       de
mxz       tag      zombie
EOF

# The attribute check of a list of VPs (muxclient.py JSON lines).
cat >"$T/checkvps.py" <<'EOF'
import json, re, sys, time
path, t0, names = sys.argv[1], float(sys.argv[2]), sys.argv[3].split(",")
want = {
    "mxa": {"asn4": "64500", "cc": "nz", "place": "Hamilton City",
            "latlong": "-37.7875184,175.2783528",
            "tags": ["os:freebsd", "hardware:pi4"]},
    "mxb.test": {"asn4": "64501", "cc": "us",
                 "place": "San Diego  Supercomputer Center",
                 "latlong": "32.8801,-117.2340", "tags": ["zeta", "alpha"]},
    "mxz": {"cc": "de", "tags": ["zombie"]},
}
meta_nums = {4, 13, 5, 6, 7, 8, 9, 10, 11}
vps = []
for line in open(path):
    if line.strip():
        o = json.loads(line)
        if o.get("ev") in (None, "VP_UPDATE"):
            vps.append(o)
bad = []
got = sorted(v.get("name") or "" for v in vps)
if got != sorted(names):
    bad.append("VPs %s, want %s" % (got, sorted(names)))
ids = [v["id"] for v in vps]
if 0 in ids or len(set(ids)) != len(ids):
    bad.append("VP ids %s: zero or repeated" % ids)
now = time.time()
for v in vps:
    n = v.get("name")
    nums = [a[0] for a in v["attrs"]]
    for num in (1, 2, 3):
        if nums.count(num) != 1:
            bad.append("%s: attribute %d appears %d times" % (n, num, nums.count(num)))
    if 12 in nums:
        bad.append("%s: has an ipv6 attribute" % n)
    if v.get("ipv4") != "127.0.0.1":
        bad.append("%s: ipv4 %r" % (n, v.get("ipv4")))
    arr = v.get("arrival", "")
    if not re.fullmatch(r"[0-9]+\.[0-9]{6}", arr):
        bad.append("%s: arrival %r is not <sec>.<6 digits>" % (n, arr))
    elif not (t0 - 1 <= float(arr) <= now + 1):
        bad.append("%s: arrival %s is outside the test run (%.0f-%.0f)" % (n, arr, t0, now))
    w = want.get(n, {})
    for k in ("asn4", "cc", "place", "latlong"):
        if v.get(k) != w.get(k):
            bad.append("%s: %s is %r, want %r" % (n, k, v.get(k), w.get(k)))
    if v.get("tags") != w.get("tags", []):
        bad.append("%s: tags %r, want %r (in file order)" % (n, v.get("tags"), w.get("tags")))
    allowed = {1, 2, 3, 4, 5, 7, 8, 10} if n != "mxz" else {1, 2, 3, 5, 10}
    extra = sorted(set(nums) - allowed)
    if extra:
        bad.append("%s: unexpected attributes %s" % (n, extra))
    # The order the reference uses (recommended): 1, 2, 3, 4, 8, 5, 7, 10s.
    order = [x for x in nums if x != 10]
    if order != sorted(order, key=[1, 2, 3, 12, 4, 13, 8, 5, 6, 7, 9, 11].index) or \
            nums[len(order):] != [10] * (len(nums) - len(order)):
        print("note: %s: attribute order %s differs from the reference's" % (n, nums))
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
EOF

# ---------------------------------------------------------------------
# Daemon A: -Z 0.
start_daemon -Z 0 -M "$T/mux" -m "$T/meta"
wait_for 5 test -S "$T/mux" || fail "mux socket $T/mux not created"
mode=$(sock_mode "$T/mux")
[ "$mode" = "srwx------" ] || fail "mux socket mode is $mode, want srwx------"
# A second daemon on the same -M path: refused, the socket left alone.
P3=$(free_port) || fail "no free port"
mkdir -m 700 "$T/sock3"
rc=0
timeout 10 "$SC_REMOTED" -P "127.0.0.1:$P3" -U "$T/sock3" -M "$T/mux" \
    </dev/null >"$T/second.out" 2>&1 || rc=$?
[ "$rc" != 0 ] && [ "$rc" != 124 ] ||
    fail "a second daemon on the same -M path: exit status $rc"
[ -S "$T/mux" ] || fail "a second daemon on the same -M path removed it"

# Daemon B: default -Z, its VP behind the relay.
PORTB=$(free_port) || fail "no free port"
RPORT=$(free_port) || fail "no free port"
mkdir -m 700 "$T/sockb"
# shellcheck disable=SC2086
"$SC_REMOTED" -P "127.0.0.1:$PORTB" -U "$T/sockb" -M "$T/muxb" \
    -m "$T/meta" -O debug $BACKEND_OPTS </dev/null >>"$T/daemonb.log" 2>&1 &
DPID_B=$!
track "$DPID_B"
timeout 15 "$PY" "$FAKEVP" waitport 127.0.0.1 "$PORTB" 10 "$DPID_B" ||
    fail "daemon B not accepting on port $PORTB"
"$PY" "$RELAY" --ctl "$T/relay.ctl" --ready "$T/relay.ready" \
    --stats "$T/relay.stats" "$RPORT" "$PORTB" </dev/null 2>"$T/relay.log" &
track $!
wait_for 10 test -s "$T/relay.ready" || fail "relay did not start"
_ra=$REMOTE_ADDR
REMOTE_ADDR=127.0.0.1:$RPORT
start_vp -M mxz
REMOTE_ADDR=$_ra

# The early client of daemon A.
timeout 100 "$PY" "$MUXC" watch "$T/mux" 90 --stop-file "$T/w0.stop" \
    >"$T/w0.out" 2>"$T/w0.log" &
W0=$!
track "$W0"
wait_for 10 grep -q '"GO"' "$T/w0.out" || fail "early client: no GO"

start_vp -M mxa
VPA=$VP_PID
start_vp -M mxb.test
SA=$(wait_socket 'mxa-*' 20) || fail "no socket for VP mxa appeared"
SB=$(wait_socket 'mxb.test-*' 20) || fail "no socket for VP mxb.test appeared"

# ---------------------------------------------------------------------
# Daemon B: mxz becomes a zombie (started first: scamper takes 30-61 s
# to come back).
sockb_full() { [ -n "$(ls "$T/sockb" 2>/dev/null)" ]; }
wait_for 20 sockb_full ||
    fail "(B) no socket for VP mxz appeared"
muxc list "$T/muxb" >"$T/z0.list" 2>"$T/z0.log" || fail "(B) list failed"
"$PY" "$T/checkvps.py" "$T/z0.list" "$T0" mxz || fail "(B) VP_UPDATE for mxz"
ZID=$(jcheck "$T/z0.list" 'vps[0]["id"]')
ZARR=$(jcheck "$T/z0.list" 'vps[0]["arrival"]')
say "(B) mxz is VP $ZID, arrival $ZARR"

# W1 knows mxz; after the cut it opens a channel to the zombie.
timeout $((RESUME_WAIT + 40)) "$PY" "$MUXC" --timeout $((RESUME_WAIT + 20)) \
    run "$T/muxb" "touch:$T/w1.ready" "waitfile:$T/z.cut" open:mxz:1 \
    'send:1:ping -c 2 127.0.0.1\n' 'until:1:^OK id-[0-9]+$' \
    'send:1:done\n' expect-close:1 "warts:1:$T/pz.warts" \
    >"$T/w1.out" 2>"$T/w1.log" &
W1=$!
track "$W1"
wait_for 10 test -e "$T/w1.ready" || fail "(B) client W1 did not start"
jcheck "$T/w1.out" "len(ev('VP_UPDATE', name='mxz', burst=True)) == 1" ||
    fail "(B) W1's burst lacks mxz"

lost=$(logcount "$T/daemonb.log" 'link lost')
lost_more() { [ "$(logcount "$T/daemonb.log" 'link lost')" -gt "$lost" ]; }
echo close >"$T/relay.ctl"
wait_for 5 lost_more || fail "(B) daemon did not notice the cut"
grep -q 'link lost.*zombie' "$T/daemonb.log" ||
    fail "(B) the VP did not become a zombie"
TCUT=$(now)
sockb_empty() { [ -z "$(ls "$T/sockb")" ]; }
wait_for 3 sockb_empty ||
    fail "(B) mxz's -U socket still there after the cut"
touch "$T/z.cut"

timeout $((RESUME_WAIT + 20)) "$PY" "$MUXC" watch "$T/muxb" "$RESUME_WAIT" \
    --until-update mxz >"$T/w2.out" 2>"$T/w2.log" &
W2=$!
track "$W2"
wait_for 10 grep -q '"GO"' "$T/w2.out" || fail "(B) W2: no GO"
jcheck "$T/w2.out" 'E[0]["ev"] == "GO" and E[0]["vps"] == 0' ||
    fail "(B) the burst to a client connecting during zombie time is not empty: $(head -n 3 "$T/w2.out")"
say "(B) cut; mxz is a zombie, not in a new client's burst"

# ---------------------------------------------------------------------
# Daemon A: arrivals.
wait_for 10 jcheck "$T/w0.out" "len(ev('VP_UPDATE')) >= 2" ||
    fail "early client: not told of both VPs"
jcheck "$T/w0.out" 'E[0]["ev"] == "GO" and E[0]["vps"] == 0' ||
    fail "early client: the first message is not GO (empty burst)"
jcheck "$T/w0.out" "all(not e['burst'] for e in ev('VP_UPDATE'))" ||
    fail "early client: VP_UPDATE before GO"
"$PY" "$T/checkvps.py" "$T/w0.out" "$T0" mxa,mxb.test ||
    fail "early client: wrong VP_UPDATEs"

muxc list "$T/mux" >"$T/l1.list" 2>"$T/l1.log" || fail "list failed"
"$PY" "$T/checkvps.py" "$T/l1.list" "$T0" mxa,mxb.test ||
    fail "late client: wrong VP_UPDATEs in the burst"
for n in mxa mxb.test; do
	a=$(jcheck "$T/l1.list" "[[v['id'], v['attrs']] for v in vps if v['name'] == '$n']")
	b=$(jcheck "$T/w0.out" "[[v['id'], v['attrs']] for v in ev('VP_UPDATE') if v['name'] == '$n']")
	[ "$a" = "$b" ] || fail "$n: early and late clients were told differently: $b / $a"
done
IDA=$(jcheck "$T/l1.list" "[v['id'] for v in vps if v['name'] == 'mxa'][0]")
IDB=$(jcheck "$T/l1.list" "[v['id'] for v in vps if v['name'] == 'mxb.test'][0]")
say "mxa is VP $IDA, mxb.test is VP $IDB"

# ---------------------------------------------------------------------
# Two pings at once over one mux connection.
muxc ping "$T/mux" mxa 127.0.0.1 3 "$T/pa.warts" \
    mxb.test 127.0.0.2 3 "$T/pb.warts" >"$T/ping.out" 2>"$T/ping.log" ||
    fail "the two pings over the mux did not complete"
for n in pa pb; do
	timeout 10 sc_warts2json "$T/$n.warts" >"$T/$n.json" 2>>"$T/$n.log" ||
	    fail "$n: sc_warts2json failed"
	"$PY" "$FAKEVP" summary "$T/$n.json" >"$T/$n.sum" ||
	    fail "$n: sc_warts2json output is not JSON"
	sed "s/^/  $n: /" "$T/$n.sum"
done
check_ping pa 127.0.0.1 3
check_ping pb 127.0.0.2 3
# (muxclient.py sends "done" only once both channels have had their
# "OK id-", so the two measurements overlapped.)
jcheck "$T/ping.out" "len(ev('CHANNEL_CLOSE')) == 2" ||
    fail "expected CHANNEL_CLOSE for both channels"
peera=$(basename "$SA")
peera=${peera#mxa-}
peerb=$(basename "$SB")
peerb=${peerb#mxb.test-}
case $(list_of pa) in
"$peera"_*) ;;
*) fail "channel to mxa: list name $(list_of pa) is not ${peera}_*" ;;
esac
case $(list_of pb) in
"$peerb"_*) ;;
*) fail "channel to mxb.test: list name $(list_of pb) is not ${peerb}_*" ;;
esac

# ---------------------------------------------------------------------
# mxa departs with a mux channel open (-Z 0).
muxc run "$T/mux" open:mxa:5 'until:5:^MORE$' "touch:$T/dep.ready" \
    expect-close:5 expect-depart:mxa >"$T/dep.out" 2>"$T/dep.log" &
DEP=$!
track "$DEP"
wait_for 10 test -e "$T/dep.ready" || fail "channel 5 to mxa did not open"
PA=$(vp_main_pid "$VPA") || fail "no scamper process for mxa"
kill -KILL "$PA"
wait_exit "$DEP" 15 || fail "no CHANNEL_CLOSE then VP_DEPART within 15 s of killing mxa"
[ "$EXIT_STATUS" = 0 ] ||
    fail "not CHANNEL_CLOSE(5) then VP_DEPART($IDA): $(grep -v DATA "$T/dep.out" | tail -n 4)"
jcheck "$T/dep.out" "[e['id'] for e in ev('VP_DEPART')] == [$IDA]" ||
    fail "VP_DEPART does not name mxa's id $IDA"
wait_gone "$SA" 3 || fail "mxa's -U socket still there"
wait_for 5 jcheck "$T/w0.out" "len(ev('VP_DEPART', id=$IDA)) == 1" ||
    fail "early client: no VP_DEPART for mxa"
muxc list "$T/mux" >"$T/l2.list" 2>"$T/l2.log" || fail "list failed"
jcheck "$T/l2.list" "[v['id'] for v in vps] == [$IDB]" ||
    fail "after mxa left, a new client is told of $(jcheck "$T/l2.list" '[v["name"] for v in vps]')"
touch "$T/w0.stop"
wait_exit "$W0" 10 || fail "early client did not stop"
[ "$EXIT_STATUS" = 0 ] || fail "early client saw protocol violations"
jcheck "$T/w0.out" "len(ev('VP_UPDATE')) == 2 and len(ev('VP_DEPART')) == 1 and not ev('CHANNEL_CLOSE')" ||
    fail "early client: unexpected events"
say "mxa departed: CHANNEL_CLOSE then VP_DEPART"

# ---------------------------------------------------------------------
# Daemon B: wait for the resume.
left=$(awk -v a="$TCUT" -v b="$(now)" -v w="$RESUME_WAIT" \
    'BEGIN { x = int(w - (b - a)) + 1; print (x < 5 ? 5 : x) }')
wait_exit "$W2" "$left" || fail "(B) W2: no VP_UPDATE for mxz within $RESUME_WAIT s of the cut"
[ "$EXIT_STATUS" = 0 ] || fail "(B) W2: no VP_UPDATE for mxz after the resume ($(tail -n 2 "$T/w2.log"))"
grep -q ': resumed' "$T/daemonb.log" || fail "(B) the daemon did not log a resumption"
"$PY" "$T/checkvps.py" "$T/w2.out" "$T0" mxz || fail "(B) W2: VP_UPDATE for mxz"
jcheck "$T/w2.out" "[(e['id'], e['arrival'], e['burst']) for e in ev('VP_UPDATE')] == [($ZID, '$ZARR', False)]" ||
    fail "(B) W2: want one VP_UPDATE, VP $ZID arrival $ZARR; got $(jcheck "$T/w2.out" "[(e['id'], e['arrival']) for e in ev('VP_UPDATE')]")"
say "(B) resumed $(awk -v a="$TCUT" -v b="$(jcheck "$T/w2.out" "ev('VP_UPDATE')[0]['t']")" 'BEGIN { printf "%.0f", b - a }') s after the cut; W2 told of VP $ZID"

wait_exit "$W1" 30 || fail "(B) W1: the ping to the zombie was not answered after the resume"
[ "$EXIT_STATUS" = 0 ] || fail "(B) W1 failed"
timeout 10 sc_warts2json "$T/pz.warts" >"$T/pz.json" 2>>"$T/pz.log" ||
    fail "pz: sc_warts2json failed"
"$PY" "$FAKEVP" summary "$T/pz.json" >"$T/pz.sum" || fail "pz: not JSON"
sed "s/^/  pz: /" "$T/pz.sum"
check_ping pz 127.0.0.1 2
jcheck "$T/w1.out" "len(ev('VP_UPDATE')) == 1 and not ev('VP_DEPART')" ||
    fail "(B) W1, which knew mxz, was told something on the resume"
[ "$(logcount "$T/daemonb.log" ': new VP')" = 1 ] ||
    fail "(B) mxz came back as a new VP, not by resumption"

daemon_alive || fail "daemon A died"
alive "$DPID_B" || fail "daemon B died"
pass
