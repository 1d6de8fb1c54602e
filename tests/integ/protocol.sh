#!/bin/sh
# protocol.sh: link-protocol edge cases, with tests/fakevp.py's frame
# builders playing scamper (remote-protocol.md sections 4, 5, 11, 14, 15;
# vectors/07).  A real scamper VP stays connected throughout: its socket
# must survive every case and a ping through it must work at the end.
#
# Each sub-case uses its own links (own magic, own monitor name) and
# asserts the exact bytes the daemon sends, or that it closes the link:
#   rej-unknown      MASTER_RES with an unknown magic -> exactly MASTER_REJ
#                    (00000000 00000000 0001 07), then close
#   rej-keepalive    the same with a KEEPALIVE in the same segment right
#                    after the RES: the REJ is still sent (E24; the
#                    reference drops it)
#   zombie-resume    (E22/E23/E26) a VP with an ACKed channel and one frame
#                    received (rcv_nxt 1); its link closes (zombie, socket
#                    gone, client still connected); the client writes;
#                    RES with r outside the queue, a > rcv_nxt, n < rcv_nxt
#                    (also serially: n = 0xffffffff) -> REJ + close each, nothing changes; a valid RES ->
#                    MASTER_OK 1 + the queued frame (seq 1); socket under
#                    the new port; data both ways on the same client
#   takeover         (E21) a RES with a bad r for the live VP -> REJ, link 1
#                    and the socket untouched; then a valid RES on link 2
#                    while link 1 is open -> OK 0 and
#                    the retransmission (r=1 drops CHANNEL_NEW); link 1 is
#                    closed; socket renamed to link 2's port; the client
#                    gets scamper's data from link 2
#   new-zombie-magic (E25) MASTER_NEW with a zombie's magic -> MASTER_ID;
#                    the old VP's client gets EOF; the new VP starts at 0
#   res-trailing     (W12) RES + ACK 0 + a data frame in one send -> OK,
#                    retransmitted CHANNEL_NEW, ACK of the data; the data
#                    reaches the client
#   zero-control     zero-length control frame on a pending link -> closed
#                    within 1 s, nothing sent
#   unknown-channel  data for channel 7 and CHANNEL_FIN for channel 9 on an
#                    established link -> ACK 0 and ACK 1 (exact bytes); the
#                    link stays up after a KEEPALIVE, the socket stays, a
#                    new client still gets CHANNEL_NEW
#   slow-new         (E19) MASTER_NEW one byte per send -> MASTER_ID
#   name-too-long    200-character monitor name (the socket path cannot fit
#                    sun_path) -> closed without reply, no VP kept (a RES
#                    with its magic gets REJ), daemon log says "too long"
#   live-older       (E11) MASTER_NEW on link 2 with the magic of a live VP
#                    on an older link 1 -> MASTER_ID on link 2; link 1 is
#                    closed; socket renamed; the old VP's client gets EOF
#   live-newer       (section 14) MASTER_NEW on a link accepted BEFORE the
#                    live VP's link, with that VP's magic -> closed without
#                    reply; the live VP and its socket are untouched
#   zombie-fin       (section 10) the client of a zombie writes, then shuts
#                    down its write side: after the resume the daemon sends
#                    OK, the data and CHANNEL_FIN (seq 1, 2); scamper's data
#                    and FIN then reach the client, which gets EOF
#   res-malformed    MASTER_RES 4 bytes short -> closed without reply
#   res-local-failure  a valid RES whose new socket name is taken by a
#                    regular file -> closed without MASTER_REJ, the file is
#                    left alone, the zombie untouched: a RES from another
#                    port then gets MASTER_OK and the retransmission (11.3)
#
# Copyright (C) 2026 The sc_remoted authors.
# SPDX-License-Identifier: GPL-2.0-only
TEST_TIMEOUT=${TEST_TIMEOUT:-90}
. "$(dirname "$0")/lib.sh"
require_scamper

cat >"$T/proto.py" <<'EOF'
import os, select, signal, socket, stat, struct, sys, time
sys.path.insert(0, sys.argv[1])
import fakevp as F

PORT = int(sys.argv[2])
DIR = sys.argv[3]
REAL = sys.argv[4]
ONLY = sys.argv[5:]


