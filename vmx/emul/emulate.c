// SPDX-License-Identifier: MIT
/*
 * x86 instruction emulator (see emulate.h).  Order of work for one
 * instruction: effective address (once, before any register changes),
 * linear address with the segment checks, the reads, the computation into
 * temporaries, the one write (or locked compare-exchange), and only then
 * registers, flags and RIP: a fault at any step leaves the guest state as
 * it was (for REP: as it was after the last completed iteration).
 */
#include "vmx/emul/emulate.h"
#include "vmx/emul/alu.h"
#include "lib/x86_regs.h"
#include "lib/x86_traps.h"
#include "lib/string.h"

/* Compare-exchange rounds lost to other vCPUs before the guest retries the instruction. */
#define CMPXCHG_TRIES	16

static u64 mask_of(unsigned int size)
{
	return size >= 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
}

static s64 sext(u64 v, unsigned int size)
{
	unsigned int shift = 64 - 8 * size;

	return size >= 8 ? (s64)v : (s64)(v << shift) >> shift;
}

static enum x86_emul_status fault(struct x86_emul_ctxt *c, unsigned int vector, u32 error)
{
	c->fault.vector = vector;
	c->fault.has_error = !c->real_mode;
	c->fault.error = error;
	c->fault.cr2 = 0;
	return X86_EMUL_FAULT;
}

enum x86_emul_status x86_emul_page_fault(struct x86_emul_ctxt *c, u64 la, u32 error)
{
	c->fault.vector = X86_TRAP_PF;
	c->fault.has_error = true;
	c->fault.error = error;
	c->fault.cr2 = la;
	return X86_EMUL_FAULT;
}

/* ------------------------------------------------------------ registers */

/* Register @reg read at @size; @high8: AH, CH, DH or BH (@reg 4..7). */
static u64 reg_read(const struct x86_emul_ctxt *c, unsigned int reg, unsigned int size,
		    bool high8)
{
	if (high8)
		return (c->gpr[reg - 4] >> 8) & 0xFF;
	return c->gpr[reg] & mask_of(size);
}

/*
 * Write @size bytes of @val to register @reg: 8- and 16-bit writes keep
 * the other bits, 32-bit writes clear bits 63:32 (in 64-bit code; outside
 * it they are not visible).
 */
static void reg_write(struct x86_emul_ctxt *c, unsigned int reg, unsigned int size, bool high8,
		      u64 val)
{
	if (high8) {
		c->gpr[reg - 4] = (c->gpr[reg - 4] & ~0xFF00ULL) | ((val & 0xFF) << 8);
	} else if (size < 4) {
		u64 m = mask_of(size);

		c->gpr[reg] = (c->gpr[reg] & ~m) | (val & m);
	} else {
		c->gpr[reg] = val & mask_of(size);
	}
}

/* ------------------------------------------------------------ addresses */

/* The effective address of @in's memory operand, cut to the address size. */
static u64 effective_address(const struct x86_emul_ctxt *c, const struct x86_insn *in)
{
	const struct x86_mem *m = &in->mem;
	u64 ea = (u64)m->disp;

	if (m->rip_rel) {
		ea += c->rip + in->len;
	} else {
		if (m->base != X86_NO_REG)
			ea += c->gpr[m->base];
		if (m->index != X86_NO_REG)
			ea += c->gpr[m->index] * m->scale;
	}
	return ea & mask_of(in->addrsize);
}

static bool canonical(const struct x86_emul_ctxt *c, u64 la)
{
	unsigned int bits = c->va_bits ? c->va_bits : 48;

	return (u64)((s64)(la << (64 - bits)) >> (64 - bits)) == la;
}

/**
 * linear() - the linear address of @size bytes at @seg:@ea, checked as the CPU does.
 * @write: the access writes (a read-modify-write is checked as a write)
 *
 * 64-bit code: only FS and GS have a base; the first and last byte must be
 * canonical (#SS(0) for SS, else #GP(0)).  Elsewhere: in protected mode an
 * unusable segment, a write to code or read-only data, or a read of
 * execute-only code faults; every mode checks the limit (expand-down: the
 * valid offsets are above it), and the address wraps at 4 GiB.
 */
