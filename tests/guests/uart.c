// SPDX-License-Identifier: MIT
/*
 * COM1 as a 16550A (vmx/dev/uart16550.c), probed the way Linux's 8250
 * driver probes it, then read by polling: the bytes the hypervisor feeds
 * (vm=...,input=) arrive in order and none is lost, though there are more
 * of them than the 16-byte FIFO holds.
 */
#include "guest.h"

#define COM1	0x3f8
#define LSR_DR	0x01

static u8 in(unsigned int reg)
{
	return inb((u16)(COM1 + reg));
}

static void out(unsigned int reg, u8 v)
{
	outb((u16)(COM1 + reg), v);
}

static void probe(void)
{
	out(7, 0x5a);
	CHECK_EQ(in(7), 0x5a);				/* scratch */
	out(1, 0);
	CHECK_EQ(in(1), 0);				/* IER */
	out(1, 0x0f);
	CHECK_EQ(in(1), 0x0f);
	out(1, 0);
	out(4, 0x1a);					/* loopback, RTS, OUT2 */
	CHECK_EQ(in(6) & 0xf0, 0x90);			/* CTS, DCD */
	out(4, 0x03);
	out(2, 0x07);					/* FIFOs on, cleared */
	CHECK_EQ(in(2) & 0xc0, 0xc0);			/* a 16550A */
	CHECK_EQ(in(5) & 0x60, 0x60);			/* transmitter idle */
	gprintf("probe: scratch, IER, loopback, FIFO as a 16550A\n");
}


int guest_main(void)
{
	char line[128];
	unsigned int n = 0, lines = 0, total = 0;
	u64 t0 = rdtsc();

	probe();
	while (lines < 2 && rdtsc() - t0 < 200000000ull) {
		char c;

		if (!(in(5) & LSR_DR)) {
			cpu_relax();
			continue;
		}
		c = (char)in(0);
		total++;
		if (c == '\n') {
			line[n] = '\0';
			gprintf("got line %u: %s\n", lines, line);
			lines++;
			n = 0;
		} else if (n < sizeof(line) - 1) {
			line[n++] = c;
		}
	}
	CHECK_EQ(lines, 2);
	CHECK_EQ(total, 72);	/* 39 + 1 + 31 + 1 bytes fed */
	CHECK(!(in(5) & LSR_DR));			/* nothing more, nothing doubled */
	return 0;
}
