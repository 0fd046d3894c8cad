// SPDX-License-Identifier: MIT
/* VMX instructions in a guest raise #UD; CR4.VMXE cannot be set. */
#include "guest.h"

static u64 operand;
static struct { u64 a, b; } desc;

static void do_vmxon(void *x) { __asm__ __volatile__("vmxon %0" ::"m"(operand)); }
static void do_vmclear(void *x) { __asm__ __volatile__("vmclear %0" ::"m"(operand)); }
static void do_vmptrld(void *x) { __asm__ __volatile__("vmptrld %0" ::"m"(operand)); }
static void do_vmptrst(void *x) { __asm__ __volatile__("vmptrst %0" : "=m"(operand)); }
static void do_vmlaunch(void *x) { __asm__ __volatile__("vmlaunch"); }
static void do_vmresume(void *x) { __asm__ __volatile__("vmresume"); }
static void do_vmxoff(void *x) { __asm__ __volatile__("vmxoff"); }
static void do_vmread(void *x)
{
	u32 v;

	__asm__ __volatile__("vmread %1, %0" : "=r"(v) : "r"(0x681eu));
}
static void do_vmwrite(void *x) { __asm__ __volatile__("vmwrite %0, %1" ::"r"(0u), "r"(0x681eu)); }
static void do_invept(void *x) { __asm__ __volatile__("invept %0, %1" ::"m"(desc), "r"(1u)); }
static void do_invvpid(void *x) { __asm__ __volatile__("invvpid %0, %1" ::"m"(desc), "r"(1u)); }
static void do_vmfunc(void *x) { __asm__ __volatile__(".byte 0x0f, 0x01, 0xd4" ::"a"(0)); }
static void do_set_vmxe(void *x)
{
	u32 cr4 = read_cr4() | (1u << 13);

	__asm__ __volatile__("mov %0, %%cr4" ::"r"(cr4));
}

static const struct {
	const char *name;
	void (*fn)(void *);
	int vector;
} cases[] = {
	{ "vmxon", do_vmxon, 6 }, { "vmclear", do_vmclear, 6 }, { "vmptrld", do_vmptrld, 6 },
	{ "vmptrst", do_vmptrst, 6 }, { "vmlaunch", do_vmlaunch, 6 },
	{ "vmresume", do_vmresume, 6 }, { "vmxoff", do_vmxoff, 6 }, { "vmread", do_vmread, 6 },
	{ "vmwrite", do_vmwrite, 6 }, { "invept", do_invept, 6 }, { "invvpid", do_invvpid, 6 },
	{ "vmfunc", do_vmfunc, 6 }, { "mov cr4 (VMXE)", do_set_vmxe, 13 },
};

int guest_main(void)
{
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int v = gtry(cases[i].fn, NULL);

		gprintf("%-16s -> %s %d\n", cases[i].name, v < 0 ? "no exception" : "vector", v);
		CHECK_EQ(v, cases[i].vector);
	}
	CHECK(!(read_cr4() & (1u << 13)));	/* the shadow hides VMXE */
	return 0;
}