static enum x86_emul_status linear(struct x86_emul_ctxt *c, unsigned int seg, u64 ea,
				   unsigned int size, bool write, u64 *la)
{
	const struct x86_seg *s = &c->seg[seg];
	unsigned int vec = seg == X86_SEG_SS ? X86_TRAP_SS : X86_TRAP_GP;
	u64 last = ea + size - 1;

	if (c->mode == X86_MODE_64) {
		*la = ea + (seg == X86_SEG_FS || seg == X86_SEG_GS ? s->base : 0);
		if (!canonical(c, *la) || !canonical(c, *la + size - 1))
			return fault(c, vec, 0);
		return X86_EMUL_DONE;
	}
	if (!c->real_mode && !(c->rflags & X86_RFLAGS_VM)) {
		if (s->ar & X86_AR_UNUSABLE)
			return fault(c, vec, 0);
		if (write && (s->ar & (X86_AR_TYPE_CODE | X86_AR_TYPE_WRITABLE)) !=
			     X86_AR_TYPE_WRITABLE)
			return fault(c, vec, 0);
		if (!write && (s->ar & (X86_AR_TYPE_CODE | X86_AR_TYPE_WRITABLE)) ==
			      X86_AR_TYPE_CODE)
			return fault(c, vec, 0);
	}
	if ((s->ar & (X86_AR_S | X86_AR_TYPE_CODE | X86_AR_TYPE_DOWN)) ==
	    (X86_AR_S | X86_AR_TYPE_DOWN)) {
		u64 upper = (s->ar & X86_AR_DB) ? 0xFFFFFFFFULL : 0xFFFF;

		if (ea <= s->limit || last > upper)
			return fault(c, vec, 0);
	} else if (last > s->limit) {
		return fault(c, vec, 0);
	}
	*la = (s->base + ea) & 0xFFFFFFFFULL;
	return X86_EMUL_DONE;
}

static enum x86_emul_status mem_read(struct x86_emul_ctxt *c, unsigned int seg, u64 ea,
				     unsigned int size, u64 *val)
{
	enum x86_emul_status st;
	u64 la;

	st = linear(c, seg, ea, size, false, &la);
	if (st)
		return st;
	*val = 0;
	st = c->ops->read_mem(c, la, val, size);
	*val &= mask_of(size);
	return st;
}

static enum x86_emul_status mem_write(struct x86_emul_ctxt *c, unsigned int seg, u64 ea,
				      unsigned int size, u64 val)
{
	enum x86_emul_status st;
	u64 la;

	st = linear(c, seg, ea, size, true, &la);
	if (st)
		return st;
	return c->ops->write_mem(c, la, val & mask_of(size), size);
}

/* ------------------------------------------------------------ operands */

/* Where an instruction's operands are: the memory operand's address, once. */
struct loc {
	u64 ea;		/* effective address of the memory operand */
};

static enum x86_emul_status opnd_read(struct x86_emul_ctxt *c, const struct x86_insn *in,
				      const struct loc *l, const struct x86_operand *o, u64 *val)
{
	switch (o->kind) {
	case X86_OPND_REG:
		*val = reg_read(c, o->reg, o->size, o->high8);
		return X86_EMUL_DONE;
	case X86_OPND_IMM:
		*val = in->imm;
		return X86_EMUL_DONE;
	case X86_OPND_MEM:
		return mem_read(c, in->mem.seg, l->ea, o->size, val);
	}
	return X86_EMUL_UNHANDLED;
}

static enum x86_emul_status opnd_write(struct x86_emul_ctxt *c, const struct x86_insn *in,
				       const struct loc *l, const struct x86_operand *o, u64 val)
{
	switch (o->kind) {
	case X86_OPND_REG:
		reg_write(c, o->reg, o->size, o->high8, val);
		return X86_EMUL_DONE;
	case X86_OPND_MEM:
		return mem_write(c, in->mem.seg, l->ea, o->size, val);
	}
	return X86_EMUL_UNHANDLED;
}

/* ------------------------------------------------------------ read-modify-write */

/* The new value of a read-modify-write destination, and the flags it leaves. */
static u64 rmw_compute(const struct x86_insn *in, unsigned int size, u64 old, u64 src,
		       u64 *rflags)
{
	switch (in->op) {
	case X86_OP_XCHG:
		return src;
	case X86_OP_BTS:
		return old | (1ULL << src);
	case X86_OP_BTR:
		return old & ~(1ULL << src);
	case X86_OP_BTC:
		return old ^ (1ULL << src);
	default:
		return x86_alu(in->op, size, old, src, rflags);
	}
}

/**
 * rmw() - read-modify-write @size bytes of memory at @seg:@ea.
 * @src:    the source operand (the bit number for BTS/BTR/BTC)
 * @rflags: in: the flags before; out: after (committed by the caller)
 * @old:    out: the value read (XCHG and BT* need it)
 *
 * LOCK and XCHG go through cmpxchg_mem, repeated while another vCPU
 * changes the value between our read and our write; after CMPXCHG_TRIES
 * losses the guest retries the instruction.
 */
