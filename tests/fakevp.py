#!/usr/bin/env python3
# fakevp.py: play scamper's side of the sc_remoted link protocol by hand,
# plus the small helpers the integration tests in tests/integ/ need.
#
# Copyright (C) 2026 The sc_remoted authors.
# SPDX-License-Identifier: GPL-2.0-only
#
# Written from remote-protocol.md (sections 3-5 and 14) alone.  Every frame
# is a 10-byte header (u32 seq, u32 channel, u16 length; big-endian)
# followed by `length` payload bytes.  Channel 0 carries control messages
# whose first payload byte is the type below.
#
# Subcommands (run "fakevp.py help" for the list of steps):
#   link HOST PORT STEP...      drive one TCP link to the daemon
#   client SOCKET STEP...       a local client on a per-VP unix socket
#   uu2warts IN OUT             turn a saved client transcript into warts
#   summary JSONFILE            one line per sc_warts2json object
#   freeport [-6]               print a TCP port that is free on loopback
#   waitport HOST PORT SECS [PID]   wait until HOST:PORT accepts
#   has-ipv6                    exit 0 when ::1 can be bound
#   reap CMD...                 run CMD, reaping the helpers it forks
#
# Exit status: 0 success, 1 an expectation failed or timed out,
# 2 usage error.

import binascii
import json
import os
import random
import re
import select
import socket
import stat
import struct
import sys
import time

MASTER_NEW = 0
MASTER_ID = 1
CHANNEL_NEW = 2
CHANNEL_FIN = 3
KEEPALIVE = 4
ACK = 5
MASTER_RES = 6
MASTER_REJ = 7
MASTER_OK = 8

TYPE_NAMES = {
    MASTER_NEW: "MASTER_NEW", MASTER_ID: "MASTER_ID",
    CHANNEL_NEW: "CHANNEL_NEW", CHANNEL_FIN: "CHANNEL_FIN",
    KEEPALIVE: "KEEPALIVE", ACK: "ACK", MASTER_RES: "MASTER_RES",
    MASTER_REJ: "MASTER_REJ", MASTER_OK: "MASTER_OK",
}

HDR = struct.Struct(">IIH")

USAGE = """usage: fakevp.py link HOST PORT STEP...
       fakevp.py client [--out FILE] [--timeout SECS] SOCKET STEP...
       fakevp.py uu2warts IN OUT | summary JSONFILE
       fakevp.py freeport [-6] | waitport HOST PORT SECS [PID] | has-ipv6
       fakevp.py reap CMD...
"""


class Failure(Exception):
    """An expectation did not hold."""


# ---------------------------------------------------------------------
# Frame builders (module API).

def frame(seq, channel, payload=b""):
    """Any frame: header plus payload (length taken from the payload)."""
    return HDR.pack(seq & 0xffffffff, channel & 0xffffffff,
                    len(payload)) + payload


def header(seq, channel, length):
    """A bare header, for frames whose length field lies."""
    return HDR.pack(seq, channel, length)


def control(seq, ctype, body=b""):
    return frame(seq, 0, bytes([ctype]) + body)


def master_new(magic, name=None, seq=0):
    """MASTER_NEW; name None sends name_len 0 (no -M)."""
    body = bytes([len(magic)]) + magic
    if name is None:
        body += b"\x00"
    else:
        raw = name.encode() + b"\x00"
        body += bytes([len(raw)]) + raw
    return control(seq, MASTER_NEW, body)


def master_res(magic, rcv_nxt, snd_una, snd_nxt, seq=0):
    body = bytes([len(magic)]) + magic + struct.pack(
        ">III", rcv_nxt, snd_una, snd_nxt)
    return control(seq, MASTER_RES, body)


def keepalive(seq):
    return control(seq, KEEPALIVE)


def ack(seq, acked):
    return control(seq, ACK, struct.pack(">I", acked))


def channel_fin(seq, chan):
    return control(seq, CHANNEL_FIN, struct.pack(">I", chan))


def data(seq, chan, payload):
    return frame(seq, chan, payload)


