// SPDX-License-Identifier: MIT
/*
 * vmx/emul/decode.c: tables of encodings in 16-, 32- and 64-bit code with
 * the expected status, length and operands (printed in an Intel-like
 * syntax so a table line reads like a disassembly), then truncation at
 * every byte of each, and the 15-byte limit.  tests/host/zydis_diff.c
 * checks the same decoder against Zydis on random bytes.
 */
#include "vmx/emul/decode.h"
#include "tests/host/harness.h"
#include "lib/compiler.h"

#include <stdlib.h>
#include <string.h>

enum { OK = X86_DECODE_OK, TRUNC = X86_DECODE_TRUNCATED, INV = X86_DECODE_INVALID,
       UNS = X86_DECODE_UNSUPPORTED };

struct dcase {
	int mode;
	const char *hex;
	int status;
	int len;		/* OK and UNS */
	const char *text;	/* OK: the expected rendering */
};

static const char *const r8[16] = { "al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil",
				    "r8b", "r9b", "r10b", "r11b", "r12b", "r13b", "r14b", "r15b" };
static const char *const r8h[4] = { "ah", "ch", "dh", "bh" };
static const char *const r16[16] = { "ax", "cx", "dx", "bx", "sp", "bp", "si", "di",
				     "r8w", "r9w", "r10w", "r11w", "r12w", "r13w", "r14w", "r15w" };
static const char *const r32[16] = { "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi",
				     "r8d", "r9d", "r10d", "r11d", "r12d", "r13d", "r14d", "r15d" };
static const char *const r64[16] = { "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
				     "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15" };
static const char *const segs[6] = { "es", "cs", "ss", "ds", "fs", "gs" };

static const char *reg_name(unsigned int reg, unsigned int size, bool high8)
{
	if (reg >= 16)
		return "?";
	if (high8)
		return r8h[reg - 4];
	switch (size) {
	case 1: return r8[reg];
	case 2: return r16[reg];
	case 4: return r32[reg];
	case 8: return r64[reg];
	}
	return "?";
}

static const char *size_name(unsigned int size)
{
	switch (size) {
	case 1: return "byte";
	case 2: return "word";
	case 4: return "dword";
	case 8: return "qword";
	}
	return "?";
}

static u64 amask(unsigned int size)
{
	return size >= 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
}

static void fmt_mem(char *p, size_t n, const struct x86_insn *in, unsigned int size)
{
	const struct x86_mem *m = &in->mem;
	bool any = false;
	int k;

	k = snprintf(p, n, "%s %s:[", size_name(size), segs[m->seg]);
	if (m->rip_rel) {
		k += snprintf(p + k, n - k, "%s", in->addrsize == 8 ? "rip" : "eip");
		any = true;
	}
	if (m->base != X86_NO_REG) {
		k += snprintf(p + k, n - k, "%s", reg_name(m->base, in->addrsize, false));
		any = true;
	}
	if (m->index != X86_NO_REG) {
		k += snprintf(p + k, n - k, "%s%s*%u", any ? "+" : "",
			      reg_name(m->index, in->addrsize, false), m->scale);
		any = true;
	}
	if (!any)
		k += snprintf(p + k, n - k, "0x%llx", (m->disp & amask(in->addrsize)));
	else if (m->disp > 0)
		k += snprintf(p + k, n - k, "+0x%llx", m->disp);
	else if (m->disp < 0)
		k += snprintf(p + k, n - k, "-0x%llx", -m->disp);
	snprintf(p + k, n - k, "]");
}

/* Render a semantically decoded instruction. */
static void fmt_insn(char *buf, size_t n, const struct x86_insn *in)
{
	static const char sfx[9] = { 0, 'b', 'w', 0, 'd', 0, 0, 0, 'q' };
	int k = 0;

	if (in->lock)
		k += snprintf(buf + k, n - k, "lock ");
	if (in->op >= X86_OP_MOVS && in->op <= X86_OP_OUTS) {
		snprintf(buf + k, n - k, "%s%s%c a%u %s",
			 in->rep == X86_REP_E ? "rep " : in->rep == X86_REP_NE ? "repne " : "",
			 x86_op_name(in->op), sfx[in->opsize], in->addrsize * 8u,
			      segs[in->mem.seg]);
		return;
	}
	k += snprintf(buf + k, n - k, "%s", x86_op_name(in->op));
	for (unsigned int i = 0; i < in->nopnd; i++) {
		const struct x86_operand *o = &in->opnd[i];

		k += snprintf(buf + k, n - k, i ? ", " : " ");
		switch (o->kind) {
		case X86_OPND_REG:
			k += snprintf(buf + k, n - k, "%s", reg_name(o->reg, o->size, o->high8));
			break;
		case X86_OPND_IMM:
			k += snprintf(buf + k, n - k, "0x%llx", in->imm);
			break;
		case X86_OPND_MEM:
			fmt_mem(buf + k, n - k, in, o->size);
			k += strlen(buf + k);
			break;
		default:
			k += snprintf(buf + k, n - k, "?");
		}
	}
}

static size_t parse_hex(const char *hex, u8 *out, size_t max)
{
	size_t n = 0;

	while (*hex && n < max) {
		char *end;
		unsigned long v = strtoul(hex, &end, 16);

		if (end == hex)
			break;
		out[n++] = (u8)v;
		hex = end;
	}
	return n;
}

