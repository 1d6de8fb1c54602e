#!/usr/bin/env python3
# muxclient.py: a small client of sc_remoted's multiplexed socket (-M),
# for the integration tests in tests/integ/mux*.sh.
#
# Copyright (C) 2026 The sc_remoted authors.
# SPDX-License-Identifier: GPL-2.0-only
#
# Written from mux-protocol.md alone (sections 4-8).  Every message, both
# ways, is an 8-byte header (u32 channel, u32 length; big-endian) and
# `length` payload bytes.  Channel 0 carries control messages whose
# payload starts with a u16 type:
#
#   0 VP_UPDATE      daemon->client  u32 VP id, attributes (u16 num, text NUL)
#   1 VP_DEPART      daemon->client  u32 VP id
#   2 GO             daemon->client  -
#   3 CHANNEL_OPEN   client->daemon  u32 VP id, u32 channel
#   4 CHANNEL_CLOSE  both            u32 channel
#
# Other channels carry one mux channel's bytes: scamper's control
# protocol, results as "DATA n\n" plus n bytes of uuencoded warts.
#
# Module use:
#   c = MuxClient(path)          connect and read the burst up to GO
#   c.burst                      the VP_UPDATEs received before GO
#   c.vps                        id -> VP dict of the VPs currently known
#   c.open(vpid, chan); c.send(chan, b"..."); c.close(chan)
#   c.wait(lambda: ..., secs)    read until a condition holds
#   c.events                     every event, each a dict with "t"
#   c.violations                 protocol violations seen on the way
#
# Command line (events are printed as JSON lines on stdout, each with
# "t", the wall-clock time it was received):
#   list SOCK                    one JSON line per VP of the burst, then exit
#   watch SOCK SECS [--until-update NAME] [--until-depart NAME|#ID]
#                   [--open NAME:CHAN]... [--stop-file PATH]
#                                every event for SECS seconds
#   ping SOCK NAME DST COUNT OUT [NAME DST COUNT OUT]...
#                                one channel per VP (1, 2, ...) on one
#                                connection, "ping -c COUNT DST" on each at
#                                once, "done", read until CHANNEL_CLOSE;
#                                OUT gets the warts, OUT.raw the transcript
#   raw SOCK HEX... [--slow] [--wait SECS] [--expect closed|open]
#                                send bytes after GO (each HEX argument one
#                                write, or one byte per write with --slow);
#                                report whether the daemon closes
#   run SOCK STEP...             a script of steps (see RUN_STEPS below)
#   eval FILE EXPR               a Python expression over the JSON lines
#                                printed by the others, for shell tests
# Common options (before CMD): --timeout SECS (default 20) bounds every
# wait; --no-strict: do not fail on protocol violations.
#
# Events ("ev"): VP_UPDATE (the VP's fields, "burst": true before GO), GO
# ("vps": burst size), VP_DEPART ("id", "name"), CHANNEL_CLOSE ("chan"),
# DATA ("chan", "len", "text": the first 60 bytes), EOF, SEND_ERROR,
# VIOLATION ("what": the daemon broke the protocol, e.g. data on a
# channel that is not open, a VP_UPDATE for an id already known, a
# VP_DEPART for an id never announced, anything but VP_UPDATE before GO).
#
# Exit status: 0 success, 1 an expectation failed, a wait timed out or the
# daemon broke the protocol, 2 usage error.

import binascii
import json
import os
import re
import select
import socket
import struct
import sys
import time

VP_UPDATE = 0
VP_DEPART = 1
GO = 2
CHANNEL_OPEN = 3
CHANNEL_CLOSE = 4

TYPE_NAMES = {VP_UPDATE: "VP_UPDATE", VP_DEPART: "VP_DEPART", GO: "GO",
              CHANNEL_OPEN: "CHANNEL_OPEN", CHANNEL_CLOSE: "CHANNEL_CLOSE"}

# Attribute number -> key (section 6).
ATTRS = {1: "name", 2: "arrival", 3: "ipv4", 12: "ipv6", 4: "asn4",
         13: "asn6", 5: "cc", 6: "st", 7: "place", 8: "latlong",
         9: "shortname", 10: "tag", 11: "iata"}

