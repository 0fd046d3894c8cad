// SPDX-License-Identifier: MIT
/*
 * Differential test of vmx/emul/decode.c against Zydis (libzydis-dev, 3 or 4
 * API as Debian ships it: this is written for 4).
 *
 *   zydis_diff [COUNT] [--seed=X] [--verbose]
 *
 * COUNT random byte strings (default 200000) are decoded in 16-, 32- and
 * 64-bit code by both decoders.  The strings are shaped so that every map
 * gets traffic: random prefixes (legacy, REX) before a random opcode, the
 * 0F/0F38/0F3A escapes, VEX/EVEX/XOP headers, or plain random bytes.
 *
 * Failures (the exit status is 1 if any):
 *  - both decode it and the lengths differ;
 *  - we return TRUNCATED with 16 bytes available, or something other than
 *    TRUNCATED when the buffer is cut one byte short of the length;
 *  - for an instruction we decode semantically (X86_DECODE_OK): Zydis
 *    rejects it, or the operand size, an explicit operand (register,
 *    memory base/index/scale/displacement/segment, immediate) differs;
 *  - we say INVALID where Zydis decodes an instruction we decode semantically.
 * Counted and sampled, not failures: we give a length where Zydis refuses
 * (we do not check every #UD rule of instructions we never emulate), and
 * we say INVALID where Zydis decodes something outside the emulated set
 * (reported by opcode so a new table error is visible).
 */
#include "vmx/emul/decode.h"
#include "tests/host/harness.h"

#include <Zydis/Zydis.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static bool verbose;
static unsigned long n_fail, n_samples;

struct counts {
	unsigned long agree_len, agree_invalid, semantic, ours_only, zydis_only, total;
};

static void print_bytes(const u8 *b, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		printf("%02x ", b[i]);
}

