/* SPDX-License-Identifier: MIT */
/*
 * The arithmetic and logic of the emulated instructions, with RFLAGS as
 * the CPU writes them.  Portable C, no state; tested against the host CPU
 * (tests/host/test_emulate.c).
 */
#ifndef VMX_EMUL_ALU_H
#define VMX_EMUL_ALU_H

#include "lib/compiler.h"

/**
 * x86_alu() - one operation on @size-byte operands.
 * @op:     X86_OP_ADD .. X86_OP_CMP, X86_OP_TEST, X86_OP_NOT, X86_OP_NEG,
 *          X86_OP_INC, X86_OP_DEC (enum x86_op)
 * @size:   1, 2, 4 or 8
 * @dst:    the destination's value (the only operand of the unary ones)
 * @src:    the source's value (ignored by the unary ones)
 * @rflags: in: CF for ADC and SBB; out: the status flags the operation
 *          writes (none for NOT, all but CF for INC and DEC)
 *
 * The flags the SDM leaves undefined are written as Intel CPUs write
 * them: AF is cleared by AND, OR, XOR and TEST.
 *
 * Return: the result, cut to @size (CMP and TEST return it as well; the
 * caller does not store it).
 */
u64 x86_alu(unsigned int op, unsigned int size, u64 dst, u64 src, u64 *rflags);

/* The status flags of a @size-byte result @r with no carry or overflow (PF, ZF, SF). */
u64 x86_flags_pzs(u64 r, unsigned int size);

#endif /* VMX_EMUL_ALU_H */
