// SPDX-License-Identifier: MIT
/*
 * x86 instruction decoder (see decode.h).  Three steps, each its own
 * function: prefixes (legacy, then REX); the opcode and its length
 * (ModRM, SIB, displacement, immediate), from the per-map tables below or
 * the VEX/EVEX/XOP/3DNow! rules; then, for the instructions vmx/emul/
 * emulates, their operands.
 *
 * Sources: Intel SDM vol. 2, chapter 2 (instruction format, ModRM/SIB
 * tables 2-1..2-3, REX, VEX, EVEX) and appendix A (opcode maps); AMD APM
 * vol. 3, chapter 1 (XOP) and the 3DNow! manual.
 */
#include "vmx/emul/decode.h"
#include "lib/string.h"

/* How the immediate (or other trailing field) of an opcode is sized. */
enum imm_kind {
	I_NONE,
	I_8,		/* imm8 */
	I_16,		/* imm16 (RET/RETF imm16) */
	I_Z,		/* imm16 with 16-bit operand size, else imm32 */
	I_V,		/* imm16/32/64 by operand size (B8+r) */
	I_ENTER,	/* imm16, imm8 */
	I_MOFFS,	/* an offset of the address size (A0-A3) */
	I_PTR,		/* far pointer: offset16/32 by operand size, then a selector */
	I_REL8,		/* rel8 */
	I_RELZ,		/* rel16/32; always rel32 in 64-bit code (Intel ignores 66) */
	I_GRP3,		/* F6/F7: imm8/immz for /0 and /1 (TEST) only */
	I_8_8,		/* two imm8 (AMD EXTRQ/INSERTQ, 66/F2 0F 78) */
};

#define F_IMM	0x0F	/* enum imm_kind */
#define F_M	0x10	/* a ModRM byte follows */
#define F_I64	0x20	/* #UD in 64-bit code */
#define F_BAD	0x40	/* #UD in every mode */
#define F_MREG	0x80	/* ModRM whose mod field is ignored: always registers (MOV CR/DR) */

#define M	F_M
#define M8	(F_M | I_8)
#define MZ	(F_M | I_Z)
#define X	F_I64
#define BAD	F_BAD

/* The one-byte map.  0 also stands for prefixes and escapes, handled before the table. */
static const u8 map0[256] = {
	/* 00 */ M, M, M, M, I_8, I_Z, X, X, M, M, M, M, I_8, I_Z, X, 0,
	/* 10 */ M, M, M, M, I_8, I_Z, X, X, M, M, M, M, I_8, I_Z, X, X,
	/* 20 */ M, M, M, M, I_8, I_Z, 0, X, M, M, M, M, I_8, I_Z, 0, X,
	/* 30 */ M, M, M, M, I_8, I_Z, 0, X, M, M, M, M, I_8, I_Z, 0, X,
	/* 40 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	/* 50 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	/* 60 */ X, X, M, M, 0, 0, 0, 0, I_Z, MZ, I_8, M8, 0, 0, 0, 0,
	/* 70 */ I_REL8, I_REL8, I_REL8, I_REL8, I_REL8, I_REL8, I_REL8, I_REL8,
		 I_REL8, I_REL8, I_REL8, I_REL8, I_REL8, I_REL8, I_REL8, I_REL8,
	/* 80 */ M8, MZ, M8 | X, M8, M, M, M, M, M, M, M, M, M, M, M, M,
	/* 90 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, I_PTR | X, 0, 0, 0, 0, 0,
	/* A0 */ I_MOFFS, I_MOFFS, I_MOFFS, I_MOFFS, 0, 0, 0, 0, I_8, I_Z, 0, 0, 0, 0, 0, 0,
	/* B0 */ I_8, I_8, I_8, I_8, I_8, I_8, I_8, I_8, I_V, I_V, I_V, I_V, I_V, I_V, I_V, I_V,
	/* C0 */ M8, M8, I_16, 0, M, M, M8, MZ, I_ENTER, 0, I_16, 0, 0, I_8, X, 0,
	/* D0 */ M, M, M, M, I_8 | X, I_8 | X, X, 0, M, M, M, M, M, M, M, M,
	/* E0 */ I_REL8, I_REL8, I_REL8, I_REL8, I_8, I_8, I_8, I_8,
		 I_RELZ, I_RELZ, I_PTR | X, I_REL8, 0, 0, 0, 0,
	/* F0 */ 0, 0, 0, 0, 0, 0, F_M | I_GRP3, F_M | I_GRP3, 0, 0, 0, 0, 0, 0, M, M,
};

