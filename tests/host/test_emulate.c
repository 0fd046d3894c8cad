// SPDX-License-Identifier: MIT
/*
 * vmx/emul/emulate.c and alu.c against a fake guest: paged linear memory
 * (pages can be absent, for #PF), a port space, an access log, and a
 * cmpxchg that can lose to a simulated other vCPU.
 *
 *  - ALU results and flags against the host CPU running the same
 *    operation (inline asm, random operands, random flags in), through
 *    x86_alu() and through whole instructions on memory;
 *  - MOV forms, partial registers, MOVZX/MOVSX/MOVSXD, moffs, IN/OUT;
 *  - REP STOS/MOVS/LODS/INS/OUTS/CMPS/SCAS in every address size and
 *    both directions, and the restart after the iteration budget;
 *  - #GP/#SS from segment checks, #PF from the page walk, with the guest
 *    state left as the CPU leaves it; LOCK through cmpxchg_mem.
 */
#include "vmx/emul/emulate.h"
#include "vmx/emul/alu.h"
#include "arch/x86/cpu.h"
#include "arch/x86/traps.h"
#include "lib/compiler.h"
#include "tests/host/harness.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ the fake guest */

#define NPAGES	16
#define LOGMAX	256

struct access {
	u64 la;
	unsigned int size;
	bool write;
	u64 val;
};

static struct fake {
	u64 page_la[NPAGES];
	bool mapped[NPAGES];
	u8 data[NPAGES][4096];
	struct access log[LOGMAX];
	unsigned int nlog;
	unsigned int interfere;		/* cmpxchg rounds another vCPU wins */
	unsigned int cmpxchgs;
	u32 port_in_next;
	u16 port[LOGMAX];
	u32 port_val[LOGMAX];
	unsigned int nport;
} F;

static void fake_reset(void)
{
	memset(&F, 0, sizeof(F));
}

static u8 *map_page(u64 la)
{
	for (unsigned int i = 0; i < NPAGES; i++) {
		if (!F.mapped[i]) {
			F.mapped[i] = true;
			F.page_la[i] = la & ~0xFFFULL;
			return F.data[i];
		}
	}
	abort();
}

static u8 *byte_at(u64 la)
{
	for (unsigned int i = 0; i < NPAGES; i++)
		if (F.mapped[i] && F.page_la[i] == (la & ~0xFFFULL))
			return &F.data[i][la & 0xFFF];
	return NULL;
}

static void poke(u64 la, u64 val, unsigned int size)
{
	for (unsigned int i = 0; i < size; i++)
		*byte_at(la + i) = (u8)(val >> (8 * i));
}

static u64 peek(u64 la, unsigned int size)
{
	u64 v = 0;

	for (unsigned int i = 0; i < size; i++)
		v |= (u64)*byte_at(la + i) << (8 * i);
	return v;
}

/* Every byte mapped, or a #PF at the first that is not (checked before any write). */
static enum x86_emul_status walk(struct x86_emul_ctxt *c, u64 la, unsigned int size, bool write)
{
	for (unsigned int i = 0; i < size; i++)
		if (!byte_at(la + i))
			return x86_emul_page_fault(c, la + i, (write ? 2 : 0) | (c->cpl == 3 ? 4 : 0));
	return X86_EMUL_DONE;
}

static void log_access(u64 la, unsigned int size, bool write, u64 val)
{
	if (F.nlog < LOGMAX)
		F.log[F.nlog++] = (struct access){ la, size, write, val };
}

static enum x86_emul_status fake_read(struct x86_emul_ctxt *c, u64 la, u64 *val, unsigned int size)
{
	enum x86_emul_status st = walk(c, la, size, false);

	if (st)
		return st;
	*val = peek(la, size);
	log_access(la, size, false, *val);
	return X86_EMUL_DONE;
}

static enum x86_emul_status fake_write(struct x86_emul_ctxt *c, u64 la, u64 val, unsigned int size)
{
	enum x86_emul_status st = walk(c, la, size, true);

	if (st)
		return st;
	poke(la, val, size);
	log_access(la, size, true, val);
	return X86_EMUL_DONE;
}

static enum x86_emul_status fake_cmpxchg(struct x86_emul_ctxt *c, u64 la, u64 *old, u64 new,
					 unsigned int size, bool *swapped)
{
	enum x86_emul_status st = walk(c, la, size, true);
	u64 cur;

	if (st)
		return st;
	F.cmpxchgs++;
	if (F.interfere) {
		/* another vCPU increments the value between our read and our write */
		F.interfere--;
		poke(la, peek(la, size) + 1, size);
	}
	cur = peek(la, size);
	if (cur == *old) {
		poke(la, new, size);
		log_access(la, size, true, new);
		*swapped = true;
	} else {
		*old = cur;
		*swapped = false;
	}
	return X86_EMUL_DONE;
}

static enum x86_emul_status fake_in(struct x86_emul_ctxt *c, u16 port, unsigned int size, u32 *val)
{
	(void)c;
	(void)size;
	*val = F.port_in_next++;
	if (F.nport < LOGMAX) {
		F.port[F.nport] = port;
		F.port_val[F.nport++] = *val;
	}
	return X86_EMUL_DONE;
}

static enum x86_emul_status fake_out(struct x86_emul_ctxt *c, u16 port, unsigned int size, u32 val)
{
	(void)c;
	(void)size;
	if (F.nport < LOGMAX) {
		F.port[F.nport] = port;
		F.port_val[F.nport++] = val;
	}
	return X86_EMUL_DONE;
}

static const struct x86_emul_ops fake_ops = {
	.read_mem = fake_read, .write_mem = fake_write, .cmpxchg_mem = fake_cmpxchg,
	.pio_in = fake_in, .pio_out = fake_out,
};

/* A flat guest in @mode: 4 GiB read/write data segments, CPL 0. */
static void setup(struct x86_emul_ctxt *c, enum x86_cpu_mode mode)
{
	fake_reset();
	memset(c, 0, sizeof(*c));
	c->ops = &fake_ops;
	c->mode = mode;
	c->rflags = 0x2;
	for (unsigned int s = 0; s < X86_SEG_COUNT; s++) {
		c->seg[s].limit = mode == X86_MODE_16 ? 0xFFFF : 0xFFFFFFFF;
		c->seg[s].ar = X86_AR_P | X86_AR_S | X86_AR_TYPE_WRITABLE | X86_AR_TYPE_ACCESSED |
			       (mode == X86_MODE_32 ? X86_AR_DB | X86_AR_G : 0);
	}
	c->seg[X86_SEG_CS].ar |= X86_AR_TYPE_CODE | (mode == X86_MODE_64 ? X86_AR_L : 0);
	c->rip = 0x1000;
}

static size_t parse_hex(const char *hex, u8 *out)
{
	size_t n = 0;

	while (*hex && n < 16) {
		char *end;
		unsigned long v = strtoul(hex, &end, 16);

		if (end == hex)
			break;
		out[n++] = (u8)v;
		hex = end;
	}
	return n;
}

