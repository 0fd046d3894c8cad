#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the seed corpora tests/fuzz/corpus/<target>/ for the fuzz targets.

Small valid inputs and one of each malformation the parsers' unit tests
know about, so that the fuzzers start from every branch worth mutating.
The output is checked in; rerun this after changing it:

    python3 tests/fuzz/gen-corpus.py

Formats: docs/fuzzing.md and the comment at the top of each fuzz_*.c.
"""
import os
import struct
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def u32(v):
    return struct.pack("<I", v & 0xFFFFFFFF)


def u64(v):
    return struct.pack("<Q", v & 0xFFFFFFFFFFFFFFFF)


def pad8(b):
    return b + b"\0" * (-len(b) % 8)


# ---------------------------------------------------------------- multiboot2

def tag(typ, payload, size=None, pad=True):
    """A tag: header (type, size) + payload; size defaults to the real one."""
    t = u32(typ) + u32(8 + len(payload) if size is None else size) + payload
    return pad8(t) if pad else t


def string_tag(typ, s):
    return tag(typ, s.encode() + b"\0")


def module(start, end, s):
    return tag(3, u32(start) + u32(end) + s.encode() + b"\0")


def mmap(entries, esize=24, version=0):
    body = b"".join(pad_to(u64(b) + u64(n) + u32(t) + u32(0), esize) for b, n, t in entries)
    return tag(6, u32(esize) + u32(version) + body)


def efi_mmap(descs, dsize=48):
    body = b"".join(pad_to(u32(t) + u32(0) + u64(b) + u64(0) + u64(n >> 12) + u64(0xF), dsize)
                    for b, n, t in descs)
    return tag(17, u32(dsize) + u32(1) + body)


def pad_to(b, n):
    return b + b"\0" * (n - len(b)) if len(b) < n else b[:n]


def rsdp(rev, rsdt, xsdt, length=36):
    r = bytearray(b"RSD PTR " + b"\0" + b"HVFUZZ" + bytes([rev]) + u32(rsdt) + u32(length) +
                  u64(xsdt) + b"\0\0\0\0")
    r[8] = (-sum(r[:20])) & 0xFF
    r[32] = (-sum(r[:36])) & 0xFF
    return bytes(r)


def info(*tags, total=None, reserved=0, end=True):
    body = b"".join(tags) + (tag(0, b"") if end else b"")
    return u32(8 + len(body) if total is None else total) + u32(reserved) + body


STD_MMAP = [(0, 0x9FC00, 1), (0x9FC00, 0x400, 2), (0xF0000, 0x10000, 2),
            (0x100000, 0x7EE0000, 1), (0x7FE0000, 0x20000, 3), (0xFFFC0000, 0x40000, 2),
            (0x100000000, 0x80000000, 1)]
EFI = [(0x100000, 0x100000, 7), (0x200000, 0x100000, 4), (0x300000, 0x100000, 2),
       (0x400000, 0x100000, 3), (0x500000, 0x100000, 9), (0x600000, 0x100000, 7)]


def mb2_seeds():
    s = {}
    s["valid-bios"] = info(string_tag(1, "console=com1 vm=demo,mod=hello,mem=16,cpus=0"),
                           string_tag(2, "GRUB 2.06"), tag(4, u32(639) + u32(130048)),
                           mmap(STD_MMAP), module(0x200000, 0x280000, "hello"),
                           module(0x280000, 0x281000, "initrd"),
                           tag(15, rsdp(2, 0x7FE1000, 0x7FE2000)),
                           tag(21, u32(0x1000000)))
    s["valid-uefi-bs-active"] = info(string_tag(1, "loglevel=debug"), mmap([(0x100000, 0x600000, 1)]),
                                     efi_mmap(EFI), tag(18, b""), tag(12, u64(0x7F000000)),
                                     tag(20, u64(0x7E000000)))
    s["efi-map-only"] = info(efi_mmap(EFI, 40), tag(11, u32(0x7F000000)), tag(19, u32(0x7E000000)))
    s["basic-meminfo-only"] = info(tag(4, u32(640) + u32(1024)))
    s["minimal"] = info()
    s["acpi-old"] = info(tag(14, rsdp(0, 0xE0040, 0)[:20]))
    s["acpi-both"] = info(tag(14, rsdp(0, 0xE0040, 0)[:20]), tag(15, rsdp(2, 0xE0040, 0xE0080)))
    s["acpi-new-then-old"] = info(tag(15, rsdp(2, 0xE0040, 0xE0080)), tag(14, rsdp(0, 0xE0040, 0)[:20]))
    # past MB2_MAX_MODULES (16) and MB2_MAX_MMAP (256); 128 RAM ranges for a 64-entry array
    s["too-many-modules"] = info(*[module(0x200000 + i * 0x1000, 0x201000 + i * 0x1000, "")
                                   for i in range(17)])
    s["too-many-mmap-entries"] = info(mmap([(i * 0x2000, 0x1000, 1 + i % 2) for i in range(257)]))
    s["mmap-stride32-wrap"] = info(mmap(STD_MMAP[:4] + [(0xFFFFFFFFFFFFF000, 0x10000, 1),
                                                       (0x200000, 0x1800, 1), (0x300800, 0x800, 1),
                                                       (0x400000, 0, 1)], 32))
    s["mmap-bad-size"] = info(mmap(STD_MMAP[:2], 20), tag(4, u32(640) + u32(2048)))
    s["mmap-bad-version"] = info(mmap(STD_MMAP[:2], 24, 1))
    s["mmap-trailing"] = info(tag(6, u32(24) + u32(0) + u64(0) + u64(0xA0000) + u32(1) + u32(7) +
                                  b"\1\2\3\4\5"))
    s["modules-overlap"] = info(module(0x200000, 0x300000, "a"), module(0x2FF000, 0x400000, "b"),
                                module(0x400000, 0x400000, "empty"), module(0x300000, 0x200000, "rev"),
                                module(0x10000, 0x20000, "over-info"))
    s["strings-unterminated"] = info(tag(1, b"abcde"), tag(3, u32(0x200000) + u32(0x201000) + b"xyz"),
                                     tag(2, b""))
    s["duplicates"] = info(string_tag(1, "first"), string_tag(1, "second"), tag(4, u32(1) + u32(2)),
                           tag(4, u32(3) + u32(4)))
    s["short-fixed-tags"] = info(tag(4, u32(1)), tag(12, u32(1)), tag(6, u32(24)), tag(14, b"RSD PTR "),
                                 tag(15, rsdp(2, 1, 2)[:30]), tag(21, b""))
    s["unknown-tags"] = info(tag(8, b"\0" * 24), tag(9, b"\0" * 12), tag(16, b"\0" * 4),
                             tag(0x7FFF, b"x" * 5))
    s["end-tag-size16"] = u32(8 + 16) + u32(0) + tag(0, b"\0" * 8)
    s["no-end-tag"] = info(string_tag(1, "abc"), end=False)
    s["zero-size-tag"] = info(string_tag(1, "x"), u32(3) + u32(0) + b"\0" * 8)
    s["tag-past-total"] = info(tag(1, b"abc\0", size=4096))
    body = tag(1, b"hello\0", pad=False) + tag(0, b"", pad=False)    # no padding after 14 bytes
    s["misaligned"] = u32(8 + len(body)) + u32(0) + body
    s["header-reserved"] = info(string_tag(1, "x"), reserved=0x1234)
    s["total-too-big"] = info(string_tag(1, "x"), total=0xFFFFFFF8)
    body = string_tag(1, "abc") + tag(0, b"") + b"\0\0\0"
    s["total-unaligned"] = u32(8 + len(body)) + u32(0) + body
    return s


# ---------------------------------------------------------------- command line

def cmdline_seeds():
    long_word = "a" * 300
    return {
        "typical": "console=com2,9600 loglevel=debug maxcpus=4",
        "image-path": "/boot/hv.elf nosmp console=0x2f8,38400",
        "vm": "vm=demo,mod=hello,mem=16,cpus=0 \"vm=second one\"",
        "debug": "debug.fault=ud debug.nosipi=0x3 debug.rsdpscan loglevel=3",
        "debug-faults": "debug.fault=pf debug.fault=gp debug.fault=stack debug.fault=nmi",
        "bad-values": "console=com9 console=0 loglevel=4 maxcpus=0 nosmp=1 debug.fault=oops "
                      "debug.nosipi=0x100000000 console=com2,1234 maxcpus=99999999999999999999999",
        "unknown": "foo bar=1 =x Console=com2 \"\" /boot/hv.elf",
        "quotes": "\"loglevel=warn\" console=\"com2,9600\" loglevel=\"debug",
        "whitespace": "\t console=com4 \r\n maxcpus=2  ",
        "long-word": long_word + " maxcpus=2 \"" + "c" * 280 + "\"",
        "many-vms": " ".join("vm=v%d" % i for i in range(10)),
        "needs-value": "console console= vm nosmp= debug.rsdpscan=1",
        "empty": "",
    }


# ---------------------------------------------------------------- shell

def shell_seeds():
    """Serial-line input for fuzz_shell: Ctrl-A switches, editing keys, commands."""
    return {
        "help": "help\r",
        "switch": "\x01\x01\x01vms\rcpus\r\x01\x01x",
        "regs": "regs demo 0\rvmcs demo 1\rvcpus demo\rmem demo 0x1000 64\r",
        "mem": "hmem 0xb8000 16\rgva demo 0 0xffffffff80000000\rexits demo\r",
        "misc": "loglevel debug\rcpuid 0x80000000 0\rrdmsr 0x10\rvm stop demo\rlocks\rebr\r",
        "bad": "vm\rvm frob x\rregs\rregs a/b 1\rloglevel 9\rmem demo 1 2 3 4 5 6\r",
        "edit": "abc\x7f\x15ve\x08rsion\x1b[A\x1b[B\x1bOA\x1b[15~\x03\r\n",
        "long": "mem " + "x" * 150 + "\r",
    }


# ---------------------------------------------------------------- gdb

def gdb_pkt(data):
    """One framed GDB remote-protocol packet: $DATA#CS."""
    if isinstance(data, str):
        data = data.encode("latin-1")
    return b"$" + data + b"#" + ("%02x" % (sum(data) & 0xFF)).encode()


