#!/bin/sh
# Install what building and testing sc_remoted needs, on Debian or
# Ubuntu.  Does nothing when everything is already there.
set -e

PKGS="autoconf automake make gcc clang pkg-config libssl-dev libcmocka-dev
scamper socat python3 mandoc openssl procps iproute2"

missing=
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
	    grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "deps.sh: missing packages:$missing" >&2
	echo "deps.sh: run as root (or with sudo) to install them" >&2
	exit 1
fi
echo "deps.sh: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
