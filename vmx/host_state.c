// SPDX-License-Identifier: MIT
/*
 * Scrubbing the state a guest reaches without an exit (docs/host-state.md).
 *
 * The hypervisor itself never uses any of it: it is built with
 * -mgeneral-regs-only, sets no hardware breakpoint, does not SWAPGS, SYSCALL
 * or RDTSCP, and takes no page fault in normal operation.  So while a vCPU
 * runs, these registers simply belong to its guest (a vCPU is pinned to its
 * CPU and nothing else runs there), and only the edges of the vCPU's life
 * need care: a clean start, and nothing left behind.
 */
#include "vmx/host_state.h"

#include "arch/x86/cpu.h"
#include "lib/x86_cpuid.h"
#include "vmx/vmx_cpu.h"

#define DR6_INIT	0xffff0ff0ull

/*
 * XSAVE area for XRSTOR: the 512-byte legacy region and the 64-byte header
 * (XSTATE_BV and XCOMP_BV at 512 and 520, both 0).  XSTATE_BV = 0 asks for
 * the initial state of every component, so no component data is read;
 * MXCSR is still taken from the legacy region, hence its reset value here.
 */
#define XSAVE_LEGACY_AND_HEADER	(512 + 64)

static const u8 xrstor_init[XSAVE_LEGACY_AND_HEADER] __aligned(64) = {
	[0] = 0x7f, [1] = 0x03,			/* FCW 0x037f */
	[24] = 0x80, [25] = 0x1f,		/* MXCSR 0x1f80 */
};

/* FXRSTOR image for CPUs without XSAVE: FCW and MXCSR at reset, registers 0. */
static const u8 fxrstor_init[512] __aligned(16) = {
	[0] = 0x7f, [1] = 0x03, [24] = 0x80, [25] = 0x1f,
};

static void host_state_reset_fpu(void)
{
	struct vmx_cpu *c = vmx_cpu_this();

	if (c->xsave) {
		struct cpuid_regs r = cpuid_count(0xd, 0);
		u64 all = ((u64)r.edx << 32) | r.eax;

		/* Every component the CPU has, so XRSTOR resets each one. */
		__asm__ __volatile__("xsetbv" ::"a"((u32)all), "d"((u32)(all >> 32)), "c"(0));
		__asm__ __volatile__("xrstor %0" ::"m"(xrstor_init), "a"((u32)all),
				     "d"((u32)(all >> 32)) : "memory");
		/* Guests start with x87 state only in XCR0, as after reset. */
		__asm__ __volatile__("xsetbv" ::"a"(1u), "d"(0u), "c"(0u));
		c->xcr0 = 1;
	} else {
		__asm__ __volatile__("fxrstor %0" ::"m"(fxrstor_init) : "memory");
	}
}

void host_state_scrub(void)
{
	u64 zero = 0, dr6 = DR6_INIT;

	__asm__ __volatile__("mov %0, %%db0; mov %0, %%db1; mov %0, %%db2; mov %0, %%db3; "
			     "mov %1, %%db6" ::"r"(zero), "r"(dr6) : "memory");
	write_cr2(0);
	/* CR8 is the LAPIC's TPR: 0 lets every vector through, kicks included. */
	__asm__ __volatile__("mov %0, %%cr8" ::"r"(zero) : "memory");
	wrmsr(MSR_KERNEL_GS_BASE, 0);
	wrmsr(MSR_STAR, 0);
	wrmsr(MSR_LSTAR, 0);
	wrmsr(MSR_CSTAR, 0);
	wrmsr(MSR_SFMASK, 0);
	if (cpuid_count(0x80000001u, 0).edx & CPUID81_EDX_RDTSCP)
		wrmsr(MSR_TSC_AUX, 0);
	host_state_reset_fpu();
}