static struct x86_insn last;

/* Decode @hex in @c->mode and emulate it. */
static enum x86_emul_status run(struct x86_emul_ctxt *c, const char *hex)
{
	u8 b[16];
	size_t n = parse_hex(hex, b);

	return x86_emulate_bytes(c, b, n, &last);
}

#define CHECK_RUN(c, hex, want)							\
	do {									\
		enum x86_emul_status __st = run(c, hex);			\
		if (__st != (want))						\
			test_fail(__FILE__, __LINE__, "%s: status %d, expected %d", hex, \
				  __st, want);					\
	} while (0)

/* ------------------------------------------------------------ the host CPU as the oracle */

/*
 * The flags go in through SAHF (CF, PF, AF, ZF, SF) and come out through
 * LAHF and SETO: no PUSHF, so no stack use under the compiler's red zone.
 */
#define NATIVE_BIN(mn, T, sfx)							\
	static u64 n_##mn##_##sfx(u64 a, u64 b, u64 *fl)			\
	{									\
		T d = (T)a, s = (T)b;						\
		u64 ax = (*fl & 0xFF) << 8;					\
		u8 o;								\
		__asm__("sahf\n\t" #mn " %[s], %[d]\n\tlahf\n\tseto %[o]"	\
			: [d] "+r"(d), "+a"(ax), [o] "=&r"(o) : [s] "r"(s) : "cc"); \
		*fl = ((ax >> 8) & 0xD5) | (o ? X86_RFLAGS_OF : 0);		\
		return (u64)d;							\
	}
#define NATIVE_UN(mn, T, sfx)							\
	static u64 n_##mn##_##sfx(u64 a, u64 b, u64 *fl)			\
	{									\
		T d = (T)a;							\
		u64 ax = (*fl & 0xFF) << 8;					\
		u8 o;								\
		(void)b;							\
		__asm__("sahf\n\t" #mn " %[d]\n\tlahf\n\tseto %[o]"		\
			: [d] "+r"(d), "+a"(ax), [o] "=&r"(o) : : "cc");	\
		*fl = ((ax >> 8) & 0xD5) | (o ? X86_RFLAGS_OF : 0);		\
		return (u64)d;							\
	}
#define NATIVE_ALL(gen, mn)	gen(mn, u8, 1) gen(mn, u16, 2) gen(mn, u32, 4) gen(mn, u64, 8)

NATIVE_ALL(NATIVE_BIN, add)
NATIVE_ALL(NATIVE_BIN, or)
NATIVE_ALL(NATIVE_BIN, adc)
NATIVE_ALL(NATIVE_BIN, sbb)
NATIVE_ALL(NATIVE_BIN, and)
NATIVE_ALL(NATIVE_BIN, sub)
NATIVE_ALL(NATIVE_BIN, xor)
NATIVE_ALL(NATIVE_BIN, cmp)
NATIVE_ALL(NATIVE_BIN, test)
NATIVE_ALL(NATIVE_UN, not)
NATIVE_ALL(NATIVE_UN, neg)
NATIVE_ALL(NATIVE_UN, inc)
NATIVE_ALL(NATIVE_UN, dec)

/* BT has no byte form. */
#define NATIVE_BT(mn, T, sfx)							\
	static u64 n_##mn##_##sfx(u64 a, u64 b, u64 *fl)			\
	{									\
		T d = (T)a, s = (T)b;						\
		u64 ax = (*fl & 0xFF) << 8;					\
		__asm__("sahf\n\t" #mn " %[s], %[d]\n\tlahf"			\
			: [d] "+r"(d), "+a"(ax) : [s] "r"(s) : "cc");		\
		*fl = (ax >> 8) & 0xD5;						\
		return (u64)d;							\
	}
NATIVE_BT(bt, u16, 2) NATIVE_BT(bt, u32, 4) NATIVE_BT(bt, u64, 8)
NATIVE_BT(bts, u16, 2) NATIVE_BT(bts, u32, 4) NATIVE_BT(bts, u64, 8)
NATIVE_BT(btr, u16, 2) NATIVE_BT(btr, u32, 4) NATIVE_BT(btr, u64, 8)
NATIVE_BT(btc, u16, 2) NATIVE_BT(btc, u32, 4) NATIVE_BT(btc, u64, 8)

typedef u64 (*native_fn)(u64 a, u64 b, u64 *fl);

#define ROW(mn)	{ n_##mn##_1, n_##mn##_2, NULL, n_##mn##_4, NULL, NULL, NULL, n_##mn##_8 }
#define ROWBT(mn) { NULL, n_##mn##_2, NULL, n_##mn##_4, NULL, NULL, NULL, n_##mn##_8 }

static const struct {
	unsigned int op;
	const char *name;
	native_fn fn[8];
} natives[] = {
	{ X86_OP_ADD, "add", ROW(add) }, { X86_OP_OR, "or", ROW(or) },
	{ X86_OP_ADC, "adc", ROW(adc) }, { X86_OP_SBB, "sbb", ROW(sbb) },
	{ X86_OP_AND, "and", ROW(and) }, { X86_OP_SUB, "sub", ROW(sub) },
	{ X86_OP_XOR, "xor", ROW(xor) }, { X86_OP_CMP, "cmp", ROW(cmp) },
	{ X86_OP_TEST, "test", ROW(test) }, { X86_OP_NOT, "not", ROW(not) },
	{ X86_OP_NEG, "neg", ROW(neg) }, { X86_OP_INC, "inc", ROW(inc) },
	{ X86_OP_DEC, "dec", ROW(dec) },
	{ X86_OP_BT, "bt", ROWBT(bt) }, { X86_OP_BTS, "bts", ROWBT(bts) },
	{ X86_OP_BTR, "btr", ROWBT(btr) }, { X86_OP_BTC, "btc", ROWBT(btc) },
};

/* Operands that reach the edges: 0, 1, all ones, the sign bit, around it, random. */
static u64 operand(u64 *rng)
{
	static const u64 edge[] = { 0, 1, 2, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF,
				    0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0x7FFFFFFFFFFFFFFF,
				    0x8000000000000000, ~0ULL, 0x0F, 0x10 };
	u64 r = test_rand(rng);

	switch (r % 4) {
	case 0:
		return edge[(r >> 8) % ARRAY_SIZE(edge)];
	case 1:
		return test_rand(rng) & 0xFF;
	default:
		return test_rand(rng);
	}
}

/* The flags an op defines: NOT none; BT* only CF (the rest are compared as "unchanged"). */
static u64 defined_flags(unsigned int op)
{
	if (op == X86_OP_NOT)
		return 0;
	return X86_RFLAGS_ARITH;
}

