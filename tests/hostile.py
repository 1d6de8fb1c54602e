#!/usr/bin/env python3
# hostile.py: helpers for tests/integ/hostile.sh that tests/vpsim lacks.
#
# Subcommands (loopback and unix sockets only; every loop is bounded):
#   now                          print the wall clock, seconds, 3 decimals
#   sample PID OUT               every 0.1 s append "t rss_kib nfds" for
#                                PID to OUT, until PID exits or SIGTERM
#   pinger SOCK OUT PERIOD LIMIT STOPFILE
#                                every PERIOD s open a channel on SOCK (a
#                                real scamper VP), run "ping -c 1
#                                127.0.0.1", say done, read to EOF; one
#                                line per ping in OUT: "start secs ok" or
#                                "start secs FAIL why"; a ping taking
#                                more than LIMIT s fails; stops once
#                                STOPFILE exists
#   clients SOCK N SECS          N local clients of SOCK at once; print
#                                how many got scamper's first "MORE"
#                                within SECS: "clients served=K of N"
#   noread SOCK SECS             connect, never read, hold SECS
#   flood SOCK BYTES SECS        write up to BYTES as fast as the socket
#                                takes them (non-blocking) for SECS; print
#                                "accepted N"
#   pending HOST PORT N PART SECS
#                                N links that each send a frame header
#                                (seq 0, channel 0, length 65535) and the
#                                first PART payload bytes of a MASTER_NEW,
#                                then nothing; hold SECS; print
#                                "pending opened=N closed_by_daemon=M"
#   churn HOST PORT SECS EVERY   connect and close as fast as possible for
#                                SECS (at most 200,000 connections); every
#                                EVERY-th sends a valid MASTER_NEW first;
#                                print the counts
#
# Copyright (C) 2026 The sc_remoted authors.
# SPDX-License-Identifier: GPL-2.0-only

import errno
import os
import select
import signal
import socket
import struct
import sys
import time

HDR = struct.Struct(">IIH")


def master_new_payload(name=None):
    magic = os.urandom(8)
    p = bytes([0, len(magic)]) + magic
    if name is None:
        p += b"\x00"
    else:
        n = name.encode() + b"\x00"
        p += bytes([len(n)]) + n
    return p


def cmd_now():
    print("%.3f" % time.time())
    return 0


_stop = False


def _on_term(signum, frame):
    global _stop
    _stop = True


def cmd_sample(pid, out):
    signal.signal(signal.SIGTERM, _on_term)
    signal.signal(signal.SIGINT, _on_term)
    status = "/proc/%d/status" % pid
    fddir = "/proc/%d/fd" % pid
    with open(out, "a") as f:
        while not _stop:
            try:
                rss = None
                with open(status) as s:
                    for line in s:
                        if line.startswith("VmRSS:"):
                            rss = int(line.split()[1])
                            break
                nfds = len(os.listdir(fddir))
            except (OSError, ValueError):
                break
            if rss is None:  # a zombie has no VmRSS line
                break
            f.write("%.3f %d %d\n" % (time.time(), rss, nfds))
            f.flush()
            time.sleep(0.1)
    return 0


def _ping_once(path, limit):
    """One measurement on a fresh channel; returns None or why not."""
    deadline = time.monotonic() + limit
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.settimeout(limit)
        s.connect(path)
        s.sendall(b"ping -c 1 127.0.0.1\n")
        buf = b""
        ndata = 0
        ok_id = False
        sent_done = False
        eof = False
        pos = 0
        while not eof:
            left = deadline - time.monotonic()
            if left <= 0:
                return "timeout (%d DATA, ok_id=%s)" % (ndata, ok_id)
            s.settimeout(left)
            try:
                d = s.recv(65536)
            except socket.timeout:
                return "timeout (%d DATA, ok_id=%s)" % (ndata, ok_id)
            if not d:
                eof = True
            buf += d
            # scan whole lines and DATA objects
            while True:
                nl = buf.find(b"\n", pos)
                if nl < 0:
                    break
                line = buf[pos:nl]
                if line.startswith(b"DATA "):
                    try:
                        n = int(line[5:])
                    except ValueError:
                        return "bad line %r" % line[:40]
                    if len(buf) < nl + 1 + n:
                        break
                    pos = nl + 1 + n
                    ndata += 1
                    continue
                pos = nl + 1
                if line.startswith(b"ERR"):
                    return "scamper said %r" % line[:60]
                if line.startswith(b"OK id-"):
                    ok_id = True
            if ok_id and not sent_done:
                s.sendall(b"done\n")
                sent_done = True
        if not ok_id:
            return "EOF before OK id-"
        # list, cycle-start, ping, cycle-stop
        if ndata < 4:
            return "EOF after %d DATA objects" % ndata
        return None
    except OSError as e:
        return "socket: %s" % e
    finally:
        s.close()