/*
 * The two-byte map (0F xx).  0F 38 and 0F 3A are escapes; 0F 78 and 0F B8
 * depend on prefixes.  0F A6/A7 (VIA PadLock) take a ModRM: #UD on Intel,
 * but their length is known.
 */
static const u8 map1[256] = {
	/* 00 */ M, M, M, M, BAD, 0, 0, 0, 0, 0, BAD, 0, BAD, M, 0, M8,
	/* 10 */ M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M,
	/* 20 */ F_MREG, F_MREG, F_MREG, F_MREG, BAD, BAD, BAD, BAD, M, M, M, M, M, M, M, M,
	/* 30 */ 0, 0, 0, 0, 0, 0, BAD, 0, 0, BAD, 0, BAD, BAD, BAD, BAD, BAD,
	/* 40 */ M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M,
	/* 50 */ M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M,
	/* 60 */ M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M,
	/* 70 */ M8, M8, M8, M8, M, M, M, 0, M, M, BAD, BAD, M, M, M, M,
	/* 80 */ I_RELZ, I_RELZ, I_RELZ, I_RELZ, I_RELZ, I_RELZ, I_RELZ, I_RELZ,
		 I_RELZ, I_RELZ, I_RELZ, I_RELZ, I_RELZ, I_RELZ, I_RELZ, I_RELZ,
	/* 90 */ M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M,
	/* A0 */ 0, 0, 0, M, M8, M, M, M, 0, 0, 0, M, M8, M, M, M,
	/* B0 */ M, M, M, M, M, M, M, M, M, M, M8, M, M, M, M, M,
	/* C0 */ M, M, M8, M, M8, M8, M8, M, 0, 0, 0, 0, 0, 0, 0, 0,
	/* D0 */ M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M,
	/* E0 */ M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M,
	/* F0 */ M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M,
};

#undef M
#undef M8
#undef MZ
#undef X
#undef BAD

/* REX bits. */
#define REX_B	0x01
#define REX_X	0x02
#define REX_R	0x04
#define REX_W	0x08

/* Decoder state for one instruction. */
struct dec {
	const u8 *b;
	size_t avail;
	unsigned int pos;
	struct x86_insn *in;
	bool mode64;
	bool pfx66, pfx67;
	u8 last_rep;		/* 0, 0xF2 or 0xF3: the last one wins */
	u8 seg;			/* segment override in effect, or X86_SEG_COUNT */
	u8 rex;			/* REX (legacy), or R/X/B/W of VEX/EVEX/XOP */
	bool rex_present;	/* any REX: selects SPL..DIL over AH..BH */
};

/* Byte @n more may be read: INVALID past 15 bytes, TRUNCATED past @avail. */
static enum x86_decode_status need(const struct dec *d, unsigned int n)
{
	if (d->pos + n > X86_MAX_INSN_LEN) {
		d->in->too_long = true;
		return X86_DECODE_INVALID;
	}
	if (d->pos + n > d->avail)
		return X86_DECODE_TRUNCATED;
	return X86_DECODE_OK;
}

static enum x86_decode_status get_u8(struct dec *d, u8 *v)
{
	enum x86_decode_status st = need(d, 1);

	if (st == X86_DECODE_OK)
		*v = d->b[d->pos++];
	return st;
}

/* The next byte without consuming it; false when there is none to look at. */
static bool peek_u8(const struct dec *d, u8 *v)
{
	if (need(d, 1) != X86_DECODE_OK)
		return false;
	*v = d->b[d->pos];
	return true;
}

/* @n little-endian bytes, zero-extended. */
static enum x86_decode_status get_le(struct dec *d, unsigned int n, u64 *v)
{
	enum x86_decode_status st = need(d, n);
	u64 x = 0;

	if (st != X86_DECODE_OK)
		return st;
	for (unsigned int i = 0; i < n; i++)
		x |= (u64)d->b[d->pos + i] << (8 * i);
	d->pos += n;
	*v = x;
	return X86_DECODE_OK;
}

static s64 sext(u64 v, unsigned int bytes)
{
	unsigned int shift = 64 - 8 * bytes;

	return bytes >= 8 ? (s64)v : (s64)(v << shift) >> shift;
}

static u64 size_mask(unsigned int bytes)
{
	return bytes >= 8 ? ~0ULL : (1ULL << (8 * bytes)) - 1;
}

