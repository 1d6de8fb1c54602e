#!/usr/bin/env python3
#
# mkcorpus.py: build the seed corpora of the fuzz targets from the
# captured exchanges in tests/vectors/*.txt.
#
#   python3 tests/fuzz/mkcorpus.py [--vectors DIR] [--out DIR]
#
# corpus/proto (fuzz_proto): for each TCP connection of each capture the
# scamper->daemon and daemon->scamper byte streams; each distinct frame
# shape (control type and length, or data length); and the frames of
# 07-daemon-edge-cases.txt, each case's S>D frames also as one stream.
#
# corpus/vp (fuzz_vp): the S>D stream of each connection that starts
# with MASTER_NEW; each capture replayed as one scenario, the daemon's
# side turned into owner-action pseudo-frames (see fuzz_vp.c: client
# data, EOF, writes to the client, flushes of the link, link loss and
# resumption); each edge case of file 07 (after a MASTER_NEW when it
# does not start with one); and hand-written scenarios for channels,
# flow control, zombies, resumption and sequence wraparound.
#
# Both directories are rewritten from scratch.  Output is deterministic.
#
# Copyright (C) 2026 The sc_remoted authors.
# SPDX-License-Identifier: GPL-2.0-only

import argparse
import hashlib
import os
import re
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

# Control types.
NEW, ID, CNEW, FIN, KA, ACK, RES, REJ, OK = range(9)
# Owner actions of fuzz_vp.c.
A_OPEN, A_DATA, A_EOF, A_GONE, A_WRITE, A_FLUSH, A_LOST, A_RESUME, \
    A_KEEPALIVE, A_BIGDATA, A_WRAP, A_NEXTCHAN, A_DIRECT = \
    range(0xf0, 0xfd)

FRAME_RE = re.compile(r'^\s*\+[0-9.]+ (S>D|D>S) ([0-9a-f]{8}) ([0-9a-f]{8}) '
                      r'([0-9a-f]{4}) \| ([0-9a-f]*)')
TCP_RE = re.compile(r'^\s*\+[0-9.]+ (S>D|D>S) tcp (\S+) \(port (\d+) -> '
                    r'(\d+)\)')
EDGE_RE = re.compile(r'^(S>D|D>S) ([0-9a-f]{8}) ([0-9a-f]{8}) ([0-9a-f]{4}) '
                     r'\|(.*)$')
# "11111111...(200 bytes of 11)...11": 200 bytes in all.
REPEAT_RE = re.compile(r'[0-9a-f]+\.\.\.\((\d+) bytes of ([0-9a-f]{2})\)'
                       r'\.\.\.[0-9a-f]+')


def frame(seq, chan, payload):
    return struct.pack('>IIH', seq, chan, len(payload)) + bytes(payload)


def act(code, args=b''):
    """An owner-action pseudo-frame for fuzz_vp."""
    return frame(0, 0, bytes([code]) + bytes(args))


class Frame:
    def __init__(self, d, seq, chan, payload):
        self.dir, self.seq, self.chan, self.payload = d, seq, chan, payload

    def raw(self):
        return frame(self.seq, self.chan, self.payload)

    def ctype(self):
        if self.chan != 0 or not self.payload:
            return None
        return self.payload[0]


def check_len(path, lineno, length, payload):
    if int(length, 16) != len(payload):
        sys.exit('%s:%d: length %s but %d payload bytes' %
                 (path, lineno, length, len(payload)))


def parse_capture(path):
    """Events of a capture file (01-06), in file order."""
    events = []
    with open(path) as fp:
        for lineno, line in enumerate(fp, 1):
            if line.startswith('#'):
                continue
            m = FRAME_RE.match(line)
            if m:
                d, seq, chan, length, hexp = m.groups()
                payload = bytes.fromhex(hexp)
                check_len(path, lineno, length, payload)
                events.append(('frame', Frame(d, int(seq, 16),
                                              int(chan, 16), payload)))
                continue
            m = TCP_RE.match(line)
            if m:
                d, what, src, dst = m.groups()
                events.append((what, d, int(src), int(dst)))
    return events