class Fail(Exception):
    pass


def log(m):
    sys.stderr.write("[%.3f]   %s\n" % (time.time(), m))
    sys.stderr.flush()


def hx(b):
    """Frames of b in the vectors' notation, for messages."""
    frames, rest = F.parse_frames(bytes(b))
    out = [F.describe(*fr) for fr in frames]
    if rest:
        out.append("partial %s" % bytes(rest).hex())
    return "; ".join(out) if out else "(nothing)"


REJ = F.control(0, F.MASTER_REJ)


def ok_frame(rcv_nxt):
    return F.control(0, F.MASTER_OK, struct.pack(">I", rcv_nxt))


def chan_new(seq, chan):
    return F.control(seq, F.CHANNEL_NEW, struct.pack(">I", chan))


class Conn:
    """A stream socket with exact-bytes expectations."""

    def __init__(self, s, what):
        self.s = s
        self.what = what
        self.buf = b""
        self.eof = False
        s.setblocking(False)

    def fill(self, deadline):
        if self.eof:
            return False
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        r, _, _ = select.select([self.s], [], [], left)
        if not r:
            return False
        try:
            chunk = self.s.recv(65536)
        except ConnectionResetError:
            chunk = b""
        if not chunk:
            self.eof = True
        else:
            self.buf += chunk
        return True

    def send(self, b):
        self.s.setblocking(True)
        try:
            self.s.sendall(b)
        finally:
            self.s.setblocking(False)

    def expect(self, want, what, secs=3.0):
        deadline = time.monotonic() + secs
        while len(self.buf) < len(want) and self.fill(deadline):
            pass
        got, self.buf = self.buf[:len(want)], self.buf[len(want):]
        if got != want:
            raise Fail("%s: %s: got %s%s; want %s" % (
                self.what, what, self.show(got),
                " then EOF" if self.eof else "", self.show(want)))
        log("%s: got %s" % (self.what, what))

    def show(self, b):
        return repr(b) if isinstance(self, Unix) else hx(b)

    def expect_eof(self, what, secs=2.0):
        t0 = time.monotonic()
        deadline = t0 + secs
        while not self.eof and self.fill(deadline):
            pass
        if self.buf:
            raise Fail("%s: %s: unexpected bytes %s" % (
                self.what, what, self.show(self.buf)))
        if not self.eof:
            raise Fail("%s: %s: not closed within %.1f s" % (
                self.what, what, secs))
        log("%s: closed after %.2f s (%s)" % (
            self.what, time.monotonic() - t0, what))

    def expect_quiet(self, what, secs):
        deadline = time.monotonic() + secs
        while time.monotonic() < deadline and not self.eof:
            self.fill(deadline)
        if self.buf or self.eof:
            raise Fail("%s: %s: got %s%s, want nothing for %.1f s" % (
                self.what, what, self.show(self.buf),
                " and EOF" if self.eof else "", secs))

    def close(self):
        self.s.close()


class Link(Conn):
    def __init__(self, what, sock=None):
        s = sock or socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(5)
        s.connect(("127.0.0.1", PORT))
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.port = s.getsockname()[1]
        Conn.__init__(self, s, "%s (port %d)" % (what, self.port))

    def peer(self):
        return "127.0.0.1:%d" % self.port

    def master_id(self):
        idb = self.peer().encode() + b"\0"
        return F.control(0, F.MASTER_ID, bytes([len(idb)]) + idb)

    def sendslow(self, b):
        for i in range(len(b)):
            self.send(b[i:i + 1])
            time.sleep(0.01)

    def sock(self, name):
        return os.path.join(DIR, "%s-%s" % (name, self.peer()))


class Unix(Conn):
    def __init__(self, path, what):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(5)
        s.connect(path)
        Conn.__init__(self, s, what)


def is_sock(path):
    try:
        return stat.S_ISSOCK(os.lstat(path).st_mode)
    except FileNotFoundError:
        return False


def wait_sock(path, present, secs=2.0):
    deadline = time.monotonic() + secs
    while is_sock(path) != present:
        if time.monotonic() >= deadline:
            raise Fail("socket %s %s" % (
                os.path.basename(path),
                "missing" if present else "still present"))
        time.sleep(0.02)