/**
 * parse_prefixes() - consume legacy and REX prefixes.
 *
 * A REX prefix counts only when it immediately precedes the opcode: a
 * legacy prefix after it makes the CPU ignore it.  Repeats are allowed
 * (within 15 bytes); for F2/F3 and the segment, the last one wins.
 */
static enum x86_decode_status parse_prefixes(struct dec *d)
{
	static const u8 seg_of[4] = {
		/* 26 */ X86_SEG_ES, /* 2E */ X86_SEG_CS, /* 36 */ X86_SEG_SS, /* 3E */ X86_SEG_DS,
	};
	u8 b;

	for (;;) {
		if (!peek_u8(d, &b))
			return need(d, 1);
		switch (b) {
		case 0xF0:
			d->in->lock = true;
			break;
		case 0xF2:
		case 0xF3:
			d->last_rep = b;
			break;
		case 0x26: case 0x2E: case 0x36: case 0x3E:
			/* CS/DS/ES/SS overrides are ignored in 64-bit code */
			if (!d->mode64)
				d->seg = seg_of[(b >> 3) & 3];
			break;
		case 0x64:
			d->seg = X86_SEG_FS;
			break;
		case 0x65:
			d->seg = X86_SEG_GS;
			break;
		case 0x66:
			d->pfx66 = true;
			break;
		case 0x67:
			d->pfx67 = true;
			break;
		default:
			if (d->mode64 && (b & 0xF0) == 0x40) {
				d->pos++;
				d->rex = b & 0x0F;
				d->rex_present = true;
				continue;
			}
			return X86_DECODE_OK;
		}
		d->pos++;
		d->rex = 0;
		d->rex_present = false;
	}
}

/* The prefix that selects among SSE forms: F2/F3 (the last) before 66. */
static u8 mandatory_prefix(const struct dec *d)
{
	if (d->last_rep)
		return d->last_rep;
	return d->pfx66 ? 0x66 : 0;
}

/**
 * parse_modrm() - the ModRM byte and, for a memory form, SIB and displacement.
 * @force_reg: the mod field is ignored and the operand is a register (MOV CR/DR)
 *
 * Fills insn->mem for memory forms; the default segment is SS for a base
 * of rBP/rSP (BP in 16-bit forms), DS otherwise, unless overridden.
 */
static enum x86_decode_status parse_modrm(struct dec *d, bool force_reg)
{
	static const u8 base16[8] = { X86_RBX, X86_RBX, X86_RBP, X86_RBP,
				      X86_RSI, X86_RDI, X86_RBP, X86_RBX };
	static const u8 index16[8] = { X86_RSI, X86_RDI, X86_RSI, X86_RDI,
				       X86_NO_REG, X86_NO_REG, X86_NO_REG, X86_NO_REG };
	struct x86_insn *in = d->in;
	struct x86_mem *m = &in->mem;
	enum x86_decode_status st;
	unsigned int mod, rm, dsize = 0;
	u64 disp = 0;
	u8 sib;

	st = get_u8(d, &in->modrm);
	if (st)
		return st;
	in->has_modrm = true;
	mod = in->modrm >> 6;
	rm = in->modrm & 7;
	if (mod == 3 || force_reg)
		return X86_DECODE_OK;

	in->has_mem = true;
	m->base = X86_NO_REG;
	m->index = X86_NO_REG;
	m->scale = 1;
	m->seg = X86_SEG_DS;

	if (in->addrsize == 2) {
		if (mod == 0 && rm == 6) {
			dsize = 2;
		} else {
			m->base = base16[rm];
			m->index = index16[rm];
			dsize = mod == 1 ? 1 : mod == 2 ? 2 : 0;
		}
		if (m->base == X86_RBP)
			m->seg = X86_SEG_SS;
	} else {
		if (rm == 4) {
			unsigned int idx, base;

			st = get_u8(d, &sib);
			if (st)
				return st;
			idx = ((sib >> 3) & 7) | (d->rex & REX_X ? 8 : 0);
			base = sib & 7;
			if (idx != 4) {
				m->index = idx;
				m->scale = 1 << (sib >> 6);
			}
			if (base == 5 && mod == 0)
				dsize = 4;
			else
				m->base = base | (d->rex & REX_B ? 8 : 0);
		} else if (rm == 5 && mod == 0) {
			dsize = 4;
			m->rip_rel = d->mode64;
		} else {
			m->base = rm | (d->rex & REX_B ? 8 : 0);
		}
		if (mod == 1)
			dsize = 1;
		else if (mod == 2)
			dsize = 4;
		if (m->base == X86_RSP || m->base == X86_RBP)
			m->seg = X86_SEG_SS;
	}
	if (d->seg != X86_SEG_COUNT) {
		in->seg_override = d->seg != m->seg;
		m->seg = d->seg;
	}
	st = get_le(d, dsize, &disp);
	if (st)
		return st;
	m->disp = dsize ? sext(disp, dsize) : 0;
	return X86_DECODE_OK;
}

