// SPDX-License-Identifier: MIT
/*
 * ALU results and flags (see alu.h).  Carry and overflow come from the
 * sign bits of the operands and the result, so one formula serves every
 * operand size: for a + b + c, the carry out of bit n-1 is
 * majority(a, b, carry-in) with carry-in = a ^ b ^ r at that bit.
 */
#include "vmx/emul/alu.h"
#include "vmx/emul/decode.h"
#include "lib/x86_regs.h"

static u64 mask_of(unsigned int size)
{
	return size >= 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
}

u64 x86_flags_pzs(u64 r, unsigned int size)
{
	u64 f = 0;
	u8 lo = (u8)r;

	r &= mask_of(size);
	if (!r)
		f |= X86_RFLAGS_ZF;
	if (r >> (8 * size - 1))
		f |= X86_RFLAGS_SF;
	/* PF: even number of set bits in the low byte */
	lo ^= lo >> 4;
	lo ^= lo >> 2;
	lo ^= lo >> 1;
	if (!(lo & 1))
		f |= X86_RFLAGS_PF;
	return f;
}

/* Flags of r = a + b (+ carry): CF, OF, AF; PF, ZF, SF. */
static u64 add_flags(u64 a, u64 b, u64 r, unsigned int size)
{
	u64 sign = 1ULL << (8 * size - 1), f = x86_flags_pzs(r, size);

	if (((a & b) | ((a | b) & ~r)) & sign)
		f |= X86_RFLAGS_CF;
	if (~(a ^ b) & (a ^ r) & sign)
		f |= X86_RFLAGS_OF;
	if ((a ^ b ^ r) & 0x10)
		f |= X86_RFLAGS_AF;
	return f;
}

/* Flags of r = a - b (- borrow). */
static u64 sub_flags(u64 a, u64 b, u64 r, unsigned int size)
{
	u64 sign = 1ULL << (8 * size - 1), f = x86_flags_pzs(r, size);

	if (((~a & b) | (~(a ^ b) & r)) & sign)
		f |= X86_RFLAGS_CF;
	if ((a ^ b) & (a ^ r) & sign)
		f |= X86_RFLAGS_OF;
	if ((a ^ b ^ r) & 0x10)
		f |= X86_RFLAGS_AF;
	return f;
}

u64 x86_alu(unsigned int op, unsigned int size, u64 dst, u64 src, u64 *rflags)
{
	u64 m = mask_of(size), cf = (*rflags & X86_RFLAGS_CF) ? 1 : 0;
	u64 keep = *rflags & ~X86_RFLAGS_ARITH;
	u64 r, f;

	dst &= m;
	src &= m;
	switch (op) {
	case X86_OP_ADD:
		r = dst + src;
		f = add_flags(dst, src, r, size);
		break;
	case X86_OP_ADC:
		r = dst + src + cf;
		f = add_flags(dst, src, r, size);
		break;
	case X86_OP_SUB:
	case X86_OP_CMP:
		r = dst - src;
		f = sub_flags(dst, src, r, size);
		break;
	case X86_OP_SBB:
		r = dst - src - cf;
		f = sub_flags(dst, src, r, size);
		break;
	case X86_OP_AND:
	case X86_OP_TEST:
		r = dst & src;
		f = x86_flags_pzs(r, size);
		break;
	case X86_OP_OR:
		r = dst | src;
		f = x86_flags_pzs(r, size);
		break;
	case X86_OP_XOR:
		r = dst ^ src;
		f = x86_flags_pzs(r, size);
		break;
	case X86_OP_NOT:
		return ~dst & m;
	case X86_OP_NEG:
		r = 0 - dst;
		f = sub_flags(0, dst, r, size);
		break;
	case X86_OP_INC:
		r = dst + 1;
		f = (add_flags(dst, 1, r, size) & ~X86_RFLAGS_CF) | (*rflags & X86_RFLAGS_CF);
		break;
	case X86_OP_DEC:
		r = dst - 1;
		f = (sub_flags(dst, 1, r, size) & ~X86_RFLAGS_CF) | (*rflags & X86_RFLAGS_CF);
		break;
	default:
		return dst;
	}
	*rflags = keep | f;
	return r & m;
}