def socks(name):
    return sorted(f for f in os.listdir(DIR) if f.startswith(name + "-"))


def only_sock(name, path):
    got = socks(name)
    if got != [os.path.basename(path)]:
        raise Fail("sockets for %s: %s, want only %s" % (
            name, got, os.path.basename(path)))


def magic(c):
    return bytes([c]) * 8


# ---------------------------------------------------------------------

def rej_unknown():
    ln = Link("link")
    ln.send(F.master_res(magic(0x98), 0, 0, 0))
    ln.expect(REJ, "MASTER_REJ")
    ln.expect_eof("after MASTER_REJ")


def rej_keepalive():
    ln = Link("link")
    ln.send(F.master_res(magic(0x97), 0, 0, 0) + F.keepalive(0))
    ln.expect(REJ, "MASTER_REJ despite the KEEPALIVE behind the RES")
    ln.expect_eof("after MASTER_REJ")


def zombie_resume():
    M = magic(0x51)
    l1 = Link("link 1")
    l1.send(F.master_new(M, "pz"))
    l1.expect(l1.master_id(), "MASTER_ID")
    p1 = l1.sock("pz")
    wait_sock(p1, True)
    c = Unix(p1, "client")
    l1.expect(chan_new(0, 1), "CHANNEL_NEW 1 (seq 0)")
    l1.send(F.ack(0, 0))
    l1.send(F.data(0, 1, b"hello\n"))
    l1.expect(F.ack(1, 0), "ACK 0 (seq 1)")
    c.expect(b"hello\n", "data from scamper")
    # daemon: snd_nxt 1, unacked {}, rcv_nxt 1
    l1.close()
    wait_sock(p1, False)
    c.expect_quiet("client of the zombie", 0.3)
    c.send(b"while-zombie\n")        # queued as daemon seq 1
    time.sleep(0.3)
    for r, a, n, why in ((77, 1, 1, "r=77 outside the queue {1} and != snd_nxt 2"),
                         (1, 5, 6, "a=5 > rcv_nxt 1"),
                         (1, 0, 0, "n=0 < rcv_nxt 1"),
                         (1, 1, 0xffffffff,
                          "n=0xffffffff serially < rcv_nxt 1 (4.6)")):
        ln = Link("refused RES")
        ln.send(F.master_res(M, r, a, n))
        ln.expect(REJ, "MASTER_REJ for " + why)
        ln.expect_eof("after MASTER_REJ (%s)" % why)
        if socks("pz"):
            raise Fail("a socket appeared after the refused RES (%s): %s"
                       % (why, socks("pz")))
    c.expect_quiet("client of the zombie after the refusals", 0.2)
    l2 = Link("link 2")
    l2.send(F.master_res(M, 1, 1, 1))
    l2.expect(ok_frame(1) + F.data(1, 1, b"while-zombie\n"),
              "MASTER_OK 1 + retransmitted seq 1")
    p2 = l2.sock("pz")
    wait_sock(p2, True)
    only_sock("pz", p2)
    l2.send(F.ack(1, 1))
    l2.send(F.data(1, 1, b"after-resume\n"))
    l2.expect(F.ack(2, 1), "ACK 1 (seq 2)")
    c.expect(b"after-resume\n", "data from scamper after the resume")
    c.send(b"more\n")
    l2.expect(F.data(2, 1, b"more\n"), "client data as seq 2")
    l2.send(F.ack(2, 2))
    l2.expect_quiet("after ACK 2", 0.3)
    l2.close()
    wait_sock(p2, False)
    c.close()