/* Bytes of the immediate (or pointer, offset, displacement) of @kind. */
static unsigned int imm_bytes(const struct dec *d, unsigned int kind)
{
	const struct x86_insn *in = d->in;
	unsigned int z = in->opsize == 2 ? 2 : 4;

	switch (kind) {
	case I_NONE:
		return 0;
	case I_8:
	case I_REL8:
		return 1;
	case I_16:
		return 2;
	case I_Z:
		return z;
	case I_V:
		return in->opsize;
	case I_ENTER:
		return 3;
	case I_MOFFS:
		return in->addrsize;
	case I_PTR:
		return z + 2;
	case I_RELZ:
		return d->mode64 ? 4 : z;
	case I_GRP3:
		if (((in->modrm >> 3) & 7) >= 2)
			return 0;
		return (in->opcode & 1) ? z : 1;
	case I_8_8:
		return 2;
	}
	return 0;
}

/* The legacy operand size (bytes) for @w64: REX.W; @p66: the 66 prefix. */
static void set_sizes(struct dec *d, enum x86_cpu_mode mode, bool w64)
{
	struct x86_insn *in = d->in;

	if (mode == X86_MODE_64) {
		in->opsize = w64 ? 8 : d->pfx66 ? 2 : 4;
		in->addrsize = d->pfx67 ? 4 : 8;
	} else {
		bool big = (mode == X86_MODE_32) != d->pfx66;
		bool abig = (mode == X86_MODE_32) != d->pfx67;

		in->opsize = big ? 4 : 2;
		in->addrsize = abig ? 4 : 2;
	}
}

/*
 * VEX (C4/C5), EVEX (62) and XOP (8F): the fields after the escape, the
 * opcode, ModRM and the immediate.  Legacy prefixes other than segment and
 * 67, and REX, make these #UD.
 */
static enum x86_decode_status parse_vex_like(struct dec *d, u8 esc)
{
	struct x86_insn *in = d->in;
	enum x86_decode_status st;
	u8 p0, p1, p2, map;
	unsigned int imm = 0;

	if (d->pfx66 || d->last_rep || in->lock || d->rex_present)
		return X86_DECODE_INVALID;

	st = get_u8(d, &p0);
	if (st)
		return st;
	if (esc == 0xC5) {
		map = 1;
		d->rex = (p0 & 0x80) ? 0 : REX_R;
	} else {
		d->rex = (~p0 >> 5) & 7;	/* R X B, stored inverted, in REX order */
		if (esc == 0x62) {
			/* EVEX P0: R X B R' 0 m m m; P1: W vvvv U pp; P2 */
			map = p0 & 7;
			if ((p0 & 0x08) || map == 0 || map == 4 || map == 7)
				return X86_DECODE_INVALID;
		} else {
			map = p0 & 0x1F;
			if (esc == 0xC4 && (map < 1 || map > 3))
				return X86_DECODE_INVALID;
			if (esc == 0x8F && (map < 8 || map > 10))
				return X86_DECODE_INVALID;
		}
		st = get_u8(d, &p1);
		if (st)
			return st;
		if (p1 & 0x80)
			d->rex |= REX_W;
		if (esc == 0x62) {
			/* U (P1 bit 2) was fixed at 1; AVX10.2 gives U=0 a meaning */
			st = get_u8(d, &p2);
			if (st)
				return st;
		}
	}
	if (!d->mode64)
		d->rex &= REX_W;
	in->rex = d->rex;
	in->map = map;
	in->encoding = esc == 0x62 ? X86_ENC_EVEX : esc == 0x8F ? X86_ENC_XOP : X86_ENC_VEX;
	st = get_u8(d, &in->opcode);
	if (st)
		return st;