/* x86_alu() against the host CPU. */
static void test_alu_native(void)
{
	u64 rng = test_opts.seed ^ 0xA1;
	unsigned long n = test_opts.quick ? 3000 : 40000;

	for (unsigned int k = 0; k < ARRAY_SIZE(natives); k++) {
		unsigned int op = natives[k].op;

		if (op >= X86_OP_BT)
			continue;
		for (unsigned int size = 1; size <= 8; size <<= 1) {
			for (unsigned long i = 0; i < n; i++) {
				u64 a = operand(&rng), b = operand(&rng);
				u64 fin = test_rand(&rng) & 0xD5;	/* what SAHF can load */
				u64 fn = fin, fe = fin | 0x2;
				u64 rn = natives[k].fn[size - 1](a, b, &fn);
				u64 re = x86_alu(op, size, a, b, &fe);
				u64 mask = size == 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
				u64 def = defined_flags(op);

				if (op == X86_OP_NOT)		/* OF is not loaded by SAHF */
					def = 0xD5;
				if (op != X86_OP_CMP && op != X86_OP_TEST)
					CHECK_EQ(re, rn & mask);
				if ((fe & def) != (fn & def) || (fe & ~X86_RFLAGS_ARITH) != 0x2) {
					test_fail(__FILE__, __LINE__,
						  "%s%u 0x%llx, 0x%llx flags in 0x%llx: 0x%llx, host 0x%llx",
						  natives[k].name, size * 8, a,
						  b, fin,
						  (fe & def),
						  (fn & def));
					return;
				}
			}
		}
	}
}

/* ------------------------------------------------------------ whole instructions */

/* "op [rbx], rcx" (or its byte form), emulated and on the host, for every ALU op and size. */
static void test_alu_insns(void)
{
	static const u8 alu_reg[8] = { 0x00, 0x08, 0x10, 0x18, 0x20, 0x28, 0x30, 0x38 };
	u64 rng = test_opts.seed ^ 0xB2;
	unsigned long n = test_opts.quick ? 200 : 3000;
	struct x86_emul_ctxt c;
	const u64 addr = 0x7000;

	for (unsigned int k = 0; k < 8; k++) {
		for (unsigned int size = 1; size <= 8; size <<= 1) {
			for (unsigned long i = 0; i < n; i++) {
				u8 b[8];
				unsigned int len = 0;
				u64 a = operand(&rng), s = operand(&rng), fin = test_rand(&rng) & 0xD5;
				u64 fn = fin, rn, mask = size == 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
				bool lock = k != 7 && (test_rand(&rng) & 1);
				enum x86_emul_status st;

				setup(&c, X86_MODE_64);
				map_page(addr);
				poke(addr, a, 8);
				c.gpr[X86_RBX] = addr;
				c.gpr[X86_RCX] = s;
				c.rflags = fin | 0x2;
				if (lock)
					b[len++] = 0xF0;
				if (size == 2)
					b[len++] = 0x66;
				if (size == 8)
					b[len++] = 0x48;
				b[len++] = alu_reg[k] | (size == 1 ? 0 : 1);
				b[len++] = 0x0B;	/* [rbx], rcx */
				st = x86_emulate_bytes(&c, b, len, &last);
				CHECK_EQ(st, X86_EMUL_DONE);
				CHECK_EQ(last.lock, lock);
				rn = natives[k].fn[size - 1](a, s, &fn);
				if (k != 7)
					CHECK_EQ(peek(addr, 8), (a & ~mask) | (rn & mask));
				else
					CHECK_EQ(peek(addr, 8), a);
				CHECK_EQ(c.rflags & X86_RFLAGS_ARITH, fn);
				CHECK_EQ(c.rip, 0x1000 + len);
				CHECK_EQ(F.cmpxchgs, lock ? 1 : 0);
			}
		}
	}
}

/* BT/BTS/BTR/BTC on registers and memory: CF as the host sets it, the rest left alone. */
static void test_bt(void)
{
	u64 rng = test_opts.seed ^ 0xC3;
	unsigned long n = test_opts.quick ? 300 : 5000;
	struct x86_emul_ctxt c;

	for (unsigned int k = 13; k < ARRAY_SIZE(natives); k++) {
		for (unsigned int size = 2; size <= 8; size <<= 1) {
			for (unsigned long i = 0; i < n; i++) {
				u64 a = operand(&rng), off = test_rand(&rng) & (8 * size - 1);
				u64 fin = test_rand(&rng) & 0xD5, fn = fin;
				u64 rn = natives[k].fn[size - 1](a, off, &fn);
				u8 b[8];
				unsigned int len = 0;
				u64 mask = size == 8 ? ~0ULL : (1ULL << (8 * size)) - 1;

				/* register form: bt* eax(-ish), ecx */
				setup(&c, X86_MODE_64);
				c.gpr[X86_RAX] = a;
				c.gpr[X86_RCX] = off;
				c.rflags = fin | 0x2;
				if (size == 2)
					b[len++] = 0x66;
				if (size == 8)
					b[len++] = 0x48;
				b[len++] = 0x0F;
				b[len++] = (u8)(0xA3 + 8 * (k - 13));
				b[len++] = 0xC8;	/* eax, ecx */
				CHECK_EQ(x86_emulate_bytes(&c, b, len, &last), X86_EMUL_DONE);
				/* CF as the host sets it; PF, AF, ZF, SF left as the host leaves them */
				CHECK_EQ(c.rflags & 0xD5, fn);
				CHECK_EQ(c.rflags & ~X86_RFLAGS_CF, (fin | 0x2) & ~X86_RFLAGS_CF);
				if (k == 13)		/* BT writes no register */
					CHECK_EQ(c.gpr[X86_RAX], a);
				else if (size == 2)
					CHECK_EQ(c.gpr[X86_RAX], (a & ~mask) | (rn & mask));
				else
					CHECK_EQ(c.gpr[X86_RAX], rn & mask);
			}
		}
	}

	/* a register offset reaches any unit of memory, negative ones too */
	setup(&c, X86_MODE_64);
	map_page(0x5000);
	map_page(0x6000);
	poke(0x5FF8, 0x8000000000000000ULL, 8);
	c.gpr[X86_RBX] = 0x6000;
	c.gpr[X86_RCX] = (u64)-1;			/* bit 63 of the qword below */
	CHECK_RUN(&c, "48 0f a3 0b", X86_EMUL_DONE);	/* bt [rbx], rcx */
	CHECK(c.rflags & X86_RFLAGS_CF);
	CHECK_EQ(F.log[0].la, 0x5FF8);
	CHECK_EQ(F.log[0].size, 8);
	c.gpr[X86_RCX] = (u64)-64 * 3 + 5;		/* three qwords down, bit 5 */
	CHECK_RUN(&c, "f0 48 0f ab 0b", X86_EMUL_DONE);	/* lock bts [rbx], rcx */
	CHECK_EQ(peek(0x6000 - 24, 8), 0x20);
	c.gpr[X86_RCX] = 8 * 32 + 1;			/* dword 8, bit 1 */
	poke(0x6020, 0, 4);
	CHECK_RUN(&c, "0f ab 0b", X86_EMUL_DONE);	/* bts [rbx], ecx */
	CHECK_EQ(peek(0x6020, 4), 2);
	CHECK_EQ(F.log[F.nlog - 1].la, 0x6020);
	CHECK_RUN(&c, "0f ba 33 21", X86_EMUL_DONE);	/* btr dword [rbx], 0x21: bit 1 */
	CHECK_EQ(peek(0x6000, 4), 0);
	poke(0x6000, 2, 4);
	CHECK_RUN(&c, "0f ba 23 21", X86_EMUL_DONE);	/* bt dword [rbx], 0x21 */
	CHECK(c.rflags & X86_RFLAGS_CF);
}

