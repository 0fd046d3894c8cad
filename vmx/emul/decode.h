/* SPDX-License-Identifier: MIT */
/*
 * x86 instruction decoder for the instructions a guest uses on emulated
 * devices (MMIO through EPT violations, string port I/O).
 *
 * Two levels.  Every instruction of the one-byte, 0F, 0F38 and 0F3A maps,
 * and the VEX, EVEX, XOP and 3DNow! encodings, is decoded far enough to
 * know its length and its ModRM operand: an EPT violation carries no
 * instruction length, and the length check is what a differential test
 * against another decoder can verify on random bytes.  A fixed subset
 * (enum x86_op) is also decoded semantically, with its operands, for
 * vmx/emul/emulate.c.
 *
 * Portable C: no state, no allocation, no libc.
 */
#ifndef VMX_EMUL_DECODE_H
#define VMX_EMUL_DECODE_H

#include "lib/compiler.h"

#define X86_MAX_INSN_LEN	15

/* The default operand and address size of the code segment. */
enum x86_cpu_mode {
	X86_MODE_16 = 16,
	X86_MODE_32 = 32,
	X86_MODE_64 = 64,
};

enum x86_decode_status {
	X86_DECODE_OK,		/* length and semantics: insn->op is set */
	X86_DECODE_TRUNCATED,	/* the instruction needs more than @avail bytes */
	X86_DECODE_INVALID,	/* #UD on hardware (or longer than 15 bytes: #GP) */
	X86_DECODE_UNSUPPORTED,	/* valid: insn->len is right, insn->op is X86_OP_NONE */
};

/* The instructions decoded semantically; X86_OP_NONE: length only. */
enum x86_op {
	X86_OP_NONE = 0,
	X86_OP_MOV,
	X86_OP_MOVZX,
	X86_OP_MOVSX,
	X86_OP_MOVSXD,
	/* the ALU group, in the order of the ModRM.reg field of 80-83 */
	X86_OP_ADD,
	X86_OP_OR,
	X86_OP_ADC,
	X86_OP_SBB,
	X86_OP_AND,
	X86_OP_SUB,
	X86_OP_XOR,
	X86_OP_CMP,
	X86_OP_TEST,
	X86_OP_NOT,
	X86_OP_NEG,
	X86_OP_INC,
	X86_OP_DEC,
	/* bit tests, in the order of the ModRM.reg field of 0F BA (/4../7) */
	X86_OP_BT,
	X86_OP_BTS,
	X86_OP_BTR,
	X86_OP_BTC,
	X86_OP_XCHG,
	/* string instructions: operands implicit (rSI, rDI, rCX, rAX, DX) */
	X86_OP_MOVS,
	X86_OP_CMPS,
	X86_OP_STOS,
	X86_OP_LODS,
	X86_OP_SCAS,
	X86_OP_INS,
	X86_OP_OUTS,
	X86_OP_IN,
	X86_OP_OUT,
	X86_OP_COUNT
};

/* Segment registers in the order of their encoding (ModRM.reg of 8C). */
enum x86_seg_reg {
	X86_SEG_ES, X86_SEG_CS, X86_SEG_SS, X86_SEG_DS, X86_SEG_FS, X86_SEG_GS,
	X86_SEG_COUNT
};

/* General registers in hardware order. */
enum x86_gpr {
	X86_RAX, X86_RCX, X86_RDX, X86_RBX, X86_RSP, X86_RBP, X86_RSI, X86_RDI,
	X86_R8, X86_R9, X86_R10, X86_R11, X86_R12, X86_R13, X86_R14, X86_R15,
};

#define X86_NO_REG	0xFF

enum x86_rep {
	X86_REP_NONE,
	X86_REP_E,	/* F3: REP, REPE/REPZ for CMPS and SCAS */
	X86_REP_NE,	/* F2: REPNE/REPNZ (a plain REP for the other string ops) */
};

/* How the instruction is encoded, for the length-only maps. */
enum x86_encoding {
	X86_ENC_LEGACY,
	X86_ENC_VEX,
	X86_ENC_EVEX,
	X86_ENC_XOP,
	X86_ENC_3DNOW,
};