	/* VZEROUPPER/VZEROALL are the only ones without ModRM */
	if (!(esc != 0x62 && map == 1 && in->opcode == 0x77)) {
		st = parse_modrm(d, false);
		if (st)
			return st;
	}
	/* imm8: maps 3 (0F3A) and XOP 8, and map 1's shifts, compares and shuffles */
	if (map == 3 || map == 8 ||
	    (map == 1 && ((in->opcode >= 0x70 && in->opcode <= 0x73) || in->opcode == 0xC2 ||
			  (in->opcode >= 0xC4 && in->opcode <= 0xC6))))
		imm = 1;
	else if (map == 10)
		imm = 4;
	st = need(d, imm);
	if (st)
		return st;
	d->pos += imm;
	in->imm_size = imm;
	return X86_DECODE_OK;
}

/* Is this legacy-encoded instruction one that accepts LOCK (on a memory destination)? */
static bool lockable(const struct x86_insn *in)
{
	unsigned int op = in->opcode, reg = (in->modrm >> 3) & 7;

	if (!in->has_mem)
		return false;
	if (in->map == 0) {
		if (op < 0x40)
			return (op & 7) < 2 && (op & 0x38) != 0x38;	/* ALU E,G; not CMP */
		if (op >= 0x80 && op <= 0x83)
			return reg != 7;
		if (op == 0x86 || op == 0x87)
			return true;
		if (op == 0xF6 || op == 0xF7)
			return reg == 2 || reg == 3;
		if (op == 0xFE || op == 0xFF)
			return reg < 2;
		return false;
	}
	if (in->map == 1) {
		switch (op) {
		case 0xAB: case 0xB3: case 0xBB:	/* BTS BTR BTC */
		case 0xB0: case 0xB1:			/* CMPXCHG */
		case 0xC0: case 0xC1:			/* XADD */
			return true;
		case 0xBA:
			return reg >= 5;
		case 0xC7:
			return reg == 1;		/* CMPXCHG8B/16B */
		}
	}
	return false;
}

/* #UD forms of the one-byte and 0F maps that the tables cannot express. */
static bool invalid_modrm_form(const struct x86_insn *in)
{
	unsigned int op = in->opcode, reg = (in->modrm >> 3) & 7;
	bool regform = !in->has_mem;

	if (in->map == 0) {
		switch (op) {
		case 0x8C:
			return reg > 5;
		case 0x8E:
			return reg > 5 || reg == X86_SEG_CS;
		case 0x8D:				/* LEA */
		case 0xC4: case 0xC5: case 0x62:	/* LES, LDS, BOUND (32-bit code) */
			return regform;
		case 0x8F:
			return reg != 0;
		case 0xC6:
		case 0xC7:
			/* /0 MOV; C6 F8 XABORT, C7 F8 XBEGIN */
			return reg != 0 && !(reg == 7 && in->modrm == 0xF8);
		case 0xFE:
			return reg > 1;
		case 0xFF:
			return reg == 7 || (regform && (reg == 3 || reg == 5));
		}
		return false;
	}
	if (in->map == 1) {
		switch (op) {
		case 0xBA:
			return reg < 4;
		case 0xB2: case 0xB4: case 0xB5:	/* LSS, LFS, LGS */
			return regform;
		}
	}
	return false;
}

/* A register operand: @reg 0..15; byte registers 4..7 are AH..BH without REX. */
static void opnd_reg(const struct dec *d, struct x86_operand *o, unsigned int reg,
		     unsigned int size)
{
	o->kind = X86_OPND_REG;
	o->size = size;
	o->reg = reg;
	o->high8 = size == 1 && !d->rex_present && reg >= 4 && reg < 8;
}

/* The ModRM r/m operand: memory or a register. */
static void opnd_rm(const struct dec *d, struct x86_operand *o, unsigned int size)
{
	if (d->in->has_mem) {
		o->kind = X86_OPND_MEM;
		o->size = size;
		o->reg = X86_NO_REG;
		o->high8 = false;
	} else {
		opnd_reg(d, o, (d->in->modrm & 7) | (d->rex & REX_B ? 8 : 0), size);
	}
}

static unsigned int modrm_reg(const struct dec *d)
{
	return ((d->in->modrm >> 3) & 7) | (d->rex & REX_R ? 8 : 0);
}

static void opnd_imm(struct x86_operand *o, unsigned int size)
{
	o->kind = X86_OPND_IMM;
	o->size = size;
	o->reg = X86_NO_REG;
	o->high8 = false;
}

/*
 * The instructions the emulator knows, legacy encodings only.  Sizes:
 * @w is the byte/full-size bit of the opcode.  Returns the op, or
 * X86_OP_NONE with no operands set.
 */