/* MOV forms, partial registers, extensions, moffs. */
static void test_mov(void)
{
	struct x86_emul_ctxt c;

	setup(&c, X86_MODE_64);
	map_page(0x2000);
	poke(0x2000, 0x8877665544332211ULL, 8);
	c.gpr[X86_RAX] = 0x2000;
	c.gpr[X86_RCX] = 0xFFFFFFFFFFFFFFFFULL;

	CHECK_RUN(&c, "8b 08", X86_EMUL_DONE);			/* mov ecx, [rax]: zero-extends */
	CHECK_EQ(c.gpr[X86_RCX], 0x44332211);
	c.gpr[X86_RCX] = ~0ULL;
	CHECK_RUN(&c, "66 8b 08", X86_EMUL_DONE);		/* mov cx, [rax]: keeps 63:16 */
	CHECK_EQ(c.gpr[X86_RCX], 0xFFFFFFFFFFFF2211ULL);
	CHECK_RUN(&c, "8a 08", X86_EMUL_DONE);			/* mov cl, [rax] */
	CHECK_EQ(c.gpr[X86_RCX], 0xFFFFFFFFFFFF2211ULL);
	CHECK_RUN(&c, "8a 68 01", X86_EMUL_DONE);		/* mov ch, [rax+1] */
	CHECK_EQ(c.gpr[X86_RCX], 0xFFFFFFFFFFFF2211ULL);
	CHECK_RUN(&c, "8a 68 02", X86_EMUL_DONE);		/* mov ch, [rax+2] */
	CHECK_EQ(c.gpr[X86_RCX], 0xFFFFFFFFFFFF3311ULL);
	c.gpr[X86_RBP] = 0x1111111111111111ULL;
	CHECK_RUN(&c, "40 8a 68 03", X86_EMUL_DONE);		/* mov bpl, [rax+3] */
	CHECK_EQ(c.gpr[X86_RBP], 0x1111111111111144ULL);
	CHECK_RUN(&c, "48 8b 10", X86_EMUL_DONE);		/* mov rdx, [rax] */
	CHECK_EQ(c.gpr[X86_RDX], 0x8877665544332211ULL);
	CHECK_RUN(&c, "4c 8b 40 04", X86_EMUL_DONE);		/* mov r8, [rax+4]: bytes past are 0 */
	CHECK_EQ(c.gpr[X86_R8], 0x88776655);

	c.gpr[X86_RDX] = 0xAABBCCDD;
	CHECK_RUN(&c, "88 70 08", X86_EMUL_DONE);		/* mov [rax+8], dh */
	CHECK_EQ(peek(0x2008, 1), 0xCC);
	CHECK_EQ(F.log[F.nlog - 1].size, 1);
	CHECK_RUN(&c, "66 89 50 10", X86_EMUL_DONE);		/* mov [rax+0x10], dx */
	CHECK_EQ(peek(0x2010, 4), 0xCCDD);
	CHECK_RUN(&c, "48 c7 40 18 fe ff ff ff", X86_EMUL_DONE); /* mov qword [rax+0x18], -2 */
	CHECK_EQ(peek(0x2018, 8), 0xFFFFFFFFFFFFFFFEULL);
	CHECK_RUN(&c, "c6 40 20 5a", X86_EMUL_DONE);		/* mov byte [rax+0x20], 0x5a */
	CHECK_EQ(peek(0x2020, 1), 0x5A);

	/* RIP-relative: from the end of the instruction */
	c.rip = 0x2100;
	poke(0x2200, 0xDEADBEEF, 4);
	CHECK_RUN(&c, "8b 15 fa 00 00 00", X86_EMUL_DONE);	/* mov edx, [rip+0xfa] */
	CHECK_EQ(c.gpr[X86_RDX], 0xDEADBEEF);
	CHECK_EQ(c.rip, 0x2106);

	/* moffs */
	c.gpr[X86_RAX] = 0x1234567890ULL;
	CHECK_RUN(&c, "a3 30 20 00 00 00 00 00 00", X86_EMUL_DONE);	/* mov [0x2030], eax */
	CHECK_EQ(peek(0x2030, 8), 0x34567890);
	CHECK_RUN(&c, "a0 31 20 00 00 00 00 00 00", X86_EMUL_DONE);	/* mov al, [0x2031] */
	CHECK_EQ(c.gpr[X86_RAX], 0x1234567878ULL);

	/* extensions */
	poke(0x2040, 0x80F1, 2);
	c.gpr[X86_RAX] = 0x2040;
	CHECK_RUN(&c, "48 0f be 18", X86_EMUL_DONE);		/* movsx rbx, byte [rax] */
	CHECK_EQ(c.gpr[X86_RBX], 0xFFFFFFFFFFFFFFF1ULL);
	CHECK_RUN(&c, "0f b7 18", X86_EMUL_DONE);		/* movzx ebx, word [rax] */
	CHECK_EQ(c.gpr[X86_RBX], 0x80F1);
	c.gpr[X86_RBX] = ~0ULL;
	CHECK_RUN(&c, "66 0f b6 18", X86_EMUL_DONE);		/* movzx bx, byte [rax] */
	CHECK_EQ(c.gpr[X86_RBX], 0xFFFFFFFFFFFF00F1ULL);
	CHECK_RUN(&c, "0f bf 18", X86_EMUL_DONE);		/* movsx ebx, word [rax] */
	CHECK_EQ(c.gpr[X86_RBX], 0xFFFF80F1ULL);
	poke(0x2048, 0x80000000, 4);
	CHECK_RUN(&c, "48 63 58 08", X86_EMUL_DONE);		/* movsxd rbx, [rax+8] */
	CHECK_EQ(c.gpr[X86_RBX], 0xFFFFFFFF80000000ULL);
	c.gpr[X86_RCX] = 0x12345678;
	c.gpr[X86_RBX] = 0;
	CHECK_RUN(&c, "0f b6 dd", X86_EMUL_DONE);		/* movzx ebx, ch */
	CHECK_EQ(c.gpr[X86_RBX], 0x56);

	/* register to register, and XCHG */
	c.gpr[X86_RAX] = 0x1122334455667788ULL;
	c.gpr[X86_RBX] = 0x99AABBCCDDEEFF00ULL;
	CHECK_RUN(&c, "86 c7", X86_EMUL_DONE);			/* xchg bh, al */
	CHECK_EQ(c.gpr[X86_RAX], 0x11223344556677FFULL);
	CHECK_EQ(c.gpr[X86_RBX], 0x99AABBCCDDEE8800ULL);
	CHECK_RUN(&c, "87 c0", X86_EMUL_DONE);			/* xchg eax, eax: zero-extends */
	CHECK_EQ(c.gpr[X86_RAX], 0x556677FF);
	c.gpr[X86_RAX] = 0x2040;
	c.gpr[X86_RCX] = 0xABCD;
	poke(0x2040, 0x1111, 2);
	CHECK_RUN(&c, "66 87 08", X86_EMUL_DONE);		/* xchg [rax], cx: locked */
	CHECK_EQ(c.gpr[X86_RCX], 0x1111);
	CHECK_EQ(peek(0x2040, 2), 0xABCD);
	CHECK_EQ(F.cmpxchgs, 1);

	/* 32-bit code: the upper half of a register is not touched by the read */
	setup(&c, X86_MODE_32);
	map_page(0xFEE00000);
	poke(0xFEE00030, 0x50014, 4);
	CHECK_RUN(&c, "a1 30 00 e0 fe", X86_EMUL_DONE);		/* mov eax, [0xfee00030] */
	CHECK_EQ(c.gpr[X86_RAX], 0x50014);
	c.gpr[X86_RAX] = 0xFF;
	CHECK_RUN(&c, "89 05 b0 00 e0 fe", X86_EMUL_DONE);	/* mov [0xfee000b0], eax */
	CHECK_EQ(peek(0xFEE000B0, 4), 0xFF);
	CHECK_EQ(c.rip, 0x100B);
	c.gpr[X86_RCX] = 0x10;
	CHECK_RUN(&c, "8b 81 00 00 e0 fe", X86_EMUL_DONE);	/* mov eax, [ecx+0xfee00000] */
	CHECK_EQ(c.gpr[X86_RAX], 0);

	/* 16-bit code */
	setup(&c, X86_MODE_16);
	map_page(0x0000);
	map_page(0x1000);
	c.gpr[X86_RBX] = 0xFFFF;
	c.gpr[X86_RSI] = 0x0002;
	c.gpr[X86_RAX] = 0xFFFFFFFF0000BEEFULL;
	CHECK_RUN(&c, "89 00", X86_EMUL_DONE);			/* mov [bx+si], ax: wraps to 1 */
	CHECK_EQ(peek(0x0001, 2), 0xBEEF);
	c.seg[X86_SEG_SS].base = 0x1000;
	c.gpr[X86_RBP] = 0x10;
	CHECK_RUN(&c, "89 46 fe", X86_EMUL_DONE);		/* mov [bp-2], ax: SS */
	CHECK_EQ(peek(0x100E, 2), 0xBEEF);
	CHECK_RUN(&c, "66 8b 46 fe", X86_EMUL_DONE);		/* mov eax, [bp-2] */
	CHECK_EQ(c.gpr[X86_RAX], 0xBEEF);
	c.rip = 0xFFFE;
	c.gpr[X86_RBX] = 0;
	CHECK_RUN(&c, "8b 07", X86_EMUL_DONE);			/* IP wraps at 64 KiB */
	CHECK_EQ(c.rip, 0);
}

