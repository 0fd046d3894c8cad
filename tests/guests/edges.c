// SPDX-License-Identifier: MIT
/*
 * Hostile guest: accesses at the edges.  The last bytes of guest RAM; the
 * local APIC's page with byte, word and unaligned accesses, reserved
 * offsets and writes to read-only registers; the I/O APIC's window with
 * odd sizes; a REP MOVS between RAM and a device page.  Every one is
 * emulated (or faults into the guest) and the VM goes on.  Last, a read
 * that straddles the end of RAM: only this VM stops, with the access
 * reported, and the victim beside it passes.
 */
#include "guest.h"

#define LAPIC		0xfee00000u
#define IOAPIC		0xfec00000u

static u32 rd32(u32 a)
{
	return *(volatile u32 *)(uintptr_t)a;
}

static u8 rd8(u32 a)
{
	return *(volatile u8 *)(uintptr_t)a;
}

static u16 rd16(u32 a)
{
	return *(volatile u16 *)(uintptr_t)a;
}

static void wr32(u32 a, u32 v)
{
	*(volatile u32 *)(uintptr_t)a = v;
}

static void wr8(u32 a, u8 v)
{
	*(volatile u8 *)(uintptr_t)a = v;
}

int guest_main(void)
{
	u32 top = guest_mem_bytes, ver, v;
	u32 buf[4];

	/* The last four bytes of RAM, and the last byte. */
	wr32(top - 4, 0xa5a5a5a5u);
	CHECK_EQ(rd32(top - 4), 0xa5a5a5a5u);
	wr8(top - 1, 0x5a);
	CHECK_EQ(rd8(top - 1), 0x5a);

	/* The LAPIC page: whole, partial, unaligned, reserved, read-only. */
	ver = rd32(LAPIC + 0x30);
	CHECK((ver & 0xff) >= 0x14);
	v = rd8(LAPIC + 0x30);
	v = rd16(LAPIC + 0x32);
	v = rd32(LAPIC + 0x22);				/* straddles two registers' bytes */
	v = rd32(LAPIC + 0x000);			/* reserved */
	v = rd32(LAPIC + 0xff0);			/* reserved, last 16 bytes of the page */
	wr32(LAPIC + 0x30, 0xffffffffu);		/* version: read-only */
	CHECK_EQ(rd32(LAPIC + 0x30), ver);
	wr8(LAPIC + 0x80, 0x10);			/* a byte of TPR */
	wr32(LAPIC + 0x80, 0);
	/* REP MOVSD from the LAPIC page into RAM, and back into a reserved register. */
	{
		u32 src = LAPIC + 0x20, dst = (u32)(uintptr_t)buf, n = 4;

		__asm__ __volatile__("rep movsl" : "+S"(src), "+D"(dst), "+c"(n) : : "memory");
		CHECK_EQ(n, 0);
	}
	/* The I/O APIC window with odd sizes. */
	wr8(IOAPIC, 0x01);				/* IOREGSEL by a byte */
	v = rd16(IOAPIC + 0x10);
	CHECK_EQ(v & 0xff, 0x20);			/* version, low half */
	v = rd8(IOAPIC + 0x13);
	gprintf("edges: RAM top, LAPIC odd sizes, REP MOVS, I/O APIC odd sizes: survived (%#x)\n",
		ver);
	greport(0, "edges survived; now a read across the end of RAM");
	v = rd32(top - 2);				/* 2 bytes of RAM, 2 beyond: the VM stops */
	gprintf("read across the end of RAM returned %#x\n", v);
	return 1;
}