static const struct dcase cases[] = {
	/* ---- MOV 88/89/8A/8B, 64-bit: ModRM, SIB, RIP-relative, REX */
	{ 64, "89 08", OK, 2, "mov dword ds:[rax], ecx" },
	{ 64, "48 89 08", OK, 3, "mov qword ds:[rax], rcx" },
	{ 64, "66 89 08", OK, 3, "mov word ds:[rax], cx" },
	{ 64, "66 48 89 08", OK, 4, "mov qword ds:[rax], rcx" },
	{ 64, "88 08", OK, 2, "mov byte ds:[rax], cl" },
	{ 64, "88 30", OK, 2, "mov byte ds:[rax], dh" },
	{ 64, "40 88 30", OK, 3, "mov byte ds:[rax], sil" },
	{ 64, "44 88 30", OK, 3, "mov byte ds:[rax], r14b" },
	{ 64, "8a 24 24", OK, 3, "mov ah, byte ss:[rsp]" },
	{ 64, "8b 05 10 00 00 00", OK, 6, "mov eax, dword ds:[rip+0x10]" },
	{ 64, "8b 05 f0 ff ff ff", OK, 6, "mov eax, dword ds:[rip-0x10]" },
	{ 64, "67 8b 05 10 00 00 00", OK, 7, "mov eax, dword ds:[eip+0x10]" },
	{ 64, "48 8b 0d 00 01 00 00", OK, 7, "mov rcx, qword ds:[rip+0x100]" },
	{ 64, "8b 04 25 00 00 e0 fe", OK, 7, "mov eax, dword ds:[0xfffffffffee00000]" },
	{ 64, "67 8b 04 25 00 00 e0 fe", OK, 8, "mov eax, dword ds:[0xfee00000]" },
	{ 64, "89 04 65 00 10 00 00", OK, 7, "mov dword ds:[0x1000], eax" },
	{ 64, "89 04 24", OK, 3, "mov dword ss:[rsp], eax" },
	{ 64, "89 44 24 08", OK, 4, "mov dword ss:[rsp+0x8], eax" },
	{ 64, "89 45 f8", OK, 3, "mov dword ss:[rbp-0x8], eax" },
	{ 64, "89 45 00", OK, 3, "mov dword ss:[rbp], eax" },
	{ 64, "41 89 45 00", OK, 4, "mov dword ds:[r13], eax" },
	{ 64, "41 89 04 24", OK, 4, "mov dword ds:[r12], eax" },
	{ 64, "41 89 04 25 00 10 00 00", OK, 8, "mov dword ds:[0x1000], eax" },
	{ 64, "42 89 04 20", OK, 4, "mov dword ds:[rax+r12*1], eax" },
	{ 64, "89 04 20", OK, 3, "mov dword ds:[rax], eax" },
	{ 64, "8b 84 88 00 01 00 00", OK, 7, "mov eax, dword ds:[rax+rcx*4+0x100]" },
	{ 64, "8b 44 c8 80", OK, 4, "mov eax, dword ds:[rax+rcx*8-0x80]" },
	{ 64, "4f 8b 84 c8 78 56 34 12", OK, 8, "mov r8, qword ds:[r8+r9*8+0x12345678]" },
	{ 64, "8b 04 cd 00 00 00 00", OK, 7, "mov eax, dword ds:[rcx*8]" },
	{ 64, "8b 04 6c", OK, 3, "mov eax, dword ss:[rsp+rbp*2]" },
	{ 64, "8b 04 2c", OK, 3, "mov eax, dword ss:[rsp+rbp*1]" },
	{ 64, "8b 44 2d 00", OK, 4, "mov eax, dword ss:[rbp+rbp*1]" },
	{ 64, "44 8b 00", OK, 3, "mov r8d, dword ds:[rax]" },
	{ 64, "4c 8b 00", OK, 3, "mov r8, qword ds:[rax]" },
	{ 64, "49 8b 00", OK, 3, "mov rax, qword ds:[r8]" },
	{ 64, "65 48 8b 04 25 28 00 00 00", OK, 9, "mov rax, qword gs:[0x28]" },
	{ 64, "64 8b 00", OK, 3, "mov eax, dword fs:[rax]" },
	{ 64, "2e 8b 00", OK, 3, "mov eax, dword ds:[rax]" },	/* CS ignored */
	{ 64, "36 89 08", OK, 3, "mov dword ds:[rax], ecx" },	/* SS ignored */
	{ 64, "64 2e 8b 00", OK, 4, "mov eax, dword fs:[rax]" },
	{ 64, "89 c8", OK, 2, "mov eax, ecx" },
	{ 64, "8b c8", OK, 2, "mov ecx, eax" },
	{ 64, "f3 89 08", OK, 3, "mov dword ds:[rax], ecx" },	/* XRELEASE hint */
	/* ---- MOV C6/C7 */
	{ 64, "c7 00 01 00 00 00", OK, 6, "mov dword ds:[rax], 0x1" },
	{ 64, "48 c7 00 ff ff ff ff", OK, 7, "mov qword ds:[rax], 0xffffffffffffffff" },
	{ 64, "48 c7 00 ff ff ff 7f", OK, 7, "mov qword ds:[rax], 0x7fffffff" },
	{ 64, "66 c7 00 34 12", OK, 5, "mov word ds:[rax], 0x1234" },
	{ 64, "c6 00 ff", OK, 3, "mov byte ds:[rax], 0xff" },
	{ 64, "c7 05 00 01 00 00 78 56 34 12", OK, 10, "mov dword ds:[rip+0x100], 0x12345678" },
	{ 64, "c7 80 00 03 00 00 01 00 00 00", OK, 10, "mov dword ds:[rax+0x300], 0x1" },
	{ 64, "c6 08 00", INV, 0, NULL },
	{ 64, "c7 c8 00 00 00 00", INV, 0, NULL },
	{ 64, "c6 f8 01", UNS, 3, NULL },		/* XABORT */
	{ 64, "c7 f8 00 00 00 00", UNS, 6, NULL },	/* XBEGIN */
	{ 64, "66 c7 f8 00 00", UNS, 5, NULL },
	/* ---- MOV A0-A3 moffs */
	{ 64, "a1 00 00 e0 fe 00 00 00 00", OK, 9, "mov eax, dword ds:[0xfee00000]" },
	{ 64, "67 a1 00 00 e0 fe", OK, 6, "mov eax, dword ds:[0xfee00000]" },
	{ 64, "48 a3 88 77 66 55 44 33 22 11", OK, 10, "mov qword ds:[0x1122334455667788], rax" },
	{ 64, "a2 00 00 00 00 00 00 00 80", OK, 9, "mov byte ds:[0x8000000000000000], al" },
	{ 64, "64 a0 10 00 00 00 00 00 00 00", OK, 10, "mov al, byte fs:[0x10]" },
	{ 64, "66 a1 00 10 00 00 00 00 00 00", OK, 10, "mov ax, word ds:[0x1000]" },
	{ 32, "a1 00 00 e0 fe", OK, 5, "mov eax, dword ds:[0xfee00000]" },
	{ 32, "67 a1 34 12", OK, 4, "mov eax, dword ds:[0x1234]" },
	{ 32, "26 a3 00 00 c0 fe", OK, 6, "mov dword es:[0xfec00000], eax" },
	{ 32, "a0 ff ff ff ff", OK, 5, "mov al, byte ds:[0xffffffff]" },
	{ 16, "a1 34 12", OK, 3, "mov ax, word ds:[0x1234]" },
	{ 16, "66 67 a1 78 56 34 12", OK, 7, "mov eax, dword ds:[0x12345678]" },
	{ 16, "36 a2 00 80", OK, 4, "mov byte ss:[0x8000], al" },
	/* ---- MOV B0-BF */
	{ 64, "b8 78 56 34 12", OK, 5, "mov eax, 0x12345678" },
	{ 64, "48 b8 88 77 66 55 44 33 22 11", OK, 10, "mov rax, 0x1122334455667788" },
	{ 64, "66 b8 34 12", OK, 4, "mov ax, 0x1234" },
	{ 64, "41 b0 05", OK, 3, "mov r8b, 0x5" },
	{ 64, "b4 05", OK, 2, "mov ah, 0x5" },
	{ 64, "40 b4 05", OK, 3, "mov spl, 0x5" },
	{ 64, "49 bf 01 00 00 00 00 00 00 00", OK, 10, "mov r15, 0x1" },
	{ 32, "b8 78 56 34 12", OK, 5, "mov eax, 0x12345678" },
	{ 32, "66 bb 34 12", OK, 4, "mov bx, 0x1234" },
	{ 16, "b9 34 12", OK, 3, "mov cx, 0x1234" },
	{ 16, "66 b9 78 56 34 12", OK, 6, "mov ecx, 0x12345678" },
	{ 16, "b7 ff", OK, 2, "mov bh, 0xff" },
	/* ---- MOV in 32-bit code */
	{ 32, "89 08", OK, 2, "mov dword ds:[eax], ecx" },
	{ 32, "8b 05 00 00 e0 fe", OK, 6, "mov eax, dword ds:[0xfee00000]" },
	{ 32, "8b 0d 00 03 e0 fe", OK, 6, "mov ecx, dword ds:[0xfee00300]" },
	{ 32, "66 89 08", OK, 3, "mov word ds:[eax], cx" },
	{ 32, "67 89 08", OK, 3, "mov dword ds:[bx+si*1], ecx" },
	{ 32, "89 45 08", OK, 3, "mov dword ss:[ebp+0x8], eax" },
	{ 32, "3e 89 45 08", OK, 4, "mov dword ds:[ebp+0x8], eax" },
	{ 32, "26 89 00", OK, 3, "mov dword es:[eax], eax" },
	{ 32, "64 89 00", OK, 3, "mov dword fs:[eax], eax" },
	{ 32, "89 04 24", OK, 3, "mov dword ss:[esp], eax" },
	{ 32, "89 04 25 00 10 00 00", OK, 7, "mov dword ds:[0x1000], eax" },
	{ 32, "8b 04 8d 00 00 e0 fe", OK, 7, "mov eax, dword ds:[ecx*4-0x1200000]" },
	{ 32, "88 24 24", OK, 3, "mov byte ss:[esp], ah" },
	{ 32, "c7 05 b0 00 e0 fe 00 00 00 00", OK, 10, "mov dword ds:[0xfee000b0], 0x0" },
	{ 32, "66 c7 00 34 12", OK, 5, "mov word ds:[eax], 0x1234" },
	/* ---- MOV in 16-bit code: the eight base/index forms */
	{ 16, "89 00", OK, 2, "mov word ds:[bx+si*1], ax" },
	{ 16, "89 01", OK, 2, "mov word ds:[bx+di*1], ax" },
	{ 16, "89 02", OK, 2, "mov word ss:[bp+si*1], ax" },
	{ 16, "89 03", OK, 2, "mov word ss:[bp+di*1], ax" },
	{ 16, "89 04", OK, 2, "mov word ds:[si], ax" },
	{ 16, "89 05", OK, 2, "mov word ds:[di], ax" },
	{ 16, "89 06 34 12", OK, 4, "mov word ds:[0x1234], ax" },
	{ 16, "89 07", OK, 2, "mov word ds:[bx], ax" },
	{ 16, "89 46 02", OK, 3, "mov word ss:[bp+0x2], ax" },
	{ 16, "8b 46 fe", OK, 3, "mov ax, word ss:[bp-0x2]" },
	{ 16, "89 80 00 10", OK, 4, "mov word ds:[bx+si*1+0x1000], ax" },
	{ 16, "89 86 00 80", OK, 4, "mov word ss:[bp-0x8000], ax" },
	{ 16, "26 89 46 00", OK, 4, "mov word es:[bp], ax" },
	{ 16, "66 89 07", OK, 3, "mov dword ds:[bx], eax" },
	{ 16, "67 89 04 24", OK, 4, "mov word ss:[esp], ax" },
	{ 16, "67 66 8b 05 00 00 e0 fe", OK, 8, "mov eax, dword ds:[0xfee00000]" },
	{ 16, "c7 06 34 12 78 56", OK, 6, "mov word ds:[0x1234], 0x5678" },
	{ 16, "66 c7 06 34 12 78 56 34 12", OK, 9, "mov dword ds:[0x1234], 0x12345678" },
	{ 16, "c6 47 ff 01", OK, 4, "mov byte ds:[bx-0x1], 0x1" },
	{ 16, "88 26 00 01", OK, 4, "mov byte ds:[0x100], ah" },
	/* ---- MOVZX, MOVSX, MOVSXD */
	{ 64, "0f b6 00", OK, 3, "movzx eax, byte ds:[rax]" },
	{ 64, "0f b7 00", OK, 3, "movzx eax, word ds:[rax]" },
	{ 64, "48 0f b6 00", OK, 4, "movzx rax, byte ds:[rax]" },
	{ 64, "48 0f b7 00", OK, 4, "movzx rax, word ds:[rax]" },
	{ 64, "66 0f b6 00", OK, 4, "movzx ax, byte ds:[rax]" },
	{ 64, "0f be 00", OK, 3, "movsx eax, byte ds:[rax]" },
	{ 64, "48 0f bf 00", OK, 4, "movsx rax, word ds:[rax]" },
	{ 64, "0f b6 c4", OK, 3, "movzx eax, ah" },
	{ 64, "40 0f b6 c4", OK, 4, "movzx eax, spl" },
	{ 64, "44 0f b7 05 00 10 00 00", OK, 8, "movzx r8d, word ds:[rip+0x1000]" },
	{ 32, "0f b7 05 00 00 c0 fe", OK, 7, "movzx eax, word ds:[0xfec00000]" },
	{ 32, "66 0f be 03", OK, 4, "movsx ax, byte ds:[ebx]" },
	{ 16, "0f b6 07", OK, 3, "movzx ax, byte ds:[bx]" },
	{ 16, "66 0f bf 46 02", OK, 5, "movsx eax, word ss:[bp+0x2]" },
	{ 64, "48 63 00", OK, 3, "movsxd rax, dword ds:[rax]" },
	{ 64, "4c 63 c1", OK, 3, "movsxd r8, ecx" },
	{ 64, "63 00", OK, 2, "movsxd eax, dword ds:[rax]" },
	{ 64, "66 63 00", OK, 3, "movsxd ax, word ds:[rax]" },
	{ 32, "63 00", UNS, 2, NULL },		/* ARPL */
	/* ---- the ALU group, 00-3D */
	{ 64, "01 08", OK, 2, "add dword ds:[rax], ecx" },
	{ 64, "f0 01 08", OK, 3, "lock add dword ds:[rax], ecx" },
	{ 64, "03 08", OK, 2, "add ecx, dword ds:[rax]" },
	{ 64, "00 08", OK, 2, "add byte ds:[rax], cl" },
	{ 64, "02 08", OK, 2, "add cl, byte ds:[rax]" },
	{ 64, "04 05", OK, 2, "add al, 0x5" },
	{ 64, "05 78 56 34 12", OK, 5, "add eax, 0x12345678" },
	{ 64, "48 05 ff ff ff ff", OK, 6, "add rax, 0xffffffffffffffff" },
	{ 64, "66 05 34 12", OK, 4, "add ax, 0x1234" },
	{ 64, "09 08", OK, 2, "or dword ds:[rax], ecx" },
	{ 64, "11 08", OK, 2, "adc dword ds:[rax], ecx" },
	{ 64, "19 08", OK, 2, "sbb dword ds:[rax], ecx" },
	{ 64, "21 08", OK, 2, "and dword ds:[rax], ecx" },
	{ 64, "29 08", OK, 2, "sub dword ds:[rax], ecx" },
	{ 64, "31 08", OK, 2, "xor dword ds:[rax], ecx" },
	{ 64, "39 08", OK, 2, "cmp dword ds:[rax], ecx" },
	{ 64, "3b 08", OK, 2, "cmp ecx, dword ds:[rax]" },
	{ 64, "3c 7f", OK, 2, "cmp al, 0x7f" },
	{ 64, "0d 00 00 00 80", OK, 5, "or eax, 0x80000000" },
	{ 64, "48 0d 00 00 00 80", OK, 6, "or rax, 0xffffffff80000000" },
	{ 64, "f0 48 09 08", OK, 4, "lock or qword ds:[rax], rcx" },
	{ 64, "f0 66 21 08", OK, 4, "lock and word ds:[rax], cx" },
	{ 64, "66 f0 31 08", OK, 4, "lock xor word ds:[rax], cx" },
	{ 64, "f0 f0 29 08", OK, 4, "lock sub dword ds:[rax], ecx" },
	{ 64, "f0 39 08", INV, 0, NULL },
	{ 64, "f0 03 08", INV, 0, NULL },
	{ 64, "f0 01 c0", INV, 0, NULL },
	{ 64, "f0 04 01", INV, 0, NULL },
	{ 32, "00 24 24", OK, 3, "add byte ss:[esp], ah" },
	{ 32, "2b 45 08", OK, 3, "sub eax, dword ss:[ebp+0x8]" },
	{ 16, "01 07", OK, 2, "add word ds:[bx], ax" },
	{ 16, "66 31 46 02", OK, 4, "xor dword ss:[bp+0x2], eax" },
	{ 16, "25 ff 00", OK, 3, "and ax, 0xff" },
	/* ---- the ALU group, 80-83 */
	{ 64, "80 00 05", OK, 3, "add byte ds:[rax], 0x5" },
	{ 64, "80 08 05", OK, 3, "or byte ds:[rax], 0x5" },
	{ 64, "80 10 05", OK, 3, "adc byte ds:[rax], 0x5" },
	{ 64, "80 18 05", OK, 3, "sbb byte ds:[rax], 0x5" },
	{ 64, "80 20 05", OK, 3, "and byte ds:[rax], 0x5" },
	{ 64, "80 28 05", OK, 3, "sub byte ds:[rax], 0x5" },
	{ 64, "80 30 05", OK, 3, "xor byte ds:[rax], 0x5" },
	{ 64, "80 38 05", OK, 3, "cmp byte ds:[rax], 0x5" },
	{ 64, "81 00 78 56 34 12", OK, 6, "add dword ds:[rax], 0x12345678" },
	{ 64, "48 81 00 00 00 00 80", OK, 7, "add qword ds:[rax], 0xffffffff80000000" },
	{ 64, "66 81 00 34 12", OK, 5, "add word ds:[rax], 0x1234" },
	{ 64, "83 00 ff", OK, 3, "add dword ds:[rax], 0xffffffff" },
	{ 64, "48 83 00 80", OK, 4, "add qword ds:[rax], 0xffffffffffffff80" },
	{ 64, "66 83 00 ff", OK, 4, "add word ds:[rax], 0xffff" },
	{ 64, "83 28 01", OK, 3, "sub dword ds:[rax], 0x1" },
	{ 64, "83 0d 10 00 00 00 01", OK, 7, "or dword ds:[rip+0x10], 0x1" },
	{ 64, "f0 83 00 01", OK, 4, "lock add dword ds:[rax], 0x1" },
	{ 64, "f0 81 38 00 00 00 00", INV, 0, NULL },
	{ 64, "f0 83 c0 01", INV, 0, NULL },
	{ 64, "83 c0 01", OK, 3, "add eax, 0x1" },
	{ 64, "82 00 05", INV, 0, NULL },
	{ 32, "82 00 05", OK, 3, "add byte ds:[eax], 0x5" },
	{ 32, "81 0d 00 00 e0 fe 00 01 00 00", OK, 10, "or dword ds:[0xfee00000], 0x100" },
	{ 16, "83 3e 34 12 ff", OK, 5, "cmp word ds:[0x1234], 0xffff" },
	{ 16, "81 06 34 12 78 56", OK, 6, "add word ds:[0x1234], 0x5678" },
	/* ---- TEST, NOT, NEG, INC, DEC */
	{ 64, "85 08", OK, 2, "test dword ds:[rax], ecx" },
	{ 64, "84 08", OK, 2, "test byte ds:[rax], cl" },
	{ 64, "f6 00 01", OK, 3, "test byte ds:[rax], 0x1" },
	{ 64, "f6 08 01", OK, 3, "test byte ds:[rax], 0x1" },	/* /1, an alias */
	{ 64, "f7 00 78 56 34 12", OK, 6, "test dword ds:[rax], 0x12345678" },
	{ 64, "48 f7 00 00 00 00 80", OK, 7, "test qword ds:[rax], 0xffffffff80000000" },
	{ 64, "66 f7 00 34 12", OK, 5, "test word ds:[rax], 0x1234" },
	{ 64, "a8 01", OK, 2, "test al, 0x1" },
	{ 64, "a9 00 01 00 00", OK, 5, "test eax, 0x100" },
	{ 64, "f0 85 08", INV, 0, NULL },
	{ 64, "f0 f6 00 01", INV, 0, NULL },
	{ 64, "f6 10", OK, 2, "not byte ds:[rax]" },
	{ 64, "f7 18", OK, 2, "neg dword ds:[rax]" },
	{ 64, "48 f7 18", OK, 3, "neg qword ds:[rax]" },
	{ 64, "f0 f7 10", OK, 3, "lock not dword ds:[rax]" },
	{ 64, "f0 f7 d0", INV, 0, NULL },
	{ 64, "f7 20", UNS, 2, NULL },			/* MUL */
	{ 64, "f7 38", UNS, 2, NULL },			/* IDIV */
	{ 64, "fe 00", OK, 2, "inc byte ds:[rax]" },
	{ 64, "ff 08", OK, 2, "dec dword ds:[rax]" },
	{ 64, "f0 ff 00", OK, 3, "lock inc dword ds:[rax]" },
	{ 64, "ff c0", OK, 2, "inc eax" },
	{ 64, "fe 10", INV, 0, NULL },
	{ 64, "ff 38", INV, 0, NULL },
	{ 64, "ff d8", INV, 0, NULL },
	{ 64, "ff 10", UNS, 2, NULL },			/* CALL near indirect */
	{ 64, "ff 25 00 00 00 00", UNS, 6, NULL },		/* JMP [rip] */
	{ 32, "40", OK, 1, "inc eax" },
	{ 32, "4f", OK, 1, "dec edi" },
	{ 32, "66 40", OK, 2, "inc ax" },
	{ 16, "43", OK, 1, "inc bx" },
	{ 32, "48 89 00", OK, 1, "dec eax" },		/* 48 is not REX outside 64-bit code */
	/* ---- BT, BTS, BTR, BTC */
	{ 64, "0f a3 08", OK, 3, "bt dword ds:[rax], ecx" },
	{ 64, "48 0f a3 08", OK, 4, "bt qword ds:[rax], rcx" },
	{ 64, "66 0f a3 08", OK, 4, "bt word ds:[rax], cx" },
	{ 64, "0f ab 08", OK, 3, "bts dword ds:[rax], ecx" },
	{ 64, "0f b3 08", OK, 3, "btr dword ds:[rax], ecx" },
	{ 64, "0f bb 08", OK, 3, "btc dword ds:[rax], ecx" },
	{ 64, "f0 0f ab 08", OK, 4, "lock bts dword ds:[rax], ecx" },
	{ 64, "f0 48 0f b3 08", OK, 5, "lock btr qword ds:[rax], rcx" },
	{ 64, "f0 0f a3 08", INV, 0, NULL },
	{ 64, "0f ba 20 05", OK, 4, "bt dword ds:[rax], 0x5" },
	{ 64, "0f ba 28 05", OK, 4, "bts dword ds:[rax], 0x5" },
	{ 64, "0f ba 30 05", OK, 4, "btr dword ds:[rax], 0x5" },
	{ 64, "0f ba 38 ff", OK, 4, "btc dword ds:[rax], 0xff" },
	{ 64, "48 0f ba 20 3f", OK, 5, "bt qword ds:[rax], 0x3f" },
	{ 64, "f0 0f ba 28 05", OK, 5, "lock bts dword ds:[rax], 0x5" },
	{ 64, "f0 0f ba 20 05", INV, 0, NULL },
	{ 64, "0f ba 00 05", INV, 0, NULL },
	{ 64, "0f ba 18 05", INV, 0, NULL },
	{ 64, "0f ba e0 05", OK, 4, "bt eax, 0x5" },
	{ 32, "0f a3 05 00 00 e0 fe", OK, 7, "bt dword ds:[0xfee00000], eax" },
	{ 16, "0f ab 07", OK, 3, "bts word ds:[bx], ax" },
	/* ---- XCHG */
	{ 64, "87 08", OK, 2, "xchg dword ds:[rax], ecx" },
	{ 64, "86 08", OK, 2, "xchg byte ds:[rax], cl" },
	{ 64, "86 20", OK, 2, "xchg byte ds:[rax], ah" },
	{ 64, "f0 87 08", OK, 3, "lock xchg dword ds:[rax], ecx" },
	{ 64, "48 87 08", OK, 3, "xchg qword ds:[rax], rcx" },
	{ 64, "87 c8", OK, 2, "xchg eax, ecx" },
	{ 64, "f0 87 c8", INV, 0, NULL },
	{ 32, "87 05 00 03 e0 fe", OK, 6, "xchg dword ds:[0xfee00300], eax" },
	{ 64, "90", UNS, 1, NULL },
	{ 64, "f3 90", UNS, 2, NULL },
	/* ---- string instructions */
	{ 64, "a4", OK, 1, "movsb a64 ds" },
	{ 64, "f3 a4", OK, 2, "rep movsb a64 ds" },
	{ 64, "f3 48 a5", OK, 3, "rep movsq a64 ds" },
	{ 64, "66 a5", OK, 2, "movsw a64 ds" },
	{ 64, "67 f3 a5", OK, 3, "rep movsd a32 ds" },
	{ 64, "f2 a5", OK, 2, "repne movsd a64 ds" },
	{ 64, "f2 f3 a5", OK, 3, "rep movsd a64 ds" },
	{ 64, "f3 f2 a5", OK, 3, "repne movsd a64 ds" },
	{ 64, "2e a4", OK, 2, "movsb a64 ds" },
	{ 64, "64 a4", OK, 2, "movsb a64 fs" },
	{ 64, "f3 aa", OK, 2, "rep stosb a64 ds" },
	{ 64, "f3 ab", OK, 2, "rep stosd a64 ds" },
	{ 64, "f3 48 ab", OK, 3, "rep stosq a64 ds" },
	{ 64, "ac", OK, 1, "lodsb a64 ds" },
	{ 64, "65 48 ad", OK, 3, "lodsq a64 gs" },
	{ 64, "f3 a6", OK, 2, "rep cmpsb a64 ds" },
	{ 64, "f2 ae", OK, 2, "repne scasb a64 ds" },
	{ 64, "af", OK, 1, "scasd a64 ds" },
	{ 64, "6c", OK, 1, "insb a64 ds" },
	{ 64, "f3 6d", OK, 2, "rep insd a64 ds" },
	{ 64, "66 6d", OK, 2, "insw a64 ds" },
	{ 64, "48 6d", OK, 2, "insd a64 ds" },			/* REX.W ignored */
	{ 64, "6e", OK, 1, "outsb a64 ds" },
	{ 64, "f3 6f", OK, 2, "rep outsd a64 ds" },
	{ 64, "f3 66 6f", OK, 3, "rep outsw a64 ds" },
	{ 64, "f0 a4", INV, 0, NULL },
	{ 32, "f3 a5", OK, 2, "rep movsd a32 ds" },
	{ 32, "67 f3 a5", OK, 3, "rep movsd a16 ds" },
	{ 32, "26 6e", OK, 2, "outsb a32 es" },
	{ 32, "2e f3 a4", OK, 3, "rep movsb a32 cs" },
	{ 32, "f3 66 ab", OK, 3, "rep stosw a32 ds" },
	{ 16, "f3 a4", OK, 2, "rep movsb a16 ds" },
	{ 16, "f3 a5", OK, 2, "rep movsw a16 ds" },
	{ 16, "66 f3 a5", OK, 3, "rep movsd a16 ds" },
	{ 16, "67 f3 a5", OK, 3, "rep movsw a32 ds" },
	{ 16, "f3 6c", OK, 2, "rep insb a16 ds" },
	{ 16, "36 f3 6f", OK, 3, "rep outsw a16 ss" },
	/* ---- IN, OUT */
	{ 64, "e4 60", OK, 2, "in al, 0x60" },
	{ 64, "e5 60", OK, 2, "in eax, 0x60" },
	{ 64, "66 e5 60", OK, 3, "in ax, 0x60" },
	{ 64, "48 e5 60", OK, 3, "in eax, 0x60" },
	{ 64, "ec", OK, 1, "in al, dx" },
	{ 64, "ed", OK, 1, "in eax, dx" },
	{ 64, "e6 80", OK, 2, "out 0x80, al" },
	{ 64, "e7 f4", OK, 2, "out 0xf4, eax" },
	{ 64, "ee", OK, 1, "out dx, al" },
	{ 64, "ef", OK, 1, "out dx, eax" },
	{ 64, "66 ef", OK, 2, "out dx, ax" },
	{ 64, "f0 ee", INV, 0, NULL },
	{ 32, "ec", OK, 1, "in al, dx" },
	{ 32, "66 ed", OK, 2, "in ax, dx" },
	{ 16, "ed", OK, 1, "in ax, dx" },
	{ 16, "66 ef", OK, 2, "out dx, eax" },
	{ 16, "e6 70", OK, 2, "out 0x70, al" },
	/* ---- REX placement */
	{ 64, "48 66 89 00", OK, 4, "mov word ds:[rax], ax" },	/* REX, then 66: REX ignored */
	{ 64, "66 48 89 00", OK, 4, "mov qword ds:[rax], rax" },
	{ 64, "41 48 89 00", OK, 4, "mov qword ds:[rax], rax" },	/* the last REX counts */
	{ 64, "48 41 89 00", OK, 4, "mov dword ds:[r8], eax" },
	{ 64, "48 f0 01 00", OK, 4, "lock add dword ds:[rax], eax" },
	{ 64, "4c 64 89 00", OK, 4, "mov dword fs:[rax], eax" },
	{ 64, "40 40 40 88 e0", OK, 5, "mov al, spl" },
	/* ---- lengths only: other maps and encodings */
	{ 64, "0f 0b", UNS, 2, NULL },
	{ 64, "0f 05", UNS, 2, NULL },
	{ 64, "0f 01 d9", UNS, 3, NULL },			/* VMMCALL */
	{ 64, "0f 01 c1", UNS, 3, NULL },			/* VMCALL */
	{ 64, "0f 20 c0", UNS, 3, NULL },			/* MOV rax, cr0 */
	{ 64, "0f 22 05", UNS, 3, NULL },			/* mod ignored: no disp32 */
	{ 64, "f0 0f 20 c0", INV, 0, NULL },
	{ 64, "0f 38 00 c0", UNS, 4, NULL },
	{ 64, "66 0f 3a 0f c0 08", UNS, 6, NULL },
	{ 64, "66 0f 3a 0f 44 24 10 08", UNS, 8, NULL },
	{ 64, "0f 0f c0 9e", UNS, 4, NULL },			/* 3DNow! PFADD */
	{ 64, "0f 70 c0 1b", UNS, 4, NULL },
	{ 64, "0f c2 00 01", UNS, 4, NULL },
	{ 64, "0f a4 c0 04", UNS, 4, NULL },
	{ 64, "0f 1f 44 00 00", UNS, 5, NULL },		/* NOP r/m */
	{ 64, "0f 1f 84 00 00 00 00 00", UNS, 8, NULL },
	{ 64, "66 0f 78 c0 01 02", UNS, 6, NULL },		/* EXTRQ */
	{ 64, "0f 78 c0", UNS, 3, NULL },			/* VMREAD */
	{ 64, "f3 0f b8 c0", UNS, 4, NULL },			/* POPCNT */
	{ 64, "0f b8 c0", INV, 0, NULL },
	{ 64, "0f 04", INV, 0, NULL },
	{ 64, "0f 36", INV, 0, NULL },
	{ 64, "e8 00 00 00 00", UNS, 5, NULL },
	{ 64, "66 e8 00 00 00 00", UNS, 6, NULL },		/* Intel ignores 66 on near branches */
	{ 64, "0f 84 00 00 00 00", UNS, 6, NULL },
	{ 64, "66 0f 84 00 00 00 00", UNS, 7, NULL },
	{ 64, "eb fe", UNS, 2, NULL },
	{ 64, "c8 10 00 01", UNS, 4, NULL },
	{ 64, "c2 08 00", UNS, 3, NULL },
	{ 64, "68 00 00 00 00", UNS, 5, NULL },
	{ 64, "66 68 00 00", UNS, 4, NULL },
	{ 64, "6b c0 05", UNS, 3, NULL },
	{ 64, "69 c0 00 01 00 00", UNS, 6, NULL },
	{ 64, "d8 c0", UNS, 2, NULL },
	{ 64, "dd 04 24", UNS, 3, NULL },
	{ 64, "8d 04 24", UNS, 3, NULL },			/* LEA */
	{ 64, "8d c0", INV, 0, NULL },
	{ 64, "8f 00", UNS, 2, NULL },
	{ 64, "8f 20", INV, 0, NULL },
	{ 64, "8e c8", INV, 0, NULL },				/* MOV cs, ax */
	{ 64, "8c c0", UNS, 2, NULL },
	{ 64, "9a 00 00 00 00 10 00", INV, 0, NULL },
	{ 64, "06", INV, 0, NULL },
	{ 64, "27", INV, 0, NULL },
	{ 64, "d4 0a", INV, 0, NULL },
	{ 64, "ce", INV, 0, NULL },
	{ 64, "ea 00 00 00 00 10 00", INV, 0, NULL },
	{ 32, "9a 00 00 00 00 10 00", UNS, 7, NULL },
	{ 32, "66 9a 00 00 10 00", UNS, 6, NULL },
	{ 32, "66 e8 00 00", UNS, 4, NULL },
	{ 32, "d4 0a", UNS, 2, NULL },
	{ 32, "06", UNS, 1, NULL },
	{ 16, "e8 00 00", UNS, 3, NULL },
	{ 16, "66 e8 00 00 00 00", UNS, 6, NULL },
	{ 16, "ea 00 00 00 f0", UNS, 5, NULL },
	/* ---- VEX, EVEX, XOP */
	{ 64, "c5 f8 77", UNS, 3, NULL },			/* VZEROUPPER */
	{ 64, "c5 fa 10 00", UNS, 4, NULL },			/* VMOVSS */
	{ 64, "c4 e2 79 18 00", UNS, 5, NULL },		/* VBROADCASTSS */
	{ 64, "c4 e3 79 04 c0 01", UNS, 6, NULL },		/* VPERMILPS imm */
	{ 64, "c5 f9 71 d0 04", UNS, 5, NULL },		/* VPSRLW imm */
	{ 64, "c4 c1 7a 10 44 24 08", UNS, 7, NULL },
	{ 64, "c4 e0 79 18 00", INV, 0, NULL },			/* map 0 */
	{ 64, "c4 e4 79 18 00", INV, 0, NULL },			/* map 4 */
	{ 64, "62 f1 7c 48 10 00", UNS, 6, NULL },		/* VMOVUPS zmm0, [rax] */
	{ 64, "62 f1 7c 48 10 40 01", UNS, 7, NULL },		/* disp8*N */
	{ 64, "62 f3 7d 48 1d c0 00", UNS, 7, NULL },		/* map 3: imm8 */
	{ 64, "62 f1 7c 48 10 80 00 01 00 00", UNS, 10, NULL },
	{ 64, "62 f0 7c 48 10 00", INV, 0, NULL },		/* map 0 */
	{ 64, "62 f9 7c 48 10 00", INV, 0, NULL },		/* reserved P0 bit 3 */
	{ 64, "66 c5 f8 77", INV, 0, NULL },
	{ 64, "f2 c5 f8 77", INV, 0, NULL },
	{ 64, "f0 c5 f8 77", INV, 0, NULL },
	{ 64, "48 c5 f8 77", INV, 0, NULL },
	{ 64, "66 62 f1 7c 48 10 00", INV, 0, NULL },
	{ 64, "67 c5 fa 10 00", UNS, 5, NULL },
	{ 64, "64 c5 fa 10 00", UNS, 5, NULL },
	{ 32, "c5 00", UNS, 2, NULL },			/* LDS */
	{ 32, "c4 00", UNS, 2, NULL },			/* LES */
	{ 32, "c5 f8 77", UNS, 3, NULL },
	{ 32, "c4 e2 79 18 00", UNS, 5, NULL },
	{ 32, "62 00", UNS, 2, NULL },			/* BOUND */
	{ 32, "62 f1 7c 48 10 00", UNS, 6, NULL },
	{ 16, "c5 f8 77", UNS, 3, NULL },
	{ 64, "8f e8 78 c0 c0 01", UNS, 6, NULL },		/* XOP map 8: imm8 */
	{ 64, "8f e9 78 80 c0", UNS, 5, NULL },		/* map 9 */
	{ 64, "8f ea 78 10 c0 00 00 00 00", UNS, 9, NULL },	/* map 10: imm32 */
	{ 64, "8f eb 78 10 c0", INV, 0, NULL },
	{ 32, "8f e8 78 c0 c0 01", UNS, 6, NULL },
	/* ---- the 15-byte limit */
	{ 64, "66 66 66 66 66 66 66 66 66 66 66 66 66 66 90", UNS, 15, NULL },
	{ 64, "66 66 66 66 66 66 66 66 66 66 66 66 66 66 66 90", INV, 0, NULL },
	{ 64, "26 26 26 26 26 26 26 26 26 26 26 26 26 89 00", OK, 15, "mov dword ds:[rax], eax" },
	{ 64, "26 26 26 26 26 26 26 26 26 26 26 26 26 26 89 00", INV, 0, NULL },
	{ 64, "66 66 66 66 66 66 48 c7 84 88 00 01 00 00 01 00 00 00", INV, 0, NULL },
	{ 64, "67 48 c7 84 88 00 01 00 00 01 00 00 00", OK, 13,
	  "mov qword ds:[eax+ecx*4+0x100], 0x1" },
	{ 64, "f0 f0 f0 f0 f0 f0 f0 f0 f0 f0 f0 f0 f0 f0 01 00", INV, 0, NULL },
	{ 32, "f3 f3 f3 f3 f3 f3 f3 f3 f3 f3 f3 f3 f3 f3 a4", OK, 15, "rep movsb a32 ds" },
	{ 16, "66 66 66 66 66 66 66 66 66 66 66 66 66 66 66 66", INV, 0, NULL },
};