static void report(const char *what, int mode, const u8 *b, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void report(const char *what, int mode, const u8 *b, const char *fmt, ...)
{
	va_list ap;

	printf("%s [%d-bit] ", what, mode);
	print_bytes(b, 15);
	printf(": ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static void fail(int mode, const u8 *b, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void fail(int mode, const u8 *b, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n_fail++ < 40)
		report("DIFF", mode, b, "%s", msg);
}

/* A Zydis general register as (number, size, high8); false for any other register. */
static bool zreg(ZydisRegister r, unsigned int *num, unsigned int *size, bool *high8)
{
	*high8 = false;
	if (r >= ZYDIS_REGISTER_AL && r <= ZYDIS_REGISTER_R15B) {
		unsigned int i = r - ZYDIS_REGISTER_AL;

		*size = 1;
		if (i >= 4 && i < 8)
			*high8 = true;
		*num = i < 8 ? i : i - 4;
		return true;
	}
	if (r >= ZYDIS_REGISTER_AX && r <= ZYDIS_REGISTER_R15W) {
		*num = r - ZYDIS_REGISTER_AX;
		*size = 2;
		return true;
	}
	if (r >= ZYDIS_REGISTER_EAX && r <= ZYDIS_REGISTER_R15D) {
		*num = r - ZYDIS_REGISTER_EAX;
		*size = 4;
		return true;
	}
	if (r >= ZYDIS_REGISTER_RAX && r <= ZYDIS_REGISTER_R15) {
		*num = r - ZYDIS_REGISTER_RAX;
		*size = 8;
		return true;
	}
	return false;
}

static unsigned int zreg_num(ZydisRegister r)
{
	unsigned int num, size;
	bool high8;

	if (r == ZYDIS_REGISTER_NONE)
		return X86_NO_REG;
	if (!zreg(r, &num, &size, &high8))
		return 0x100 + r;	/* never equal to ours */
	return num;
}

static unsigned long n_r13d_bug;

static bool zydis_r13d_bug(const struct x86_insn *in, const struct x86_mem *m,
			   const ZydisDecodedOperand *z)
{
	return in->mode == X86_MODE_64 && in->addrsize == 4 && m->base == X86_NO_REG &&
	       !m->rip_rel && z->mem.base == ZYDIS_REGISTER_R13D && (in->rex & 1);
}

static u64 mask_of(unsigned int bytes)
{
	return bytes >= 8 ? ~0ULL : (1ULL << (8 * bytes)) - 1;
}

/* Compare the explicit operands of an instruction we decode semantically. */
static void compare_semantic(int mode, const u8 *b, const struct x86_insn *in,
			     const ZydisDecodedInstruction *zi, const ZydisDecodedOperand *zo)
{
	unsigned int n = 0;
	/*
	 * 66 63 (MOVSXD r16, r/m16 in the SDM): Zydis reads a 32-bit source.
	 * We follow the SDM; only the source's size is exempt.
	 */
	bool movsxd16 = in->op == X86_OP_MOVSXD && in->opsize == 2;

	/* Zydis' width of IN/OUT/INS/OUTS follows REX.W, which they ignore: their registers tell */
	if ((unsigned int)in->opsize * 8 != zi->operand_width &&
	    in->op != X86_OP_MOVZX && in->op != X86_OP_MOVSX && in->op != X86_OP_IN &&
	    in->op != X86_OP_OUT && in->op != X86_OP_INS && in->op != X86_OP_OUTS)
		fail(mode, b, "%s: operand size %u, zydis %u", x86_op_name(in->op), in->opsize * 8,
		     zi->operand_width);
	if ((unsigned int)in->addrsize * 8 != zi->address_width)
		fail(mode, b, "%s: address size %u, zydis %u", x86_op_name(in->op),
		     in->addrsize * 8, zi->address_width);

	for (unsigned int i = 0; i < zi->operand_count; i++) {
		const ZydisDecodedOperand *z = &zo[i];
		const struct x86_operand *o;
		unsigned int num, size;
		bool high8;

		/* implicit: AL/rAX of the short forms, DX of IN/OUT; hidden: string operands */
		if (z->visibility == ZYDIS_OPERAND_VISIBILITY_HIDDEN)
			continue;
		if (n >= in->nopnd) {
			fail(mode, b, "%s: zydis has more operands", x86_op_name(in->op));
			return;
		}
		o = &in->opnd[n++];
		switch (z->type) {
		case ZYDIS_OPERAND_TYPE_REGISTER:
			if (o->kind != X86_OPND_REG || !zreg(z->reg.value, &num, &size, &high8) ||
			    num != o->reg || (size != o->size && !(movsxd16 && n == 2)) ||
			    high8 != o->high8)
				fail(mode, b, "%s: operand %u: register %u/%u/%d, zydis %s",
				     x86_op_name(in->op), n, o->reg, o->size, o->high8,
				     ZydisRegisterGetString(z->reg.value));
			break;
		case ZYDIS_OPERAND_TYPE_MEMORY: {
			const struct x86_mem *m = &in->mem;
			unsigned int zbase = zreg_num(z->mem.base);
			bool zrip = z->mem.base == ZYDIS_REGISTER_RIP ||
				    z->mem.base == ZYDIS_REGISTER_EIP;
			unsigned int zscale = z->mem.index == ZYDIS_REGISTER_NONE ? 1 : z->mem.scale;
			s64 zdisp = z->mem.disp.has_displacement ? z->mem.disp.value : 0;
			s64 disp = m->disp;

			/* moffs: Zydis reports the offset as is; ours is zero-extended */
			if (in->map == 0 && in->opcode >= 0xA0 && in->opcode <= 0xA3)
				zdisp &= (s64)mask_of(in->addrsize), disp &= (s64)mask_of(in->addrsize);
			/*
			 * Zydis 4.0 bug (zyantific/zydis#592, fixed after 4.0): with
			 * 67 and REX.B it reports [disp32] SIB forms as [r13d].
			 */
			if (zydis_r13d_bug(in, m, z)) {
				n_r13d_bug++;
				break;
			}
			if (o->kind != X86_OPND_MEM || (o->size * 8 != z->size && !movsxd16) ||
			    zrip != m->rip_rel || (!zrip && zbase != m->base) ||
			    zreg_num(z->mem.index) != m->index || zscale != m->scale ||
			    zdisp != disp ||
			    (unsigned int)(z->mem.segment - ZYDIS_REGISTER_ES) != m->seg)
				fail(mode, b, "%s: operand %u: mem size %u base %u index %u*%u disp %lld "
				     "seg %u rip %d; zydis size %u base %s index %s*%u disp %lld seg %s",
				     x86_op_name(in->op), n, o->size * 8, m->base, m->index, m->scale,
				     (long long)m->disp, m->seg, m->rip_rel, z->size,
				     ZydisRegisterGetString(z->mem.base),
				     ZydisRegisterGetString(z->mem.index), z->mem.scale,
				     (long long)zdisp, ZydisRegisterGetString(z->mem.segment));
			break;
		}
		case ZYDIS_OPERAND_TYPE_IMMEDIATE: {
			u64 zv = z->imm.value.u & mask_of(o->size);

			if (o->kind != X86_OPND_IMM || zv != (in->imm & mask_of(o->size)))
				fail(mode, b, "%s: operand %u: imm 0x%llx, zydis 0x%llx",
				     x86_op_name(in->op), n, in->imm,
				     zv);
			break;
		}
		default:
			fail(mode, b, "%s: operand %u: zydis operand type %d", x86_op_name(in->op), n,
			     z->type);
		}
	}
	if (n != in->nopnd)
		fail(mode, b, "%s: %u operands, zydis %u", x86_op_name(in->op), in->nopnd, n);
}

/* Fill @b with a byte string shaped to reach every map. */
static void make_bytes(u64 *rng, u8 *b, unsigned int n, bool mode64)
{
	static const u8 legacy[] = { 0x66, 0x67, 0xF2, 0xF3, 0xF0, 0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65 };
	static const u8 sem[] = { 0x88, 0x89, 0x8A, 0x8B, 0xC6, 0xC7, 0xA0, 0xA1, 0xA2, 0xA3, 0x80,
				  0x81, 0x83, 0x84, 0x85, 0x86, 0x87, 0xF6, 0xF7, 0xFE, 0xFF, 0x01,
				  0x09, 0x11, 0x19, 0x21, 0x29, 0x31, 0x39, 0x03, 0x2B, 0x63, 0xA4,
				  0xA5, 0xAA, 0xAB, 0xAC, 0x6C, 0x6D, 0x6E, 0x6F, 0xE4, 0xE5, 0xE6,
				  0xE7, 0xEC, 0xED, 0xEE, 0xEF, 0xB0, 0xB8, 0xBF, 0xA6, 0xAE };
	static const u8 sem0f[] = { 0xB6, 0xB7, 0xBE, 0xBF, 0xA3, 0xAB, 0xB3, 0xBB, 0xBA };
	unsigned int i = 0, kind = test_rand(rng) % 8, npfx;

	for (unsigned int j = 0; j < n; j++)
		b[j] = (u8)test_rand(rng);
	if (kind == 0)
		return;		/* plain random */
	npfx = test_rand(rng) % 4 == 0 ? test_rand(rng) % 15 : test_rand(rng) % 4;
	for (unsigned int j = 0; j < npfx && i < n; j++)
		b[i++] = legacy[test_rand(rng) % sizeof(legacy)];
	if (mode64 && test_rand(rng) % 2 && i < n)
		b[i++] = 0x40 | (test_rand(rng) & 15);
	if (i + 4 > n)
		return;
	switch (kind) {
	case 1:
		b[i] = 0x0F;
		break;
	case 2:
		b[i] = 0x0F;
		b[i + 1] = test_rand(rng) % 2 ? 0x38 : 0x3A;
		break;
	case 3: {
		static const u8 esc[] = { 0xC4, 0xC5, 0x62, 0x8F };

		b[i] = esc[test_rand(rng) % 4];
		if (!mode64 && test_rand(rng) % 2)
			b[i + 1] |= 0xC0;
		break;
	}
	case 4: case 5:
		b[i] = sem[test_rand(rng) % sizeof(sem)];
		break;
	case 6:
		b[i] = 0x0F;
		b[i + 1] = sem0f[test_rand(rng) % sizeof(sem0f)];
		break;
	default:
		break;		/* random opcode after the prefixes */
	}
}

/* Is Zydis' instruction one that we decode semantically (so INVALID from us is a bug)? */
static bool in_emulated_set(const ZydisDecodedInstruction *zi, const ZydisDecodedOperand *zo)
{
	static const ZydisMnemonic set[] = {
		ZYDIS_MNEMONIC_MOVZX, ZYDIS_MNEMONIC_MOVSX, ZYDIS_MNEMONIC_MOVSXD,
		ZYDIS_MNEMONIC_ADD, ZYDIS_MNEMONIC_OR, ZYDIS_MNEMONIC_ADC, ZYDIS_MNEMONIC_SBB,
		ZYDIS_MNEMONIC_AND, ZYDIS_MNEMONIC_SUB, ZYDIS_MNEMONIC_XOR, ZYDIS_MNEMONIC_CMP,
		ZYDIS_MNEMONIC_TEST, ZYDIS_MNEMONIC_NOT, ZYDIS_MNEMONIC_NEG, ZYDIS_MNEMONIC_INC,
		ZYDIS_MNEMONIC_DEC, ZYDIS_MNEMONIC_BT, ZYDIS_MNEMONIC_BTS, ZYDIS_MNEMONIC_BTR,
		ZYDIS_MNEMONIC_BTC, ZYDIS_MNEMONIC_XCHG, ZYDIS_MNEMONIC_MOVSB, ZYDIS_MNEMONIC_MOVSW,
		ZYDIS_MNEMONIC_MOVSD, ZYDIS_MNEMONIC_MOVSQ, ZYDIS_MNEMONIC_STOSB, ZYDIS_MNEMONIC_STOSW,
		ZYDIS_MNEMONIC_STOSD, ZYDIS_MNEMONIC_STOSQ, ZYDIS_MNEMONIC_LODSB, ZYDIS_MNEMONIC_LODSW,
		ZYDIS_MNEMONIC_LODSD, ZYDIS_MNEMONIC_LODSQ, ZYDIS_MNEMONIC_INSB, ZYDIS_MNEMONIC_INSW,
		ZYDIS_MNEMONIC_INSD, ZYDIS_MNEMONIC_OUTSB, ZYDIS_MNEMONIC_OUTSW, ZYDIS_MNEMONIC_OUTSD,
		ZYDIS_MNEMONIC_IN, ZYDIS_MNEMONIC_OUT,
	};

	if (zi->encoding != ZYDIS_INSTRUCTION_ENCODING_LEGACY)
		return false;
	if (zi->mnemonic == ZYDIS_MNEMONIC_MOV)	/* general registers, memory, immediates only */
		return zi->opcode_map == ZYDIS_OPCODE_MAP_DEFAULT &&
		       ((zi->opcode >= 0x88 && zi->opcode <= 0x8B) ||
			(zi->opcode >= 0xA0 && zi->opcode <= 0xA3) || zi->opcode >= 0xB0);
	for (unsigned int i = 0; i < sizeof(set) / sizeof(set[0]); i++)
		if (zi->mnemonic == set[i])
			return true;
	(void)zo;
	return false;
}

static const char *zstatus(ZyanStatus s)
{
	switch (s) {
	case ZYDIS_STATUS_NO_MORE_DATA: return "no-more-data";
	case ZYDIS_STATUS_DECODING_ERROR: return "decoding-error";
	case ZYDIS_STATUS_INSTRUCTION_TOO_LONG: return "too-long";
	case ZYDIS_STATUS_BAD_REGISTER: return "bad-register";
	case ZYDIS_STATUS_ILLEGAL_LOCK: return "illegal-lock";
	case ZYDIS_STATUS_ILLEGAL_LEGACY_PFX: return "illegal-legacy-pfx";
	case ZYDIS_STATUS_ILLEGAL_REX: return "illegal-rex";
	case ZYDIS_STATUS_INVALID_MAP: return "invalid-map";
	case ZYDIS_STATUS_MALFORMED_EVEX: return "malformed-evex";
	case ZYDIS_STATUS_MALFORMED_MVEX: return "malformed-mvex";
	case ZYDIS_STATUS_INVALID_MASK: return "invalid-mask";
	}
	return "?";
}

/* Opcode key of an instruction for the per-opcode tallies: map * 256 + opcode. */
static unsigned int opcode_key(const u8 *b, bool mode64)
{
	unsigned int i = 0;

	while (i < 14 && (b[i] == 0x66 || b[i] == 0x67 || b[i] == 0xF2 || b[i] == 0xF3 ||
			  b[i] == 0xF0 || b[i] == 0x26 || b[i] == 0x2E || b[i] == 0x36 ||
			  b[i] == 0x3E || b[i] == 0x64 || b[i] == 0x65 ||
			  (mode64 && (b[i] & 0xF0) == 0x40)))
		i++;
	if (i < 13 && b[i] == 0x0F) {
		if (b[i + 1] == 0x38 || b[i + 1] == 0x3A)
			return (b[i + 1] == 0x38 ? 2 : 3) * 256 + b[i + 2];
		return 256 + b[i + 1];
	}
	return b[i];
}

int main(int argc, char **argv)
{
	static const struct {
		int mode;
		ZydisMachineMode zm;
		ZydisStackWidth sw;
	} modes[3] = {
		{ X86_MODE_16, ZYDIS_MACHINE_MODE_LEGACY_16, ZYDIS_STACK_WIDTH_16 },
		{ X86_MODE_32, ZYDIS_MACHINE_MODE_LEGACY_32, ZYDIS_STACK_WIDTH_32 },
		{ X86_MODE_64, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64 },
	};
	static unsigned long ours_only_by_op[4 * 256], zydis_only_by_op[4 * 256];
	unsigned long count = 200000;
	u64 seed = 0x5eed, rng;
	ZydisDecoder zd[3];
	struct counts c[3] = { 0 };

	for (int i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "--seed=", 7))
			seed = strtoull(argv[i] + 7, NULL, 0);
		else if (!strcmp(argv[i], "--verbose"))
			verbose = true;
		else if (argv[i][0] != '-')
			count = strtoul(argv[i], NULL, 0);
		else {
			fprintf(stderr, "usage: %s [COUNT] [--seed=X] [--verbose]\n", argv[0]);
			return 2;
		}
	}
	rng = seed ? seed : 1;
	for (int m = 0; m < 3; m++) {
		if (!ZYAN_SUCCESS(ZydisDecoderInit(&zd[m], modes[m].zm, modes[m].sw))) {
			fprintf(stderr, "ZydisDecoderInit failed\n");
			return 2;
		}
	}

	for (unsigned long it = 0; it < count; it++) {
		for (int m = 0; m < 3; m++) {
			int mode = modes[m].mode;
			u8 b[16];
			struct x86_insn in, cut;
			enum x86_decode_status st;
			ZydisDecodedInstruction zi;
			ZydisDecodedOperand zo[ZYDIS_MAX_OPERAND_COUNT];
			ZyanStatus zs;
			bool zok, ours;

			make_bytes(&rng, b, sizeof(b), mode == X86_MODE_64);
			st = x86_decode(b, sizeof(b), mode, &in);
			zs = ZydisDecoderDecodeFull(&zd[m], b, sizeof(b), &zi, zo);
			zok = ZYAN_SUCCESS(zs);
			/* Knights Corner's VEX-encoded mask branches: #UD on every other CPU */
			if (zok && (zi.mnemonic == ZYDIS_MNEMONIC_JKZD ||
				    zi.mnemonic == ZYDIS_MNEMONIC_JKNZD)) {
				zok = false;
				zs = ZYDIS_STATUS_DECODING_ERROR;
			}
			ours = st == X86_DECODE_OK || st == X86_DECODE_UNSUPPORTED;
			c[m].total++;

			if (st == X86_DECODE_TRUNCATED) {
				fail(mode, b, "TRUNCATED with 16 bytes");
				continue;
			}
			if (ours && zok) {
				if (in.len != zi.length) {
					fail(mode, b, "length %u, zydis %u (%s)", in.len, zi.length,
					     ZydisMnemonicGetString(zi.mnemonic));
					continue;
				}
				c[m].agree_len++;
				/* one byte short must be TRUNCATED, and exactly enough must do */
				if (x86_decode(b, in.len - 1, mode, &cut) != X86_DECODE_TRUNCATED)
					fail(mode, b, "not TRUNCATED at %u of %u bytes", in.len - 1, in.len);
				if (x86_decode(b, in.len, mode, &cut) != st || cut.len != in.len)
					fail(mode, b, "different with exactly %u bytes", in.len);
				if (st == X86_DECODE_OK) {
					c[m].semantic++;
					compare_semantic(mode, b, &in, &zi, zo);
				}
			} else if (ours) {
				c[m].ours_only++;
				ours_only_by_op[opcode_key(b, mode == X86_MODE_64)]++;
				if (st == X86_DECODE_OK)
					fail(mode, b, "we decode %s (len %u), zydis: %s",
					     x86_op_name(in.op), in.len, zstatus(zs));
				else if (verbose && n_samples++ < 200)
					report("ours-only", mode, b, "len %u, zydis %s", in.len,
					       zstatus(zs));
			} else if (zok) {
				c[m].zydis_only++;
				zydis_only_by_op[opcode_key(b, mode == X86_MODE_64)]++;
				/* INVALID for an instruction in the emulated set is a bug */
				if (in_emulated_set(&zi, zo))
					fail(mode, b, "we say INVALID, zydis %s len %u",
					     ZydisMnemonicGetString(zi.mnemonic), zi.length);
				else if (verbose && zydis_only_by_op[opcode_key(b, mode == X86_MODE_64)] <= 3)
					report("zydis-only", mode, b, "%s len %u",
					       ZydisMnemonicGetString(zi.mnemonic), zi.length);
			} else {
				c[m].agree_invalid++;
			}
		}
	}

	for (int m = 0; m < 3; m++)
		printf("%2d-bit: %lu strings: %lu same length (%lu with operands compared), "
		       "%lu both invalid, %lu length only ours, %lu only zydis\n",
		       modes[m].mode, c[m].total, c[m].agree_len, c[m].semantic, c[m].agree_invalid,
		       c[m].ours_only, c[m].zydis_only);
	if (verbose) {
		printf("opcodes (map:op) that Zydis refuses and we give a length to (top counts):\n");
		for (unsigned int k = 0; k < 4 * 256; k++)
			if (ours_only_by_op[k] > count / 2000)
				printf("  %u:%02x %lu\n", k >> 8, k & 0xFF, ours_only_by_op[k]);
		printf("opcodes that we call INVALID and Zydis decodes:\n");
		for (unsigned int k = 0; k < 4 * 256; k++)
			if (zydis_only_by_op[k])
				printf("  %u:%02x %lu\n", k >> 8, k & 0xFF, zydis_only_by_op[k]);
	}
	printf("%lu [disp32] operands skipped for Zydis 4.0's [r13d] bug\n", n_r13d_bug);
	printf("%lu disagreement(s)\n", n_fail);
	return n_fail ? 1 : 0;
}
