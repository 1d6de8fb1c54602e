# tlscerts.sh: certificates and the TLS plumbing for the TLS tests.
#
# Copyright (C) 2026 The sc_remoted authors.
# SPDX-License-Identifier: GPL-2.0-only
#
# Sourced by tests/integ/tls*.sh after lib.sh.  POSIX sh.
#
#   require_tls          skip (77) unless openssl, socat and a daemon
#                        built with TLS (its usage text lists -c) exist
#   make_certs           write the certificates below into $C ($T/certs)
#   use_port PORT        point the lib.sh helpers (start_daemon, start_vp,
#                        link) at another daemon port and a fresh -U dir
#   start_tls_vp NAME [SCAMPER-ARGS] [-- SOCAT-OPENSSL-OPTIONS]
#                        scamper -R 127.0.0.1:RELAY ARGS, where RELAY is
#                        a socat that carries each connection over TLS
#                        (verifying the daemon against $C/ca.pem and the
#                        name localhost) to the daemon's $PORT.  The
#                        socat options (e.g. cert=..,key=..) are added to
#                        its OPENSSL address.  Logs socat.NAME.log.
#   stop_pid PID         stop a process started here and its children
#   stop_daemon          SIGTERM the current daemon and wait for it
#   fingerprint          the SHA-256 fingerprint a new TLS client of the
#                        daemon sees (openssl s_client)
#   cert_fp FILE         the SHA-256 fingerprint of a PEM certificate
#   log_mark             the daemon log's current line count
#   log_since MARK       the daemon log after line MARK
#   wait_log MARK ERE [SECS]   wait until a line after MARK matches ERE
#   ping_ok NAME SOCKET [COUNT]  a "ping -c COUNT 127.0.0.1" through
#                        SOCKET returns one ping result with replies
#
# Files made by make_certs (EC P-256 keys, all valid now unless said):
#   ca.pem ca.key            the test CA
#   ca2.pem ca2.key          another CA, unrelated to the first
#   server.pem server.key    certificate A: CN localhost, SAN DNS:localhost
#                            and IP:127.0.0.1, signed by ca
#   serverB.pem serverB.key  certificate B: the same names, another key
#   server-enc.key           server.key encrypted (AES-256) with the
#                            passphrase in passfile (first line)
#   vp1.pem vp1.key          client, SAN DNS:vp1, signed by ca
#   vp2.pem vp2.key          client, SAN DNS:vp2, signed by ca
#   vp3.pem vp3.key          client, CN vp3 and no SAN, signed by ca
#   vp1exp.pem vp1exp.key    client for vp1, signed by ca, expired
#                            (valid 2020-01-01 to 2020-02-01)
#   vp1other.pem vp1other.key  client for vp1, signed by ca2

require_tls() {
	require openssl socat
	"$SC_REMOTED" -? 2>&1 | grep -Eq -- '(^|[[:space:][])-c[[:space:]]' ||
	    skip "$SC_REMOTED built without TLS (no -c in its usage text)"
}

C=$T/certs
PASSPHRASE='remoted test passphrase'

_ossl() {
	timeout 30 openssl "$@" >>"$C/openssl.log" 2>&1 ||
	    fail "openssl $1 failed (see $C/openssl.log)"
}

_newkey() {
	_ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
	    -out "$C/$1.key"
}

# _ca NAME CN: a self-signed CA.
_ca() {
	_newkey "$1"
	_ossl req -new -x509 -key "$C/$1.key" -out "$C/$1.pem" -days 30 \
	    -subj "/CN=$2" -sha256 \
	    -addext "basicConstraints=critical,CA:TRUE" \
	    -addext "keyUsage=critical,keyCertSign,cRLSign"
}

# _leaf NAME CA SUBJECT EXTENSIONS: a certificate signed by CA.
_leaf() {
	_newkey "$1"
	_ossl req -new -key "$C/$1.key" -out "$C/$1.csr" -subj "$3"
	printf '%s\n' "basicConstraints=critical,CA:FALSE" "$4" \
	    >"$C/$1.ext"
	_ossl x509 -req -in "$C/$1.csr" -CA "$C/$2.pem" -CAkey "$C/$2.key" \
	    -set_serial "0x$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')" \
	    -days 30 -sha256 -extfile "$C/$1.ext" -out "$C/$1.pem"
}