def gdb_seeds():
    """What GDB (or a broken peer) sends fuzz_gdb's stub: packets, acks, Ctrl-C, garbage."""
    return {
        "attach": b"+" + b"".join(gdb_pkt(p) for p in (
            "qSupported:multiprocess+;swbreak+;hwbreak+;qRelocInsn+;xmlRegisters=i386",
            "vMustReplyEmpty", "Hg0", "qXfer:features:read:target.xml:0,ffb",
            "qXfer:features:read:target.xml:7fd,ffb", "qTStatus", "?", "qfThreadInfo",
            "qsThreadInfo", "qAttached", "Hc-1", "qC", "qOffsets", "g")),
        "regs": b"".join(gdb_pkt(p) for p in ("p10", "P10=0010000000000000", "p0", "Hg2", "g",
                                               "T1", "T2", "T9")),
        "mem": b"".join(gdb_pkt(p) for p in ("m1000,10", "M1000,2:9090", "X1000,0:",
                                              b"X1000,3:}\x03\x00a", "m0,ffffffff")),
        "bp": b"".join(gdb_pkt(p) for p in ("Z0,1000,1", "vCont;c", "z0,1000,1", "Z1,1004,1",
                                             "c", "z1,1004,1", "s", "vCont;s:1;c", "D")),
        "ctrlc": gdb_pkt("c") + b"\x03\x03" + gdb_pkt("?") + gdb_pkt("k"),
        "malformed": b"$g#00$g#zz$" + b"q" * 5000 + b"#00-$m1000#00" + gdb_pkt("Zx") +
                     gdb_pkt("G00") + gdb_pkt("p") + gdb_pkt("Hzz") + gdb_pkt("vCont;q") + b"}}$}",
    }