def takeover():
    M = magic(0x52)
    cmd = b"ping -c 1 127.0.0.1\n"
    l1 = Link("link 1")
    l1.send(F.master_new(M, "pt"))
    l1.expect(l1.master_id(), "MASTER_ID")
    p1 = l1.sock("pt")
    wait_sock(p1, True)
    c = Unix(p1, "client")
    l1.expect(chan_new(0, 1), "CHANNEL_NEW 1 (seq 0)")
    c.send(cmd)
    l1.expect(F.data(1, 1, cmd), "client data (seq 1)")
    # A refused RES for a live VP leaves it alone (11.4).
    lr = Link("refused RES")
    lr.send(F.master_res(M, 5, 0, 0))
    lr.expect(REJ, "MASTER_REJ for r=5 (queue {0,1}, snd_nxt 2)")
    lr.expect_eof("after MASTER_REJ")
    l1.expect_quiet("link 1 after the refused RES", 0.2)
    only_sock("pt", p1)
    l2 = Link("link 2")
    l2.send(F.master_res(M, 1, 0, 0))
    l2.expect(ok_frame(0) + F.data(1, 1, cmd),
              "MASTER_OK 0 + retransmitted seq 1 (CHANNEL_NEW dropped)")
    l1.expect_eof("link 1 after the takeover")
    p2 = l2.sock("pt")
    wait_sock(p2, True)
    only_sock("pt", p2)
    l2.send(F.ack(0, 1))
    l2.send(F.data(0, 1, b"OK id-1\n"))
    l2.expect(F.ack(2, 0), "ACK 0 (seq 2)")
    c.expect(b"OK id-1\n", "scamper's data via link 2")
    l2.expect_quiet("afterwards", 0.2)
    l2.close()
    c.close()


def new_zombie_magic():
    M = magic(0x53)
    l1 = Link("link 1")
    l1.send(F.master_new(M, "pn"))
    l1.expect(l1.master_id(), "MASTER_ID")
    p1 = l1.sock("pn")
    wait_sock(p1, True)
    c = Unix(p1, "client")
    l1.expect(chan_new(0, 1), "CHANNEL_NEW 1 (seq 0)")
    l1.send(F.ack(0, 0))
    l1.close()
    wait_sock(p1, False)
    c.expect_quiet("client of the zombie", 0.3)
    l2 = Link("link 2")
    l2.send(F.master_new(M, "pn"))
    l2.expect(l2.master_id(), "MASTER_ID for the zombie's magic")
    p2 = l2.sock("pn")
    wait_sock(p2, True)
    only_sock("pn", p2)
    c.expect_eof("the old VP's client")
    c2 = Unix(p2, "client 2")
    l2.expect(chan_new(0, 1), "CHANNEL_NEW 1 (seq 0) on the new VP")
    l2.send(F.ack(0, 0))
    l2.expect_quiet("afterwards", 0.2)
    l2.close()
    c2.close()


def res_trailing():
    M = magic(0x54)
    l1 = Link("link 1")
    l1.send(F.master_new(M, "pw"))
    l1.expect(l1.master_id(), "MASTER_ID")
    p1 = l1.sock("pw")
    wait_sock(p1, True)
    c = Unix(p1, "client")
    l1.expect(chan_new(0, 1), "CHANNEL_NEW 1 (seq 0)")
    l1.close()                        # CHANNEL_NEW stays unacked
    wait_sock(p1, False)
    l2 = Link("link 2")
    l2.send(F.master_res(M, 0, 0, 0) + F.ack(0, 0) +
            F.data(0, 1, b"after-res\n"))
    l2.expect(ok_frame(0) + chan_new(0, 1) + F.ack(1, 0),
              "MASTER_OK 0 + CHANNEL_NEW (seq 0) + ACK 0 (seq 1)")
    c.expect(b"after-res\n", "the data frame sent behind the RES")
    p2 = l2.sock("pw")
    wait_sock(p2, True)
    l2.expect_quiet("afterwards", 0.3)
    l2.close()
    c.close()


def zero_control():
    ln = Link("link")
    ln.send(F.header(0, 0, 0))
    ln.expect_eof("zero-length control frame", 1.0)


def unknown_channel():
    ln = Link("link")
    ln.send(F.master_new(magic(0x55), "pu"))
    ln.expect(ln.master_id(), "MASTER_ID")
    p = ln.sock("pu")
    wait_sock(p, True)
    ln.send(F.data(0, 7, b"x\n"))
    ln.expect(F.ack(0, 0), "ACK 0 for data on unknown channel 7")
    ln.send(F.channel_fin(1, 9))
    ln.expect(F.ack(0, 1), "ACK 1 for CHANNEL_FIN of unknown channel 9")
    ln.send(F.keepalive(2))
    ln.expect_quiet("after a KEEPALIVE (seq 2)", 1.0)
    if not is_sock(p):
        raise Fail("socket %s vanished" % os.path.basename(p))
    c = Unix(p, "client")
    ln.expect(chan_new(0, 1), "CHANNEL_NEW 1 (seq 0)")
    ln.send(F.ack(2, 0))
    ln.expect_quiet("after ACK 0", 0.3)
    if not is_sock(p):
        raise Fail("socket %s vanished" % os.path.basename(p))
    ln.close()
    c.close()


