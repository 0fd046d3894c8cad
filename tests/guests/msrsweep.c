// SPDX-License-Identifier: MIT
/*
 * Hostile guest: RDMSR and WRMSR of every MSR number in the three ranges the
 * MSR bitmap and hv's once-per-MSR log cover (0-0x1fff, 0xc0000000-0xc0001fff)
 * and the hypervisor range 0x40000000-0x400000ff, plus 300 pseudo-random
 * numbers anywhere.  Each MSR is read once and written with the value read
 * (0 when the read faulted); every exception is caught, and only #GP may
 * arrive.
 *
 * Skipped, because writing back the value read is not a no-op there:
 *   0x830  x2APIC ICR: reads 0, and writing 0 sends a fixed IPI to vCPU 0
 *          (read, not written).
 * Written like every other MSR, although emulated with state: EFER, PAT,
 * DEBUGCTL, TSC_ADJUST and the x2APIC TPR take back their own value
 * unchanged; IA32_TSC (0x10) moves back by the few hundred ticks between the
 * read and the write (TSC_ADJUST with it), which only this guest sees.
 *
 * The case checks that hv logged no MSR twice (reads come first, so a
 * logged write would be a second line for the same MSR) and at most its
 * per-VM burst of 10 lines.
 */
#include "guest.h"
#include "lib/x86_apic.h"

#define N_RANDOM	300

static u32 msr_index;
static u64 msr_value;

static void do_rdmsr(void *arg)
{
	msr_value = rdmsr(msr_index);
}

static void do_wrmsr(void *arg)
{
	wrmsr(msr_index, msr_value);
}

static struct {
	u32 swept, read_ok, read_gp, write_ok, write_gp, skipped;
} st;

static void sweep_one(u32 msr)
{
	int v;

	st.swept++;
	msr_index = msr;
	msr_value = 0;
	v = gtry(do_rdmsr, NULL);
	if (v == -1) {
		st.read_ok++;
	} else {
		if (v != 13)
			gprintf("rdmsr %#x: vector %d\n", msr, v);
		CHECK_EQ(v, 13);
		st.read_gp++;
		msr_value = 0;
	}
	if (msr == X2APIC_MSR_ICR) {
		st.skipped++;
		return;
	}
	v = gtry(do_wrmsr, NULL);
	if (v == -1) {
		st.write_ok++;
	} else {
		if (v != 13)
			gprintf("wrmsr %#x: vector %d\n", msr, v);
		CHECK_EQ(v, 13);
		st.write_gp++;
	}
}

static void sweep_range(u32 first, u32 last)
{
	u32 m = first;

	do {
		sweep_one(m);
	} while (m++ != last);
}

int guest_main(void)
{
	u32 x = 0x2545f491u;	/* xorshift32, fixed seed: the same numbers every run */
	unsigned int i;
	u64 t0 = rdtsc();

	sweep_range(0x00000000u, 0x00001fffu);
	sweep_range(0xc0000000u, 0xc0001fffu);
	sweep_range(0x40000000u, 0x400000ffu);
	for (i = 0; i < N_RANDOM; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		sweep_one(x);
	}
	gprintf("%u MSRs: %u read, %u read #GP, %u written, %u write #GP, %u skipped, "
		"%llu ticks\n", st.swept, st.read_ok, st.read_gp, st.write_ok, st.write_gp,
		st.skipped, (rdtsc() - t0));
	/* The emulated and passed-through MSRs read; everything else must not. */
	CHECK(st.read_ok > 10);
	CHECK(st.read_gp > 16000);
	return 0;
}