# ---------------------------------------------------------------- ACPI

BASE = 0xE0000


def table(sig, body, rev=1, length=None, bad_checksum=False):
    n = 36 + len(body) if length is None else length
    t = bytearray(sig.encode() + u32(n) + bytes([rev, 0]) + b"HVFUZZ" + b"HVTABLE " + u32(1) +
                  b"HVFZ" + u32(1) + body)
    t[9] = (-sum(t[:n])) & 0xFF
    if bad_checksum:
        t[9] ^= 0x55
    return bytes(t)


def madt(entries, rev=5, flags=1, lapic=0xFEE00000):
    return table("APIC", u32(lapic) + u32(flags) + b"".join(entries), rev=rev)


def lapic(uid, apic_id, flags=1):
    return bytes([0, 8, uid, apic_id]) + u32(flags)


def x2apic(apic_id, uid, flags=1):
    return bytes([9, 16, 0, 0]) + u32(apic_id) + u32(flags) + u32(uid)


def ioapic(ioid, addr, gsi):
    return bytes([1, 12, ioid, 0]) + u32(addr) + u32(gsi)


def iso(src, gsi, flags=0):
    return bytes([2, 10, 0, src]) + u32(gsi) + struct.pack("<H", flags)


TYPICAL_MADT = [lapic(0, 0), lapic(1, 2), lapic(2, 4, 2), lapic(3, 6, 0), ioapic(8, 0xFEC00000, 0),
                iso(0, 2), bytes([4, 6, 0xFF, 0, 0, 1]), bytes([0x7F, 7]) + b"\0" * 5,
                x2apic(300, 9), bytes([5, 12, 0, 0]) + u64(0x1FEE00000)]