HDR = struct.Struct(">II")
MAX_CTL = 65536         # control payload, type included
MAX_DATA = 65535        # data frame from the daemon


class Failure(Exception):
    """An expectation did not hold (or a wait timed out)."""


def log(msg):
    sys.stderr.write("[%s] %s\n" % (time.strftime("%H:%M:%S"), msg))
    sys.stderr.flush()


# ---------------------------------------------------------------------
# Message builders.

def msg(chan, payload):
    return HDR.pack(chan & 0xffffffff, len(payload)) + payload


def ctl(mtype, body=b""):
    return msg(0, struct.pack(">H", mtype) + body)


def channel_open(vpid, chan):
    return ctl(CHANNEL_OPEN, struct.pack(">II", vpid, chan))


def channel_close(chan):
    return ctl(CHANNEL_CLOSE, struct.pack(">I", chan))


def unhex(text):
    return bytes.fromhex(re.sub(r"[\s|:_]", "", text))


def unescape(text):
    """Backslash escapes: \\n \\r \\t \\\\ \\xNN."""
    return text.encode("latin-1").decode("unicode_escape").encode("latin-1")


# ---------------------------------------------------------------------
# VP_UPDATE.

def parse_update(body):
    """body: the payload after the type.  A dict: id, attrs (list of
    [num, value] in order), one key per known single-valued attribute
    (last value wins), tags (list, in order).  ValueError if malformed."""
    if len(body) < 4:
        raise ValueError("VP_UPDATE payload of %d bytes" % len(body))
    vp = {"id": struct.unpack(">I", body[:4])[0], "attrs": [], "tags": []}
    i = 4
    while i < len(body):
        if len(body) - i < 3:
            raise ValueError("truncated attribute at offset %d" % i)
        num = struct.unpack(">H", body[i:i + 2])[0]
        j = body.find(b"\0", i + 2)
        if j < 0:
            raise ValueError("attribute %d without NUL" % num)
        raw = body[i + 2:j]
        try:
            val = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError("attribute %d is not UTF-8: %r" % (num, raw))
        vp["attrs"].append([num, val])
        key = ATTRS.get(num)
        if key == "tag":
            vp["tags"].append(val)
        elif key is not None:
            vp[key] = val
        i = j + 1
    return vp


# ---------------------------------------------------------------------
# Channel transcripts.

def scan(buf):
    """(number of complete DATA objects, text lines outside DATA bodies,
    list of DATA bodies) of a channel transcript."""
    n = 0
    i = 0
    lines = []
    bodies = []
    while True:
        j = buf.find(b"\n", i)
        if j < 0:
            return n, lines, bodies
        line = bytes(buf[i:j])
        m = re.fullmatch(rb"DATA (\d+)( .*)?", line)
        if m:
            size = int(m.group(1))
            if len(buf) - (j + 1) < size:
                return n, lines, bodies
            bodies.append(bytes(buf[j + 1:j + 1 + size]))
            i = j + 1 + size
            n += 1
        else:
            lines.append(line)
            i = j + 1


def uudecode_bodies(bodies):
    out = bytearray()
    for body in bodies:
        for uu in body.split(b"\n"):
            if uu in (b"", b"`"):
                continue
            out += binascii.a2b_uu(uu)
    return bytes(out)


# ---------------------------------------------------------------------
# The client.