/* ------------------------------------------------------------ string instructions */

struct strcase {
	enum x86_cpu_mode mode;
	const char *prefix;	/* address-size prefix or "" */
	unsigned int asize;
};

static const struct strcase str_modes[] = {
	{ X86_MODE_64, "", 8 }, { X86_MODE_64, "67", 4 }, { X86_MODE_32, "", 4 },
	{ X86_MODE_32, "67", 2 }, { X86_MODE_16, "", 2 }, { X86_MODE_16, "67", 4 },
};

static u64 amask(unsigned int as)
{
	return as == 8 ? ~0ULL : (1ULL << (8 * as)) - 1;
}

/* REP STOS/MOVS/INS/OUTS/LODS in every address size and both directions. */
static void test_strings(void)
{
	char hex[64];

	for (unsigned int m = 0; m < ARRAY_SIZE(str_modes); m++) {
		const struct strcase *sc = &str_modes[m];
		/* bits above the address size: ignored (and kept or cleared) */
		u64 am = amask(sc->asize), junk = sc->asize < 8 ? 0xABCD000000000000ULL : 0;

		for (int df = 0; df < 2; df++) {
			struct x86_emul_ctxt c;
			u64 dst = df ? 0x3100 + 15 * 4 : 0x3100, src = df ? 0x3000 + 15 * 4 : 0x3000;
			u64 step = df ? (u64)-4 : 4;

			/* rep stosd (32-bit data: 66 in 16-bit code) */
			setup(&c, sc->mode);
			map_page(0x3000);
			c.rflags |= df ? X86_RFLAGS_DF : 0;
			c.gpr[X86_RAX] = 0x11223344;
			c.gpr[X86_RCX] = junk | 16;
			c.gpr[X86_RDI] = junk | dst;
			snprintf(hex, sizeof(hex), "%s %s f3 ab", sc->prefix,
				 sc->mode == X86_MODE_16 ? "66" : "");
			CHECK_RUN(&c, hex, X86_EMUL_DONE);
			for (unsigned int i = 0; i < 16; i++)
				CHECK_EQ(peek(0x3100 + 4 * i, 4), 0x11223344);
			CHECK_EQ(peek(0x3100 + 64, 4), 0);
			CHECK_EQ(peek(0x30FC, 4), 0);
			/* count and index registers at the address size: the rest kept (16) or cleared (32) */
			CHECK_EQ(c.gpr[X86_RCX] & am, 0);
			CHECK_EQ(c.gpr[X86_RDI] & am, (dst + 16 * step) & am);
			if (sc->asize == 2)
				CHECK_EQ(c.gpr[X86_RCX] & ~am, junk & ~am);
			if (sc->asize == 4)
				CHECK_EQ(c.gpr[X86_RCX] >> 32, 0);
			CHECK_EQ(F.nlog, 16);

			/* rep movsb */
			setup(&c, sc->mode);
			map_page(0x3000);
			for (unsigned int i = 0; i < 64; i++)
				poke(0x3000 + i, i + 1, 1);
			c.rflags |= df ? X86_RFLAGS_DF : 0;
			c.gpr[X86_RCX] = 64;
			c.gpr[X86_RSI] = df ? 0x3000 + 63 : 0x3000;
			c.gpr[X86_RDI] = df ? 0x3100 + 63 : 0x3100;
			snprintf(hex, sizeof(hex), "%s f3 a4", sc->prefix);
			CHECK_RUN(&c, hex, X86_EMUL_DONE);
			for (unsigned int i = 0; i < 64; i++)
				CHECK_EQ(peek(0x3100 + i, 1), i + 1);
			CHECK_EQ(c.gpr[X86_RSI] & am, df ? 0x3000 - 1 : 0x3040);
			CHECK_EQ(c.gpr[X86_RDI] & am, df ? 0x3100 - 1 : 0x3140);

			/* rep insd: 16 port reads into memory, in order */
			setup(&c, sc->mode);
			map_page(0x3000);
			c.rflags |= df ? X86_RFLAGS_DF : 0;
			c.gpr[X86_RDX] = 0x1F0;
			c.gpr[X86_RCX] = 16;
			c.gpr[X86_RDI] = dst;
			F.port_in_next = 0x100;
			snprintf(hex, sizeof(hex), "%s %s f3 6d", sc->prefix,
				 sc->mode == X86_MODE_16 ? "66" : "");
			CHECK_RUN(&c, hex, X86_EMUL_DONE);
			CHECK_EQ(F.nport, 16);
			for (unsigned int i = 0; i < 16; i++) {
				CHECK_EQ(F.port[i], 0x1F0);
				CHECK_EQ(peek(dst + i * step, 4), 0x100 + i);
			}

			/* rep outsw, with a segment override */
			setup(&c, sc->mode);
			map_page(0x3000);
			for (unsigned int i = 0; i < 16; i++)
				poke(0x3000 + 2 * i, 0xA000 + i, 2);
			c.rflags |= df ? X86_RFLAGS_DF : 0;
			c.seg[X86_SEG_FS].base = sc->mode == X86_MODE_64 ? 0x1000 : 0x2000;
			c.gpr[X86_RDX] = 0x3F8;
			c.gpr[X86_RCX] = 16;
			c.gpr[X86_RSI] = (df ? 0x3000 + 30 : 0x3000) - c.seg[X86_SEG_FS].base;
			snprintf(hex, sizeof(hex), "%s 64 %s f3 6f", sc->prefix,
				 sc->mode == X86_MODE_16 ? "" : "66");
			CHECK_RUN(&c, hex, X86_EMUL_DONE);
			CHECK_EQ(F.nport, 16);
			for (unsigned int i = 0; i < 16; i++)
				CHECK_EQ(F.port_val[i], df ? 0xA000 + 15 - i : 0xA000 + i);

			/* lodsd without REP: one element */
			setup(&c, sc->mode);
			map_page(0x3000);
			poke(src, 0x55667788, 4);
			c.rflags |= df ? X86_RFLAGS_DF : 0;
			c.gpr[X86_RSI] = src;
			c.gpr[X86_RCX] = 5;
			snprintf(hex, sizeof(hex), "%s %s ad", sc->prefix,
				 sc->mode == X86_MODE_16 ? "66" : "");
			CHECK_RUN(&c, hex, X86_EMUL_DONE);
			CHECK_EQ(c.gpr[X86_RAX], 0x55667788);
			CHECK_EQ(c.gpr[X86_RSI], (src + step) & am);
			CHECK_EQ(c.gpr[X86_RCX], 5);
		}
	}
}