def slow_new():
    ln = Link("link")
    ln.sendslow(F.master_new(magic(0x56), "p1b"))
    ln.expect(ln.master_id(), "MASTER_ID")
    wait_sock(ln.sock("p1b"), True)
    ln.close()


def name_too_long():
    M = magic(0x57)
    name = ("long-name." * 20)[:200]
    ln = Link("link")
    ln.send(F.master_new(M, name))
    ln.expect_eof("MASTER_NEW with a 200-character name")
    if socks(name[:50]):
        raise Fail("a socket appeared: %s" % socks(name[:50]))
    ln = Link("link 2")
    ln.send(F.master_res(M, 0, 0, 0))
    ln.expect(REJ, "MASTER_REJ (no VP was kept)")
    ln.expect_eof("after MASTER_REJ")


def live_older():
    M = magic(0x58)
    l1 = Link("link 1")
    l1.send(F.master_new(M, "pl"))
    l1.expect(l1.master_id(), "MASTER_ID")
    p1 = l1.sock("pl")
    wait_sock(p1, True)
    c = Unix(p1, "client")
    l1.expect(chan_new(0, 1), "CHANNEL_NEW 1 (seq 0)")
    time.sleep(0.1)
    l2 = Link("link 2")
    l2.send(F.master_new(M, "pl"))
    l2.expect(l2.master_id(), "MASTER_ID on link 2")
    l1.expect_eof("link 1 (the replaced VP's)")
    p2 = l2.sock("pl")
    wait_sock(p2, True)
    only_sock("pl", p2)
    c.expect_eof("the replaced VP's client")
    l2.expect_quiet("afterwards", 0.2)
    l2.close()


def live_newer():
    M = magic(0x5c)
    lp = Link("link 0 (accepted first, silent)")
    time.sleep(0.1)
    l1 = Link("link 1")
    l1.send(F.master_new(M, "pk"))
    l1.expect(l1.master_id(), "MASTER_ID")
    p1 = l1.sock("pk")
    wait_sock(p1, True)
    lp.send(F.master_new(M, "pk"))
    lp.expect_eof("MASTER_NEW with the magic of a VP on a newer link")
    l1.expect_quiet("link 1", 0.3)
    only_sock("pk", p1)
    l1.close()


def zombie_fin():
    M = magic(0x59)
    l1 = Link("link 1")
    l1.send(F.master_new(M, "pf"))
    l1.expect(l1.master_id(), "MASTER_ID")
    p1 = l1.sock("pf")
    wait_sock(p1, True)
    c = Unix(p1, "client")
    l1.expect(chan_new(0, 1), "CHANNEL_NEW 1 (seq 0)")
    l1.send(F.ack(0, 0))
    time.sleep(0.1)
    l1.close()
    wait_sock(p1, False)
    c.send(b"x\n")                   # queued as seq 1
    time.sleep(0.2)
    c.s.shutdown(socket.SHUT_WR)     # queues CHANNEL_FIN 1 as seq 2
    time.sleep(0.2)
    l2 = Link("link 2")
    l2.send(F.master_res(M, 1, 0, 0))
    l2.expect(ok_frame(0) + F.data(1, 1, b"x\n") + F.channel_fin(2, 1),
              "MASTER_OK 0 + data (seq 1) + CHANNEL_FIN 1 (seq 2)")
    l2.send(F.ack(0, 1) + F.ack(0, 2))
    l2.send(F.data(0, 1, b"OK\n"))
    l2.send(F.channel_fin(1, 1))
    l2.expect(F.ack(3, 0) + F.ack(3, 1), "ACK 0, ACK 1 (seq 3)")
    c.expect(b"OK\n", "scamper's last data")
    c.expect_eof("client after scamper's FIN")
    l2.expect_quiet("afterwards", 0.2)
    l2.close()


