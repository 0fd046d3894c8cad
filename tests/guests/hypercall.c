// SPDX-License-Identifier: MIT
/* The hypercall ABI with valid and garbage arguments: errors, never a crash. */
#include "guest.h"

static const char text[] = "console write hypercall\n";

int guest_main(void)
{
	u32 ver, mem, id, n;
	long r;

	r = hcall_out(HC_INFO, 0, 0, 0, 0, &ver, &mem, &id, &n);
	gprintf("info: status %ld version %u memory %u vcpu %u of %u\n", r, ver, mem, id, n);
	CHECK_EQ(r, HC_OK);
	CHECK_EQ(ver, HC_ABI_VERSION);
	CHECK_EQ(mem, guest_mem_bytes);
	CHECK_EQ(id, 0);
	CHECK_EQ(n, 1);

	CHECK_EQ(hcall(HC_CONSOLE_WRITE, (u32)(uintptr_t)text, sizeof(text) - 1, 0, 0), HC_OK);
	CHECK_EQ(hcall(HC_CONSOLE_WRITE, (u32)(uintptr_t)text, 0, 0, 0), HC_OK);
	/* Garbage: pointers outside memory, wrapping ranges, huge lengths. */
	CHECK_EQ(hcall(HC_CONSOLE_WRITE, guest_mem_bytes, 16, 0, 0), HC_EFAULT);
	CHECK_EQ(hcall(HC_CONSOLE_WRITE, guest_mem_bytes - 8, 16, 0, 0), HC_EFAULT);
	CHECK_EQ(hcall(HC_CONSOLE_WRITE, 0xfffffff0u, 0x100, 0, 0), HC_EFAULT);
	CHECK_EQ(hcall(HC_CONSOLE_WRITE, 0, 0xffffffffu, 0, 0), HC_EINVAL);
	CHECK_EQ(hcall(HC_REPORT, 0, 0xfffff000u, 0, 0), HC_EFAULT);
	CHECK_EQ(hcall(HC_TIMER, 1000, 3, 0, 0), HC_EINVAL);		/* vector < 32 */
	CHECK_EQ(hcall(HC_TIMER, 1000, 0x1000, 0, 0), HC_EINVAL);
	CHECK_EQ(hcall(HC_TIMER, 0, 0, 0, 0), HC_OK);			/* cancel: nothing armed */
	CHECK_EQ(hcall(HC_NOP, 0xdeadbeef, 1, 2, 3), HC_OK);
	CHECK_EQ(hcall(HC_NR, 0, 0, 0, 0), HC_ENOSYS);
	CHECK_EQ(hcall(999, 0, 0, 0, 0), HC_ENOSYS);
	CHECK_EQ(hcall(0xffffffffu, 1, 2, 3, 4), HC_ENOSYS);
	return 0;
}