static enum x86_emul_status rmw(struct x86_emul_ctxt *c, const struct x86_insn *in,
				unsigned int seg, u64 ea, unsigned int size, u64 src,
				u64 *rflags, u64 *old)
{
	bool locked = in->lock || in->op == X86_OP_XCHG;
	enum x86_emul_status st;
	u64 la, f, new;

	if (locked && !c->ops->cmpxchg_mem)
		return X86_EMUL_UNHANDLED;
	st = linear(c, seg, ea, size, true, &la);
	if (st)
		return st;
	*old = 0;
	st = c->ops->read_mem(c, la, old, size);
	if (st)
		return st;
	*old &= mask_of(size);
	for (unsigned int i = 0; i < CMPXCHG_TRIES; i++) {
		bool swapped = false;

		f = *rflags;
		new = rmw_compute(in, size, *old, src, &f) & mask_of(size);
		if (!locked) {
			st = c->ops->write_mem(c, la, new, size);
		} else {
			st = c->ops->cmpxchg_mem(c, la, old, new, size, &swapped);
			*old &= mask_of(size);
			if (st == X86_EMUL_DONE && !swapped)
				continue;
		}
		if (st == X86_EMUL_DONE)
			*rflags = f;
		return st;
	}
	return X86_EMUL_RETRY;
}

/* ------------------------------------------------------------ instruction groups */

/* ALU ops, TEST, NOT, NEG, INC, DEC, XCHG: destination opnd[0], source opnd[1]. */
static enum x86_emul_status emulate_alu(struct x86_emul_ctxt *c, const struct x86_insn *in,
					const struct loc *l)
{
	const struct x86_operand *d = &in->opnd[0], *s = &in->opnd[1];
	bool writes = in->op != X86_OP_CMP && in->op != X86_OP_TEST;
	u64 dst = 0, src = 0, res, f = c->rflags;
	enum x86_emul_status st;

	if (in->nopnd == 2) {
		st = opnd_read(c, in, l, s, &src);
		if (st)
			return st;
	}
	if (d->kind == X86_OPND_MEM && writes) {
		st = rmw(c, in, in->mem.seg, l->ea, d->size, src, &f, &dst);
		if (st)
			return st;
		if (in->op == X86_OP_XCHG)
			reg_write(c, s->reg, s->size, s->high8, dst);
		c->rflags = f;
		return X86_EMUL_DONE;
	}
	st = opnd_read(c, in, l, d, &dst);
	if (st)
		return st;
	if (in->op == X86_OP_XCHG) {
		/* both registers: write the source first, so xchg r, r (same) is a no-op */
		reg_write(c, s->reg, s->size, s->high8, dst);
		reg_write(c, d->reg, d->size, d->high8, src);
		return X86_EMUL_DONE;
	}
	res = x86_alu(in->op, d->size, dst, src, &f);
	if (writes) {
		st = opnd_write(c, in, l, d, res);
		if (st)
			return st;
	}
	c->rflags = f;
	return X86_EMUL_DONE;
}

/*
 * BT, BTS, BTR, BTC.  CF is the bit; the SDM leaves OF, SF, AF and PF
 * undefined and ZF unchanged: all of them are left as they were.  With a
 * register bit offset and a memory operand the offset is signed and
 * selects an operand-sized unit anywhere around the address.
 */
static enum x86_emul_status emulate_bt(struct x86_emul_ctxt *c, const struct x86_insn *in,
				       struct loc *l)
{
	const struct x86_operand *d = &in->opnd[0];
	unsigned int size = d->size, bits = 8 * size;
	u64 off, val = 0, f = c->rflags;
	enum x86_emul_status st;

	if (in->opnd[1].kind == X86_OPND_IMM) {
		off = in->imm & (bits - 1);
	} else {
		s64 soff = sext(reg_read(c, in->opnd[1].reg, size, false), size);

		off = (u64)soff & (bits - 1);
		if (d->kind == X86_OPND_MEM) {
			/* floor(soff / bits) units of @size bytes */
			s64 unit = soff >= 0 ? soff / bits : -((-(soff + 1)) / bits) - 1;

			l->ea = (l->ea + (u64)unit * size) & mask_of(in->addrsize);
		}
	}
	if (d->kind == X86_OPND_MEM && in->op != X86_OP_BT) {
		st = rmw(c, in, in->mem.seg, l->ea, size, off, &f, &val);
		if (st)
			return st;
	} else {
		st = opnd_read(c, in, l, d, &val);
		if (st)
			return st;
		if (in->op != X86_OP_BT)
			reg_write(c, d->reg, size, false, rmw_compute(in, size, val, off, &f));
	}
	c->rflags = (c->rflags & ~X86_RFLAGS_CF) | ((val >> off) & 1 ? X86_RFLAGS_CF : 0);
	return X86_EMUL_DONE;
}