def cmd_pinger(path, out, period, limit, stopfile):
    signal.signal(signal.SIGTERM, _on_term)
    with open(out, "a") as f:
        while not _stop and not os.path.exists(stopfile):
            t0 = time.time()
            m0 = time.monotonic()
            why = _ping_once(path, limit)
            dur = time.monotonic() - m0
            if why is None:
                f.write("%.3f %.3f ok\n" % (t0, dur))
            else:
                f.write("%.3f %.3f FAIL %s\n" % (t0, dur,
                                                 why.replace("\n", " ")))
            f.flush()
            wait = period - (time.monotonic() - m0)
            end = time.monotonic() + wait
            while (not _stop and not os.path.exists(stopfile) and
                   time.monotonic() < end):
                time.sleep(min(0.1, max(0.0, end - time.monotonic())))
    return 0


def cmd_clients(path, n, secs):
    """N clients at once, each must get scamper's first MORE line."""
    socks = []
    for _ in range(n):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(path)
        except OSError as e:
            print("clients: connect: %s" % e)
            s.close()
            continue
        socks.append(s)
    served = 0
    for s in socks:
        s.settimeout(secs)
        buf = b""
        try:
            while b"MORE\n" not in buf:
                d = s.recv(4096)
                if not d:
                    break
                buf += d
        except OSError:
            pass
        if b"MORE\n" in buf:
            served += 1
    for s in socks:
        s.close()
    print("clients served=%d of %d" % (served, n))
    return 0


def cmd_noread(path, secs):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    time.sleep(secs)
    s.close()
    return 0


def cmd_flood(path, total, secs):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    s.setblocking(False)
    # a line-free pattern: scamper would see one endless command, the
    # noack simulated VP just counts bytes
    chunk = b"x" * 65536
    sent = 0
    end = time.monotonic() + secs
    while sent < total:
        left = end - time.monotonic()
        if left <= 0:
            break
        try:
            n = s.send(chunk[:min(len(chunk), total - sent)])
            sent += n
            continue
        except BlockingIOError:
            pass
        except OSError as e:
            print("flood: send: %s" % e)
            break
        select.select([], [s], [], min(left, 0.2))
    print("accepted %d" % sent)
    sys.stdout.flush()
    s.close()
    return 0


def cmd_pending(host, port, n, part, secs):
    signal.signal(signal.SIGTERM, _on_term)
    body = master_new_payload("x")
    body += bytes(65535 - len(body))
    data = HDR.pack(0, 0, 65535) + body[:part]
    socks = []
    t0 = time.monotonic()
    for _ in range(n):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(5)
        try:
            s.connect((host, port))
            s.sendall(data)
        except OSError as e:
            print("pending: connect/send: %s" % e)
            s.close()
            continue
        s.setblocking(False)
        socks.append(s)
    opened = len(socks)
    closed = 0
    live = list(socks)
    end = t0 + secs
    while live and not _stop and time.monotonic() < end:
        r, _, _ = select.select(live, [], [],
                                min(0.5, max(0, end - time.monotonic())))
        for s in r:
            try:
                d = s.recv(4096)
            except OSError:
                d = b""
            if not d:
                closed += 1
                live.remove(s)
                s.close()
    for s in live:
        s.close()
    print("pending opened=%d closed_by_daemon=%d" % (opened, closed))
    sys.stdout.flush()
    return 0


def cmd_churn(host, port, secs, every):
    conns = errs = news = 0
    linger0 = struct.pack("ii", 1, 0)
    end = time.monotonic() + secs
    while time.monotonic() < end and conns < 200000:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(1)
        try:
            s.connect((host, port))
            conns += 1
            if every > 0 and conns % every == 0:
                s.sendall(HDR.pack(0, 0, len(master_new_payload())) +
                          master_new_payload())
                news += 1
            # mostly resets, so that loopback ports are not all left
            # in TIME_WAIT; one in four is an orderly close
            if conns % 4 != 0:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger0)
        except OSError as e:
            errs += 1
            if e.errno in (errno.EADDRNOTAVAIL, errno.EMFILE):
                time.sleep(0.01)
        finally:
            s.close()
    print("churn connections=%d master_new=%d errors=%d" %
          (conns, news, errs))
    return 0


def main(argv):
    if not argv:
        sys.stderr.write(__doc__ or "see the header of hostile.py\n")
        return 2
    cmd, a = argv[0], argv[1:]
    try:
        if cmd == "now" and not a:
            return cmd_now()
        if cmd == "sample" and len(a) == 2:
            return cmd_sample(int(a[0]), a[1])
        if cmd == "pinger" and len(a) == 5:
            return cmd_pinger(a[0], a[1], float(a[2]), float(a[3]), a[4])
        if cmd == "clients" and len(a) == 3:
            return cmd_clients(a[0], int(a[1]), float(a[2]))
        if cmd == "noread" and len(a) == 2:
            return cmd_noread(a[0], float(a[1]))
        if cmd == "flood" and len(a) == 3:
            return cmd_flood(a[0], int(a[1]), float(a[2]))
        if cmd == "pending" and len(a) == 5:
            return cmd_pending(a[0], int(a[1]), int(a[2]), int(a[3]),
                               float(a[4]))
        if cmd == "churn" and len(a) == 4:
            return cmd_churn(a[0], int(a[1]), float(a[2]), int(a[3]))
    except ValueError:
        pass
    sys.stderr.write("hostile.py: bad usage; see the file's header\n")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