def connections(events):
    """Split into TCP connections: (server port, [events])."""
    conns = []
    for ev in events:
        if ev[0] == 'SYN' and ev[1] == 'S>D':
            conns.append((ev[3], []))
        elif conns:
            conns[-1][1].append(ev)
    return conns


def edge_payload(text, path, lineno):
    text = REPEAT_RE.sub(lambda m: m.group(2) * int(m.group(1)), text)
    out = ''
    for tok in text.split():
        if re.fullmatch(r'([0-9a-f]{2})+', tok):
            out += tok
        else:
            break
    return bytes.fromhex(out)


def parse_edges(path):
    """The cases of 07: [(name, [Frame])], S>D and D>S frames."""
    cases = []
    with open(path) as fp:
        for lineno, line in enumerate(fp, 1):
            line = line.rstrip('\n')
            m = re.match(r'^## (E\d+)', line)
            if m:
                cases.append((m.group(1), []))
                continue
            if not cases:
                continue
            # "frame + frame": two frames sent in one segment.
            for part in line.split(' + '):
                part = part.strip()
                if cases and part.startswith('0') and \
                        line.startswith('S>D'):
                    part = 'S>D ' + part
                m = EDGE_RE.match(part)
                if not m:
                    continue
                d, seq, chan, length, rest = m.groups()
                payload = edge_payload(rest, path, lineno)
                check_len(path, lineno, length, payload)
                cases[-1][1].append(Frame(d, int(seq, 16), int(chan, 16),
                                          payload))
    return cases


# ---------------------------------------------------------------------
# Captures as fuzz_vp scenarios.

def scenario(events):
    """The capture's daemon side as owner actions, between S>D frames."""
    conns = connections(events)
    if not conns:
        return b''
    port = conns[0][0]
    out = bytearray()
    started = live = False
    d_next = 0              # the daemon's next fresh seq
    fed = set()             # channels given scamper data since a drain
    last = None

    def drain():
        for ch in sorted(fed):
            out.extend(act(A_WRITE, [ch & 0xff]))
        fed.clear()
        out.extend(act(A_FLUSH))

    for cport, evs in conns:
        if cport != port:
            continue        # the relay's other side (04)
        pending, skip = True, False
        for ev in evs:
            if ev[0] == 'FIN':
                if live:
                    drain()
                    out.extend(act(A_LOST))
                    live = False
                continue
            if ev[0] != 'frame':
                continue
            f = ev[1]
            if pending and f.dir == 'S>D':
                pending = False
                if f.ctype() == NEW:
                    if started:
                        return bytes(out)   # a new VP: stop here
                    started = live = True
                    out.extend(f.raw())
                elif f.ctype() == RES and started:
                    r, a, n = struct.unpack('>III', f.payload[-12:])
                    out.extend(act(A_RESUME, struct.pack('>III', r, a, n)))
                    live = True
                else:
                    skip = True
                continue
            if not started or skip:
                continue
            if f.dir == 'S>D':
                out.extend(f.raw())
                if f.chan != 0:
                    fed.add(f.chan)
                elif f.ctype() == FIN:
                    fed.add(struct.unpack('>I', f.payload[1:5])[0])
                last = 'S'
                continue
            if last == 'S':
                drain()
            last = 'D'
            t = f.ctype()
            if t == REJ:
                skip = True
            elif t == KA:
                out.extend(act(A_KEEPALIVE))
            elif t in (CNEW, FIN) or f.chan != 0:
                if f.seq < d_next:
                    continue        # a retransmission on resume
                d_next = f.seq + 1
                if t == CNEW:
                    out.extend(act(A_OPEN))
                elif t == FIN:
                    ch = struct.unpack('>I', f.payload[1:5])[0]
                    out.extend(act(A_EOF, [ch & 0xff]))
                else:
                    out.extend(act(A_DATA, bytes([f.chan & 0xff]) +
                                   f.payload))
    if live:
        drain()
    return bytes(out)


# ---------------------------------------------------------------------
# Hand-written fuzz_vp scenarios.