def parse_frames(buf):
    """Split buf into complete frames; return (frames, rest)."""
    out = []
    while len(buf) >= HDR.size:
        seq, chan, length = HDR.unpack_from(buf)
        if len(buf) < HDR.size + length:
            break
        out.append((seq, chan, bytes(buf[HDR.size:HDR.size + length])))
        buf = buf[HDR.size + length:]
    return out, buf


def describe(seq, chan, payload):
    """One line in the notation of the vectors: seq channel len | hex."""
    text = "%08x %08x %04x | %s" % (seq, chan, len(payload), payload.hex())
    if chan == 0 and payload:
        t = payload[0]
        text += "   # " + TYPE_NAMES.get(t, "type %d" % t)
        if t == MASTER_ID and len(payload) >= 2:
            text += ' "%s"' % payload[2:].rstrip(b"\0").decode(
                "ascii", "replace")
        elif t in (CHANNEL_NEW, CHANNEL_FIN, ACK, MASTER_OK) and \
                len(payload) == 5:
            text += " %d" % struct.unpack(">I", payload[1:])[0]
    elif chan != 0:
        text += "   # data %r" % payload[:40]
    return text


def unhex(text):
    text = re.sub(r"[\s|]", "", text)
    return bytes.fromhex(text)


def unescape(text):
    """Backslash escapes in step arguments: \\n \\r \\t \\\\ \\xNN."""
    return text.encode("latin-1").decode("unicode_escape").encode("latin-1")


def log(msg):
    sys.stderr.write("[%s] %s\n" % (time.strftime("%H:%M:%S"), msg))
    sys.stderr.flush()


# ---------------------------------------------------------------------
# One link to the daemon.

