// SPDX-License-Identifier: MIT
/*
 * vmx/gdb/gdb_proto.c and gdb_tdesc.c against a fake VM: framing,
 * checksums, acks and NAK retransmission, escapes, packet size limits, every
 * packet the stub answers (good and malformed arguments), the packet held
 * while the VM runs, Ctrl-C, the target description, then random input.
 */
#include "vmx/gdb/gdb_proto.h"
#include "tests/host/harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char tx[1 << 16];
static size_t tx_len;

struct fake {
	unsigned int threads;
	u64 regs[GDB_MAX_THREADS + 1][GDB_NREGS];
	u8 mem[0x1000];		/* at 0x1000; everything else is unmapped */
	int interrupts, resumes, detaches, kills, bps;
	unsigned int step_tid;
	bool others;
	u64 bp_addr, bp_len;
	enum gdb_bp_type bp_type;
	bool bp_insert;
};
static struct fake fk;

static unsigned int f_nthreads(void *ctx) { return fk.threads; }

static int f_read_regs(void *ctx, unsigned int tid, u64 val[GDB_NREGS])
{
	CHECK(tid >= 1 && tid <= fk.threads);
	memcpy(val, fk.regs[tid], sizeof(fk.regs[tid]));
	return 0;
}

static int f_write_regs(void *ctx, unsigned int tid, const u64 val[GDB_NREGS], u64 mask)
{
	CHECK(tid >= 1 && tid <= fk.threads);
	for (unsigned int r = 0; r < GDB_NREGS; r++)
		if (mask & (1ull << r))
			fk.regs[tid][r] = val[r];
	return 0;
}

static size_t f_read_mem(void *ctx, unsigned int tid, u64 addr, u8 *buf, size_t len)
{
	size_t n = 0;

	while (n < len && addr + n >= 0x1000 && addr + n < 0x2000) {
		buf[n] = fk.mem[addr + n - 0x1000];
		n++;
	}
	return n;
}

static size_t f_write_mem(void *ctx, unsigned int tid, u64 addr, const u8 *buf, size_t len)
{
	size_t n = 0;

	while (n < len && addr + n >= 0x1000 && addr + n < 0x2000) {
		fk.mem[addr + n - 0x1000] = buf[n];
		n++;
	}
	return n;
}

static int f_breakpoint(void *ctx, enum gdb_bp_type type, u64 addr, u64 len, bool insert)
{
	fk.bps++;
	fk.bp_len = len;
	fk.bp_addr = addr;
	fk.bp_type = type;
	fk.bp_insert = insert;
	return addr == 0xdead ? -1 : 0;
}

static void f_resume(void *ctx, unsigned int step_tid, bool others)
{
	fk.resumes++;
	fk.step_tid = step_tid;
	fk.others = others;
}

static void f_interrupt(void *ctx) { fk.interrupts++; }
static void f_detach(void *ctx) { fk.detaches++; }
static void f_kill(void *ctx) { fk.kills++; }

static void f_write(void *ctx, const u8 *buf, size_t len)
{
	if (tx_len + len >= sizeof(tx))
		tx_len = 0;
	memcpy(tx + tx_len, buf, len);
	tx_len += len;
	tx[tx_len] = '\0';
}

static const struct gdb_target_ops fops = {
	.nthreads = f_nthreads, .read_regs = f_read_regs, .write_regs = f_write_regs,
	.read_mem = f_read_mem, .write_mem = f_write_mem, .breakpoint = f_breakpoint,
	.resume = f_resume, .interrupt = f_interrupt, .detach = f_detach, .kill = f_kill,
	.write = f_write,
};

static struct gdb_proto gp;

static void raw(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		gdb_proto_rx(&gp, (u8)s[i]);
}