class Image:
    """Physical memory at BASE: tables placed at 16-byte aligned offsets."""

    def __init__(self):
        self.mem = bytearray()

    def place(self, data, at=None):
        if at is None:
            at = (len(self.mem) + 15) & ~15
        if len(self.mem) < at + len(data):
            self.mem += b"\0" * (at + len(data) - len(self.mem))
        self.mem[at:at + len(data)] = data
        return BASE + at


def root(sig, addrs, wide):
    return table(sig, b"".join(u64(a) if wide else u32(a) for a in addrs))


def acpi_input(flags, rsdp_len, mem):
    return bytes([flags, rsdp_len]) + bytes(mem)


def acpi_seeds():
    s = {}
    fadt = table("FACP", b"\0" * 208, rev=6)
    hpet = table("HPET", b"\0" * 20)

    # RSDP 2.0 -> XSDT -> FACP, a bad HPET, a good HPET, MADT; a null entry
    img = Image()
    img.place(b"\0" * 64)
    a_fadt, a_bad = img.place(fadt), img.place(table("HPET", b"\0" * 20, bad_checksum=True))
    a_hpet, a_madt = img.place(hpet), img.place(madt(TYPICAL_MADT))
    a_x = img.place(root("XSDT", [0, a_fadt, a_bad, a_hpet, a_madt], True))
    img.place(rsdp(2, 0, a_x), 0)
    s["xsdt"] = acpi_input(0, 36, img.mem)
    s["xsdt-fix-checksums"] = acpi_input(3, 36, img.mem)

    # RSDP 1.0 -> RSDT -> MADT (rev 3: online-capable is reserved)
    img = Image()
    img.place(b"\0" * 32)
    a_madt = img.place(madt([lapic(0, 0), lapic(1, 1, 2), lapic(2, 1)], rev=3, flags=0))
    a_r = img.place(root("RSDT", [a_madt, BASE + 0x10000], False))
    img.place(rsdp(0, a_r, 0)[:20], 0)
    s["rsdt"] = acpi_input(0, 20, img.mem)

    # a 2.0 RSDP in a 20-byte copy: the RSDT is used
    img = Image()
    img.place(b"\0" * 48)
    a_madt = img.place(madt([lapic(0, 0)]))
    a_r = img.place(root("RSDT", [a_madt], False))
    a_x = img.place(root("XSDT", [a_madt], True))
    img.place(rsdp(2, a_r, a_x), 0)
    s["rsdp2-short-copy"] = acpi_input(0, 20, img.mem)
    s["rsdp2-no-xsdt"] = acpi_input(0, 36, image_with(img, 0, rsdp(2, a_r, 0)))
    s["rsdp-bad-length"] = acpi_input(0, 36, image_with(img, 0, rsdp(2, a_r, a_x, length=1000)))
    s["rsdp-bad-checksum"] = acpi_input(0, 36, image_with(img, 16, b"\x01"))
    s["rsdp-neither"] = acpi_input(0, 20, image_with(img, 0, rsdp(0, 0, 0)))

    # roots gone wrong: partial entry, too short, insane table length, bad root signature
    img = Image()
    img.place(b"\0" * 48)
    a_madt = img.place(madt([lapic(0, 0)]))
    a_huge = img.place(table("APIC", b"\0" * 8, length=0x7FFFFFFF))
    x = bytearray(root("XSDT", [a_huge, a_madt], True) + b"\0\0\0")
    x[4:8] = u32(len(x))
    x[9] = 0
    x[9] = (-sum(x)) & 0xFF
    a_x = img.place(bytes(x))
    img.place(rsdp(2, 0, a_x), 0)
    s["xsdt-partial-entry"] = acpi_input(0, 36, img.mem)
    s["xsdt-wrong-signature"] = acpi_input(0, 36, image_with(img, 0, rsdp(0, a_x, 0)))
    s["xsdt-too-short"] = acpi_input(2, 36, image_with(img, a_x - BASE + 4, u32(20)))

    # MADTs on their own (the image itself is parsed as a MADT)
    s["madt-typical"] = acpi_input(0, 0, madt(TYPICAL_MADT))
    s["madt-x2apic-dups"] = acpi_input(0, 0, madt([lapic(0, 0), x2apic(0, 0), x2apic(0xFFFFFFFF, 1),
                                                   x2apic(7, 7, 0)]))
    s["madt-many-cpus"] = acpi_input(0, 0, madt([x2apic(i, i) for i in range(260)]))
    s["madt-many-ioapics"] = acpi_input(0, 0, madt([ioapic(i, 0xFEC00000 + i * 0x1000, i * 24)
                                                    for i in range(17)] +
                                                   [iso(i, i) for i in range(33)]))
    s["madt-zero-length-entry"] = acpi_input(0, 0, madt([lapic(0, 0), bytes([0, 0]) + b"\0" * 8]))
    s["madt-entry-past-end"] = acpi_input(0, 0, madt([lapic(0, 0), lapic(1, 1)[:4]]))
    s["madt-stray-byte"] = acpi_input(0, 0, madt([lapic(0, 0), b"\0"]))
    s["madt-short-entry"] = acpi_input(0, 0, madt([bytes([9, 12]) + b"\0" * 10, lapic(0, 1),
                                                   bytes([1, 8]) + b"\0" * 6]))
    s["madt-bad-checksum-fixed"] = acpi_input(2, 0, bytearray(madt([lapic(0, 0)]))[:9] + b"\x42" +
                                              madt([lapic(0, 0)])[10:])
    return s


