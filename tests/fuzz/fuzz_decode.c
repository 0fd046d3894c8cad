// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for vmx/emul/: decode the input, then emulate it
 * against a fake guest, and check the invariants.
 *
 * Input: byte 0 picks the mode (and real mode), byte 1 the direction flag,
 * CPL and LOCK support, bytes 2..9 a seed for the registers; the rest are
 * instruction bytes.  Seeds: tests/fuzz/corpus/decode/.
 *
 * Invariants:
 *  - OK/UNSUPPORTED: 1 <= length <= 15 and <= the bytes given; the same
 *    answer with exactly that many bytes; TRUNCATED only with fewer than
 *    15 bytes;
 *  - every memory callback gets a size of 1, 2, 4 or 8, and the fake
 *    memory is only touched inside its buffer (else the access is a #PF);
 *  - registers that are not operands of the instruction are unchanged;
 *    RIP moves by the length exactly when the status is DONE; RFLAGS
 *    changes only in its status flags and RF; a FAULT names #GP, #SS, #PF
 *    or #UD.
 */
#include "vmx/emul/emulate.h"
#include "arch/x86/cpu.h"
#include "arch/x86/traps.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MEM_BASE	0x10000ULL
#define MEM_SIZE	0x10000ULL

static u8 mem[MEM_SIZE];

static void check(bool ok)
{
	if (!ok)
		abort();
}

static bool valid_size(unsigned int size)
{
	return size == 1 || size == 2 || size == 4 || size == 8;
}

/* The fake page walk: the window [MEM_BASE, MEM_BASE + MEM_SIZE) is present. */
static u8 *window(struct x86_emul_ctxt *c, u64 la, unsigned int size, bool write,
		  enum x86_emul_status *st)
{
	check(valid_size(size));
	if (la < MEM_BASE || la - MEM_BASE > MEM_SIZE - size) {
		*st = x86_emul_page_fault(c, la, write ? 2 : 0);
		return NULL;
	}
	*st = X86_EMUL_DONE;
	return &mem[la - MEM_BASE];
}

static enum x86_emul_status f_read(struct x86_emul_ctxt *c, u64 la, u64 *val, unsigned int size)
{
	enum x86_emul_status st;
	u8 *p = window(c, la, size, false, &st);

	if (p) {
		*val = 0;
		memcpy(val, p, size);
	}
	return st;
}

static enum x86_emul_status f_write(struct x86_emul_ctxt *c, u64 la, u64 val, unsigned int size)
{
	enum x86_emul_status st;
	u8 *p = window(c, la, size, true, &st);

	check(val >> 1 >> (8 * size - 1) == 0);	/* no bits above @size */
	if (p)
		memcpy(p, &val, size);
	return st;
}

static enum x86_emul_status f_cmpxchg(struct x86_emul_ctxt *c, u64 la, u64 *old, u64 new,
				      unsigned int size, bool *swapped)
{
	enum x86_emul_status st;
	u8 *p = window(c, la, size, true, &st);
	u64 cur = 0;

	if (!p)
		return st;
	memcpy(&cur, p, size);
	*swapped = cur == *old;
	if (*swapped)
		memcpy(p, &new, size);
	else
		*old = cur;
	return st;
}

static enum x86_emul_status f_in(struct x86_emul_ctxt *c, u16 port, unsigned int size, u32 *val)
{
	(void)c;
	(void)port;
	check(size == 1 || size == 2 || size == 4);
	*val = 0xA5A5A5A5u & (u32)(size == 4 ? ~0u : (1u << (8 * size)) - 1);
	return X86_EMUL_DONE;
}

static enum x86_emul_status f_out(struct x86_emul_ctxt *c, u16 port, unsigned int size, u32 val)
{
	(void)c;
	(void)port;
	(void)val;
	check(size == 1 || size == 2 || size == 4);
	return X86_EMUL_DONE;
}

static const struct x86_emul_ops ops = {
	.read_mem = f_read, .write_mem = f_write, .cmpxchg_mem = f_cmpxchg,
	.pio_in = f_in, .pio_out = f_out,
};
static const struct x86_emul_ops ops_nolock = {
	.read_mem = f_read, .write_mem = f_write, .pio_in = f_in, .pio_out = f_out,
};

/* Registers the instruction may write: its register operands and implicit ones. */
static u16 writable_regs(const struct x86_insn *in)
{
	u16 m = 0;

	for (unsigned int i = 0; i < in->nopnd; i++)
		if (in->opnd[i].kind == X86_OPND_REG)
			m |= 1u << (in->opnd[i].high8 ? in->opnd[i].reg - 4 : in->opnd[i].reg);
	switch (in->op) {
	case X86_OP_MOVS: case X86_OP_CMPS: case X86_OP_LODS: case X86_OP_OUTS:
		m |= 1u << X86_RSI;
		if (in->op == X86_OP_LODS)
			m |= 1u << X86_RAX;
		if (in->op == X86_OP_LODS || in->op == X86_OP_OUTS)
			break;
		/* fall through */
	case X86_OP_STOS: case X86_OP_SCAS: case X86_OP_INS:
		m |= 1u << X86_RDI;
		break;
	case X86_OP_IN:
		m |= 1u << X86_RAX;
		break;
	}
	if (in->op >= X86_OP_MOVS && in->op <= X86_OP_OUTS)
		m |= 1u << X86_RCX;
	return m;
}

static void run_one(const u8 *data, size_t size)
{
	static const enum x86_cpu_mode modes[4] = { X86_MODE_16, X86_MODE_32, X86_MODE_64,
						    X86_MODE_64 };
	enum x86_cpu_mode mode = modes[data[0] & 3];
	const u8 *code = data + 10;
	size_t n = size - 10;
	struct x86_emul_ctxt c, before;
	struct x86_insn in, again;
	enum x86_decode_status ds;
	enum x86_emul_status es;
	u64 seed, rip_mask;
	u16 may;

	ds = x86_decode(code, n, mode, &in);
	if (ds == X86_DECODE_TRUNCATED)
		check(n < X86_MAX_INSN_LEN);
	if (ds == X86_DECODE_OK || ds == X86_DECODE_UNSUPPORTED) {
		check(in.len >= 1 && in.len <= X86_MAX_INSN_LEN && in.len <= n);
		check(x86_decode(code, in.len, mode, &again) == ds && again.len == in.len);
	}
	if (ds != X86_DECODE_OK)
		return;

	memset(&c, 0, sizeof(c));
	c.ops = data[1] & 0x10 ? &ops_nolock : &ops;
	c.mode = mode;
	c.real_mode = mode == X86_MODE_16 && (data[0] & 4);
	c.cpl = (data[1] >> 2) & 3;
	c.rflags = 0x2 | (data[1] & 1 ? X86_RFLAGS_DF : 0) | (data[1] & 0x20 ? X86_RFLAGS_CF : 0);
	c.rep_budget = 1 + (data[1] >> 6);
	c.rip = 0x1000;
	for (unsigned int s = 0; s < X86_SEG_COUNT; s++) {
		c.seg[s].limit = mode == X86_MODE_16 ? 0xFFFF : 0xFFFFFFFF;
		c.seg[s].ar = X86_AR_P | X86_AR_S | X86_AR_TYPE_WRITABLE |
			      ((data[0] & (8 << (s % 4))) ? X86_AR_TYPE_DOWN : 0);
	}
	/* registers: half point into the window, half are the seed's */
	memcpy(&seed, data + 2, sizeof(seed));
	for (unsigned int r = 0; r < 16; r++) {
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		c.gpr[r] = (seed >> 63) ? MEM_BASE + ((seed >> 20) & (MEM_SIZE - 1)) : seed;
	}
	if (mode == X86_MODE_16)
		for (unsigned int s = 0; s < X86_SEG_COUNT; s++)
			c.seg[s].base = MEM_BASE;
	before = c;

	es = x86_emulate(&c, &in);

	may = writable_regs(&in);
	for (unsigned int r = 0; r < 16; r++)
		if (!(may & (1u << r)))
			check(c.gpr[r] == before.gpr[r]);
	rip_mask = mode == X86_MODE_64 ? ~0ULL : mode == X86_MODE_32 ? 0xFFFFFFFFULL : 0xFFFF;
	if (es == X86_EMUL_DONE)
		check(c.rip == ((before.rip + in.len) & rip_mask));
	else
		check(c.rip == before.rip);
	check(((c.rflags ^ before.rflags) & ~(X86_RFLAGS_ARITH | X86_RFLAGS_RF)) == 0);
	if (es == X86_EMUL_FAULT)
		check(c.fault.vector == X86_TRAP_GP || c.fault.vector == X86_TRAP_SS ||
		      c.fault.vector == X86_TRAP_PF || c.fault.vector == X86_TRAP_UD);
	check(memcmp(c.seg, before.seg, sizeof(c.seg)) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 11)
		return 0;
	run_one(data, size);
	return 0;
}