/* Send $data#cs (data as given, no escaping), return the reply's payload (after '+'). */
static const char *pkt_n(const char *data, size_t n)
{
	static char reply[1 << 16];
	char tail[4];
	u8 sum = 0;

	for (size_t i = 0; i < n; i++)
		sum += (u8)data[i];
	tx_len = 0;
	tx[0] = '\0';
	raw("$", 1);
	raw(data, n);
	snprintf(tail, sizeof(tail), "#%02x", sum);
	raw(tail, 3);
	reply[0] = '\0';
	if (tx[0] != '+')
		return tx;	/* '-' or nothing */
	if (tx_len >= 5) {
		/* "+$...#cs": check the reply's own checksum, and unescape it. */
		size_t o = 0, i;
		u8 s2 = 0;

		CHECK_EQ(tx[1], '$');
		for (i = 2; i < tx_len && tx[i] != '#'; i++) {
			s2 += (u8)tx[i];
			if (tx[i] == '}') {
				i++;
				s2 += (u8)tx[i];
				reply[o++] = (char)(tx[i] ^ 0x20);
			} else {
				reply[o++] = tx[i];
			}
		}
		reply[o] = '\0';
		CHECK(i + 3 == tx_len);
		CHECK_EQ(strtoul(tx + i + 1, NULL, 16), s2);
	}
	return reply;
}

static const char *pkt(const char *data)
{
	return pkt_n(data, strlen(data));
}

static void stopped_state(void)
{
	memset(&fk, 0, sizeof(fk));
	fk.threads = 2;
	for (unsigned int t = 1; t <= 2; t++)
		for (unsigned int r = 0; r < GDB_NREGS; r++)
			fk.regs[t][r] = t * 0x1000 + r;
	for (unsigned int i = 0; i < sizeof(fk.mem); i++)
		fk.mem[i] = (u8)i;
	gdb_proto_init(&gp, &fops, NULL);
	/* GDB connects: its first packet stops the VM, and is answered once it is. */
	tx_len = 0;
	raw("+$?#3f", 6);
	CHECK_EQ(fk.interrupts, 1);
	CHECK(!strcmp(tx, "+"));
	tx_len = 0;
	gdb_proto_stopped(&gp, GDB_STOP_SIGNAL, GDB_SIGINT, 1);
	CHECK(!strncmp(tx, "$T02thread:1;#", 14));
}

static void test_sizes(void)
{
	unsigned int sum = 0;

	for (unsigned int r = 0; r < GDB_NREGS; r++)
		sum += gdb_reg_size[r];
	CHECK_EQ(sum, GDB_REGS_BYTES);
	CHECK_EQ(GDB_NREGS, 49);
	/* One <reg> per register in the XML, in that order. */
	{
		const char *s = gdb_target_xml;
		unsigned int n = 0;

		while ((s = strstr(s, "<reg ")))
			n++, s++;
		CHECK_EQ(n, GDB_NREGS);
		CHECK(strstr(gdb_target_xml, "name=\"rip\""));
		CHECK(strstr(gdb_target_xml, "org.gnu.gdb.i386.core"));
		CHECK(strstr(gdb_target_xml, "name=\"efer\""));
	}
}

static void test_framing(void)
{
	stopped_state();
	/* A bad checksum: '-', nothing else. */
	tx_len = 0;
	raw("$g#00", 5);
	CHECK(!strcmp(tx, "-"));
	CHECK_EQ(gp.stats_bad_csum, 1);
	/* Non-hex checksum digits. */
	tx_len = 0;
	raw("$g#zz", 5);
	CHECK_EQ(tx[0], '-');
	/* NAK: the last reply again. */
	CHECK(!strcmp(pkt("qC"), "QC1"));
	{
		static char last[sizeof(tx)];

		memcpy(last, tx + 1, strlen(tx + 1) + 1);
		tx_len = 0;
		raw("-", 1);
		CHECK(!strcmp(tx, last));
	}
	/* Overlong: read to the end, '+', then E10; the next packet works. */
	{
		static char big[GDB_PKT_MAX + 100];

		memset(big, 'q', sizeof(big) - 1);
		CHECK(!strcmp(pkt(big), "E10"));
		CHECK(!strcmp(pkt("qC"), "QC1"));
	}
	/* Garbage between packets is ignored. */
	raw("xyz+++", 6);
	CHECK(!strcmp(pkt("qC"), "QC1"));
	/* An escaped byte inside a packet: "}\x03" is '#'^0x20... use X below. */
	CHECK(!strcmp(pkt(""), ""));
	CHECK(!strcmp(pkt("qUnknownThing"), ""));
	CHECK(!strcmp(pkt("!"), ""));
	CHECK(!strcmp(pkt("vMustReplyEmpty"), ""));
}

