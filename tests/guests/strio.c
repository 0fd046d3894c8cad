// SPDX-License-Identifier: MIT
/*
 * String I/O (INS/OUTS with REP), emulated by hv: OUTSB to COM1 in both
 * directions and with a 16-bit address size, INSB from a port without a
 * device and from COM1's receiver (fed by vm=...,input=), INSW/INSD sizes,
 * and a page fault inside an emulated instruction: with paging on, a REP
 * OUTSB whose source runs into a not-present page takes #PF with CR2 at
 * that page, having sent the bytes before it; mapped, it completes.
 */
#include "guest.h"

#define COM1		0x3f8
#define NODEV		0x2e0		/* no device claims it */
#define LOW_BUF		0x9000u		/* below 64 KiB, for 16-bit addressing */
#define PAGE_B		0x300000u	/* made not present for the fault test */

static u32 pd[1024] __attribute__((aligned(4096)));
static u32 pt[1024] __attribute__((aligned(4096)));

static void outsb(u16 port, const void *src, u32 n)
{
	__asm__ __volatile__("rep outsb" : "+S"(src), "+c"(n) : "d"(port) : "memory");
}

static void insb(u16 port, void *dst, u32 n)
{
	__asm__ __volatile__("rep insb" : "+D"(dst), "+c"(n) : "d"(port) : "memory");
}

struct fault_arg {
	const void *src;
	u32 n;
};

static void outsb_arg(void *p)
{
	struct fault_arg *a = p;

	outsb(COM1, a->src, a->n);
}

static u32 read_cr2(void)
{
	u32 v;

	__asm__ __volatile__("mov %%cr2, %0" : "=r"(v));
	return v;
}

static void test_outs(void)
{
	static const char fwd[] = "rep outsb: forwards\n";
	static const char rev[] = "\nsdrawkcab :bstuo per";
	u32 si = (u32)(uintptr_t)(rev + sizeof(rev) - 2), n = sizeof(rev) - 1;

	outsb(COM1, fwd, sizeof(fwd) - 1);
	/* DF = 1: from the last byte down. */
	__asm__ __volatile__("std; rep outsb; cld" : "+S"(si), "+c"(n) : "d"(COM1) : "memory");
	CHECK_EQ(n, 0);
	/* Address size 16: SI and CX, not ESI and ECX. */
	memcpy((void *)LOW_BUF, "rep outsb: 16-bit addresses\n", 28);
	si = 0xabcd0000u | LOW_BUF;			/* upper half must be ignored */
	n = 0x55550000u | 28;
	__asm__ __volatile__(".byte 0x67; rep outsb" : "+S"(si), "+c"(n) : "d"(COM1) : "memory");
	CHECK_EQ(n & 0xffff, 0);
	CHECK_EQ(n >> 16, 0x5555);			/* ECX's upper half untouched */
	CHECK_EQ(si, 0xabcd0000u | (LOW_BUF + 28));
}

static void test_ins(void)
{
	u8 buf[32];
	u32 w[4];

	memset(buf, 0, sizeof(buf));
	insb(NODEV, buf, 16);
	for (unsigned int i = 0; i < 16; i++)
		CHECK_EQ(buf[i], 0xff);
	CHECK_EQ(buf[16], 0);
	{
		u32 *dst = w, n = 4;

		__asm__ __volatile__("rep insl" : "+D"(dst), "+c"(n) : "d"(NODEV) : "memory");
		CHECK_EQ(n, 0);
	}
	CHECK_EQ(w[3], 0xffffffffu);
	/* COM1's receiver: 12 fed bytes, read with REP INSB once LSR says data. */
	while (!(inb(COM1 + 5) & 1))
		cpu_relax();
	memset(buf, 0, sizeof(buf));
	for (unsigned int got = 0; got < 12;) {
		if (!(inb(COM1 + 5) & 1))
			continue;
		insb(COM1, buf + got, 1);
		got++;
	}
	gprintf("rep insb from COM1: \"%s\"\n", (char *)buf);
	CHECK(!strcmp((char *)buf, "string input"));
}

static void test_fault_inside(void)
{
	struct fault_arg a;
	char *src = (char *)(uintptr_t)(PAGE_B - 8);
	int vec;

	for (unsigned int i = 0; i < 1024; i++)
		pt[i] = (i << 12) | 3;			/* identity, present, writable */
	pd[0] = (u32)(uintptr_t)pt | 3;
	memcpy(src, "ABCDEFGHIJKLMNOP\n", 17);	/* 8 bytes before page B, 9 in it */
	pt[PAGE_B >> 12] &= ~1u;			/* page B not present */
	__asm__ __volatile__("mov %0, %%cr3; mov %%cr0, %%eax; or $0x80000000, %%eax; "
			     "mov %%eax, %%cr0" :: "r"(pd) : "eax", "memory");
	a.src = src;
	a.n = 17;
	vec = gtry(outsb_arg, &a);
	CHECK_EQ(vec, 14);
	CHECK_EQ(read_cr2(), PAGE_B);
	pt[PAGE_B >> 12] |= 1;
	__asm__ __volatile__("invlpg (%0)" :: "r"(PAGE_B) : "memory");
	/* The 8 bytes before the fault went out already: send the rest. */
	outsb(COM1, src + 8, 9);
	__asm__ __volatile__("mov %%cr0, %%eax; and $0x7fffffff, %%eax; mov %%eax, %%cr0"
			     ::: "eax", "memory");
	gprintf("#PF inside rep outsb at cr2 %#x; mapped, the rest went out\n", read_cr2());
}

int guest_main(void)
{
	gprintf("string I/O, emulated\n");
	test_outs();
	test_ins();
	test_fault_inside();
	return 0;
}