static void check_case(const struct dcase *t)
{
	u8 b[32];
	size_t n = parse_hex(t->hex, b, sizeof(b));
	struct x86_insn in;
	enum x86_decode_status st;
	char text[160] = "";

	st = x86_decode(b, n, (enum x86_cpu_mode)t->mode, &in);
	if (st == X86_DECODE_OK)
		fmt_insn(text, sizeof(text), &in);
	if ((int)st != t->status) {
		test_fail(__FILE__, __LINE__, "[%d] %s: status %d, expected %d (%s)", t->mode,
			  t->hex, st, t->status, text);
		return;
	}
	if (st == X86_DECODE_OK || st == X86_DECODE_UNSUPPORTED) {
		if (in.len != t->len)
			test_fail(__FILE__, __LINE__, "[%d] %s: length %u, expected %d", t->mode,
				  t->hex, in.len, t->len);
		/* every shorter buffer is TRUNCATED */
		for (unsigned int k = 0; k < in.len; k++) {
			struct x86_insn cut;

			if (x86_decode(b, k, (enum x86_cpu_mode)t->mode, &cut) != X86_DECODE_TRUNCATED)
				test_fail(__FILE__, __LINE__, "[%d] %s: not TRUNCATED at %u bytes",
					  t->mode, t->hex, k);
		}
		/* and trailing bytes change nothing */
		b[n] = 0x90;
		if (x86_decode(b, n + 1, (enum x86_cpu_mode)t->mode, &in) != st || in.len != t->len)
			test_fail(__FILE__, __LINE__, "[%d] %s: differs with a byte more", t->mode,
				  t->hex);
	}
	if (st == X86_DECODE_OK && strcmp(text, t->text))
		test_fail(__FILE__, __LINE__, "[%d] %s: '%s', expected '%s'", t->mode, t->hex, text,
			  t->text);
	if (st != X86_DECODE_OK && in.op != X86_OP_NONE)
		test_fail(__FILE__, __LINE__, "[%d] %s: op set without OK", t->mode, t->hex);
}