static unsigned int semantics(struct dec *d)
{
	struct x86_insn *in = d->in;
	unsigned int op = in->opcode, reg = (in->modrm >> 3) & 7;
	unsigned int v = in->opsize, w = (op & 1) ? v : 1;
	unsigned int io = v == 2 ? 2 : 4;
	struct x86_operand *o0 = &in->opnd[0], *o1 = &in->opnd[1];

	in->nopnd = 2;
	if (in->map == 1) {
		switch (op) {
		case 0xB6: case 0xB7: case 0xBE: case 0xBF:
			opnd_reg(d, o0, modrm_reg(d), v);
			opnd_rm(d, o1, (op & 1) ? 2 : 1);
			return op < 0xB8 ? X86_OP_MOVZX : X86_OP_MOVSX;
		case 0xA3: case 0xAB: case 0xB3: case 0xBB:
			opnd_rm(d, o0, v);
			opnd_reg(d, o1, modrm_reg(d), v);
			return X86_OP_BT + ((op >> 3) & 3);
		case 0xBA:
			opnd_rm(d, o0, v);
			opnd_imm(o1, 1);
			return X86_OP_BT + (reg - 4);
		}
		in->nopnd = 0;
		return X86_OP_NONE;
	}

	if (op < 0x40 && (op & 7) < 6) {
		unsigned int alu = X86_OP_ADD + (op >> 3);

		switch (op & 7) {
		case 0: case 1:
			opnd_rm(d, o0, w);
			opnd_reg(d, o1, modrm_reg(d), w);
			break;
		case 2: case 3:
			opnd_reg(d, o0, modrm_reg(d), w);
			opnd_rm(d, o1, w);
			break;
		default:
			opnd_reg(d, o0, X86_RAX, w);
			opnd_imm(o1, w);
			break;
		}
		return alu;
	}
	switch (op) {
	case 0x40 ... 0x4F:		/* INC/DEC r16/32 (not a REX: not 64-bit code) */
		in->nopnd = 1;
		opnd_reg(d, o0, op & 7, v);
		return op < 0x48 ? X86_OP_INC : X86_OP_DEC;
	case 0x63:
		if (!d->mode64)
			break;
		opnd_reg(d, o0, modrm_reg(d), v);
		opnd_rm(d, o1, v == 2 ? 2 : 4);
		return X86_OP_MOVSXD;
	case 0x80: case 0x81: case 0x82: case 0x83:
		opnd_rm(d, o0, w);
		opnd_imm(o1, w);
		return X86_OP_ADD + reg;
	case 0x84: case 0x85:
	case 0x86: case 0x87:
	case 0x88: case 0x89:
		opnd_rm(d, o0, w);
		opnd_reg(d, o1, modrm_reg(d), w);
		return op < 0x86 ? X86_OP_TEST : op < 0x88 ? X86_OP_XCHG : X86_OP_MOV;
	case 0x8A: case 0x8B:
		opnd_reg(d, o0, modrm_reg(d), w);
		opnd_rm(d, o1, w);
		return X86_OP_MOV;
	case 0xA0: case 0xA1:
		opnd_reg(d, o0, X86_RAX, w);
		opnd_rm(d, o1, w);
		return X86_OP_MOV;
	case 0xA2: case 0xA3:
		opnd_rm(d, o0, w);
		opnd_reg(d, o1, X86_RAX, w);
		return X86_OP_MOV;
	case 0xA8: case 0xA9:
		opnd_reg(d, o0, X86_RAX, w);
		opnd_imm(o1, w);
		return X86_OP_TEST;
	case 0xB0 ... 0xB7:
		opnd_reg(d, o0, (op & 7) | (d->rex & REX_B ? 8 : 0), 1);
		opnd_imm(o1, 1);
		return X86_OP_MOV;
	case 0xB8 ... 0xBF:
		opnd_reg(d, o0, (op & 7) | (d->rex & REX_B ? 8 : 0), v);
		opnd_imm(o1, v);
		return X86_OP_MOV;
	case 0xC6: case 0xC7:
		if (reg != 0)
			break;
		opnd_rm(d, o0, w);
		opnd_imm(o1, w);
		return X86_OP_MOV;
	case 0xF6: case 0xF7:
		if (reg < 2) {
			opnd_rm(d, o0, w);
			opnd_imm(o1, w);
			return X86_OP_TEST;
		}
		if (reg > 3)
			break;
		in->nopnd = 1;
		opnd_rm(d, o0, w);
		return reg == 2 ? X86_OP_NOT : X86_OP_NEG;
	case 0xFE: case 0xFF:
		if (reg > 1)
			break;
		in->nopnd = 1;
		opnd_rm(d, o0, w);
		return reg == 0 ? X86_OP_INC : X86_OP_DEC;
	case 0xE4: case 0xE5: case 0xEC: case 0xED:
		opnd_reg(d, o0, X86_RAX, (op & 1) ? io : 1);
		if (op & 8)
			opnd_reg(d, o1, X86_RDX, 2);
		else
			opnd_imm(o1, 1);
		in->opsize = o0->size;
		return X86_OP_IN;
	case 0xE6: case 0xE7: case 0xEE: case 0xEF:
		if (op & 8)
			opnd_reg(d, o0, X86_RDX, 2);
		else
			opnd_imm(o0, 1);
		opnd_reg(d, o1, X86_RAX, (op & 1) ? io : 1);
		in->opsize = o1->size;
		return X86_OP_OUT;
	case 0x6C: case 0x6D: case 0x6E: case 0x6F:
		in->nopnd = 0;
		in->opsize = (op & 1) ? io : 1;
		return op < 0x6E ? X86_OP_INS : X86_OP_OUTS;
	case 0xA4: case 0xA5: case 0xA6: case 0xA7:
	case 0xAA: case 0xAB: case 0xAC: case 0xAD: case 0xAE: case 0xAF: {
		static const u8 str_op[6] = { X86_OP_MOVS, X86_OP_CMPS, 0, X86_OP_STOS,
					      X86_OP_LODS, X86_OP_SCAS };

		in->nopnd = 0;
		in->opsize = w;
		return str_op[(op - 0xA4) >> 1];
	}
	}
	in->nopnd = 0;
	return X86_OP_NONE;
}