class Link:
    def __init__(self, host, port, timeout=5.0):
        fam = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.sock = socket.socket(fam, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect((host, port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.setblocking(False)
        self.family = fam
        self.lport = self.sock.getsockname()[1]
        self.buf = b""
        self.frames = []        # received, not yet consumed
        self.eof = False
        self.magic = os.urandom(8)
        self.name = None
        self.vpid = None        # MASTER_ID text
        self.snd_nxt = 0
        self.rcv_nxt = 0
        self.clients = []

    def peer_text(self):
        """Our address as the daemon must write it in MASTER_ID (5.2)."""
        if self.family == socket.AF_INET6:
            return "%s.%d" % (self.sock.getsockname()[0], self.lport)
        return "%s:%d" % (self.sock.getsockname()[0], self.lport)

    def send(self, raw, slow=False):
        frames, rest = parse_frames(raw)
        for fr in frames:
            log("S>D " + describe(*fr))
        if rest:
            log("S>D raw %s" % rest.hex())
        chunks = [raw[i:i + 1] for i in range(len(raw))] if slow else [raw]
        for c in chunks:
            self.sock.setblocking(True)
            try:
                self.sock.sendall(c)
            except OSError as e:
                raise Failure("send failed: %s" % e)
            finally:
                self.sock.setblocking(False)
            if slow:
                time.sleep(0.01)

    def _fill(self, deadline):
        """Read once (until deadline); False on timeout."""
        if self.eof:
            return True
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        r, _, _ = select.select([self.sock], [], [], left)
        if not r:
            return False
        try:
            chunk = self.sock.recv(65536)
        except (ConnectionResetError, BrokenPipeError) as e:
            log("D>S connection reset (%s)" % e)
            self.eof = True
            return True
        except BlockingIOError:
            return True
        if not chunk:
            log("D>S EOF")
            self.eof = True
            return True
        self.buf += chunk
        frames, self.buf = parse_frames(self.buf)
        for fr in frames:
            log("D>S " + describe(*fr))
        self.frames.extend(frames)
        return True

    def next_frame(self, secs, skip_keepalive=True):
        """Next received frame, or None at EOF; Failure on timeout."""
        deadline = time.monotonic() + secs
        while True:
            while self.frames:
                fr = self.frames.pop(0)
                if skip_keepalive and fr[1] == 0 and fr[2] == b"\x04":
                    continue
                return fr
            if self.eof:
                return None
            if not self._fill(deadline):
                raise Failure("no frame within %.1f s" % secs)

    def wait_close(self, secs):
        deadline = time.monotonic() + secs
        while not self.eof:
            if not self._fill(deadline):
                raise Failure("daemon did not close the link within %.1f s"
                              % secs)
        self.frames = []

    def stay_open(self, secs):
        deadline = time.monotonic() + secs
        while time.monotonic() < deadline:
            if self.eof:
                raise Failure("daemon closed the link")
            self._fill(deadline)
        if self.eof:
            raise Failure("daemon closed the link")

    def handshake(self, name, slow=False):
        """MASTER_NEW, then require a MASTER_ID naming our address."""
        self.name = name
        self.send(master_new(self.magic, name), slow=slow)
        fr = self.next_frame(5)
        if fr is None:
            raise Failure("daemon closed the link instead of MASTER_ID")
        seq, chan, p = fr
        if chan != 0 or not p or p[0] != MASTER_ID:
            raise Failure("expected MASTER_ID, got %s" % describe(*fr))
        if seq != 0:
            raise Failure("MASTER_ID seq %d, expected 0" % seq)
        if len(p) < 2 or p[1] != len(p) - 2 or p[-1] != 0:
            raise Failure("malformed MASTER_ID payload")
        vpid = p[2:-1].decode("ascii", "replace")
        want = self.peer_text()
        if vpid != want:
            raise Failure("MASTER_ID says %r, expected %r" % (vpid, want))
        self.vpid = vpid
        log("=> MASTER_ID %s" % vpid)

    def sockname(self):
        if self.vpid is None:
            raise Failure("no MASTER_ID yet")
        return ("%s-%s" % (self.name, self.vpid)) if self.name else self.vpid


def wait_path(path, present, secs):
    deadline = time.monotonic() + secs
    while True:
        try:
            st = os.lstat(path)
            exists = stat.S_ISSOCK(st.st_mode)
        except FileNotFoundError:
            exists = False
        if exists == present:
            return
        if time.monotonic() >= deadline:
            raise Failure("%s %s after %.1f s" % (
                path, "missing" if present else "still present", secs))
        time.sleep(0.05)


def opt_secs(parts, idx, default):
    if len(parts) > idx and parts[idx] != "":
        return float(parts[idx])
    return default


def match_field(spec, value):
    return spec == "*" or int(spec, 0) == value


LINK_STEPS = """link steps (SECS optional, default 5):
  new[:NAME]           MASTER_NEW (random magic unless magic: given), then
                       require MASTER_ID with our address (seq 0)
  newslow[:NAME]       the same, one byte per write
  sendnew[:NAME]       send MASTER_NEW only (expect nothing)
  magic:HEX            magic for later new/res steps
  res:R:A:N            MASTER_RES with the current magic
  raw:HEX              send bytes as given (may be a partial or bad frame)
  frame:SEQ:CHAN:HEX   send one frame with that header and payload
  expect:SEQ:CHAN:HEX[:SECS]   next frame (KEEPALIVEs skipped) must match;
                       SEQ/CHAN may be *, HEX may be * (any payload)
                       or a comma-separated list of alternatives
  expect-close[:SECS]  the daemon closes the link (EOF or reset)
  expect-open[:SECS]   the link stays open that long
  expect-socket:DIR[:SECS]    the VP's unix socket exists in DIR
  expect-nosocket:DIR[:SECS]  ... is absent (waits until it goes)
  client:DIR           connect a local client to the VP's unix socket
  sleep:SECS
"""


def run_link(argv):
    if len(argv) < 2:
        sys.stderr.write(LINK_STEPS)
        return 2
    host, port = argv[0], int(argv[1])
    try:
        ln = Link(host, port)
    except OSError as e:
        log("connect to %s:%d failed: %s" % (host, port, e))
        return 1
    log("connected from port %d" % ln.lport)
    try:
        for step in argv[2:]:
            parts = step.split(":")
            op = parts[0]
            if op in ("new", "newslow"):
                name = parts[1] if len(parts) > 1 and parts[1] else None
                ln.handshake(name, slow=(op == "newslow"))
            elif op == "sendnew":
                name = parts[1] if len(parts) > 1 and parts[1] else None
                ln.send(master_new(ln.magic, name))
            elif op == "magic":
                ln.magic = unhex(parts[1])
            elif op == "res":
                r, a, n = (int(x, 0) for x in parts[1:4])
                ln.send(master_res(ln.magic, r, a, n))
            elif op == "raw":
                ln.send(unhex(parts[1]))
            elif op == "frame":
                ln.send(frame(int(parts[1], 0), int(parts[2], 0),
                              unhex(parts[3]) if len(parts) > 3 else b""))
            elif op == "expect":
                secs = opt_secs(parts, 4, 5.0)
                fr = ln.next_frame(secs)
                if fr is None:
                    raise Failure("link closed while waiting for %s" % step)
                seq, chan, p = fr
                ok = match_field(parts[1], seq) and \
                    match_field(parts[2], chan) and \
                    (parts[3] == "*" or
                     p in [unhex(h) for h in parts[3].split(",")])
                if not ok:
                    raise Failure("got %s, expected %s" % (
                        describe(*fr), step))
            elif op == "expect-close":
                ln.wait_close(opt_secs(parts, 1, 5.0))
                log("=> closed by the daemon")
            elif op == "expect-open":
                ln.stay_open(opt_secs(parts, 1, 5.0))
                log("=> still open")
            elif op in ("expect-socket", "expect-nosocket"):
                path = os.path.join(parts[1], ln.sockname())
                wait_path(path, op == "expect-socket", opt_secs(parts, 2, 5.0))
                log("=> %s %s" % (path, "present" if op == "expect-socket"
                                  else "absent"))
            elif op == "client":
                c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                c.settimeout(5)
                c.connect(os.path.join(parts[1], ln.sockname()))
                ln.clients.append(c)
                log("=> local client connected")
            elif op == "sleep":
                time.sleep(float(parts[1]))
            else:
                log("unknown step %r" % step)
                return 2
    except Failure as e:
        log("FAIL: %s (step %s)" % (e, step))
        return 1
    finally:
        for c in ln.clients:
            c.close()
        ln.sock.close()
    return 0


# ---------------------------------------------------------------------
# A local client on a per-VP unix socket.

CLIENT_STEPS = """client [--out FILE] [--timeout SECS] SOCKET STEP...
  send:TEXT     write TEXT (escapes \\n \\r \\t \\xNN)
  until:REGEX   read until everything received so far matches REGEX
  data:N        read until N complete DATA objects have arrived
  readeof       read until the daemon closes the socket
  sleep:SECS    wait (reading meanwhile)
  shutwr        shut down the write side
  close         close the socket at once and stop
Received bytes are saved to FILE (also on failure).
"""


def scan(buf):
    """Split a transcript: (number of complete DATA objects, the text
    lines outside DATA bodies)."""
    n = 0
    i = 0
    lines = []
    while True:
        j = buf.find(b"\n", i)
        if j < 0:
            return n, lines
        line = buf[i:j]
        i = j + 1
        m = re.fullmatch(rb"DATA (\d+)", line)
        if m:
            size = int(m.group(1))
            if len(buf) - i < size:
                return n, lines
            i += size
            n += 1
        else:
            lines.append(line)


def count_data(buf):
    """Number of complete DATA objects in a transcript."""
    return scan(buf)[0]


def run_client(argv):
    out = None
    tmo = 20.0
    while argv and argv[0].startswith("--"):
        if argv[0] == "--out":
            out = argv[1]
            argv = argv[2:]
        elif argv[0] == "--timeout":
            tmo = float(argv[1])
            argv = argv[2:]
        else:
            sys.stderr.write(CLIENT_STEPS)
            return 2
    if not argv:
        sys.stderr.write(CLIENT_STEPS)
        return 2
    path = argv[0]
    buf = bytearray()
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    eof = [False]

    def save():
        if out:
            with open(out, "wb") as f:
                f.write(buf)

    def pump(deadline):
        if eof[0]:
            return False
        left = max(0.0, deadline - time.monotonic())
        r, _, _ = select.select([s], [], [], left)
        if not r:
            return False
        try:
            chunk = s.recv(65536)
        except ConnectionResetError:
            chunk = b""
        if not chunk:
            eof[0] = True
            log("EOF after %d bytes" % len(buf))
        else:
            buf.extend(chunk)
            save()
        return True

    def until(cond, what):
        deadline = time.monotonic() + tmo
        while not cond():
            errs = [ln for ln in scan(bytes(buf))[1] if ln.startswith(b"ERR")]
            if errs:
                raise Failure("scamper said %r while waiting for %s"
                              % (errs[0], what))
            if eof[0]:
                raise Failure("EOF while waiting for %s" % what)
            if time.monotonic() >= deadline:
                raise Failure("timeout (%.0f s) waiting for %s" % (tmo, what))
            pump(deadline)

    try:
        s.settimeout(5)
        s.connect(path)
        s.settimeout(None)
        log("connected to %s" % path)
        for step in argv[1:]:
            op, _, arg = step.partition(":")
            if op == "send":
                s.sendall(unescape(arg))
                log("sent %r" % unescape(arg))
            elif op == "until":
                rx = re.compile(arg.encode(), re.S | re.M)
                until(lambda: rx.search(buf) is not None, repr(arg))
                log("matched %r" % arg)
            elif op == "data":
                n = int(arg)
                until(lambda: count_data(bytes(buf)) >= n,
                      "%d DATA objects" % n)
                log("%d DATA objects" % n)
            elif op == "readeof":
                deadline = time.monotonic() + tmo
                while not eof[0]:
                    if time.monotonic() >= deadline:
                        raise Failure("no EOF within %.0f s" % tmo)
                    pump(deadline)
            elif op == "sleep":
                deadline = time.monotonic() + float(arg)
                while time.monotonic() < deadline and not eof[0]:
                    pump(deadline)
                if not eof[0]:
                    time.sleep(max(0.0, deadline - time.monotonic()))
            elif op == "shutwr":
                s.shutdown(socket.SHUT_WR)
                log("shut down write side")
            elif op == "close":
                log("closing abruptly")
                break
            else:
                log("unknown step %r" % step)
                return 2
    except (Failure, OSError) as e:
        log("FAIL: %s" % e)
        log("received so far: %r" % bytes(buf[-300:]))
        return 1
    finally:
        s.close()
        save()
    return 0


# ---------------------------------------------------------------------
# Transcript -> warts; sc_warts2json output -> summary lines.

def uu2warts(src, dst):
    """Concatenate the uudecoded bodies of all DATA objects in src."""
    buf = open(src, "rb").read()
    out = bytearray()
    objs = 0
    i = 0
    while i < len(buf):
        j = buf.find(b"\n", i)
        if j < 0:
            log("uu2warts: trailing partial line %r" % buf[i:i + 40])
            return 1
        line = buf[i:j]
        i = j + 1
        m = re.fullmatch(rb"DATA (\d+)", line)
        if not m:
            continue                # MORE, OK id-N, OK, ...
        size = int(m.group(1))
        body = buf[i:i + size]
        if len(body) < size:
            log("uu2warts: DATA %d truncated to %d bytes" % (size, len(body)))
            return 1
        i += size
        for uu in body.split(b"\n"):
            if uu in (b"", b"`"):
                continue
            try:
                out += binascii.a2b_uu(uu)
            except binascii.Error as e:
                log("uu2warts: bad uuencoded line %r: %s" % (uu[:40], e))
                return 1
        objs += 1
    with open(dst, "wb") as f:
        f.write(out)
    log("uu2warts: %d DATA objects, %d warts bytes" % (objs, len(out)))
    return 0


def summary(path):
    """Print one line per JSON object, e.g. 'ping dst=127.0.0.1 sent=3
    replies=3'.  Exit 1 if a line is not valid JSON."""
    rc = 0
    for raw in open(path, encoding="utf-8", errors="replace"):
        raw = raw.strip()
        if not raw:
            continue
        try:
            o = json.loads(raw)
        except ValueError as e:
            print("invalid-json %s" % e)
            rc = 1
            continue
        t = o.get("type", "?")
        if t == "ping":
            stats = o.get("statistics") or {}
            replies = stats.get("replies", len(o.get("responses") or []))
            print("ping dst=%s sent=%s replies=%s" % (
                o.get("dst"), o.get("ping_sent"), replies))
        elif t == "trace":
            print("trace dst=%s stop=%s hops=%s" % (
                o.get("dst"), o.get("stop_reason"),
                len(o.get("hops") or [])))
        elif t in ("cycle-start", "cycle-stop"):
            print("%s list=%s" % (t, o.get("list_name")))
        else:
            print(t)
    return rc


# ---------------------------------------------------------------------
# Ports and processes.

def freeport(v6):
    fam, addr = (socket.AF_INET6, "::1") if v6 else \
        (socket.AF_INET, "127.0.0.1")
    rnd = random.Random(os.getpid() ^ int(time.time() * 1000))
    # Stay below the usual ephemeral range so that no outgoing
    # connection (scamper's own source port) can take the port.
    for _ in range(200):
        port = rnd.randrange(20000, 32000)
        s = socket.socket(fam, socket.SOCK_STREAM)
        try:
            s.bind((addr, port))
        except OSError:
            continue
        finally:
            s.close()
        print(port)
        return 0
    return 1


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open("/proc/%d/stat" % pid) as f:
            st = f.read().rsplit(")", 1)[1].split()[0]
        return st not in ("Z", "X")
    except OSError:
        return True


def waitport(host, port, secs, pid):
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    deadline = time.monotonic() + secs
    while time.monotonic() < deadline:
        if pid and not pid_alive(pid):
            log("process %d exited before listening" % pid)
            return 1
        s = socket.socket(fam, socket.SOCK_STREAM)
        s.settimeout(1)
        try:
            s.connect((host, port))
            return 0
        except OSError:
            time.sleep(0.05)
        finally:
            s.close()
    log("%s port %d not accepting after %.0f s" % (host, port, secs))
    return 1


def reap(cmd):
    """Run cmd as a child and reap it and every orphan it leaves.

    On Linux this process becomes a child subreaper, so helpers that cmd
    forks (scamper's privilege-separation process) are reparented here
    rather than to init when cmd dies, and are collected.  SIGTERM,
    SIGINT and SIGHUP are passed on to cmd.  Exit status: cmd's."""
    import signal
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(36, 1, 0, 0, 0)          # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        pass
    pid = os.fork()
    if pid == 0:
        try:
            os.execvp(cmd[0], cmd)
        finally:
            os._exit(127)

    def forward(sig, _frame):
        try:
            os.kill(pid, sig)
        except OSError:
            pass
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, forward)
    status = 0
    while True:
        try:
            got, st = os.waitpid(-1, 0)
        except ChildProcessError:
            break
        except InterruptedError:
            continue
        if got == pid:
            status = os.waitstatus_to_exitcode(st)
            if status < 0:
                status = 128 - status
            # Give orphans a moment to exit, then stop waiting for them.
            deadline = time.monotonic() + 2
            while time.monotonic() < deadline:
                try:
                    got, st = os.waitpid(-1, os.WNOHANG)
                except ChildProcessError:
                    return status
                if got == 0:
                    time.sleep(0.05)
            return status
    return status


def has_ipv6():
    try:
        s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        s.bind(("::1", 0))
        s.close()
        return 0
    except OSError:
        return 1


def main(argv):
    if not argv or argv[0] in ("help", "-h", "--help"):
        sys.stderr.write(USAGE)
        sys.stderr.write(LINK_STEPS + CLIENT_STEPS)
        return 2
    cmd, args = argv[0], argv[1:]
    if cmd == "link":
        return run_link(args)
    if cmd == "client":
        return run_client(args)
    if cmd == "uu2warts" and len(args) == 2:
        return uu2warts(args[0], args[1])
    if cmd == "summary" and len(args) == 1:
        return summary(args[0])
    if cmd == "freeport":
        return freeport("-6" in args)
    if cmd == "waitport" and len(args) >= 3:
        return waitport(args[0], int(args[1]), float(args[2]),
                        int(args[3]) if len(args) > 3 else 0)
    if cmd == "reap" and args:
        return reap(args[1:] if args[0] == "--" else args)
    if cmd == "has-ipv6":
        return has_ipv6()
    sys.stderr.write("fakevp.py: bad command line\n")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
