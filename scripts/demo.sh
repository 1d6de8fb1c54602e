#!/bin/sh
# Build sc_remoted and show it working end to end: start the daemon, let
# a local scamper dial in as a VP, run one ping through the VP's unix
# socket, print the decoded result, and stop everything.
# Run as root: scamper needs raw sockets for its pings.
set -e
cd "$(dirname "$0")/.."
top=$(pwd)

sh scripts/deps.sh
./bootstrap.sh >/dev/null
mkdir -p build/demo
(cd build/demo && "$top/configure" -q && make -j2 >/dev/null)

work=$(mktemp -d /tmp/sc_remoted-demo.XXXXXX)
mkdir "$work/sockets"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
pids=
cleanup() {
	# shellcheck disable=SC2086
	[ -n "$pids" ] && kill $pids 2>/dev/null
	wait 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

echo "--- sc_remoted -P 127.0.0.1:$port -U $work/sockets"
build/demo/src/sc_remoted -P "127.0.0.1:$port" -U "$work/sockets" \
    2>"$work/daemon.log" &
pids="$!"
sleep 0.5

echo "--- scamper -R 127.0.0.1:$port -M demo-vp"
scamper -R "127.0.0.1:$port" -M demo-vp >"$work/scamper.log" 2>&1 &
pids="$pids $!"

sock=
i=0
while [ $i -lt 100 ]; do
	sock=$(ls "$work"/sockets/demo-vp-* 2>/dev/null | head -n 1)
	[ -n "$sock" ] && break
	sleep 0.1
	i=$((i + 1))
done
[ -n "$sock" ] || { echo "no VP socket appeared" >&2; cat "$work/daemon.log"; exit 1; }
echo "--- VP socket: $sock"
ls -l "$sock"

echo "ping -c 3 127.0.0.1" >"$work/cmds"
echo "--- sc_attach -R $sock -i cmds -o result.warts"
timeout 30 sc_attach -R "$sock" -i "$work/cmds" -o "$work/result.warts"
echo "--- sc_warts2json result.warts"
sc_warts2json "$work/result.warts"
echo "--- daemon log"
cat "$work/daemon.log"