class MuxClient:
    def __init__(self, path, timeout=20.0, burst=True, emit=None):
        self.path = path
        self.timeout = timeout
        self.emit = emit            # called with every event dict
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(5)
        self.sock.connect(path)
        self.sock.setblocking(False)
        self.buf = bytearray()
        self.eof = False
        self.go = False
        self.burst = []             # VP dicts received before GO
        self.vps = {}               # id -> VP dict, currently known
        self.events = []
        self.cursor = 0             # events before this are consumed
        self.violations = []
        self.data = {}              # chan -> bytearray (all received)
        self.open_chans = set()     # opened, no CHANNEL_CLOSE yet
        self.closed = []            # CHANNEL_CLOSE ids, in order
        self.txbuf = bytearray()    # what we sent, for track_tx
        self.txdead = False
        if burst:
            self.read_burst()

    # -- events --------------------------------------------------------

    def event(self, ev, **kw):
        e = {"t": round(time.time(), 6), "ev": ev}
        e.update(kw)
        self.events.append(e)
        if self.emit is not None:
            self.emit(e)
        return e

    def violation(self, what):
        self.violations.append(what)
        self.event("VIOLATION", what=what)

    # -- output --------------------------------------------------------

    def track_tx(self, raw):
        """Follow what we send, so that channels opened by raw bytes
        count as open (for the checks in dispatch)."""
        if self.txdead:
            return
        self.txbuf += raw
        while len(self.txbuf) >= HDR.size:
            chan, length = HDR.unpack_from(self.txbuf)
            if chan == 0 and length > MAX_CTL:
                self.txdead = True      # the daemon will disconnect
                return
            if chan != 0:
                k = min(length, len(self.txbuf) - HDR.size)
                if k < length:
                    # Skip the rest of the data frame as it is sent.
                    self.txbuf[:] = HDR.pack(chan, length - k)
                    return
                del self.txbuf[:HDR.size + length]
                continue
            if len(self.txbuf) < HDR.size + length:
                return
            p = bytes(self.txbuf[HDR.size:HDR.size + length])
            del self.txbuf[:HDR.size + length]
            if len(p) >= 10 and p[:2] == b"\0\3":
                c = struct.unpack(">I", p[6:10])[0]
                self.data.setdefault(c, bytearray())
                self.open_chans.add(c)

    def send_raw(self, raw, slow=False, delay=0.005):
        self.track_tx(raw)
        chunks = [raw[i:i + 1] for i in range(len(raw))] if slow else [raw]
        for c in chunks:
            self.sock.setblocking(True)
            try:
                self.sock.sendall(c)
            except OSError as e:
                # The daemon closed the connection: what follows (a
                # wait, expect-eof) tells whether that was expected.
                self.event("SEND_ERROR", error=str(e))
                return
            finally:
                self.sock.setblocking(False)
            if slow:
                # Keep reading meanwhile, so the daemon never blocks.
                self.pump(delay)

    def open(self, vpid, chan):
        self.send_raw(channel_open(vpid, chan))

    def send(self, chan, payload):
        self.send_raw(msg(chan, payload))

    def close(self, chan):
        self.send_raw(channel_close(chan))

    # -- input ---------------------------------------------------------

    def pump(self, secs):
        """Read once, waiting up to secs.  False if nothing came."""
        if self.eof:
            if secs > 0:
                time.sleep(secs)
            return False
        r, _, _ = select.select([self.sock], [], [], max(0.0, secs))
        if not r:
            return False
        try:
            chunk = self.sock.recv(262144)
        except BlockingIOError:
            return False
        except OSError as e:
            chunk = b""
            self.event("ERROR", error=str(e))
        if not chunk:
            self.eof = True
            if self.buf:
                self.violation("%d bytes of a partial message at EOF"
                               % len(self.buf))
            self.event("EOF")
            return True
        self.buf += chunk
        self.parse()
        return True

    def parse(self):
        while len(self.buf) >= HDR.size:
            chan, length = HDR.unpack_from(self.buf)
            if chan == 0 and length > MAX_CTL:
                self.violation("control message of %d bytes" % length)
            if chan != 0 and length > MAX_DATA:
                self.violation("data frame of %d bytes" % length)
            if len(self.buf) < HDR.size + length:
                return
            payload = bytes(self.buf[HDR.size:HDR.size + length])
            del self.buf[:HDR.size + length]
            self.dispatch(chan, payload)

    def dispatch(self, chan, p):
        if chan != 0:
            if not self.go:
                self.violation("data on channel %d before GO" % chan)
            if chan not in self.open_chans:
                self.violation("%d bytes on channel %d, which is not open"
                               % (len(p), chan))
            self.data.setdefault(chan, bytearray()).extend(p)
            self.event("DATA", chan=chan, len=len(p),
                       text=p[:60].decode("latin-1"))
            return
        if len(p) < 2:
            self.violation("control message of %d bytes" % len(p))
            return
        mtype = struct.unpack(">H", p[:2])[0]
        body = p[2:]
        if not self.go and mtype != GO and mtype != VP_UPDATE:
            self.violation("%s before GO" % TYPE_NAMES.get(mtype, mtype))
        if mtype == VP_UPDATE:
            try:
                vp = parse_update(body)
            except ValueError as e:
                self.violation("malformed VP_UPDATE: %s" % e)
                return
            if vp["id"] == 0:
                self.violation("VP_UPDATE for VP id 0")
            if vp["id"] in self.vps:
                self.violation("VP_UPDATE for VP %d, which is already "
                               "known" % vp["id"])
            self.vps[vp["id"]] = vp
            if not self.go:
                self.burst.append(vp)
            e = dict(vp)
            e["burst"] = not self.go
            self.event("VP_UPDATE", **e)
        elif mtype == VP_DEPART:
            if len(body) != 4:
                self.violation("VP_DEPART payload of %d bytes" % len(body))
                return
            vpid = struct.unpack(">I", body)[0]
            if vpid not in self.vps:
                self.violation("VP_DEPART for VP %d, never announced"
                               % vpid)
            old = self.vps.pop(vpid, None) or {}
            self.event("VP_DEPART", id=vpid, name=old.get("name"))
        elif mtype == GO:
            if len(body) != 0:
                self.violation("GO with a payload")
            if self.go:
                self.violation("a second GO")
            self.go = True
            self.event("GO", vps=len(self.burst))
        elif mtype == CHANNEL_CLOSE:
            if len(body) != 4:
                self.violation("CHANNEL_CLOSE payload of %d bytes"
                               % len(body))
                return
            c = struct.unpack(">I", body)[0]
            if c not in self.open_chans:
                self.violation("CHANNEL_CLOSE for channel %d, not open" % c)
            self.open_chans.discard(c)
            self.closed.append(c)
            self.event("CHANNEL_CLOSE", chan=c)
        else:
            self.violation("unknown control type %d" % mtype)

    def wait(self, cond, secs=None, what="a condition"):
        """Read until cond() holds; Failure on timeout."""
        secs = self.timeout if secs is None else secs
        deadline = time.monotonic() + secs
        while not cond():
            left = deadline - time.monotonic()
            if left <= 0:
                raise Failure("timeout (%.1f s) waiting for %s"
                              % (secs, what))
            if self.eof:
                raise Failure("the daemon closed the connection while "
                              "waiting for %s" % what)
            self.pump(min(left, 0.5))

    def read_burst(self, secs=None):
        self.wait(lambda: self.go, secs, "GO")

    def linger(self, secs):
        """Keep reading for secs seconds (until EOF)."""
        deadline = time.monotonic() + secs
        while time.monotonic() < deadline:
            self.pump(min(0.5, max(0.0, deadline - time.monotonic())))

    def expect_event(self, pred, secs=None, what="an event"):
        """Wait for an event after the cursor matching pred; consume the
        events up to it and return it."""
        found = []

        def cond():
            for i in range(self.cursor, len(self.events)):
                if pred(self.events[i]):
                    found.append(self.events[i])
                    self.cursor = i + 1
                    return True
            return False
        self.wait(cond, secs, what)
        return found[0]

    def find_vp(self, ref):
        """ref: a monitor name, or #ID.  The VP id, or Failure."""
        if ref.startswith("#"):
            return int(ref[1:])
        ids = [i for i, v in self.vps.items() if v.get("name") == ref]
        if len(ids) != 1:
            raise Failure("%d known VPs named %r" % (len(ids), ref))
        return ids[0]

    def text(self, chan):
        return b"\n".join(scan(self.data.get(chan, b""))[1])

    def warts(self, chan):
        return uudecode_bodies(scan(self.data.get(chan, b""))[2])

    def shutdown(self):
        try:
            self.sock.close()
        except OSError:
            pass


