/* SPDX-License-Identifier: MIT */
/*
 * Shared by the multiboot test kernels mb1kern.c and mb2kern.c: they print
 * their boot information on COM1 and leave through isa-debug-exit (port
 * 0xf4): exit code 33 when every check passed, 35 + 2 * failures else.
 */
#ifndef MBKERN_H
#define MBKERN_H

#include "guest.h"

extern char __image_end[];

/* The first bytes of a module, up to a line end, as printable text. */
static inline void mb_first_bytes(const u8 *p, u32 len, char *out, u32 max)
{
	u32 i;

	for (i = 0; i < len && i < max && p[i] != '\n'; i++)
		out[i] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '.';
	out[i] = '\0';
}

/*
 * One module: where it lies (checked: page-aligned, above the kernel, in RAM;
 * " MISPLACED" at the end of the line when not), its size, string and first bytes.
 */
static inline void mb_print_module(unsigned int i, u32 start, u32 end, const char *s,
				   u32 ram_top)
{
	char first[40];
	bool ok = !(start & 0xfff) && start >= (u32)__image_end && start <= end &&
		  end <= ram_top;

	CHECK(ok);
	mb_first_bytes((const u8 *)start, end - start, first, sizeof(first) - 1);
	gprintf("module %u [%#x, %#x) %u bytes \"%s\": \"%s\"%s\n", i, start, end, end - start, s,
		first, ok ? "" : " MISPLACED");
}

static inline __attribute__((noreturn)) void mb_exit(void)
{
	gprintf("%u check(s) failed; leaving by isa-debug-exit\n", guest_failures);
	outb(0xf4, (u8)(guest_failures ? 0x11 + guest_failures : 0x10));
	for (;;)
		__asm__ __volatile__("cli; hlt");
}

#endif /* MBKERN_H */