/* REPE CMPS and REPNE SCAS stop on the first (in)equality; zero count does nothing. */
static void test_cmps_scas(void)
{
	struct x86_emul_ctxt c;

	setup(&c, X86_MODE_64);
	map_page(0x3000);
	for (unsigned int i = 0; i < 16; i++) {
		poke(0x3000 + i, 'a' + i, 1);
		poke(0x3100 + i, i < 9 ? 'a' + i : 'z', 1);
	}
	c.gpr[X86_RSI] = 0x3000;
	c.gpr[X86_RDI] = 0x3100;
	c.gpr[X86_RCX] = 16;
	CHECK_RUN(&c, "f3 a6", X86_EMUL_DONE);			/* repe cmpsb */
	CHECK_EQ(c.gpr[X86_RCX], 16 - 10);
	CHECK_EQ(c.gpr[X86_RSI], 0x300A);
	CHECK(!(c.rflags & X86_RFLAGS_ZF));
	CHECK(c.rflags & X86_RFLAGS_CF);			/* 'j' < 'z' */

	c.gpr[X86_RDI] = 0x3000;
	c.gpr[X86_RCX] = 16;
	c.gpr[X86_RAX] = 'e';
	CHECK_RUN(&c, "f2 ae", X86_EMUL_DONE);			/* repne scasb */
	CHECK_EQ(c.gpr[X86_RDI], 0x3005);
	CHECK_EQ(c.gpr[X86_RCX], 11);
	CHECK(c.rflags & X86_RFLAGS_ZF);

	c.gpr[X86_RCX] = 0;
	c.rflags = 0x2;
	F.nlog = 0;
	CHECK_RUN(&c, "f3 48 ab", X86_EMUL_DONE);		/* rep stosq, rcx = 0 */
	CHECK_EQ(F.nlog, 0);
	CHECK_EQ(c.rip, 0x1000 + 2 + 2 + 3);
	c.gpr[X86_RCX] = 0x100000000ULL;			/* ecx = 0 with a32 */
	CHECK_RUN(&c, "67 f3 ab", X86_EMUL_DONE);
	CHECK_EQ(F.nlog, 0);
}

/* A long REP stops at the budget with its registers committed, and resumes. */
static void test_rep_budget(void)
{
	struct x86_emul_ctxt c;
	unsigned int calls = 0;
	enum x86_emul_status st;

	setup(&c, X86_MODE_64);
	map_page(0x3000);
	c.rep_budget = 5;
	c.gpr[X86_RCX] = 12;
	c.gpr[X86_RDI] = 0x3000;
	c.gpr[X86_RAX] = 0x77;
	do {
		st = run(&c, "f3 aa");
		calls++;
		if (st == X86_EMUL_RETRY) {
			CHECK_EQ(c.rip, 0x1000);
			CHECK_EQ(c.gpr[X86_RCX], 12 - 5 * calls);
			CHECK_EQ(c.gpr[X86_RDI], 0x3000 + 5 * calls);
		}
	} while (st == X86_EMUL_RETRY && calls < 10);
	CHECK_EQ(st, X86_EMUL_DONE);
	CHECK_EQ(calls, 3);
	CHECK_EQ(c.gpr[X86_RCX], 0);
	CHECK_EQ(c.rip, 0x1002);
	for (unsigned int i = 0; i < 12; i++)
		CHECK_EQ(peek(0x3000 + i, 1), 0x77);
	CHECK_EQ(peek(0x300C, 1), 0);

	/* the default budget */
	setup(&c, X86_MODE_64);
	map_page(0x3000);
	map_page(0x4000);
	c.gpr[X86_RCX] = X86_EMUL_REP_BUDGET + 3;
	c.gpr[X86_RDI] = 0x3000;
	CHECK_RUN(&c, "f3 aa", X86_EMUL_RETRY);
	CHECK_EQ(c.gpr[X86_RCX], 3);
	CHECK_RUN(&c, "f3 aa", X86_EMUL_DONE);
}

/* ------------------------------------------------------------ faults */