def vp_matches(e, ref):
    if ref.startswith("#"):
        return e.get("id") == int(ref[1:])
    return e.get("name") == ref


# ---------------------------------------------------------------------
# Command line.

def printer(e):
    sys.stdout.write(json.dumps(e, sort_keys=True) + "\n")
    sys.stdout.flush()


def cmd_list(c, args):
    if args:
        raise Failure("list takes no arguments after SOCK")
    for vp in c.burst:
        printer(vp)


def cmd_watch(c, args):
    if not args:
        raise Failure("watch needs SECS")
    secs = float(args[0])
    until_up = until_dep = stop = None
    opens = []
    i = 1
    while i < len(args):
        if args[i] == "--until-update":
            until_up = args[i + 1]
        elif args[i] == "--until-depart":
            until_dep = args[i + 1]
        elif args[i] == "--open":
            ref, _, ch = args[i + 1].rpartition(":")
            opens.append((ref, int(ch)))
        elif args[i] == "--stop-file":
            stop = args[i + 1]
        else:
            raise Failure("watch: unknown option %r" % args[i])
        i += 2
    for ref, ch in opens:
        c.open(c.find_vp(ref), ch)
    deadline = time.monotonic() + secs
    start = len(c.events)
    while time.monotonic() < deadline:
        evs = c.events[start:]
        if until_up and any(e["ev"] == "VP_UPDATE" and not e["burst"] and
                            vp_matches(e, until_up) for e in evs):
            return
        if until_dep and any(e["ev"] == "VP_DEPART" and
                             vp_matches(e, until_dep) for e in evs):
            return
        if stop and os.path.exists(stop):
            return
        c.pump(min(0.2, max(0.0, deadline - time.monotonic())))
    if until_up or until_dep:
        raise Failure("watch: no %s within %.0f s" % (
            "VP_UPDATE for " + until_up if until_up else
            "VP_DEPART for " + until_dep, secs))