def image_with(img, off, data):
    """A copy of @img's memory with @data written at offset @off."""
    m = bytearray(img.mem)
    m[off:off + len(data)] = data
    return m


# ---------------------------------------------------------------- loader

def u16(v):
    return struct.pack("<H", v & 0xFFFF)


def loader_input(kernel, mem_mib=8, nmods=0, initrd=False, rsdp=False, cmdline=b"",
                 blobs=b""):
    """fuzz_loader.c's input: the 8-byte header, kernel, command line, modules."""
    flags = nmods | (0x10 if initrd else 0) | (0x20 if rsdp else 0)
    return (bytes([(mem_mib - 2) % 31, flags]) + u16(len(cmdline)) + u32(len(kernel)) +
            bytes(kernel) + cmdline + blobs)


def bzimage(payload=0x400, version=0x020F, setup_sects=1, reloc=1, pref=0x1000000,
            init_size=0x100000, cmdline_size=255, initrd_max=0x7FFFFFFF, loadflags=1,
            boot_flag=0xAA55, syssize=None):
    setup = (setup_sects or 4) + 1
    img = bytearray(setup * 512 + payload)
    img[0x1F1] = setup_sects
    img[0x1F4:0x1F8] = u32((payload + 15) // 16 if syssize is None else syssize)
    img[0x1FE:0x200] = u16(boot_flag)
    img[0x200:0x202] = bytes([0xEB, 0x66])
    img[0x202:0x206] = b"HdrS"
    img[0x206:0x208] = u16(version)
    img[0x211] = loadflags
    img[0x214:0x218] = u32(0x100000)
    img[0x22C:0x230] = u32(initrd_max)
    img[0x234] = reloc
    img[0x238:0x23C] = u32(cmdline_size)
    img[0x258:0x260] = u64(pref)
    img[0x260:0x264] = u32(init_size)
    for i in range(setup * 512, len(img)):
        img[i] = (i * 7) & 0xFF
    return img


def elf(is64, entry, segs, size=0x1800):
    """An x86 ELF executable; segs: (type, offset, vaddr, paddr, filesz, memsz)."""
    img = bytearray(size)
    img[0:16] = b"\x7fELF" + bytes([2 if is64 else 1, 1, 1]) + b"\0" * 9
    img[16:20] = u16(2) + u16(62 if is64 else 3)
    img[20:24] = u32(1)
    if is64:
        img[24:64] = u64(entry) + u64(64) + u64(0) + u32(0) + u16(64) + u16(56) + \
            u16(len(segs)) + u16(0) * 3
    else:
        img[24:52] = u32(entry) + u32(64) + u32(0) + u32(0) + u16(52) + u16(32) + \
            u16(len(segs)) + u16(0) * 3
    at = 64
    for t, off, va, pa, fs, ms in segs:
        if is64:
            ph = u32(t) + u32(7) + u64(off) + u64(va) + u64(pa) + u64(fs) + u64(ms) + u64(0x1000)
        else:
            ph = u32(t) + u32(off) + u32(va) + u32(pa) + u32(fs) + u32(ms) + u32(7) + u32(0x1000)
        img[at:at + len(ph)] = ph
        at += len(ph)
    for i in range(0x1000, size):
        img[i] = (i * 13) & 0xFF
    return img


def mb1_header(flags, addrs=()):
    return u32(0x1BADB002) + u32(flags) + u32(-(0x1BADB002 + flags)) + \
        b"".join(u32(a) for a in addrs)


def mb2_hdr_tag(typ, body=b"", flags=0):
    return pad8(u16(typ) + u16(flags) + u32(8 + len(body)) + body)


def mb2_header(tags, arch=0):
    body = b"".join(tags) + mb2_hdr_tag(0)
    length = 16 + len(body)
    return u32(0xE85250D6) + u32(arch) + u32(length) + u32(-(0xE85250D6 + arch + length)) + body


def with_header(img, off, hdr):
    img = bytearray(img)
    img[off:off + len(hdr)] = hdr
    return img


KSEGS = [(1, 0x1000, 0xC0100000, 0x100000, 0x800, 0x800),
         (1, 0x1000, 0xC0104000, 0x104000, 0x400, 0x2000)]
INFO_REQ = mb2_hdr_tag(1, u32(1) + u32(3) + u32(4) + u32(6) + u32(15))


def loader_seeds():
    mods = b"module zero.".ljust(64, b"-") + b"module one.".ljust(64, b"+")
    s = {}
    s["bzimage"] = loader_input(bzimage(), mem_mib=20, cmdline=b"console=ttyS0 quiet")
    s["bzimage-initrd-rsdp"] = loader_input(bzimage(initrd_max=0x17FFFFF), mem_mib=32,
                                            initrd=True, rsdp=True, blobs=b"initrd" * 50)
    s["bzimage-low"] = loader_input(bzimage(reloc=0, version=0x020A, setup_sects=0), mem_mib=20)
    s["mb1-elf32"] = loader_input(with_header(elf(False, 0xC0100010, KSEGS), 0x400,
                                              mb1_header(3)),
                                  nmods=2, cmdline=b"mb1 args", blobs=mods)
    s["mb1-aout"] = loader_input(with_header(bytearray(0x1000), 0x100,
                                             mb1_header(0x10003, (0x200100, 0x200000, 0x200800,
                                                                  0x203000, 0x200010))),
                                 nmods=1, blobs=mods)
    s["mb2-elf32"] = loader_input(with_header(elf(False, 0xC0100010, KSEGS), 0x400,
                                              mb2_header([INFO_REQ])),
                                  nmods=2, rsdp=True, cmdline=b"mb2 args", blobs=mods)
    s["mb2-elf64"] = loader_input(with_header(elf(True, 0xFFFFFFFFC0100010,
                                                  [(1, 0x1000, 0xFFFFFFFFC0100000, 0x100000,
                                                    0x800, 0x800)]), 0x400,
                                              mb2_header([mb2_hdr_tag(6)])), mem_mib=4)
    s["mb2-address"] = loader_input(with_header(bytearray(0x1000), 0x100, mb2_header(
        [mb2_hdr_tag(2, u32(0x300100) + u32(0x300000) + u32(0) + u32(0x304000)),
         mb2_hdr_tag(3, u32(0x300200))])), nmods=3, blobs=mods + b"third")
    # broken ones
    s["bzimage-truncated"] = loader_input(bzimage(payload=0x2000)[:0x800])
    s["bzimage-too-big"] = loader_input(bzimage(init_size=0x4000000), mem_mib=8)
    s["mb2-required-unknown-tag"] = loader_input(with_header(elf(False, 0xC0100010, KSEGS),
                                                             0x400,
                                                             mb2_header([mb2_hdr_tag(42)])))
    s["mb1-overlap"] = loader_input(with_header(elf(False, 0xC0100010,
                                                    [KSEGS[0], (1, 0x1000, 0xC0104000, 0x100400,
                                                                0x400, 0x400)]), 0x400,
                                                mb1_header(3)))
    s["mb1-firmware"] = loader_input(with_header(elf(False, 0xC0100010,
                                                     [(1, 0x1000, 0xC0100000, 0xFF000,
                                                       0x800, 0x2000)]), 0x400,
                                                 mb1_header(3)))
    s["too-many-modules"] = loader_input(with_header(elf(False, 0xC0100010, KSEGS), 0x400,
                                                     mb1_header(3)), nmods=9, blobs=mods)
    return s


def write(target, seeds):
    d = os.path.join(ROOT, target)
    os.makedirs(d, exist_ok=True)
    for name, data in seeds.items():
        if isinstance(data, str):
            data = data.encode()
        with open(os.path.join(d, name), "wb") as f:
            f.write(bytes(data))
    print("%s: %d seeds, largest %d bytes" % (target, len(seeds), max(len(v) for v in seeds.values())),
          file=sys.stderr)


if __name__ == "__main__":
    write("mb2", mb2_seeds())
    write("cmdline", cmdline_seeds())
    write("acpi", acpi_seeds())
    write("shell", shell_seeds())
    write("loader", loader_seeds())
    write("gdb", gdb_seeds())