static void test_faults(void)
{
	struct x86_emul_ctxt c;

	/* #PF: reported with CR2 and the error code; nothing changes */
	setup(&c, X86_MODE_64);
	map_page(0x2000);
	c.gpr[X86_RAX] = 0x9000;
	c.gpr[X86_RCX] = 0x1234;
	CHECK_RUN(&c, "8b 08", X86_EMUL_FAULT);
	CHECK_EQ(c.fault.vector, X86_TRAP_PF);
	CHECK_EQ(c.fault.cr2, 0x9000);
	CHECK_EQ(c.fault.error, 0);
	CHECK_EQ(c.gpr[X86_RCX], 0x1234);
	CHECK_EQ(c.rip, 0x1000);
	c.cpl = 3;
	CHECK_RUN(&c, "89 08", X86_EMUL_FAULT);
	CHECK_EQ(c.fault.error, 6);
	c.cpl = 0;
	/* a write straddling into an absent page writes nothing */
	c.gpr[X86_RAX] = 0x2FFE;
	CHECK_RUN(&c, "89 08", X86_EMUL_FAULT);
	CHECK_EQ(c.fault.cr2, 0x3000);
	CHECK_EQ(peek(0x2FFE, 2), 0);
	/* a flags-writing RMW that faults leaves the flags */
	c.rflags = 0x2 | X86_RFLAGS_ZF;
	c.gpr[X86_RAX] = 0x9000;
	CHECK_RUN(&c, "83 00 01", X86_EMUL_FAULT);
	CHECK_EQ(c.rflags, 0x2 | X86_RFLAGS_ZF);

	/* REP MOVS into an absent page: completed iterations stay */
	setup(&c, X86_MODE_64);
	map_page(0x2000);
	c.gpr[X86_RSI] = 0x2000;
	c.gpr[X86_RDI] = 0x2FF0;
	c.gpr[X86_RCX] = 8;
	CHECK_RUN(&c, "f3 48 a5", X86_EMUL_FAULT);		/* rep movsq */
	CHECK_EQ(c.fault.vector, X86_TRAP_PF);
	CHECK_EQ(c.fault.cr2, 0x3000);
	CHECK_EQ(c.fault.error, 2);
	CHECK_EQ(c.gpr[X86_RCX], 6);
	CHECK_EQ(c.gpr[X86_RSI], 0x2010);
	CHECK_EQ(c.gpr[X86_RDI], 0x3000);
	CHECK_EQ(c.rip, 0x1000);

	/* non-canonical: #GP, or #SS through RSP/RBP */
	setup(&c, X86_MODE_64);
	c.gpr[X86_RAX] = 0x0000800000000000ULL;
	CHECK_RUN(&c, "8b 08", X86_EMUL_FAULT);
	CHECK_EQ(c.fault.vector, X86_TRAP_GP);
	CHECK(c.fault.has_error);
	CHECK_EQ(c.fault.error, 0);
	c.gpr[X86_RBP] = 0x0000800000000000ULL;
	CHECK_RUN(&c, "8b 4d 00", X86_EMUL_FAULT);
	CHECK_EQ(c.fault.vector, X86_TRAP_SS);
	c.gpr[X86_RAX] = 0x00007FFFFFFFFFFEULL;			/* the last byte is not canonical */
	CHECK_RUN(&c, "8b 08", X86_EMUL_FAULT);
	CHECK_EQ(c.fault.vector, X86_TRAP_GP);
	c.va_bits = 57;
	CHECK_RUN(&c, "8b 08", X86_EMUL_FAULT);
	CHECK_EQ(c.fault.vector, X86_TRAP_PF);			/* canonical with LA57 */
	/* FS/GS bases apply in 64-bit code, DS's does not */
	setup(&c, X86_MODE_64);
	map_page(0x5000);
	c.seg[X86_SEG_DS].base = 0x100000;
	c.seg[X86_SEG_GS].base = 0x5000;
	c.gpr[X86_RAX] = 0x10;
	CHECK_RUN(&c, "65 89 00", X86_EMUL_DONE);
	CHECK_EQ(F.log[0].la, 0x5010);
	c.gpr[X86_RAX] = 0x5020;
	CHECK_RUN(&c, "89 00", X86_EMUL_DONE);
	CHECK_EQ(F.log[1].la, 0x5020);

	/* 32-bit protected mode: limits, expand-down, types, unusable */
	setup(&c, X86_MODE_32);
	map_page(0x0000);
	map_page(0x11000);
	c.seg[X86_SEG_DS].limit = 0xFFF;
	c.gpr[X86_RAX] = 0xFFC;
	CHECK_RUN(&c, "8b 08", X86_EMUL_DONE);
	c.gpr[X86_RAX] = 0xFFD;
	CHECK_RUN(&c, "8b 08", X86_EMUL_FAULT);
	CHECK_EQ(c.fault.vector, X86_TRAP_GP);
	CHECK(c.fault.has_error);
	c.seg[X86_SEG_SS].limit = 0xFFF;
	c.gpr[X86_RSP] = 0x1000;
	CHECK_RUN(&c, "8b 04 24", X86_EMUL_FAULT);		/* mov eax, [esp] */
	CHECK_EQ(c.fault.vector, X86_TRAP_SS);
	CHECK_RUN(&c, "3e 8b 04 24", X86_EMUL_FAULT);		/* ds: [esp] */
	CHECK_EQ(c.fault.vector, X86_TRAP_GP);
	c.seg[X86_SEG_ES].base = 0x10000;
	c.seg[X86_SEG_ES].limit = 0x0FFF;
	c.seg[X86_SEG_ES].ar |= X86_AR_TYPE_DOWN;		/* valid: 0x1000..0xFFFFFFFF */
	c.gpr[X86_RAX] = 0x800;
	CHECK_RUN(&c, "26 8b 08", X86_EMUL_FAULT);
	c.gpr[X86_RAX] = 0x1000;
	CHECK_RUN(&c, "26 8b 08", X86_EMUL_DONE);
	CHECK_EQ(F.log[F.nlog - 1].la, 0x11000);
	c.seg[X86_SEG_ES].ar &= ~X86_AR_DB;			/* 16-bit expand-down: up to 0xFFFF */
	c.gpr[X86_RAX] = 0xFFFE;
	CHECK_RUN(&c, "26 8b 08", X86_EMUL_FAULT);
	c.seg[X86_SEG_FS].ar &= ~X86_AR_TYPE_WRITABLE;		/* read-only data */
	c.gpr[X86_RAX] = 0x100;
	CHECK_RUN(&c, "64 8b 08", X86_EMUL_DONE);
	CHECK_RUN(&c, "64 89 08", X86_EMUL_FAULT);
	CHECK_RUN(&c, "64 83 00 01", X86_EMUL_FAULT);		/* RMW is checked as a write */
	c.seg[X86_SEG_GS].ar = X86_AR_UNUSABLE;			/* a null selector */
	CHECK_RUN(&c, "65 8b 08", X86_EMUL_FAULT);
	CHECK_EQ(c.fault.vector, X86_TRAP_GP);
	c.seg[X86_SEG_CS].limit = 0xFFFFFFFF;
	CHECK_RUN(&c, "2e 8b 08", X86_EMUL_DONE);		/* readable code */
	CHECK_RUN(&c, "2e 89 08", X86_EMUL_FAULT);		/* never writable */
	c.seg[X86_SEG_CS].ar &= ~X86_AR_TYPE_WRITABLE;
	CHECK_RUN(&c, "2e 8b 08", X86_EMUL_FAULT);		/* execute-only */
	/* the linear address wraps at 4 GiB */
	c.seg[X86_SEG_DS].limit = 0xFFFFFFFF;
	c.seg[X86_SEG_DS].base = 0xFFFFF000;
	c.gpr[X86_RAX] = 0x1010;
	CHECK_RUN(&c, "89 08", X86_EMUL_DONE);
	CHECK_EQ(F.log[F.nlog - 1].la, 0x10);
	/* the string destination is always ES, overrides or not */
	c.seg[X86_SEG_ES].ar = X86_AR_UNUSABLE;
	CHECK_RUN(&c, "3e aa", X86_EMUL_FAULT);

	/* real mode: limit faults have no error code */
	setup(&c, X86_MODE_16);
	c.real_mode = true;
	map_page(0x0000);
	c.gpr[X86_RBX] = 0xFFFF;
	CHECK_RUN(&c, "8b 07", X86_EMUL_FAULT);			/* a word at 0xFFFF */
	CHECK_EQ(c.fault.vector, X86_TRAP_GP);
	CHECK(!c.fault.has_error);
	c.seg[X86_SEG_DS].ar = X86_AR_UNUSABLE;			/* no type checks in real mode */
	c.gpr[X86_RBX] = 0x10;
	CHECK_RUN(&c, "8b 07", X86_EMUL_DONE);

	/* decoder verdicts */
	setup(&c, X86_MODE_64);
	CHECK_RUN(&c, "f0 01 c0", X86_EMUL_FAULT);
	CHECK_EQ(c.fault.vector, X86_TRAP_UD);
	CHECK(!c.fault.has_error);
	CHECK_RUN(&c, "66 66 66 66 66 66 66 66 66 66 66 66 66 66 89 00", X86_EMUL_FAULT);
	CHECK_EQ(c.fault.vector, X86_TRAP_GP);
	CHECK_RUN(&c, "0f a2", X86_EMUL_UNHANDLED);		/* CPUID: not ours */
	CHECK_RUN(&c, "8b", X86_EMUL_UNHANDLED);		/* truncated */
	CHECK_EQ(c.rip, 0x1000);
	{
		struct x86_insn in;
		u8 b[] = { 0x89, 0x08 };

		CHECK_EQ(x86_decode(b, 2, X86_MODE_32, &in), X86_DECODE_OK);
		CHECK_EQ(x86_emulate(&c, &in), X86_EMUL_UNHANDLED);	/* another mode */
	}
}