static enum x86_emul_status emulate_mov(struct x86_emul_ctxt *c, const struct x86_insn *in,
					const struct loc *l)
{
	const struct x86_operand *d = &in->opnd[0], *s = &in->opnd[1];
	enum x86_emul_status st;
	u64 v = 0;

	st = opnd_read(c, in, l, s, &v);
	if (st)
		return st;
	if (in->op == X86_OP_MOVSX || in->op == X86_OP_MOVSXD)
		v = (u64)sext(v, s->size);
	return opnd_write(c, in, l, d, v & mask_of(d->size));
}

static u16 port_of(const struct x86_emul_ctxt *c, const struct x86_insn *in,
		   const struct x86_operand *o)
{
	return o->kind == X86_OPND_IMM ? (u16)in->imm : (u16)c->gpr[X86_RDX];
}

static enum x86_emul_status emulate_io(struct x86_emul_ctxt *c, const struct x86_insn *in)
{
	enum x86_emul_status st;
	u32 v = 0;

	if (in->op == X86_OP_IN) {
		if (!c->ops->pio_in)
			return X86_EMUL_UNHANDLED;
		st = c->ops->pio_in(c, port_of(c, in, &in->opnd[1]), in->opsize, &v);
		if (st)
			return st;
		reg_write(c, X86_RAX, in->opsize, false, v);
		return X86_EMUL_DONE;
	}
	if (!c->ops->pio_out)
		return X86_EMUL_UNHANDLED;
	v = (u32)reg_read(c, X86_RAX, in->opsize, false);
	return c->ops->pio_out(c, port_of(c, in, &in->opnd[0]), in->opsize, v);
}

/* One iteration of a string instruction; rSI/rDI/rCX are updated by the caller. */
static enum x86_emul_status string_step(struct x86_emul_ctxt *c, const struct x86_insn *in,
					u64 si, u64 di)
{
	unsigned int size = in->opsize;
	enum x86_emul_status st;
	u64 a = 0, b = 0, la;
	u32 v = 0;

	switch (in->op) {
	case X86_OP_MOVS:
		st = mem_read(c, in->mem.seg, si, size, &a);
		if (st)
			return st;
		return mem_write(c, X86_SEG_ES, di, size, a);
	case X86_OP_STOS:
		return mem_write(c, X86_SEG_ES, di, size, c->gpr[X86_RAX]);
	case X86_OP_LODS:
		st = mem_read(c, in->mem.seg, si, size, &a);
		if (!st)
			reg_write(c, X86_RAX, size, false, a);
		return st;
	case X86_OP_CMPS:
	case X86_OP_SCAS:
		if (in->op == X86_OP_CMPS)
			st = mem_read(c, in->mem.seg, si, size, &a);
		else
			a = c->gpr[X86_RAX], st = X86_EMUL_DONE;
		if (!st)
			st = mem_read(c, X86_SEG_ES, di, size, &b);
		if (!st)
			x86_alu(X86_OP_CMP, size, a, b, &c->rflags);
		return st;
	case X86_OP_INS:
		/*
		 * Check the destination's segment before the port read, so
		 * that a #GP does not lose the device's data; a #PF on the
		 * write still does (as it would on hardware that faults late).
		 */
		st = linear(c, X86_SEG_ES, di, size, true, &la);
		if (st)
			return st;
		st = c->ops->pio_in(c, (u16)c->gpr[X86_RDX], size, &v);
		if (st)
			return st;
		return c->ops->write_mem(c, la, v & mask_of(size), size);
	case X86_OP_OUTS:
		st = mem_read(c, in->mem.seg, si, size, &a);
		if (st)
			return st;
		return c->ops->pio_out(c, (u16)c->gpr[X86_RDX], size, (u32)a);
	}
	return X86_EMUL_UNHANDLED;
}

/**
 * emulate_string() - MOVS, CMPS, STOS, LODS, SCAS, INS, OUTS, with or without REP.
 *
 * rSI, rDI and rCX are used and updated at the address size; each
 * iteration is committed before the next, so a fault or the end of
 * the budget leaves a state the guest can resume from.  Returns DONE when
 * the instruction is complete.
 */