make_certs() {
	mkdir -p "$C" || fail "mkdir $C"
	: >"$C/openssl.log"
	_ca ca "sc_remoted test CA"
	_ca ca2 "sc_remoted other CA"
	_srv="extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1"
	_cli="extendedKeyUsage=clientAuth"
	_leaf server ca /CN=localhost "$_srv"
	_leaf serverB ca /CN=localhost "$_srv"
	_leaf vp1 ca /CN=vp1-client "$_cli
subjectAltName=DNS:vp1"
	_leaf vp2 ca /CN=vp2-client "$_cli
subjectAltName=DNS:vp2"
	_leaf vp3 ca /CN=vp3 "$_cli"
	_leaf vp1other ca2 /CN=vp1-client "$_cli
subjectAltName=DNS:vp1"

	# An expired one: openssl 3.0's x509 cannot set the dates, "ca" can.
	_newkey vp1exp
	_ossl req -new -key "$C/vp1exp.key" -out "$C/vp1exp.csr" \
	    -subj /CN=vp1-client
	mkdir -p "$C/ca.db"
	: >"$C/ca.db/index.txt"
	echo 01 >"$C/ca.db/serial"
	cat >"$C/ca.cnf" <<EOF
[ ca ]
default_ca = test_ca
[ test_ca ]
dir = $C
database = \$dir/ca.db/index.txt
new_certs_dir = \$dir/ca.db
serial = \$dir/ca.db/serial
certificate = \$dir/ca.pem
private_key = \$dir/ca.key
default_md = sha256
policy = any_policy
unique_subject = no
[ any_policy ]
commonName = supplied
[ exp_ext ]
basicConstraints = critical,CA:FALSE
extendedKeyUsage = clientAuth
subjectAltName = DNS:vp1
EOF
	_ossl ca -batch -notext -config "$C/ca.cnf" -extensions exp_ext \
	    -startdate 20200101000000Z -enddate 20200201000000Z \
	    -in "$C/vp1exp.csr" -out "$C/vp1exp.pem"

	printf '%s\n' "$PASSPHRASE" >"$C/passfile"
	_ossl pkey -in "$C/server.key" -aes256 \
	    -passout "file:$C/passfile" -out "$C/server-enc.key"
	grep -q ENCRYPTED "$C/server-enc.key" ||
	    fail "openssl did not encrypt server-enc.key"

	# The certificates must be what the tests take them for.
	for _c in server serverB vp1 vp2 vp3; do
		_ossl verify -CAfile "$C/ca.pem" "$C/$_c.pem"
	done
	timeout 30 openssl verify -CAfile "$C/ca.pem" "$C/vp1exp.pem" \
	    >"$C/verify.out" 2>&1 && fail "vp1exp.pem is not expired"
	grep -q expired "$C/verify.out" || fail "vp1exp.pem: $(cat "$C/verify.out")"
	timeout 30 openssl verify -CAfile "$C/ca.pem" "$C/vp1other.pem" \
	    >/dev/null 2>&1 && fail "vp1other.pem verifies against ca.pem"
	[ "$(cert_fp "$C/server.pem")" != "$(cert_fp "$C/serverB.pem")" ] ||
	    fail "certificates A and B have one fingerprint"
	return 0
}

# use_port PORT: later start_daemon, start_vp and link use PORT, and the
# daemon gets a fresh socket directory.
_sockn=0
use_port() {
	PORT=$1
	LISTEN_ADDR="127.0.0.1:$PORT"
	REMOTE_ADDR="127.0.0.1:$PORT"
	_sockn=$((_sockn + 1))
	SOCKDIR=$T/sock$_sockn
	mkdir "$SOCKDIR" && chmod 700 "$SOCKDIR" || fail "mkdir $SOCKDIR"
}

# start_tls_vp NAME [SCAMPER-ARGS] [-- SOCAT-OPENSSL-OPTIONS]
# Sets VP_PID (scamper's wrapper) and SOCAT_PID.
start_tls_vp() {
	_tv_name=$1
	shift
	_tv_args=
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		_tv_args="$_tv_args $1"
		shift
	done
	[ "${1:-}" = -- ] && shift
	_tv_opts=
	for _tv_o in "$@"; do
		_tv_opts="$_tv_opts,$_tv_o"
	done
	_tv_relay=$(free_port) || fail "no free port for the relay"
	socat -d -d \
	    "TCP-LISTEN:$_tv_relay,bind=127.0.0.1,reuseaddr,fork" \
	    "OPENSSL:127.0.0.1:$PORT,cafile=$C/ca.pem,verify=1,commonname=localhost$_tv_opts" \
	    </dev/null >"$T/socat.$_tv_name.log" 2>&1 &
	SOCAT_PID=$!
	track "$SOCAT_PID"
	# Wait for its listening socket without connecting to it: a probe
	# connection would become a link of its own.
	_tv_n=100
	until grep -q 'listening on' "$T/socat.$_tv_name.log" 2>/dev/null; do
		alive "$SOCAT_PID" || fail "socat for $_tv_name exited"
		[ $_tv_n -le 0 ] && fail "socat for $_tv_name is not listening"
		sleep 0.1
		_tv_n=$((_tv_n - 1))
	done
	_tv_saved=$REMOTE_ADDR
	REMOTE_ADDR=127.0.0.1:$_tv_relay
	# shellcheck disable=SC2086
	start_vp $_tv_args
	REMOTE_ADDR=$_tv_saved
	mv "$T/scamper.$_vpn.log" "$T/scamper.$_tv_name.log" 2>/dev/null
}

stop_pid() {
	kill_tree TERM "$1"
	wait_exit "$1" 5 || kill_tree KILL "$1"
	wait "$1" 2>/dev/null
	return 0
}

stop_daemon() {
	kill -TERM "$DAEMON_PID" 2>/dev/null
	wait_exit "$DAEMON_PID" 10 || fail "daemon did not exit on SIGTERM"
}

cert_fp() {
	openssl x509 -in "$1" -noout -fingerprint -sha256 2>/dev/null
}

fingerprint() {
	timeout 10 openssl s_client -connect "127.0.0.1:$PORT" \
	    </dev/null 2>/dev/null |
	    openssl x509 -noout -fingerprint -sha256 2>/dev/null
}

log_mark() {
	wc -l <"$T/daemon.log" | tr -d ' '
}

log_since() {
	tail -n +"$(($1 + 1))" "$T/daemon.log"
}

wait_log() {
	_wl_n=$(( ${3:-10} * 10 ))
	until log_since "$1" | grep -Eq -- "$2"; do
		[ "$_wl_n" -le 0 ] && return 1
		sleep 0.1
		_wl_n=$((_wl_n - 1))
	done
	return 0
}

ping_ok() {
	client_cmd "$1" "$2" "send:ping -c ${3:-1} 127.0.0.1\\n" ||
	    fail "$1: the ping through $(basename "$2") did not complete"
	decode "$1"
	check_ping "$1" 127.0.0.1 "${3:-1}"
}