/*
 * The immediate as the instruction uses it, cut to its operand's size: an
 * imm8 with a wider operand (83, 6B) and an imm32 with a 64-bit one are
 * sign-extended.
 */
static u64 extend_imm(const struct x86_insn *in, u64 raw)
{
	unsigned int size = in->opnd[0].kind == X86_OPND_IMM ? in->opnd[0].size : in->opnd[1].size;

	if (in->imm_size < size)
		return (u64)sext(raw, in->imm_size) & size_mask(size);
	return raw & size_mask(size);
}

enum x86_decode_status x86_decode(const u8 *bytes, size_t avail, enum x86_cpu_mode mode,
				  struct x86_insn *out)
{
	struct dec d = { .b = bytes, .avail = avail, .in = out, .seg = X86_SEG_COUNT,
			 .mode64 = mode == X86_MODE_64 };
	enum x86_decode_status st;
	unsigned int flags, kind;
	unsigned int nimm;
	u8 op, next;
	u64 imm = 0;

	memset(out, 0, sizeof(*out));
	out->mode = mode;
	out->mem.base = X86_NO_REG;
	out->mem.index = X86_NO_REG;
	out->mem.scale = 1;
	out->opnd[0].reg = X86_NO_REG;
	out->opnd[1].reg = X86_NO_REG;

	st = parse_prefixes(&d);
	if (st)
		return st;
	out->rep = d.last_rep == 0xF3 ? X86_REP_E : d.last_rep == 0xF2 ? X86_REP_NE : X86_REP_NONE;
	set_sizes(&d, mode, d.rex & REX_W);
	out->mem.seg = d.seg != X86_SEG_COUNT ? d.seg : X86_SEG_DS;	/* string source */
	out->seg_override = d.seg != X86_SEG_COUNT && d.seg != X86_SEG_DS;

	st = get_u8(&d, &op);
	if (st)
		return st;

	/*
	 * VEX, EVEX and XOP reuse opcodes: outside 64-bit code, LES/LDS and
	 * BOUND with a register operand (mod 11) are the escapes.
	 */
	if (op == 0xC4 || op == 0xC5 || op == 0x62 || op == 0x8F) {
		st = need(&d, 1);
		if (st)
			return st;
		next = bytes[d.pos];
		if ((op == 0x8F && (next & 0x1F) >= 8) ||
		    (op != 0x8F && (d.mode64 || next >= 0xC0))) {
			st = parse_vex_like(&d, op);
			if (st)
				return st;
			/* VEX.L/EVEX sizes do not matter for what we report */
			out->opsize = d.rex & REX_W ? 8 : 4;
			out->len = d.pos;
			out->lock = false;
			return X86_DECODE_UNSUPPORTED;
		}
	}