/* LOCK: compare-exchange loop against a competing vCPU; no callback, no emulation. */
static void test_lock(void)
{
	struct x86_emul_ctxt c;
	struct x86_emul_ops no_cmpxchg = fake_ops;

	setup(&c, X86_MODE_64);
	map_page(0x2000);
	c.gpr[X86_RAX] = 0x2000;
	c.gpr[X86_RCX] = 10;
	poke(0x2000, 100, 4);
	F.interfere = 3;
	CHECK_RUN(&c, "f0 01 08", X86_EMUL_DONE);		/* lock add [rax], ecx */
	CHECK_EQ(peek(0x2000, 4), 113);
	CHECK_EQ(F.cmpxchgs, 4);
	CHECK_EQ(c.rflags & X86_RFLAGS_ARITH, X86_RFLAGS_PF | X86_RFLAGS_AF);	/* 103 + 10 */

	F.interfere = 1000;
	F.cmpxchgs = 0;
	CHECK_RUN(&c, "f0 ff 00", X86_EMUL_RETRY);		/* lock inc: always loses */
	CHECK_EQ(c.rip, 0x1003);
	CHECK(F.cmpxchgs > 1);
	F.interfere = 0;

	poke(0x2000, 7, 8);
	c.gpr[X86_RCX] = 9;
	F.interfere = 1;
	CHECK_RUN(&c, "48 87 08", X86_EMUL_DONE);		/* xchg [rax], rcx */
	CHECK_EQ(c.gpr[X86_RCX], 8);				/* the value it swapped with */
	CHECK_EQ(peek(0x2000, 8), 9);

	c.ops = &no_cmpxchg;
	no_cmpxchg.cmpxchg_mem = NULL;
	CHECK_RUN(&c, "f0 01 08", X86_EMUL_UNHANDLED);
	CHECK_RUN(&c, "87 08", X86_EMUL_UNHANDLED);
	CHECK_RUN(&c, "01 08", X86_EMUL_DONE);			/* no LOCK: read, then write */
	CHECK_EQ(F.log[F.nlog - 2].write, false);
	CHECK_EQ(F.log[F.nlog - 1].write, true);
}

/* IN and OUT: the port, the size, and the register bits kept or cleared. */
static void test_io(void)
{
	struct x86_emul_ctxt c;

	setup(&c, X86_MODE_64);
	c.gpr[X86_RAX] = 0x1122334455667788ULL;
	F.port_in_next = 0xA5;
	CHECK_RUN(&c, "e4 60", X86_EMUL_DONE);			/* in al, 0x60 */
	CHECK_EQ(F.port[0], 0x60);
	CHECK_EQ(c.gpr[X86_RAX], 0x11223344556677A5ULL);
	F.port_in_next = 0x12345678;
	c.gpr[X86_RDX] = 0xFFFF0CF8;
	CHECK_RUN(&c, "66 ed", X86_EMUL_DONE);			/* in ax, dx */
	CHECK_EQ(F.port[1], 0x0CF8);
	CHECK_EQ(c.gpr[X86_RAX], 0x1122334455665678ULL);
	CHECK_RUN(&c, "ed", X86_EMUL_DONE);			/* in eax, dx: zero-extends */
	CHECK_EQ(c.gpr[X86_RAX], 0x12345679);
	c.gpr[X86_RAX] = 0xCAFEBABE;
	CHECK_RUN(&c, "e6 80", X86_EMUL_DONE);			/* out 0x80, al */
	CHECK_EQ(F.port[3], 0x80);
	CHECK_EQ(F.port_val[3], 0xBE);
	CHECK_RUN(&c, "48 ef", X86_EMUL_DONE);			/* out dx, eax (REX.W ignored) */
	CHECK_EQ(F.port_val[4], 0xCAFEBABE);
	CHECK_EQ(c.rip, 0x1000 + 2 + 2 + 1 + 2 + 2);
}

int main(int argc, char **argv)
{
	test_init(argc, argv, 0);
	test_alu_native();
	test_alu_insns();
	test_bt();
	test_mov();
	test_strings();
	test_cmps_scas();
	test_rep_budget();
	test_faults();
	test_lock();
	test_io();
	return test_finish();
}