enum x86_operand_kind {
	X86_OPND_NONE,
	X86_OPND_REG,
	X86_OPND_MEM,		/* the location is insn->mem */
	X86_OPND_IMM,		/* the value is insn->imm */
};

/**
 * struct x86_operand - one explicit operand of a semantically decoded instruction.
 * @kind:  enum x86_operand_kind
 * @size:  bytes: 1, 2, 4 or 8
 * @reg:   X86_OPND_REG: 0..15 (enum x86_gpr)
 * @high8: X86_OPND_REG, size 1: AH, CH, DH or BH (bits 15:8 of register @reg - 4)
 */
struct x86_operand {
	u8 kind;
	u8 size;
	u8 reg;
	bool high8;
};

/**
 * struct x86_mem - the memory operand; the effective address is
 * (base + index * scale + disp) truncated to the address size, or
 * (address of the next instruction + disp) when @rip_rel.
 * @base:  enum x86_gpr or X86_NO_REG
 * @index: enum x86_gpr or X86_NO_REG
 * @scale: 1, 2, 4 or 8
 * @seg:   enum x86_seg_reg: the segment after overrides and defaults
 * @rip_rel: RIP-relative (64-bit code only)
 * @disp:  sign-extended displacement (a moffs offset is zero-extended)
 */
struct x86_mem {
	u8 base;
	u8 index;
	u8 scale;
	u8 seg;
	bool rip_rel;
	s64 disp;
};

/**
 * struct x86_insn - a decoded instruction.
 * @len:      length in bytes (OK and UNSUPPORTED)
 * @op:       enum x86_op (X86_OP_NONE unless OK)
 * @mode:     enum x86_cpu_mode it was decoded for
 * @encoding: enum x86_encoding
 * @map:      opcode map: 0 one-byte, 1 0F, 2 0F38, 3 0F3A, or the VEX/EVEX/XOP map field
 * @opcode:   the opcode byte within @map
 * @modrm:    the ModRM byte, if @has_modrm
 * @opsize:   effective operand size in bytes (2, 4 or 8; 1 for byte forms)
 * @addrsize: effective address size in bytes (2, 4 or 8)
 * @rex:      the REX prefix in effect (0: none); for VEX/EVEX/XOP the R, X, B, W bits
 * @rep:      enum x86_rep: the last of F2/F3
 * @lock:     a LOCK prefix (only ever set on a lockable memory destination)
 * @seg_override: a segment prefix that changes the default segment
 * @has_mem:  @mem describes the instruction's memory operand (ModRM or moffs)
 * @nopnd:    operands used in @opnd (0..2): destination first
 * @imm:      immediate, extended to the operand size as the instruction does
 * @imm_size: immediate bytes as encoded (0: none)
 * @too_long: INVALID because it would pass 15 bytes (#GP(0) on hardware, not #UD)
 */
struct x86_insn {
	u8 len;
	u8 op;
	u8 mode;
	u8 encoding;
	u8 map;
	u8 opcode;
	u8 modrm;
	bool has_modrm;
	u8 opsize;
	u8 addrsize;
	u8 rex;
	u8 rep;
	bool lock;
	bool seg_override;
	bool has_mem;
	u8 nopnd;
	u8 imm_size;
	bool too_long;
	struct x86_operand opnd[2];
	struct x86_mem mem;
	u64 imm;
};

/**
 * x86_decode() - decode the instruction at @bytes.
 * @bytes: the instruction bytes, starting at the first prefix
 * @avail: bytes readable at @bytes (more than 15 are never looked at)
 * @mode:  the default operand/address size of the code (CS.D, CS.L)
 * @out:   the instruction; meaningful fields depend on the status
 *
 * Return: X86_DECODE_OK with @out fully set; X86_DECODE_UNSUPPORTED with
 * @out->len (and the ModRM/memory fields) set; X86_DECODE_TRUNCATED when
 * the instruction continues past @avail; X86_DECODE_INVALID when the CPU
 * would refuse it (#UD, or #GP for an instruction longer than 15 bytes).
 */
enum x86_decode_status x86_decode(const u8 *bytes, size_t avail, enum x86_cpu_mode mode,
				  struct x86_insn *out);

/* Name of an enum x86_op, for messages ("mov", "rep movs" is not built here). */
const char *x86_op_name(unsigned int op);

#endif /* VMX_EMUL_DECODE_H */