static void test_regs(void)
{
	const char *r;
	char buf[GDB_REGS_BYTES * 2 + 1];

	stopped_state();
	r = pkt("g");
	CHECK_EQ(strlen(r), 2 * GDB_REGS_BYTES);
	/* rax = 0x1000 little-endian */
	CHECK(!strncmp(r, "0010000000000000", 16));
	/* eflags (4 bytes) after rip */
	CHECK(!strncmp(r + 17 * 16, "11100000", 8));
	snprintf(buf, sizeof(buf), "%s", r);
	buf[0] = 'f';
	buf[1] = 'f';
	CHECK(!strcmp(pkt_n((char[]){ 0 }, 0), ""));
	{
		static char g[GDB_REGS_BYTES * 2 + 2];

		g[0] = 'G';
		snprintf(g + 1, sizeof(g) - 1, "%s", buf);
		CHECK(!strcmp(pkt(g), "OK"));
		CHECK_EQ(fk.regs[1][GDB_RAX], 0x10ff);
		/* Wrong length, bad hex */
		g[10] = 'x';
		CHECK(!strcmp(pkt(g), "E01"));
		g[strlen(g) - 1] = '\0';
		CHECK(!strcmp(pkt(g), "E01"));
	}
	CHECK(!strcmp(pkt("p10"), "1010000000000000"));	/* rip, thread 1 */
	CHECK_EQ(strlen(pkt("p18")), 20);			/* st0: 10 bytes */
	CHECK(!strcmp(pkt("p31"), "E01"));			/* 49: none */
	CHECK(!strcmp(pkt("pzz"), "E01"));
	CHECK(!strcmp(pkt("p"), "E01"));
	CHECK(!strcmp(pkt("P10=8877665544332211"), "OK"));
	CHECK_EQ(fk.regs[1][GDB_RIP], 0x1122334455667788ull);
	CHECK(!strcmp(pkt("P11=01020304"), "OK"));
	CHECK_EQ(fk.regs[1][GDB_EFLAGS], 0x04030201);
	CHECK(!strcmp(pkt("P11=0102030405"), "E01"));
	CHECK(!strcmp(pkt("P11"), "E01"));
	CHECK(!strcmp(pkt("P99=00"), "E01"));
	/* Threads: Hg2 then g reads thread 2. */
	CHECK(!strcmp(pkt("Hg2"), "OK"));
	CHECK(!strcmp(pkt("p0"), "0020000000000000"));
	CHECK(!strcmp(pkt("Hg3"), "E02"));
	CHECK(!strcmp(pkt("Hgx"), "E02"));
	CHECK(!strcmp(pkt("Hx1"), "E01"));
	CHECK(!strcmp(pkt("Hg-1"), "OK"));
	CHECK(!strcmp(pkt("Hc-1"), "OK"));
	CHECK(!strcmp(pkt("Hg0"), "OK"));
	CHECK(!strcmp(pkt("p0"), "ff10000000000000"));	/* thread 1, G wrote it */
	CHECK(!strcmp(pkt("T1"), "OK"));
	CHECK(!strcmp(pkt("T2"), "OK"));
	CHECK(!strcmp(pkt("T3"), "E02"));
	CHECK(!strcmp(pkt("T0"), "E02"));
	CHECK(!strcmp(pkt("Tz"), "E02"));
	CHECK(!strcmp(pkt("qfThreadInfo"), "m1,2"));
	CHECK(!strcmp(pkt("qsThreadInfo"), "l"));
	CHECK(!strcmp(pkt("qAttached"), "1"));
	CHECK(!strcmp(pkt("qC"), "QC1"));
}

static void test_mem(void)
{
	stopped_state();
	CHECK(!strcmp(pkt("m1000,4"), "00010203"));
	CHECK(!strcmp(pkt("m1ffe,4"), "feff"));		/* partial: up to the unmapped page */
	CHECK(!strcmp(pkt("m3000,4"), "E14"));
	CHECK(!strcmp(pkt("m1000,0"), ""));
	CHECK(!strcmp(pkt("m1000"), "E01"));
	CHECK(!strcmp(pkt("m,4"), "E01"));
	CHECK(!strcmp(pkt("m1000,4x"), "E01"));
	CHECK(!strcmp(pkt("m11111111111111111111,4"), "E01"));
	CHECK_EQ(strlen(pkt("m1000,ffffffff")), 2 * 0x1000 < 2 * GDB_MEM_MAX ? 0x2000 : 2 * GDB_MEM_MAX);
	CHECK(!strcmp(pkt("M1000,2:abcd"), "OK"));
	CHECK(fk.mem[0] == 0xab && fk.mem[1] == 0xcd);
	CHECK(!strcmp(pkt("M1000,2:abc"), "E01"));
	CHECK(!strcmp(pkt("M1000,2:abcx"), "E01"));
	CHECK(!strcmp(pkt("M3000,1:00"), "E14"));
	CHECK(!strcmp(pkt("M1000,99999:00"), "E10"));
	/* X with binary data, escapes included: 0x23 '#' goes as "}\x03". */
	CHECK(!strcmp(pkt_n("X1004,3:}\x03" "a\x00", 12), "OK"));
	CHECK(fk.mem[4] == '#' && fk.mem[5] == 'a' && fk.mem[6] == 0);
	CHECK(!strcmp(pkt("X1004,0:"), "OK"));
	CHECK(!strcmp(pkt("X1004,2:a"), "E01"));
}

