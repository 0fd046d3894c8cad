/* SPDX-License-Identifier: MIT */
/*
 * Time-stamp counter: calibration and the monotonic clock built on it.
 *
 * tsc_calibrate() measures the TSC against a fixed-frequency reference
 * (PIT channel 2, else the ACPI PM timer) and cross-checks the CPUID
 * 0x15/0x16 nominal frequency when the CPU reports one.  Until it has run,
 * the conversions assume TSC_ASSUMED_HZ, so timeouts taken that early are
 * long rather than short.  All CPUs read the same counter: every supported
 * target (Bochs, QEMU, invariant-TSC hardware) keeps the TSCs in step.
 */
#ifndef ARCH_X86_TSC_H
#define ARCH_X86_TSC_H

#include "lib/types.h"

/* Used before calibration: deliberately high so early waits err long. */
#define TSC_ASSUMED_HZ ((u64)4000000000)

/* How the frequency in use was obtained. */
enum tsc_source {
	TSC_SRC_ASSUMED,    /* no reference worked: TSC_ASSUMED_HZ */
	TSC_SRC_PIT,	    /* measured against PIT channel 2 */
	TSC_SRC_PMTIMER,    /* measured against the ACPI PM timer */
	TSC_SRC_CPUID,	    /* CPUID 0x15/0x16, confirmed by a measurement */
	TSC_SRC_CPUID_ONLY, /* CPUID 0x15/0x16, nothing to measure with */
};

/**
 * tsc_calibrate() - measure the TSC frequency (BSP, once, interrupts off).
 *
 * Call after acpi_init() so the PM timer can serve as fallback.  Prints
 * one line with the frequency and its source.
 */
void tsc_calibrate(void);

/* TSC frequency in Hz (TSC_ASSUMED_HZ before calibration). */
u64 tsc_hz(void);

enum tsc_source tsc_source(void);
const char *tsc_source_name(enum tsc_source src);

/* Nanoseconds since the clock's origin (the first tsc_ns() call). */
u64 tsc_ns(void);

/* Conversions at the current frequency. */
u64 tsc_ticks_to_ns(u64 ticks);
u64 tsc_ns_to_ticks(u64 ns);

/* Busy-wait for at least the given time (PAUSE loop on the TSC). */
void tsc_delay_ns(u64 ns);
void tsc_delay_us(u64 us);

/* TSC value @ns nanoseconds from now, for deadline loops. */
u64 tsc_deadline_ns(u64 ns);

#endif /* ARCH_X86_TSC_H */