	out->rex = d.rex;
	if (op == 0x0F) {
		st = get_u8(&d, &op);
		if (st)
			return st;
		if (op == 0x38 || op == 0x3A) {
			out->map = op == 0x38 ? 2 : 3;
			st = get_u8(&d, &op);
			if (st)
				return st;
			flags = F_M | (out->map == 3 ? I_8 : I_NONE);
		} else {
			out->map = 1;
			flags = map1[op];
			if (op == 0x0F) {
				out->encoding = X86_ENC_3DNOW;
			} else if (op == 0x78) {
				u8 mp = mandatory_prefix(&d);

				if (mp == 0xF3)
					return X86_DECODE_INVALID;
				if (mp)
					flags = F_M | I_8_8;	/* EXTRQ/INSERTQ */
			} else if (op == 0x79) {
				if (mandatory_prefix(&d) == 0xF3)
					return X86_DECODE_INVALID;
			} else if (op == 0xB8) {
				/* POPCNT needs F3; without it, JMPE exists on Itanium only */
				if (mandatory_prefix(&d) != 0xF3)
					return X86_DECODE_INVALID;
			}
		}
	} else {
		flags = map0[op];
	}
	out->opcode = op;

	if ((flags & F_BAD) || (d.mode64 && (flags & F_I64)))
		return X86_DECODE_INVALID;
	if (flags & (F_M | F_MREG)) {
		st = parse_modrm(&d, flags & F_MREG);
		if (st)
			return st;
	}
	if (out->lock && !lockable(out))
		return X86_DECODE_INVALID;
	if (invalid_modrm_form(out))
		return X86_DECODE_INVALID;

	kind = flags & F_IMM;
	nimm = imm_bytes(&d, kind);
	if (kind == I_MOFFS) {
		/* the offset is the memory operand's displacement */
		st = get_le(&d, nimm, &imm);
		if (st)
			return st;
		out->has_mem = true;
		out->mem.disp = (s64)imm;
		out->mem.seg = d.seg != X86_SEG_COUNT ? d.seg : X86_SEG_DS;
		imm = 0;
	} else {
		st = get_le(&d, nimm, &imm);
		if (st)
			return st;
		out->imm_size = nimm;
	}
	out->len = d.pos;

	if (out->map == 0 || out->map == 1)
		out->op = semantics(&d);
	if (out->op == X86_OP_NONE) {
		out->nopnd = 0;
		return X86_DECODE_UNSUPPORTED;
	}
	if (out->imm_size)
		out->imm = extend_imm(out, imm);
	/* IN, OUT and the string instructions set their data size themselves */
	if (out->nopnd && out->op != X86_OP_IN && out->op != X86_OP_OUT)
		out->opsize = out->opnd[0].size;
	return X86_DECODE_OK;
}

const char *x86_op_name(unsigned int op)
{
	static const char *const names[X86_OP_COUNT] = {
		[X86_OP_NONE] = "(none)", [X86_OP_MOV] = "mov", [X86_OP_MOVZX] = "movzx",
		[X86_OP_MOVSX] = "movsx", [X86_OP_MOVSXD] = "movsxd", [X86_OP_ADD] = "add",
		[X86_OP_OR] = "or", [X86_OP_ADC] = "adc", [X86_OP_SBB] = "sbb",
		[X86_OP_AND] = "and", [X86_OP_SUB] = "sub", [X86_OP_XOR] = "xor",
		[X86_OP_CMP] = "cmp", [X86_OP_TEST] = "test", [X86_OP_NOT] = "not",
		[X86_OP_NEG] = "neg", [X86_OP_INC] = "inc", [X86_OP_DEC] = "dec",
		[X86_OP_BT] = "bt", [X86_OP_BTS] = "bts", [X86_OP_BTR] = "btr",
		[X86_OP_BTC] = "btc", [X86_OP_XCHG] = "xchg", [X86_OP_MOVS] = "movs",
		[X86_OP_CMPS] = "cmps", [X86_OP_STOS] = "stos", [X86_OP_LODS] = "lods",
		[X86_OP_SCAS] = "scas", [X86_OP_INS] = "ins", [X86_OP_OUTS] = "outs",
		[X86_OP_IN] = "in", [X86_OP_OUT] = "out",
	};

	return op < X86_OP_COUNT ? names[op] : "?";
}