static void test_run(void)
{
	stopped_state();
	CHECK(!strcmp(pkt("Z0,1000,1"), "OK"));
	CHECK(fk.bp_type == GDB_BP_SW && fk.bp_insert && fk.bp_addr == 0x1000);
	CHECK(!strcmp(pkt("z1,2000,1"), "OK"));
	CHECK(fk.bp_type == GDB_BP_HW && !fk.bp_insert && fk.bp_addr == 0x2000);
	CHECK(!strcmp(pkt("Z0,dead,1"), "E16"));
	CHECK(!strcmp(pkt("Z2,1000,4"), "OK"));		/* a write watchpoint, 4 bytes */
	CHECK(fk.bp_type == GDB_BP_WRITE && fk.bp_insert && fk.bp_addr == 0x1000 && fk.bp_len == 4);
	CHECK(!strcmp(pkt("z4,1008,8"), "OK"));
	CHECK(fk.bp_type == GDB_BP_ACCESS && !fk.bp_insert && fk.bp_len == 8);
	CHECK(!strcmp(pkt("Z3,1000,4"), ""));		/* read-only: x86 has none */
	CHECK(!strcmp(pkt("Z5,1000,4"), ""));
	CHECK(!strcmp(pkt("Z0,1000"), "E01"));
	CHECK(!strcmp(pkt("Z0,1000,1;X1,0"), ""));
	CHECK(!strcmp(pkt("vCont?"), "vCont;c;C;s;S"));
	/* s: no reply until the stub reports the stop. */
	CHECK(!strcmp(pkt("s"), ""));
	CHECK(fk.resumes == 1 && fk.step_tid == 1 && !fk.others);
	tx_len = 0;
	gdb_proto_stopped(&gp, GDB_STOP_SIGNAL, GDB_SIGTRAP, 1);
	CHECK(!strncmp(tx, "$T05thread:1;#", 14));
	/* c: runs; Ctrl-C interrupts it; the stop reply says SIGINT. */
	pkt("c");
	CHECK(fk.resumes == 2 && fk.step_tid == 0 && fk.others);
	raw("\x03", 1);
	CHECK_EQ(fk.interrupts, 2);
	raw("\x03", 1);
	CHECK_EQ(fk.interrupts, 2);		/* once */
	tx_len = 0;
	gdb_proto_stopped(&gp, GDB_STOP_SWBREAK, GDB_SIGTRAP, 2);
	CHECK(!strncmp(tx, "$T05thread:2;swbreak:;#", 23));
	/* The stop's thread is the current one: GDB reads it with no Hg first. */
	CHECK(!strcmp(pkt("qC"), "QC2"));
	CHECK(!strcmp(pkt("p0"), "0020000000000000"));
	CHECK(!strcmp(pkt("vCont;s:2;c"), ""));
	CHECK(fk.step_tid == 2 && fk.others);
	gdb_proto_stopped(&gp, GDB_STOP_HWBREAK, GDB_SIGTRAP, 1);
	CHECK(!strcmp(pkt("vCont;c"), ""));
	CHECK(fk.step_tid == 0 && fk.others);
	/* A watchpoint's stop names its kind and address. */
	tx_len = 0;
	gdb_proto_stopped_at(&gp, GDB_STOP_AWATCH, GDB_SIGTRAP, 2, 0x1008);
	CHECK(!strncmp(tx, "$T05thread:2;awatch:1008;#", 26));
	CHECK(!strcmp(pkt("vCont;c"), ""));
	tx_len = 0;
	gdb_proto_stopped_at(&gp, GDB_STOP_WATCH, GDB_SIGTRAP, 1, 0x1000);
	CHECK(!strncmp(tx, "$T05thread:1;watch:1000;#", 25));
	CHECK(!strcmp(pkt("vCont;s:1"), ""));
	CHECK(fk.step_tid == 1 && !fk.others);
	gdb_proto_stopped(&gp, GDB_STOP_SIGNAL, GDB_SIGTRAP, 1);
	CHECK(!strcmp(pkt("vCont;s:9"), "E02"));
	CHECK(!strcmp(pkt("vCont;x"), "E01"));
	CHECK(!strcmp(pkt("vCont;c:1x"), "E01"));
	CHECK(!strcmp(pkt("c1234"), ""));
	CHECK_EQ(fk.regs[1][GDB_RIP], 0x1234);
	gdb_proto_stopped(&gp, GDB_STOP_SIGNAL, GDB_SIGTRAP, 1);
	CHECK(!strcmp(pkt("S05;2000"), ""));
	CHECK(fk.step_tid == 1 && fk.regs[1][GDB_RIP] == 0x2000);
	gdb_proto_stopped(&gp, GDB_STOP_SIGNAL, GDB_SIGTRAP, 1);
	CHECK(!strcmp(pkt("cxyz"), "E01"));
	CHECK(!strcmp(pkt("?"), "T05thread:1;"));
	CHECK(!strcmp(pkt("D"), "OK"));
	CHECK_EQ(fk.detaches, 1);
	/* A new connection stops it again, and k kills it without a reply. */
	tx_len = 0;
	raw("$?#3f", 5);
	CHECK_EQ(fk.interrupts, 3);
	gdb_proto_stopped(&gp, GDB_STOP_SIGNAL, GDB_SIGINT, 1);
	tx_len = 0;
	raw("$k#6b", 5);
	CHECK(!strcmp(tx, "+"));
	CHECK_EQ(fk.kills, 1);
	gdb_proto_stopped(&gp, GDB_STOP_EXITED, 0, 1);
	CHECK(!strcmp(pkt("?"), "W00"));
}