class Scen:
    """Both peers' sequence state, enough to write valid streams."""

    def __init__(self, magic=b'\x01\x02\x03\x04\x05\x06\x07\x08',
                 name=b'vp1'):
        self.out = bytearray()
        self.s_snd = 0          # scamper's snd_nxt
        self.d_snd = 0          # the daemon's snd_nxt
        self.d_unacked = []     # the daemon's unacked seqs
        self.next_chan = 1
        self.txfin, self.rxfin = set(), set()
        payload = bytes([NEW, len(magic)]) + magic
        payload += bytes([len(name) + 1]) + name + b'\0' if name else b'\0'
        self.out += frame(0, 0, payload)

    def _d_rel(self, n=1):
        for _ in range(n):
            self.d_unacked.append(self.d_snd)
            self.d_snd = (self.d_snd + 1) & 0xffffffff

    # The daemon's side.
    def open(self):
        self.out += act(A_OPEN)
        self._d_rel()
        ch = self.next_chan
        self.next_chan += 1
        return ch

    def data(self, ch, data):
        self.out += act(A_DATA, bytes([ch & 0xff]) + data)
        if data and ch not in self.txfin and ch not in self.rxfin:
            self._d_rel()

    def big(self, ch, k):
        self.out += act(A_BIGDATA, struct.pack('>BH', ch & 0xff, k))
        n = 4 * k
        if ch not in self.txfin and ch not in self.rxfin:
            self._d_rel((n + 65534) // 65535)

    def eof(self, ch):
        self.out += act(A_EOF, [ch & 0xff])
        self._fin(ch)

    def gone(self, ch):
        self.out += act(A_GONE, [ch & 0xff])
        self._fin(ch)

    def _fin(self, ch):
        if ch not in self.txfin and ch not in self.rxfin:
            self.txfin.add(ch)
            self._d_rel()

    def write(self, ch, k=0):
        self.out += act(A_WRITE, struct.pack('>BH', ch & 0xff, k))

    def flush(self, k=0):
        self.out += act(A_FLUSH, struct.pack('>H', k) if k else b'')

    def lost(self):
        self.out += act(A_LOST)

    def resume(self, dr=0, da=0, dn=0):
        self.out += act(A_RESUME, [dr, da, dn])
        del self.d_unacked[:dr]

    def resume_raw(self, r, a, n):
        self.out += act(A_RESUME, struct.pack('>III', r, a, n))

    def keepalive(self):
        self.out += act(A_KEEPALIVE)

    def wrap(self, snd=0xfffffff0, rcv=0xfffffff0):
        self.out += act(A_WRAP, struct.pack('>II', snd, rcv))
        self.d_snd, self.s_snd = snd, rcv

    # scamper's side.
    def s_data(self, ch, data):
        self.out += frame(self.s_snd, ch, data)
        self.s_snd = (self.s_snd + 1) & 0xffffffff

    def s_fin(self, ch):
        self.out += frame(self.s_snd, 0, struct.pack('>BI', FIN, ch))
        self.s_snd = (self.s_snd + 1) & 0xffffffff
        self.rxfin.add(ch)

    def s_ack(self, n=None):
        """ACK the n oldest daemon frames (all by default)."""
        n = len(self.d_unacked) if n is None else n
        for _ in range(n):
            seq = self.d_unacked.pop(0)
            self.out += frame(self.s_snd, 0, struct.pack('>BI', ACK, seq))

    def s_keepalive(self):
        self.out += frame(self.s_snd, 0, bytes([KA]))

    def raw(self, b):
        self.out += b

    def bytes(self):
        return bytes(self.out)


def handmade():
    seeds = {}

    # E20-E28 of 07 as one scenario: pipelined client data, takeover,
    # zombie queueing, refused and accepted resumes, scamper's FIN.
    s = Scen(b'\x51' * 8, b'r1')
    ch = s.open()
    s.data(ch, b'ping -c 1 127.0.0.1\n')
    s.data(ch, b'trace 127.0.0.1\n')
    s.flush()
    s.resume_raw(1, 0, 0)           # takeover; frame 0 dropped
    del s.d_unacked[:1]
    s.s_ack(2)
    s.s_data(ch, b'OK id-1\n')
    s.write(ch)
    s.flush()
    s.lost()
    s.data(ch, b'while-zombie\n')
    s.resume_raw(77, 1, 1)          # refused: r outside the queue
    s.resume_raw(3, 5, 6)           # refused: a > rcv_nxt
    s.resume_raw(3, 0, 0)           # refused: n < rcv_nxt
    s.resume_raw(3, 1, 1)
    s.data(ch, b'after-resume\n')
    s.flush()
    s.s_ack(2)
    s.s_fin(ch)
    s.flush()
    s.keepalive()
    seeds['hand-e20-e28-takeover-zombie-resume'] = s.bytes()

    # Flow control: a big client write, a slow client, partial writes.
    s = Scen()
    ch = s.open()
    s.big(ch, 0x4000)               # 65536 bytes: two data frames
    s.flush(100)
    s.flush()
    s.s_ack()
    for i in range(6):
        s.s_data(ch, bytes([0x41 + i]) * 100)
    s.write(ch, 300)
    s.write(ch, 100)
    s.s_fin(ch)
    s.write(ch)
    s.flush()
    seeds['hand-flow-control'] = s.bytes()

    # Crossing FINs, and a client that leaves at once.
    s = Scen()
    a = s.open()
    b = s.open()
    s.flush()
    s.s_ack()
    s.eof(a)
    s.s_fin(a)
    s.gone(b)
    s.s_data(b, b'late output\n')
    s.s_fin(b)
    s.flush()
    s.s_ack()
    seeds['hand-crossing-fins'] = s.bytes()

    # scamper FINs with output pending; the client goes before reading.
    s = Scen()
    a = s.open()
    b = s.open()
    s.s_data(a, b'MORE\n')
    s.s_data(b, b'DATA 4\n')
    s.s_fin(a)
    s.s_fin(b)
    s.write(a, 2)
    s.gone(b)
    s.write(a)
    s.data(a, b'ignored after FIN\n')
    s.eof(a)
    s.flush()
    s.s_ack()
    seeds['hand-fin-pending-output'] = s.bytes()

    # Sequence numbers wrapping past 2^32 both ways, with a resume.
    s = Scen()
    s.wrap(0xfffffff8, 0xfffffffa)
    ch = s.open()
    for i in range(12):
        s.data(ch, b'x%d\n' % i)
        s.s_data(ch, b'y%d\n' % i)
        s.write(ch)
    s.flush()
    s.s_ack(8)
    s.lost()
    s.data(ch, b'queued\n')
    s.resume(2)
    s.s_ack()
    s.s_fin(ch)
    s.flush()
    seeds['hand-wraparound'] = s.bytes()

    # Channel ids wrapping: 0 and ids still open are skipped.
    s = Scen()
    a = s.open()                    # 1
    b = s.open()                    # 2
    s.out += act(A_NEXTCHAN, struct.pack('>I', 0xfffffffe))
    s.next_chan = 0xfffffffe
    c = s.open()                    # 0xfffffffe
    d = s.open()                    # 0xffffffff
    s.next_chan = 3                 # 0, 1 and 2 skipped
    e = s.open()                    # 3
    for ch in (a, b, c, d, e):
        s.data(ch, b'%x\n' % ch)
        s.s_data(ch, b'%x\n' % ch)
    s.flush()
    s.s_ack()
    for ch in (c, a, e, b, d):
        s.s_fin(ch)
        s.write(ch)
    s.flush()
    seeds['hand-chan-id-wrap'] = s.bytes()

    # Large frames written straight to the client (chan_direct): all
    # of it, part of it, none of it, no callback at all.
    s = Scen()
    a = s.open()
    b = s.open()
    s.flush()
    s.s_ack()
    s.s_data(a, b'A' * 10000)       # all written directly
    s.out += act(A_DIRECT, struct.pack('>H', 3000))
    s.s_data(a, b'B' * 9000)        # 3000 written, 6000 queued
    s.s_data(a, b'C' * 8192)        # queued behind
    s.write(a, 5000)
    s.write(a)
    s.out += act(A_DIRECT)          # the owner has no chan_direct
    s.s_data(b, b'D' * 8192)
    s.write(b)
    s.out += act(A_DIRECT, struct.pack('>H', 0))
    s.s_data(b, b'E' * 9000)        # nothing taken
    s.write(b)
    s.out += act(A_DIRECT, struct.pack('>H', 0xffff))
    s.s_data(a, b'F' * 20000)
    s.s_data(a, b'small\n')
    s.gone(b)
    s.s_data(b, b'G' * 9000)        # the client is gone: dropped
    s.s_fin(a)
    s.s_fin(b)
    s.write(a)
    s.flush()
    seeds['hand-direct'] = s.bytes()

    # An id used again once its channel is freed (after a wrap).
    s = Scen()
    a = s.open()                    # 1
    s.s_fin(a)                      # freed at once
    s.out += act(A_NEXTCHAN, struct.pack('>I', 1))
    s.next_chan = 1
    a = s.open()                    # 1 again
    s.data(a, b'again\n')
    s.s_data(a, b'ok\n')
    s.flush()
    s.s_ack()
    seeds['hand-chan-id-reuse'] = s.bytes()

    # Many channels: the table grows, entries go in every order.
    s = Scen()
    chans = [s.open() for _ in range(20)]
    s.flush()
    for c in chans[::3]:
        s.gone(c)
    for c in chans:
        s.s_data(c, b'%d\n' % c)
    for c in chans[::2]:
        s.s_fin(c)
    for c in chans[1::2]:
        s.eof(c)
    for c in chans:
        s.write(c)
    more = [s.open() for _ in range(6)]
    for c in chans[1::2]:
        s.s_fin(c)
    s.flush()
    s.s_ack()
    for c in more:
        s.data(c, b'hello\n')
    seeds['hand-many-channels'] = s.bytes()

    # Zombie queueing: data and FINs while the link is down.
    s = Scen()
    a = s.open()
    b = s.open()
    s.flush()
    s.lost()
    s.data(a, b'one\n')
    s.eof(b)
    s.gone(a)
    s.keepalive()
    s.flush()
    s.resume()                      # r = snd_una: all retransmitted
    s.flush(7)
    s.flush()
    s.s_ack()
    s.s_fin(a)
    s.s_fin(b)
    seeds['hand-zombie-queue'] = s.bytes()

    # Resume dropping frames scamper had; ACKs lost with the link.
    s = Scen()
    ch = s.open()
    s.data(ch, b'a\n')
    s.data(ch, b'b\n')
    s.s_data(ch, b'c\n')
    s.lost()
    s.resume(2, 0, 1)
    s.s_ack()
    s.s_data(ch, b'd\n')
    s.flush()
    seeds['hand-resume-drop'] = s.bytes()

    # Protocol errors: each drops the link; a resume brings it back.
    for name, bad in [
            ('ack-nothing', lambda s: s.raw(frame(s.s_snd, 0,
                                                  b'\x05\0\0\0\0'))),
            ('ack-wrong', lambda s: s.raw(frame(s.s_snd, 0,
                                                b'\x05\0\0\0\x07'))),
            ('seq-gap', lambda s: s.raw(frame(s.s_snd + 1, 0, b'\x04'))),
            ('fin-short', lambda s: s.raw(frame(s.s_snd, 0, b'\x03\0\0'))),
            ('ka-long', lambda s: s.raw(frame(s.s_snd, 0, b'\x04\0'))),
            ('empty-ctl', lambda s: s.raw(frame(s.s_snd, 0, b''))),
            ('new-again', lambda s: s.raw(frame(s.s_snd, 0,
                                                b'\x00\x01\x01\x00'))),
            ('unknown-type', lambda s: s.raw(frame(s.s_snd, 0,
                                                   b'\x09')))]:
        s = Scen()
        ch = s.open()
        s.flush()
        s.s_ack()
        s.s_data(ch, b'x\n')
        bad(s)
        # Lost with the link; scamper sends it again after the resume.
        s.raw(frame(s.s_snd, ch, b'again\n'))
        s.data(ch, b'queued\n')
        s.resume()
        s.s_data(ch, b'again\n')
        s.s_ack()
        s.flush()
        seeds['hand-error-' + name] = s.bytes()

    # Empty data frames, unknown channels, keepalives both ways.
    s = Scen(b'\xee', None)
    ch = s.open()
    s.s_data(ch, b'')
    s.s_data(99, b'nobody\n')
    s.s_keepalive()
    s.s_fin(42)
    s.keepalive()
    s.s_ack()
    s.flush()
    seeds['hand-odd-frames'] = s.bytes()
    return seeds


# ---------------------------------------------------------------------

def shape(f):
    if f.chan != 0:
        return ('data', len(f.payload))
    if not f.payload:
        return ('ctl-empty',)
    return ('ctl', f.payload[0], len(f.payload), f.seq == 0)


def write_dir(path, files):
    os.makedirs(path, exist_ok=True)
    for name in os.listdir(path):
        os.unlink(os.path.join(path, name))
    seen = set()
    n = 0
    for name, data in files:
        h = hashlib.sha1(data).digest()
        if h in seen or not data:
            continue
        seen.add(h)
        with open(os.path.join(path, name), 'wb') as fp:
            fp.write(data)
        n += 1
    return n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--vectors', default=os.path.join(HERE, '..',
                                                       'vectors'))
    ap.add_argument('--out', default=os.path.join(HERE, 'corpus'))
    args = ap.parse_args()

    proto, vp = [], []
    shapes = set()

    def add_shape(f, tag):
        k = shape(f)
        if k not in shapes:
            shapes.add(k)
            proto.append(('frame-%s-%03d' % (tag, len(shapes)), f.raw()))

    names = sorted(n for n in os.listdir(args.vectors)
                   if re.match(r'0[1-6].*\.txt$', n))
    for name in names:
        tag = name[:2]
        events = parse_capture(os.path.join(args.vectors, name))
        for i, (port, evs) in enumerate(connections(events), 1):
            frames = [e[1] for e in evs if e[0] == 'frame']
            sd = b''.join(f.raw() for f in frames if f.dir == 'S>D')
            ds = b''.join(f.raw() for f in frames if f.dir == 'D>S')
            proto.append(('cap-%s-conn%d-sd' % (tag, i), sd))
            proto.append(('cap-%s-conn%d-ds' % (tag, i), ds))
            sdf = [f for f in frames if f.dir == 'S>D']
            if sdf and sdf[0].ctype() == NEW:
                vp.append(('cap-%s-conn%d-sd' % (tag, i), sd))
            for f in frames:
                add_shape(f, tag)
        vp.append(('scen-%s' % tag, scenario(events)))

    edge = os.path.join(args.vectors, '07-daemon-edge-cases.txt')
    hello = frame(0, 0, bytes([NEW, 8]) + b'\xe0' * 8 + b'\x03e0\0')
    for case, frames in parse_edges(edge):
        sd = [f for f in frames if f.dir == 'S>D']
        if not sd:
            continue
        for f in frames:
            add_shape(f, '07')
        stream = b''.join(f.raw() for f in sd)
        proto.append(('edge-%s' % case, stream))
        if sd[0].ctype() not in (NEW, RES) or sd[0].seq != 0 or \
                sd[0].chan != 0:
            stream = hello + stream
        vp.append(('edge-%s' % case, stream))
        if sd[0].ctype() == NEW:
            # The same case with the handshake behind it.
            vp.append(('edge-%s-established' % case,
                       hello + b''.join(f.raw() for f in sd)))

    for name, data in sorted(handmade().items()):
        vp.append((name, data))

    n1 = write_dir(os.path.join(args.out, 'proto'), proto)
    n2 = write_dir(os.path.join(args.out, 'vp'), vp)
    print('mkcorpus: %d proto and %d vp seeds in %s' % (n1, n2, args.out))


if __name__ == '__main__':
    main()
