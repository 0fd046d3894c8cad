// SPDX-License-Identifier: MIT
/*
 * Hostile guest: IN and OUT of every port 0-0xffff with sizes 1, 2 and 4
 * (unaligned ones and those that run past 0xffff included).  Each access is
 * an IN, then an OUT of the value read.  No exception may arrive (the I/O
 * bitmaps trap every port at CPL 0), the VM must survive, and hv must log
 * each port without a device once, rate-limited.
 *
 * Writes skipped (reads are done), where writing what was read has effects
 * beyond the access, whatever vmx/dev/ registers there today:
 *   0x3f8-0x3ff  COM1 (PLAT_COM1_BASE): the divisor latch and LCR would
 *                change the console this guest prints on;
 *   0xcf9        PLAT_RESET_PORT: resets the VM;
 *   0xf4-0xf7    PLAT_DEBUG_EXIT_PORT: stops the VM;
 *   0x64         PLAT_I8042_STATUS: a command port (0xfe pulses reset);
 *   0x600        PLAT_ACPI_SLEEP_CTL: can power the VM off.
 * A write of size 2 or 4 is skipped when any of its bytes is one of these.
 *
 * Ports that platform.h does not declare must read all ones (no device);
 * the guest counts the others and prints the first few.
 */
#include "guest.h"

#include "vmx/dev/platform.h"

static u32 io_in(u16 port, unsigned int size)
{
	u32 v = 0;

	if (size == 1)
		__asm__ __volatile__("inb %w1, %b0" : "+a"(v) : "Nd"(port));
	else if (size == 2)
		__asm__ __volatile__("inw %w1, %w0" : "+a"(v) : "Nd"(port));
	else
		__asm__ __volatile__("inl %w1, %0" : "+a"(v) : "Nd"(port));
	return v;
}

static void io_out(u16 port, unsigned int size, u32 v)
{
	if (size == 1)
		__asm__ __volatile__("outb %b0, %w1" ::"a"(v), "Nd"(port));
	else if (size == 2)
		__asm__ __volatile__("outw %w0, %w1" ::"a"(v), "Nd"(port));
	else
		__asm__ __volatile__("outl %0, %w1" ::"a"(v), "Nd"(port));
}

/* Ports whose writes have effects (see above). */
static bool write_skipped(u32 port)
{
	return (port >= PLAT_COM1_BASE && port < PLAT_COM1_BASE + 8) ||
	       plat_port_write_ends_vm(port);
}

/* Ports a device of platform.h may answer. */
static bool platform_port(u32 port)
{
	return (port >= PLAT_COM1_BASE && port < PLAT_COM1_BASE + 8) ||
	       port == PLAT_RTC_BASE || port == PLAT_RTC_BASE + 1 || port == PLAT_I8042_DATA ||
	       port == PLAT_I8042_STATUS || (port >= PLAT_PCI_CONFIG_ADDR && port < PLAT_PCI_CONFIG_DATA + 4) ||
	       port == PLAT_ACPI_SLEEP_CTL || port == PLAT_ACPI_SLEEP_STS ||
	       port == PLAT_DEBUG_EXIT_PORT || port == PLAT_POST_PORT;
}

static struct {
	u32 reads, writes, skipped, answered;
} st;

static u32 cur_port, cur_size;

static void sweep_port(void *arg)
{
	u32 port = cur_port, size = cur_size, b, v, ones = size == 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
	bool skip = false, device = false;

	for (b = 0; b < size; b++) {
		skip |= write_skipped((port + b) & 0xffff);
		device |= platform_port((port + b) & 0xffff);
	}
	v = io_in((u16)port, size);
	st.reads++;
	if (!device && (v & ones) != ones) {
		if (st.answered < 8)
			gprintf("port %#x size %u reads %#x, not all ones\n", port, size, v);
		st.answered++;
	}
	if (skip) {
		st.skipped++;
		return;
	}
	io_out((u16)port, size, v);
	st.writes++;
}

int guest_main(void)
{
	static const u32 sizes[] = { 1, 2, 4 };
	u64 t0 = rdtsc();
	unsigned int s;
	int vec;

	for (s = 0; s < 3; s++) {
		for (cur_port = 0; cur_port <= 0xffff; cur_port++) {
			cur_size = sizes[s];
			vec = gtry(sweep_port, NULL);
			if (vec != -1) {
				gprintf("port %#x size %u: exception %d\n", cur_port, cur_size, vec);
				CHECK_EQ(vec, -1);
			}
		}
	}
	gprintf("%u reads, %u writes, %u writes skipped, %u undeclared ports not all ones, "
		"%llu ticks\n", st.reads, st.writes, st.skipped, st.answered,
		(rdtsc() - t0));
	CHECK_EQ(st.reads, 3 * 65536);
	return 0;
}