def cmd_ping(c, args):
    if not args or len(args) % 4 != 0:
        raise Failure("ping needs NAME DST COUNT OUT, repeated")
    jobs = []
    for k in range(len(args) // 4):
        name, dst, count, out = args[4 * k:4 * k + 4]
        jobs.append({"chan": k + 1, "vp": c.find_vp(name), "dst": dst,
                     "count": int(count), "out": out, "name": name})
    for j in jobs:
        c.open(j["vp"], j["chan"])
    for j in jobs:
        c.send(j["chan"], b"ping -c %d %s\n" % (j["count"],
                                                j["dst"].encode()))
    for j in jobs:
        ch = j["chan"]

        def accepted():
            t = c.text(ch)
            for ln in t.split(b"\n"):
                if ln.startswith(b"ERR"):
                    raise Failure("channel %d: scamper said %r" % (ch, ln))
            return re.search(rb"(?m)^OK id-\d+$", t) is not None
        c.wait(accepted, what="OK id- on channel %d" % ch)
    for j in jobs:
        c.send(j["chan"], b"done\n")
    c.wait(lambda: all(j["chan"] in c.closed for j in jobs),
           what="CHANNEL_CLOSE on every channel")
    for j in jobs:
        with open(j["out"] + ".raw", "wb") as f:
            f.write(c.data.get(j["chan"], b""))
        try:
            w = c.warts(j["chan"])
        except binascii.Error as e:
            raise Failure("channel %d: bad uuencoding: %s" % (j["chan"], e))
        with open(j["out"], "wb") as f:
            f.write(w)
        n, lines, _ = scan(c.data.get(j["chan"], b""))
        printer({"t": round(time.time(), 6), "ev": "RESULT",
                 "chan": j["chan"], "name": j["name"], "data": n,
                 "warts": len(w),
                 "lines": [x.decode("latin-1") for x in lines]})


def cmd_raw(c, args):
    slow = False
    wait = 2.0
    expect = None
    chunks = []
    i = 0
    while i < len(args):
        if args[i] == "--slow":
            slow = True
        elif args[i] == "--wait":
            wait = float(args[i + 1])
            i += 1
        elif args[i] == "--expect":
            expect = args[i + 1]
            i += 1
        else:
            chunks.append(unhex(args[i]))
        i += 1
    for ch in chunks:
        c.send_raw(ch, slow=slow)
    deadline = time.monotonic() + wait
    while not c.eof and time.monotonic() < deadline:
        c.pump(min(0.2, max(0.0, deadline - time.monotonic())))
    res = "closed" if c.eof else "open"
    printer({"t": round(time.time(), 6), "ev": "RESULT", "result": res})
    if expect is not None and expect != res:
        raise Failure("expected the connection %s, it is %s"
                      % (expect, res))


RUN_STEPS = """run [--timeout SECS] [--no-strict] SOCK STEP...  (after GO)
  open:VP:CHAN          CHANNEL_OPEN (VP: monitor name or #ID)
  send:CHAN:TEXT        data frame (escapes \\n \\r \\t \\xNN)
  sendrep:CHAN:N:TEXT   one data frame holding TEXT N times
  close:CHAN            CHANNEL_CLOSE from the client
  raw:HEX               bytes as given, one write
  slow:HEX              bytes as given, one byte per write
  ctlpad:TYPE:LEN       a control message of type TYPE whose length field
                        is LEN (type included), padded with zero bytes
  until:CHAN:REGEX      wait until the text lines of CHAN (outside DATA
                        bodies) match REGEX
  data:CHAN:N           wait until CHAN holds N complete DATA objects
  lines:CHAN:N:REGEX    wait until N text lines of CHAN match REGEX
  expect-close:CHAN     wait for CHANNEL_CLOSE(CHAN)   \\  each consumes the
  expect-update:VP      wait for a VP_UPDATE           |  events up to the
  expect-depart:VP      wait for a VP_DEPART           /  one it matches
  expect-eof            the daemon closes the connection
  expect-open:SECS      the connection stays open SECS (reading)
  expect-quiet:SECS     no VP_UPDATE, VP_DEPART or CHANNEL_CLOSE for SECS
  sleep:SECS            wait SECS, reading
  noread:SECS           wait SECS without reading
  waitfile:PATH         wait (reading; up to 300 s) until PATH exists
  touch:PATH            create PATH
  warts:CHAN:FILE       write CHAN's DATA objects, uudecoded, to FILE
  save:CHAN:FILE        write CHAN's transcript to FILE
"""


def cmd_run(c, args):
    for step in args:
        op, _, arg = step.partition(":")
        log("step %s" % step)
        if op == "open":
            ref, _, ch = arg.rpartition(":")
            c.open(c.find_vp(ref), int(ch))
        elif op == "send":
            ch, _, text = arg.partition(":")
            c.send(int(ch), unescape(text))
        elif op == "sendrep":
            ch, n, text = arg.split(":", 2)
            c.send(int(ch), unescape(text) * int(n))
        elif op == "close":
            c.close(int(arg))
        elif op == "raw":
            c.send_raw(unhex(arg))
        elif op == "ctlpad":
            t, _, n = arg.partition(":")
            t, n = int(t, 0), int(n, 0)
            c.send_raw(HDR.pack(0, n) + (struct.pack(">H", t) +
                                         bytes(max(0, n - 2)))[:n])
        elif op == "slow":
            c.send_raw(unhex(arg), slow=True, delay=0.01)
        elif op == "until":
            ch, _, rx = arg.partition(":")
            ch = int(ch)
            r = re.compile(rx.encode(), re.M)
            c.wait(lambda: r.search(c.text(ch)) is not None,
                   what="%r on channel %d" % (rx, ch))
        elif op == "data":
            ch, _, n = arg.partition(":")
            ch, n = int(ch), int(n)
            c.wait(lambda: scan(c.data.get(ch, b""))[0] >= n,
                   what="%d DATA objects on channel %d" % (n, ch))
        elif op == "lines":
            ch, n, rx = arg.split(":", 2)
            ch, n = int(ch), int(n)
            r = re.compile(rx.encode())
            c.wait(lambda: sum(1 for ln in scan(c.data.get(ch, b""))[1]
                               if r.search(ln)) >= n,
                   what="%d lines matching %r on channel %d" % (n, rx, ch))
        elif op == "expect-close":
            ch = int(arg)
            c.expect_event(lambda e: e["ev"] == "CHANNEL_CLOSE" and
                           e["chan"] == ch, what="CHANNEL_CLOSE(%d)" % ch)
        elif op == "expect-update":
            c.expect_event(lambda e: e["ev"] == "VP_UPDATE" and
                           vp_matches(e, arg), what="VP_UPDATE " + arg)
        elif op == "expect-depart":
            c.expect_event(lambda e: e["ev"] == "VP_DEPART" and
                           vp_matches(e, arg), what="VP_DEPART " + arg)
        elif op == "expect-eof":
            c.wait(lambda: c.eof, what="EOF")
            # wait() refuses to run at EOF; the check above returns first.
        elif op == "expect-open":
            c.linger(float(arg))
            if c.eof:
                raise Failure("the daemon closed the connection")
        elif op == "expect-quiet":
            n = len(c.events)
            c.linger(float(arg))
            bad = [e for e in c.events[n:] if e["ev"] in
                   ("VP_UPDATE", "VP_DEPART", "CHANNEL_CLOSE")]
            if bad:
                raise Failure("unexpected %s" % bad[0]["ev"])
        elif op == "sleep":
            c.linger(float(arg))
        elif op == "noread":
            time.sleep(float(arg))
        elif op == "waitfile":
            deadline = time.monotonic() + 300
            while not os.path.exists(arg):
                if time.monotonic() > deadline:
                    raise Failure("%s did not appear" % arg)
                c.pump(0.05)
        elif op == "touch":
            open(arg, "a").close()
        elif op == "warts":
            ch, _, path = arg.partition(":")
            with open(path, "wb") as f:
                f.write(c.warts(int(ch)))
        elif op == "save":
            ch, _, path = arg.partition(":")
            with open(path, "wb") as f:
                f.write(c.data.get(int(ch), b""))
        else:
            raise Failure("unknown step %r" % step)


def cmd_eval(path, args):
    """For the shell tests: evaluate a Python expression over the JSON
    lines of FILE (as printed by the other commands).  Names: E (every
    line), ev(KIND, key=value...) (the lines of that event kind whose
    keys have those values), vps (the lines without "ev": a list).
    A boolean result is the exit status (0 true, 1 false); anything
    else is printed."""
    if len(args) != 1:
        sys.stderr.write("usage: muxclient.py eval FILE EXPR\n")
        return 2
    E = []
    with open(path) as f:
        for line in f:
            if line.strip():
                E.append(json.loads(line))

    def ev(kind, **kw):
        return [e for e in E if e.get("ev") == kind and
                all(e.get(k) == v for k, v in kw.items())]
    vps = [e for e in E if "ev" not in e]
    v = eval(args[0], {"E": E, "ev": ev, "vps": vps, "re": re})
    if isinstance(v, bool):
        return 0 if v else 1
    if isinstance(v, (list, dict)):
        print(json.dumps(v, sort_keys=True))
    else:
        print(v)
    return 0


USAGE = """usage: muxclient.py [--timeout SECS] [--no-strict] CMD SOCK ARGS...
  list SOCK
  watch SOCK SECS [--until-update VP] [--until-depart VP] [--open VP:CHAN]...
                  [--stop-file PATH]
  ping SOCK NAME DST COUNT OUT [NAME DST COUNT OUT]...
  raw SOCK HEX... [--slow] [--wait SECS] [--expect closed|open]
  run SOCK STEP...
  eval FILE EXPR     (a check over the JSON lines the others print)
""" + RUN_STEPS


def main(argv):
    tmo = 20.0
    strict = True
    while argv and argv[0].startswith("--"):
        if argv[0] == "--timeout" and len(argv) > 1:
            tmo = float(argv[1])
            argv = argv[2:]
        elif argv[0] == "--no-strict":
            strict = False
            argv = argv[1:]
        else:
            break
    cmds = {"list": cmd_list, "watch": cmd_watch, "ping": cmd_ping,
            "raw": cmd_raw, "run": cmd_run}
    if len(argv) < 2 or (argv[0] not in cmds and argv[0] != "eval"):
        sys.stderr.write(USAGE)
        return 2
    cmd, path, args = argv[0], argv[1], argv[2:]
    if cmd == "eval":
        return cmd_eval(path, args)
    # list prints VPs, not events.
    emit = None if cmd == "list" else printer
    c = None
    rc = 0
    try:
        try:
            c = MuxClient(path, timeout=tmo, emit=emit)
        except OSError as e:
            raise Failure("connect to %s: %s" % (path, e))
        cmds[cmd](c, args)
    except Failure as e:
        log("FAIL: %s" % e)
        rc = 1
    except (IndexError, ValueError) as e:
        log("bad arguments: %s" % e)
        rc = 2
    finally:
        if c is not None:
            if c.violations:
                for v in c.violations:
                    log("protocol violation: %s" % v)
                if strict and rc == 0:
                    rc = 1
            c.shutdown()
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
