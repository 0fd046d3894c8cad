// SPDX-License-Identifier: MIT
/* Port I/O: the emulated COM1 registers and a port without a device. */
#include "guest.h"

int guest_main(void)
{
	u16 w;
	u32 l;

	gputs("console line through the trapped COM1\n");
	CHECK_EQ(inb(0x3fd) & 0x60, 0x60);		/* LSR: transmitter empty */
	outb(0x3ff, 0x5a);				/* scratch register */
	CHECK_EQ(inb(0x3ff), 0x5a);
	outb(0x3fb, 0x83);				/* DLAB: divisor latch visible */
	outb(0x3f8, 12);
	CHECK_EQ(inb(0x3f8), 12);
	outb(0x3fb, 0x03);
	CHECK_EQ(inb(0x3fb), 0x03);

	CHECK_EQ(inb(0x2e9), 0xff);			/* no device: all ones */
	outb(0x2e9, 1);					/* dropped */
	__asm__ __volatile__("inw %1, %0" : "=a"(w) : "Nd"((u16)0x2ea));
	CHECK_EQ(w, 0xffff);
	__asm__ __volatile__("inl %1, %0" : "=a"(l) : "Nd"((u16)0x2ec));
	CHECK_EQ(l, 0xffffffffu);
	outb(0x80, 0x42);				/* POST code: accepted silently */
	gputs("a second line\n");
	return 0;
}
