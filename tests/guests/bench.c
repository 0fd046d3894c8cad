// SPDX-License-Identifier: MIT
/*
 * Exit round trips timed with RDTSC (under Bochs one tick is one
 * instruction, so the numbers count the instructions an exit costs).
 * Prints "exit-bench: <cpuid|vmcall|io> min=<ticks> median=<ticks>".
 */
#include "guest.h"

#define N	201

static u64 samples[N];

static u64 time_cpuid(void)
{
	u32 a, b, c, d;
	u64 t0 = rdtsc();

	cpuid(0, 0, &a, &b, &c, &d);
	return rdtsc() - t0;
}

static u64 time_vmcall(void)
{
	u32 r;
	u64 t0 = rdtsc();

	__asm__ __volatile__("vmcall" : "=a"(r) : "a"(HC_NOP) : "memory");
	return rdtsc() - t0;
}

static u64 time_io(void)
{
	u64 t0 = rdtsc();

	outb(0x3ff, 0x55);		/* COM1 scratch register: a trapped write */
	return rdtsc() - t0;
}

static u64 time_nothing(void)
{
	u64 t0 = rdtsc();

	return rdtsc() - t0;
}

static void bench(const char *name, u64 (*fn)(void))
{
	unsigned int i;
	u64 min, median;

	for (i = 0; i < N; i++)
		samples[i] = fn();
	gstats(samples, N, &min, &median);
	gprintf("exit-bench: %s min=%llu median=%llu\n", name, min, median);
	CHECK(min > 0);
}

int guest_main(void)
{
	bench("rdtsc-pair", time_nothing);
	bench("cpuid", time_cpuid);
	bench("vmcall", time_vmcall);
	bench("io", time_io);
	return 0;
}
