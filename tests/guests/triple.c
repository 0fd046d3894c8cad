// SPDX-License-Identifier: MIT
/* Load an empty IDT and fault: #UD -> #GP -> #DF -> triple fault; the VM is stopped. */
#include "guest.h"

int guest_main(void)
{
	static const struct { u16 limit; u32 base; } __attribute__((packed)) empty = { 0, 0 };

	gputs("loading an empty IDT and executing ud2\n");
	__asm__ __volatile__("lidt %0; ud2" ::"m"(empty));
	greport(1, "survived a triple fault");
	return 1;
}
