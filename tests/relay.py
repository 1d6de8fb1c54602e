#!/usr/bin/env python3
# relay.py: a fault-injection TCP relay for the sc_remoted integration
# tests.
#
# Copyright (C) 2026 The sc_remoted authors.
# SPDX-License-Identifier: GPL-2.0-only
#
# usage: relay.py [options] LISTEN_PORT TARGET_PORT
#   --host ADDR      address to listen on and to connect to (127.0.0.1)
#   --rst            cuts reset both sockets (SO_LINGER 0) instead of
#                    closing them with a FIN
#   --ctl FIFO       create FIFO and read commands from it, one a line:
#                      cut        cut every current connection (default mode)
#                      close      cut with a FIN, whatever --rst says
#                      rst        cut with a reset, whatever --rst says
#                      blackhole  stop forwarding on the current connections
#                                 (bytes read are dropped, nothing is closed)
#                      pass       forward again on every connection
#                      quit       exit
#   --ready FILE     write the listening port to FILE once listening
#   --stats FILE     rewrite FILE after every event with "accepts N cuts N
#                    open N"
#
# Signals: SIGUSR1 cuts every current connection; SIGUSR2 toggles
# blackhole mode on the connections open at that moment (connections
# accepted later forward normally: a path that died silently while
# scamper dials a fresh one); SIGTERM/SIGINT/SIGHUP close everything
# and exit 0.
#
# Every accepted connection is forwarded to TARGET_PORT, both
# directions, with half-closes passed on (EOF from one side becomes a
# shutdown(SHUT_WR) towards the other once the bytes before it are
# written); a connection is freed once both directions are finished or
# on any error.  Each accept, close and cut is logged to stderr with a
# wall-clock timestamp.  No threads: one selectors loop; signals are
# delivered through a wakeup socket.

import os
import selectors
import signal
import socket
import stat
import struct
import sys
import time

MAXBUF = 1 << 20        # stop reading a side while the other's buffer is full


def log(msg):
    t = time.time()
    sys.stderr.write("relay %s.%03d %s\n" % (
        time.strftime("%H:%M:%S", time.localtime(t)), int(t * 1000) % 1000,
        msg))
    sys.stderr.flush()


class Half:
    """One socket of a forwarded connection, with the bytes waiting to
    be written to it."""

    def __init__(self, sock, name):
        self.sock = sock
        self.name = name
        self.out = bytearray()
        self.rd_eof = False     # peer sent FIN (or error)
        self.wr_shut = False    # we shut down our write side
        self.events = 0


class Conn:
    def __init__(self, num, client, server, addr):
        self.num = num
        self.c = Half(client, "scamper side")
        self.s = Half(server, "daemon side")
        self.addr = addr
        self.blackhole = False
        self.bytes = [0, 0]     # c->s, s->c
        self.dead = False

    def other(self, h):
        return self.s if h is self.c else self.c


