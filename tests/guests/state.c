// SPDX-License-Identifier: MIT
/*
 * Guest-written values that reach guest state, checked as the SDM checks
 * them, and control registers the hypervisor must read from the VMCS:
 *  - WRMSR IA32_PAT with a reserved memory type: #GP (never a failed VM
 *    entry), a valid PAT reads back;
 *  - IA32_DEBUGCTL: a reserved bit #GP, BTF reads back;
 *  - RDPMC with no performance counters in CPUID: #GP;
 *  - CR4.OSXSAVE set without an exit: CPUID.1:ECX.OSXSAVE follows it,
 *    XSETBV enables SSE and AVX state, and AVX instructions work.
 */
#include "guest.h"
#include "lib/x86_cpuid.h"
#include "lib/x86_msr.h"
#include "lib/x86_regs.h"


static u64 msr_value;

/* Reads land in msr_value, which the checks below look at. */
static int try_rd(u32 msr)
{
	return gtry_rdmsr(msr, &msr_value);
}

static int try_wr(u32 msr, u64 v)
{
	return gtry_wrmsr(msr, v);
}

static void do_rdpmc(void *arg)
{
	u32 lo, hi;

	__asm__ __volatile__("rdpmc" : "=a"(lo), "=d"(hi) : "c"(0));
}

static u64 xcr0_value;

static void do_xsetbv(void *arg)
{
	__asm__ __volatile__("xsetbv" ::"a"((u32)xcr0_value), "d"((u32)(xcr0_value >> 32)),
			     "c"(0));
}

static u32 avx_a[8] __attribute__((aligned(32))) = { 1, 2, 3, 4, 5, 6, 7, 8 };
static u32 avx_b[8] __attribute__((aligned(32))) = { 0x10, 0x20, 0x30, 0x40,
						     0x50, 0x60, 0x70, 0x80 };
static u32 avx_r[8] __attribute__((aligned(32)));

static void do_avx(void *arg)
{
	__asm__ __volatile__("vmovaps %1, %%ymm0\n\t"
			     "vxorps %2, %%ymm0, %%ymm1\n\t"
			     "vmovaps %%ymm1, %0"
			     : "=m"(avx_r) : "m"(avx_a), "m"(avx_b));
}

static void test_msrs(void)
{
	CHECK_EQ(try_wr(MSR_IA32_PAT, 0x0007040600070402ull), 13);	/* type 2: reserved */
	CHECK_EQ(try_wr(MSR_IA32_PAT, 0x0807040600070406ull), 13);	/* type 8: reserved */
	CHECK_EQ(try_wr(MSR_IA32_PAT, 0x0007010600070405ull), -1);
	CHECK_EQ(try_rd(MSR_IA32_PAT), -1);
	CHECK_EQ(msr_value, 0x0007010600070405ull);
	CHECK_EQ(try_wr(MSR_IA32_PAT, 0x0007040600070406ull), -1);	/* power-on value back */

	CHECK_EQ(try_wr(MSR_IA32_DEBUGCTL, 1u << 2), 13);		/* reserved bit */
	CHECK_EQ(try_wr(MSR_IA32_DEBUGCTL, DEBUGCTL_BTF), -1);		/* BTF */
	CHECK_EQ(try_rd(MSR_IA32_DEBUGCTL), -1);
	CHECK_EQ(msr_value, 2);
	CHECK_EQ(try_wr(MSR_IA32_DEBUGCTL, 0), -1);

	CHECK_EQ(gtry(do_rdpmc, NULL), 13);
	gprintf("PAT, DEBUGCTL and RDPMC checked\n");
}

static void test_xsave(void)
{
	u32 a, b, c, d, lo, hi;

	cpuid(1, 0, &a, &b, &c, &d);
	CHECK(!(c & CPUID1_ECX_OSXSAVE));
	CHECK(c & CPUID1_ECX_AVX);
	xcr0_value = 7;
	CHECK_EQ(gtry(do_xsetbv, NULL), 6);			/* #UD: CR4.OSXSAVE = 0 */
	/* CR4.OSXSAVE is the guest's own bit: this write does not exit. */
	__asm__ __volatile__("mov %0, %%cr4" ::"r"((u32)(read_cr4() | X86_CR4_OSXSAVE)));
	cpuid(1, 0, &a, &b, &c, &d);
	CHECK(c & CPUID1_ECX_OSXSAVE);
	xcr0_value = 5;
	CHECK_EQ(gtry(do_xsetbv, NULL), 13);			/* AVX without SSE */
	xcr0_value = 7;
	CHECK_EQ(gtry(do_xsetbv, NULL), -1);
	__asm__ __volatile__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	CHECK_EQ(lo, 7);
	CHECK_EQ(gtry(do_avx, NULL), -1);
	for (unsigned int i = 0; i < 8; i++)
		CHECK_EQ(avx_r[i], avx_a[i] ^ avx_b[i]);
	gprintf("XSETBV after CR4.OSXSAVE: XCR0 %#x, AVX result %#x..%#x\n", lo, avx_r[0],
		avx_r[7]);
}

/*
 * State a guest reaches without an exit starts clean (host_state_scrub()):
 * nothing of the hypervisor or of an earlier guest on this CPU shows.
 */
static void test_clean_start(void)
{
	u32 dr[4], dr6, cr2;

	__asm__ __volatile__("mov %%db0, %0; mov %%db1, %1; mov %%db2, %2; mov %%db3, %3"
			     : "=r"(dr[0]), "=r"(dr[1]), "=r"(dr[2]), "=r"(dr[3]));
	__asm__ __volatile__("mov %%db6, %0; mov %%cr2, %1" : "=r"(dr6), "=r"(cr2));
	for (unsigned int i = 0; i < 4; i++)
		CHECK_EQ(dr[i], 0);
	CHECK_EQ(dr6, 0xffff0ff0u);
	CHECK_EQ(cr2, 0);
	CHECK_EQ(try_rd(0xc0000102), -1);		/* KERNEL_GS_BASE */
	CHECK_EQ(msr_value, 0);
	CHECK_EQ(try_rd(0xc0000082), -1);		/* LSTAR */
	CHECK_EQ(msr_value, 0);
	CHECK_EQ(try_rd(0xc0000103), -1);		/* TSC_AUX */
	CHECK_EQ(msr_value, 0);
	gprintf("clean start: DR0-3, DR6, CR2, KERNEL_GS_BASE, LSTAR, TSC_AUX at reset values\n");
}

int guest_main(void)
{
	test_clean_start();
	test_msrs();
	test_xsave();
	return 0;
}
