# SPDX-License-Identifier: MIT
"""Shared by the GDB stub's test drivers (tests/guests/gdb-drive, gdb-malformed).

Listens on two ports of 127.0.0.1, COM1 (hv's console) and COM2 (the stub's
line, hv's gdb=com2), and writes both numbers to PORTFILE: tests/run-case
hands them to run-bochs (--com1-socket, --com2-socket).  The console is
tests/guests/console-drive's Console (lines anchored as tools/hvgrep does).
"""
import importlib.machinery
import importlib.util
import os
import select
import socket
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
_loader = importlib.machinery.SourceFileLoader("console_drive", os.path.join(HERE, "console-drive"))
_spec = importlib.util.spec_from_loader("console_drive", _loader)
console_drive = importlib.util.module_from_spec(_spec)
_loader.exec_module(console_drive)
Console = console_drive.Console
CTRL_A3 = console_drive.CTRL_A3

# The test guest's addresses (nm build/guests/gdbt.elf), so GDB needs no symbol file.
def guest_symbols(elf="build/guests/gdbt.elf"):
    import subprocess
    syms = {}
    out = subprocess.run(["nm", elf], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3:
            syms[parts[2]] = int(parts[0], 16)
    return syms


def listen():
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(1)
    return s


def setup(portfile, seriallog):
    """Both listeners, the port file, then Bochs's two connections: (Console, COM2 socket)."""
    l1, l2 = listen(), listen()
    with open(portfile + ".tmp", "w") as f:
        f.write("%d %d\n" % (l1.getsockname()[1], l2.getsockname()[1]))
    os.rename(portfile + ".tmp", portfile)
    l1.settimeout(120)
    l2.settimeout(120)
    c1, _ = l1.accept()
    c2, _ = l2.accept()
    log = open(seriallog, "ab")
    return Console(c1, log), c2


def to_shell_and_choose(con, vm):
    """Ctrl-A x3 to the shell, then "gdb VM"."""
    con.expect("[%s] %s: ready" % (vm, vm), 240)
    con.type(CTRL_A3)
    con.expect("hv: console input to the hypervisor shell")
    con.cmd("gdb %s" % vm, "hv: gdb: vm %s is GDB's" % vm)


def run_gdb(con, com2, cmds, seconds=300):
    """The real gdb in batch mode running @cmds, relayed to COM2 through a local port; its output.

    The console keeps flowing to the log meanwhile.
    """
    import subprocess
    lst = listen()
    cmds = ["set pagination off", "set confirm off", "set remotetimeout 60",
            "target remote 127.0.0.1:%d" % lst.getsockname()[1]] + cmds
    args = ["gdb", "-nx", "-batch"]
    for c in cmds:
        args += ["-ex", c]
    gdb = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = b""
    conn = None
    end = time.time() + seconds
    while gdb.poll() is None and time.time() < end:
        socks = [lst, com2, con.conn, gdb.stdout] + ([conn] if conn else [])
        r, _, _ = select.select(socks, [], [], 0.2)
        for s in r:
            if s is lst:
                conn, _ = lst.accept()
            elif s is gdb.stdout:
                data = gdb.stdout.read1(65536)
                out += data
                sys.stdout.write(data.decode("latin-1"))
                sys.stdout.flush()
            elif s is con.conn:
                con._pump(0.01)
            elif s is com2:
                data = com2.recv(65536)
                if not data:
                    raise SystemExit("FAIL: the GDB line closed (Bochs stopped)")
                if conn:
                    conn.sendall(data)
            elif s is conn:
                data = conn.recv(65536)
                if not data:
                    conn.close()
                    conn = None
                else:
                    com2.sendall(data)
    if gdb.poll() is None:
        gdb.kill()
        raise SystemExit("FAIL: gdb did not finish within %d s" % seconds)
    out += gdb.stdout.read()
    return out.decode("latin-1")


def expect_all(text, want):
    """Every string of @want is in gdb's output @text."""
    for w in want:
        if w not in text:
            raise SystemExit("FAIL: gdb did not print %r" % w)


def number(text, label, base=10):
    """The number gdb printed after @label at the start of a line (a printf "LABEL %u" line)."""
    import re
    m = re.search("^" + re.escape(label) + r"(\S+)", text, re.M)
    if not m:
        raise SystemExit("FAIL: gdb did not print a line starting %r" % label)
    return int(m.group(1), base)


def pump_console(con, seconds=0.0):
    """Copy whatever hv printed to the log (the console keeps running meanwhile)."""
    r, _, _ = select.select([con.conn], [], [], seconds)
    if r:
        con._pump(0.01)


def checksum(data):
    return b"%02x" % (sum(data) & 0xFF)


def frame(data):
    if isinstance(data, str):
        data = data.encode("latin-1")
    return b"$" + data + b"#" + checksum(data)


class Wire:
    """The stub's line, spoken directly: bytes out, acks and packets back."""

    def __init__(self, sock, con):
        self.sock = sock
        self.con = con
        self.buf = b""

    def send(self, raw):
        self.sock.sendall(raw)

    def _fill(self, deadline):
        while time.time() < deadline:
            pump_console(self.con)
            r, _, _ = select.select([self.sock], [], [], 0.1)
            if r:
                data = self.sock.recv(65536)
                if not data:
                    raise SystemExit("FAIL: the GDB line closed (Bochs stopped)")
                self.buf += data
                return True
        return False

    def byte(self, seconds=30):
        """The next byte the stub sends."""
        deadline = time.time() + seconds
        while not self.buf:
            if not self._fill(deadline):
                raise SystemExit("FAIL: the stub sent nothing within %d s" % seconds)
        b, self.buf = self.buf[:1], self.buf[1:]
        return b

    def packet(self, seconds=30):
        """The next $...#cs packet (checksum checked, acked with '+'); its data."""
        deadline = time.time() + seconds
        while True:
            i = self.buf.find(b"$")
            j = self.buf.find(b"#", i + 1) if i >= 0 else -1
            if i >= 0 and j >= 0 and len(self.buf) >= j + 3:
                data, cs = self.buf[i + 1:j], self.buf[j + 1:j + 3]
                self.buf = self.buf[j + 3:]
                if checksum(data) != cs:
                    raise SystemExit("FAIL: the stub's checksum %r is wrong for %r" % (cs, data))
                self.send(b"+")
                return data
            if not self._fill(deadline):
                raise SystemExit("FAIL: no packet from the stub within %d s (have %r)"
                                 % (seconds, self.buf[:80]))

    def ask(self, data, seconds=30):
        """Send a packet; expect '+' and return the reply's data."""
        self.send(frame(data))
        ack = self.byte(seconds)
        if ack != b"+":
            raise SystemExit("FAIL: %r answered with %r, not '+'" % (data[:40], ack))
        return self.packet(seconds)