class Relay:
    def __init__(self, host, lport, tport, rst, ctl, ready, stats):
        self.host = host
        self.tport = tport
        self.rst = rst
        self.stats = stats
        self.sel = selectors.DefaultSelector()
        self.conns = []
        self.accepts = 0
        self.cuts = 0
        self.nconn = 0
        self.quit = False
        self.pending_sig = []
        fam = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.fam = fam
        self.lsock = socket.socket(fam, socket.SOCK_STREAM)
        self.lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.lsock.bind((host, lport))
        self.lsock.listen(16)
        self.lsock.setblocking(False)
        self.sel.register(self.lsock, selectors.EVENT_READ, ("listen", None))
        self.wake_r, self.wake_w = socket.socketpair()
        self.wake_r.setblocking(False)
        self.wake_w.setblocking(False)
        signal.set_wakeup_fd(self.wake_w.fileno(), warn_on_full_buffer=False)
        self.sel.register(self.wake_r, selectors.EVENT_READ, ("wake", None))
        for sig in (signal.SIGUSR1, signal.SIGUSR2, signal.SIGTERM,
                    signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, self.on_signal)
        self.ctl = None
        self.ctl_keep = None
        self.ctl_buf = b""
        if ctl:
            try:
                os.mkfifo(ctl, 0o600)
            except FileExistsError:
                if not stat.S_ISFIFO(os.stat(ctl).st_mode):
                    raise
            self.ctl = os.open(ctl, os.O_RDONLY | os.O_NONBLOCK)
            # A writer of our own: the FIFO never reads as EOF.
            self.ctl_keep = os.open(ctl, os.O_WRONLY | os.O_NONBLOCK)
            self.sel.register(self.ctl, selectors.EVENT_READ, ("ctl", None))
        port = self.lsock.getsockname()[1]
        log("listening on %s port %d, forwarding to port %d%s" % (
            host, port, tport, " (cuts reset)" if rst else ""))
        self.write_stats()
        if ready:
            tmp = ready + ".tmp"
            with open(tmp, "w") as f:
                f.write("%d\n" % port)
            os.rename(tmp, ready)

    # -- bookkeeping -------------------------------------------------

    def write_stats(self):
        if not self.stats:
            return
        tmp = self.stats + ".tmp"
        with open(tmp, "w") as f:
            f.write("accepts %d cuts %d open %d\n" % (
                self.accepts, self.cuts, len(self.conns)))
        os.rename(tmp, self.stats)

    def on_signal(self, signo, _frame):
        self.pending_sig.append(signo)

    def update(self, conn, h):
        """(Re-)register h's socket for the events it needs now."""
        if conn.dead:
            return
        o = conn.other(h)
        ev = 0
        if not h.rd_eof and len(o.out) < MAXBUF:
            ev |= selectors.EVENT_READ
        if h.out and not h.wr_shut:
            ev |= selectors.EVENT_WRITE
        if ev == h.events:
            return
        if h.events == 0:
            self.sel.register(h.sock, ev, ("conn", (conn, h)))
        elif ev == 0:
            self.sel.unregister(h.sock)
        else:
            self.sel.modify(h.sock, ev, ("conn", (conn, h)))
        h.events = ev

    def free(self, conn, why, reset=False):
        if conn.dead:
            return
        conn.dead = True
        for h in (conn.c, conn.s):
            if h.events:
                self.sel.unregister(h.sock)
                h.events = 0
            if reset:
                try:
                    h.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                      struct.pack("ii", 1, 0))
                except OSError:
                    pass
            h.sock.close()
        self.conns.remove(conn)
        log("#%d closed (%s); %d bytes to the daemon, %d to scamper" % (
            conn.num, why, conn.bytes[0], conn.bytes[1]))
        self.write_stats()

    # -- events ------------------------------------------------------

    def accept(self):
        while True:
            try:
                cs, addr = self.lsock.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as e:
                log("accept: %s" % e)
                return
            self.nconn += 1
            num = self.nconn
            ss = socket.socket(self.fam, socket.SOCK_STREAM)
            ss.settimeout(5)
            try:
                ss.connect((self.host, self.tport))
            except OSError as e:
                log("#%d from port %d: connect to the daemon failed: %s; "
                    "dropped" % (num, addr[1], e))
                ss.close()
                cs.close()
                continue
            for s in (cs, ss):
                s.setblocking(False)
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            conn = Conn(num, cs, ss, addr)
            self.conns.append(conn)
            self.accepts += 1
            log("#%d accept from port %d; to the daemon from port %d" % (
                num, addr[1], ss.getsockname()[1]))
            self.update(conn, conn.c)
            self.update(conn, conn.s)
            self.write_stats()

    def readable(self, conn, h):
        o = conn.other(h)
        try:
            chunk = h.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as e:
            self.free(conn, "%s: %s" % (h.name, e))
            return
        if not chunk:
            log("#%d EOF from the %s%s" % (
                conn.num, h.name,
                " (swallowed: blackhole)" if conn.blackhole else ""))
            h.rd_eof = True
            if conn.blackhole:
                o.wr_shut = True        # never pass this EOF on
            elif not o.out and not o.wr_shut:
                self.shut(conn, o)
        elif conn.blackhole:
            pass
        else:
            o.out += chunk
            conn.bytes[0 if h is conn.c else 1] += len(chunk)
        if not conn.dead:
            self.update(conn, h)
            self.update(conn, o)
            self.maybe_done(conn)

    def writable(self, conn, h):
        try:
            n = h.sock.send(h.out)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as e:
            self.free(conn, "%s: %s" % (h.name, e))
            return
        del h.out[:n]
        o = conn.other(h)
        if not h.out and o.rd_eof and not h.wr_shut:
            self.shut(conn, h)
        if not conn.dead:
            self.update(conn, h)
            self.update(conn, o)
            self.maybe_done(conn)

    def shut(self, conn, h):
        try:
            h.sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        h.wr_shut = True
        h.out.clear()

    def maybe_done(self, conn):
        if conn.c.wr_shut and conn.s.wr_shut:
            self.free(conn, "both sides finished")

    def cut(self, mode):
        reset = self.rst if mode == "cut" else (mode == "rst")
        n = len(self.conns)
        for conn in list(self.conns):
            self.free(conn, "CUT" + (" with reset" if reset else ""), reset)
        self.cuts += 1
        log("cut %d: %d connection(s) %s" % (
            self.cuts, n, "reset" if reset else "closed"))
        self.write_stats()

    def set_blackhole(self, on):
        for conn in self.conns:
            conn.blackhole = on
            if not on:
                self.update(conn, conn.c)
                self.update(conn, conn.s)
        log("blackhole %s on %d connection(s)" % (
            "ON" if on else "off", len(self.conns)))

    def command(self, cmd):
        log("command %r" % cmd)
        if cmd in ("cut", "close", "rst"):
            self.cut(cmd)
        elif cmd == "blackhole":
            self.set_blackhole(True)
        elif cmd == "pass":
            self.set_blackhole(False)
        elif cmd == "quit":
            self.quit = True
        elif cmd:
            log("unknown command %r" % cmd)

    def signals(self):
        while self.pending_sig:
            signo = self.pending_sig.pop(0)
            if signo == signal.SIGUSR1:
                self.command("cut")
            elif signo == signal.SIGUSR2:
                on = not any(c.blackhole for c in self.conns)
                self.command("blackhole" if on else "pass")
            else:
                log("signal %d: exiting" % signo)
                self.quit = True

    def read_ctl(self):
        try:
            chunk = os.read(self.ctl, 4096)
        except (BlockingIOError, InterruptedError):
            return
        self.ctl_buf += chunk
        while b"\n" in self.ctl_buf:
            line, self.ctl_buf = self.ctl_buf.split(b"\n", 1)
            self.command(line.decode("ascii", "replace").strip())

    def run(self):
        while not self.quit:
            try:
                events = self.sel.select(1.0)
            except InterruptedError:
                events = []
            for key, mask in events:
                kind, arg = key.data
                if kind == "listen":
                    self.accept()
                elif kind == "wake":
                    try:
                        while self.wake_r.recv(512):
                            pass
                    except (BlockingIOError, InterruptedError):
                        pass
                elif kind == "ctl":
                    self.read_ctl()
                else:
                    conn, h = arg
                    if conn.dead:
                        continue
                    if mask & selectors.EVENT_READ:
                        self.readable(conn, h)
                    if not conn.dead and mask & selectors.EVENT_WRITE:
                        self.writable(conn, h)
            self.signals()
        for conn in list(self.conns):
            self.free(conn, "relay exiting")
        self.lsock.close()
        log("exit after %d accepts and %d cuts" % (self.accepts, self.cuts))


def main(argv):
    host = "127.0.0.1"
    rst = False
    ctl = ready = stats = None
    args = []
    i = 0
    try:
        while i < len(argv):
            a = argv[i]
            if a == "--host":
                host = argv[i + 1]
                i += 1
            elif a == "--rst":
                rst = True
            elif a == "--ctl":
                ctl = argv[i + 1]
                i += 1
            elif a == "--ready":
                ready = argv[i + 1]
                i += 1
            elif a == "--stats":
                stats = argv[i + 1]
                i += 1
            elif a.startswith("--"):
                raise IndexError
            else:
                args.append(a)
            i += 1
        lport, tport = int(args[0]), int(args[1])
        if len(args) != 2:
            raise IndexError
    except (IndexError, ValueError):
        sys.stderr.write("usage: relay.py [--host ADDR] [--rst] [--ctl FIFO] "
                         "[--ready FILE] [--stats FILE] LISTEN_PORT "
                         "TARGET_PORT\n")
        return 2
    try:
        r = Relay(host, lport, tport, rst, ctl, ready, stats)
    except OSError as e:
        log("cannot start: %s" % e)
        return 1
    r.run()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