static enum x86_emul_status emulate_string(struct x86_emul_ctxt *c, const struct x86_insn *in)
{
	unsigned int as = in->addrsize;
	unsigned int budget = c->rep_budget ? c->rep_budget : X86_EMUL_REP_BUDGET;
	bool rep = in->rep != X86_REP_NONE, uses_si, uses_di;
	u64 am = mask_of(as), count = c->gpr[X86_RCX] & am;
	u64 delta = (c->rflags & X86_RFLAGS_DF) ? -(u64)in->opsize : in->opsize;

	if ((in->op == X86_OP_INS && !c->ops->pio_in) ||
	    (in->op == X86_OP_OUTS && !c->ops->pio_out))
		return X86_EMUL_UNHANDLED;
	uses_si = in->op == X86_OP_MOVS || in->op == X86_OP_CMPS || in->op == X86_OP_LODS ||
		  in->op == X86_OP_OUTS;
	uses_di = in->op != X86_OP_LODS && in->op != X86_OP_OUTS;

	for (unsigned int n = 0; !rep || count; n++) {
		u64 si = c->gpr[X86_RSI] & am, di = c->gpr[X86_RDI] & am;
		enum x86_emul_status st;

		if (rep && n == budget)
			return X86_EMUL_RETRY;
		st = string_step(c, in, si, di);
		if (st)
			return st;
		if (uses_si)
			reg_write(c, X86_RSI, as, false, si + delta);
		if (uses_di)
			reg_write(c, X86_RDI, as, false, di + delta);
		if (!rep)
			break;
		reg_write(c, X86_RCX, as, false, --count);
		/* REPE/REPNE end CMPS and SCAS on the first (in)equality */
		if (in->op == X86_OP_CMPS || in->op == X86_OP_SCAS) {
			bool zf = c->rflags & X86_RFLAGS_ZF;

			if ((in->rep == X86_REP_E) != zf)
				break;
		}
	}
	return X86_EMUL_DONE;
}

/* ------------------------------------------------------------ entry points */

enum x86_emul_status x86_emulate(struct x86_emul_ctxt *c, const struct x86_insn *in)
{
	enum x86_emul_status st;
	struct loc l = { 0 };
	u64 rip_mask;

	if (in->op == X86_OP_NONE || in->op >= X86_OP_COUNT || in->mode != c->mode ||
	    !c->ops || !c->ops->read_mem || !c->ops->write_mem)
		return X86_EMUL_UNHANDLED;
	if (in->has_mem)
		l.ea = effective_address(c, in);

	switch (in->op) {
	case X86_OP_MOV:
	case X86_OP_MOVZX:
	case X86_OP_MOVSX:
	case X86_OP_MOVSXD:
		st = emulate_mov(c, in, &l);
		break;
	case X86_OP_ADD ... X86_OP_DEC:
	case X86_OP_XCHG:
		st = emulate_alu(c, in, &l);
		break;
	case X86_OP_BT ... X86_OP_BTC:
		st = emulate_bt(c, in, &l);
		break;
	case X86_OP_MOVS ... X86_OP_OUTS:
		st = emulate_string(c, in);
		break;
	case X86_OP_IN:
	case X86_OP_OUT:
		st = emulate_io(c, in);
		break;
	default:
		return X86_EMUL_UNHANDLED;
	}
	if (st != X86_EMUL_DONE)
		return st;
	rip_mask = c->mode == X86_MODE_64 ? ~0ULL : c->mode == X86_MODE_32 ? 0xFFFFFFFFULL : 0xFFFF;
	c->rip = (c->rip + in->len) & rip_mask;
	c->rflags &= ~X86_RFLAGS_RF;
	return X86_EMUL_DONE;
}

enum x86_emul_status x86_emulate_bytes(struct x86_emul_ctxt *c, const u8 *bytes, size_t avail,
				       struct x86_insn *insn)
{
	switch (x86_decode(bytes, avail, c->mode, insn)) {
	case X86_DECODE_OK:
		return x86_emulate(c, insn);
	case X86_DECODE_INVALID:
		if (insn->too_long)
			return fault(c, X86_TRAP_GP, 0);
		fault(c, X86_TRAP_UD, 0);
		c->fault.has_error = false;	/* #UD has no error code */
		return X86_EMUL_FAULT;
	default:
		return X86_EMUL_UNHANDLED;
	}
}