/* Fields the emulator relies on, beyond the rendering. */
static void check_details(void)
{
	struct x86_insn in;
	u8 b1[] = { 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
		    0x66, 0x66, 0x66, 0x90 };
	u8 b2[] = { 0xf3, 0x0f, 0xb8 };	/* POPCNT, truncated before ModRM */
	u8 b3[] = { 0x83, 0x00, 0xff };
	u8 b4[] = { 0x8b, 0x05, 0x10, 0x00, 0x00, 0x00 };

	CHECK_EQ(x86_decode(b1, sizeof(b1), X86_MODE_64, &in), X86_DECODE_INVALID);
	CHECK(in.too_long);
	CHECK_EQ(x86_decode(b1, 15, X86_MODE_64, &in), X86_DECODE_INVALID);
	CHECK_EQ(x86_decode(b1 + 1, 15, X86_MODE_64, &in), X86_DECODE_UNSUPPORTED);
	CHECK(!in.too_long);
	CHECK_EQ(x86_decode(b1, 3, X86_MODE_64, &in), X86_DECODE_TRUNCATED);
	CHECK_EQ(x86_decode(b2, sizeof(b2), X86_MODE_64, &in), X86_DECODE_TRUNCATED);
	CHECK_EQ(x86_decode(b2, 0, X86_MODE_32, &in), X86_DECODE_TRUNCATED);

	CHECK_EQ(x86_decode(b3, sizeof(b3), X86_MODE_16, &in), X86_DECODE_OK);
	CHECK_EQ(in.opsize, 2);
	CHECK_EQ(in.addrsize, 2);
	CHECK_EQ(in.imm, 0xffff);
	CHECK_EQ(in.imm_size, 1);
	CHECK(in.has_mem);
	CHECK_EQ(in.mem.base, X86_RBX);
	CHECK_EQ(in.mem.index, X86_RSI);

	CHECK_EQ(x86_decode(b4, sizeof(b4), X86_MODE_64, &in), X86_DECODE_OK);
	CHECK(in.mem.rip_rel);
	CHECK_EQ(in.mem.disp, 0x10);
	CHECK_EQ(in.opnd[0].kind, X86_OPND_REG);
	CHECK_EQ(in.opnd[1].kind, X86_OPND_MEM);
	CHECK_EQ(in.opsize, 4);
	CHECK_EQ(in.addrsize, 8);
	CHECK_EQ(in.map, 0);
	CHECK_EQ(in.opcode, 0x8b);
	CHECK_EQ(in.modrm, 0x05);
}