def res_local_failure():
    M = magic(0x5b)
    l1 = Link("link 1")
    l1.send(F.master_new(M, "px"))
    l1.expect(l1.master_id(), "MASTER_ID")
    p1 = l1.sock("px")
    wait_sock(p1, True)
    c = Unix(p1, "client")
    l1.expect(chan_new(0, 1), "CHANNEL_NEW 1 (seq 0)")
    l1.close()
    wait_sock(p1, False)
    # The next link's socket name is taken by a regular file.
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    block = os.path.join(DIR, "px-127.0.0.1:%d" % s.getsockname()[1])
    with open(block, "w") as f:
        f.write("keep me\n")
    try:
        l2 = Link("link 2 (name taken)", s)
        l2.send(F.master_res(M, 0, 0, 0))
        l2.expect_eof("RES whose socket cannot be created: no MASTER_REJ (11.3)")
        with open(block) as f:
            if f.read() != "keep me\n":
                raise Fail("the file in the way was changed")
    finally:
        os.unlink(block)
    c.expect_quiet("client of the zombie", 0.2)
    l3 = Link("link 3")
    l3.send(F.master_res(M, 0, 0, 0))
    l3.expect(ok_frame(0) + chan_new(0, 1),
              "MASTER_OK 0 + CHANNEL_NEW (the VP was left untouched)")
    wait_sock(l3.sock("px"), True)
    l3.close()
    c.close()


def res_malformed():
    ln = Link("link")
    # magic_len 8 but only 8 of the 12 bytes of numbers
    ln.send(F.control(0, F.MASTER_RES, b"\x08" + magic(0x5a) + bytes(8)))
    ln.expect_eof("MASTER_RES too short")


CASES = [
    ("rej-unknown", rej_unknown),
    ("rej-keepalive", rej_keepalive),
    ("zombie-resume", zombie_resume),
    ("takeover", takeover),
    ("new-zombie-magic", new_zombie_magic),
    ("res-trailing", res_trailing),
    ("zero-control", zero_control),
    ("unknown-channel", unknown_channel),
    ("slow-new", slow_new),
    ("name-too-long", name_too_long),
    ("live-older", live_older),
    ("live-newer", live_newer),
    ("zombie-fin", zombie_fin),
    ("res-malformed", res_malformed),
    ("res-local-failure", res_local_failure),
]


def on_alarm(_s, _f):
    raise Fail("timed out (15 s)")


signal.signal(signal.SIGALRM, on_alarm)
failed = []
for name, fn in CASES:
    if ONLY and name not in ONLY:
        continue
    log("case %s" % name)
    signal.alarm(15)
    try:
        fn()
        err = None
    except (Fail, OSError) as e:
        err = str(e) or e.__class__.__name__
    finally:
        signal.alarm(0)
    if err is None and not is_sock(REAL):
        err = "the real VP's socket vanished"
    if err is None:
        print("ok: %s" % name)
    else:
        print("FAIL: %s: %s" % (name, err))
        failed.append(name)
    sys.stdout.flush()
if failed:
    print("failed sub-cases: %s" % " ".join(failed))
sys.exit(1 if failed else 0)
EOF

start_daemon
start_vp -M real
REAL=$(wait_socket 'real-*') || fail "no socket for the real VP appeared"

PYTHONDONTWRITEBYTECODE=1 timeout 75 "$PY" "$T/proto.py" "$INTEG_DIR/.." \
    "$PORT" "$SOCKDIR" "$REAL" "$@" >"$T/proto.out" 2>"$T/proto.log"
rc=$?
sed "s/^/  /" "$T/proto.out"
bad=
[ $rc = 0 ] || bad="sub-cases failed (status $rc): $(sed -n 's/^FAIL: \([^:]*\):.*/\1/p' "$T/proto.out" | tr '\n' ' ')"
if grep -q '^ok: name-too-long' "$T/proto.out" &&
    ! grep -q 'too long' "$T/daemon.log"; then
	say "FAIL: name-too-long: the daemon log does not say 'too long'"
	bad="$bad name-too-long(log)"
fi
daemon_alive || fail "daemon died; $bad"
[ -z "$bad" ] || fail "$bad"

client_cmd c "$REAL" 'send:ping -c 1 127.0.0.1\n' ||
    fail "the real VP no longer answers"
decode c
check_ping c 127.0.0.1 1
daemon_alive || fail "daemon died"
pass
