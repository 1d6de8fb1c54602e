#!/bin/sh
# Build sc_remoted and run every test: unit tests (cmocka) and the
# integration tests against the real scamper, with gcc; again with clang
# under AddressSanitizer and UndefinedBehaviorSanitizer; then
# make distcheck (with the quick tests: the full suite ran twice).  Each build happens in its own directory under build/.
# Run as root: scamper needs raw sockets for its pings.
set -e
cd "$(dirname "$0")/.."
top=$(pwd)
jobs=${JOBS:-6}

sh scripts/deps.sh
./bootstrap.sh >/dev/null

run_build() {
	name=$1; shift
	echo "=== $name: configure $*"
	rm -rf "build/$name"
	mkdir -p "build/$name"
	(cd "build/$name" && "$top/configure" -q "$@" &&
	    make -j2 >/dev/null &&
	    make -j"$jobs" check) || {
		echo "=== $name: FAILED; logs:" >&2
		for f in $(find "build/$name/tests" -name '*.log' \
		    2>/dev/null); do
			if grep -q '^FAIL\|^ERROR' "${f%.log}.trs" \
			    2>/dev/null; then
				echo "--- $f" >&2
				tail -60 "$f" >&2
			fi
		done
		exit 1
	}
}

run_build gcc CC=gcc --enable-werror
if [ "${QUICK:-0}" = 1 ]; then
	exit 0
fi
run_build clang-san CC=clang --enable-werror --enable-sanitizers
echo "=== distcheck (the tarball builds, installs and passes the quick tests)"
(cd build/gcc && make -j2 distcheck-quick >/dev/null)
echo "=== manual page lint"
mandoc -Tlint -Wwarning man/sc_remoted.1
echo "all builds and tests passed"