/* Random bytes never crash, and an answer never depends on bytes past the length. */
static void check_random(void)
{
	u64 rng = test_opts.seed;
	unsigned long n = test_opts.quick ? 20000 : 300000;

	for (unsigned long i = 0; i < n; i++) {
		static const int modes[3] = { 16, 32, 64 };
		u8 b[16];
		struct x86_insn a, c;
		enum x86_decode_status st;
		int mode = modes[i % 3];

		for (unsigned int j = 0; j < sizeof(b); j++)
			b[j] = (u8)test_rand(&rng);
		st = x86_decode(b, sizeof(b), (enum x86_cpu_mode)mode, &a);
		CHECK(st != X86_DECODE_TRUNCATED);
		if (st != X86_DECODE_OK && st != X86_DECODE_UNSUPPORTED)
			continue;
		CHECK(a.len >= 1 && a.len <= 15);
		for (unsigned int j = a.len; j < sizeof(b); j++)
			b[j] = (u8)test_rand(&rng);
		CHECK_EQ(x86_decode(b, sizeof(b), (enum x86_cpu_mode)mode, &c), st);
		CHECK_EQ(c.len, a.len);
		/* x86_decode() clears the whole struct first, padding included. */
		CHECK(!memcmp(&a, &c, sizeof(a)));	// NOLINT(bugprone-suspicious-memory-comparison)
	}
}

int main(int argc, char **argv)
{
	test_init(argc, argv, 0);
	for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++)
		check_case(&cases[i]);
	check_details();
	check_random();
	printf("%zu encodings\n", ARRAY_SIZE(cases));
	return test_finish();
}