static void test_features(void)
{
	static char xml[8192];
	size_t off = 0;
	const char *r;

	stopped_state();
	r = pkt("qSupported:multiprocess+;swbreak+;hwbreak+;xmlRegisters=i386");
	CHECK(strstr(r, "PacketSize=1000"));
	CHECK(strstr(r, "qXfer:features:read+"));
	for (;;) {
		char q[64];

		snprintf(q, sizeof(q), "qXfer:features:read:target.xml:%zx,%x", off, 0x100);
		r = pkt(q);
		CHECK(r[0] == 'm' || r[0] == 'l');
		memcpy(xml + off, r + 1, strlen(r + 1));
		off += strlen(r + 1);
		if (r[0] == 'l')
			break;
		CHECK(off < sizeof(xml));
	}
	xml[off] = '\0';
	CHECK(!strcmp(xml, gdb_target_xml));
	CHECK(!strcmp(pkt("qXfer:features:read:other.xml:0,100"), "E00"));
	CHECK(!strcmp(pkt("qXfer:features:read:target.xml:0"), "E01"));
	CHECK(!strcmp(pkt("qXfer:features:read:target.xml:ffffff,10"), "l"));
}

static void test_random(unsigned int n)
{
	static const char alpha[] = "$#+-}*\x03gGpPmMXcsCSzZHTqvDk?0123456789abcdef,:;=";
	unsigned int seed = 12345;

	stopped_state();
	for (unsigned int i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		u8 c = (seed >> 16) & 1 ? (u8)alpha[(seed >> 8) % (sizeof(alpha) - 1)] : (u8)(seed >> 8);

		gdb_proto_rx(&gp, c);
		if (gp.stopping || gp.running)
			gdb_proto_stopped(&gp, GDB_STOP_SIGNAL, GDB_SIGTRAP, 1);
	}
	CHECK(!strcmp(pkt("qC"), "QC1"));
}

int main(int argc, char **argv)
{
	test_init(argc, argv, 0);
	test_sizes();
	test_framing();
	test_regs();
	test_mem();
	test_run();
	test_features();
	test_random(test_opts.quick ? 100000 : 1000000);
	return test_finish();
}
