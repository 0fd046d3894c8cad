/* SPDX-License-Identifier: MIT */
/*
 * Bringing up the application processors (INIT-SIPI-SIPI, one at a time)
 * and the per-CPU entry they run in 64-bit C.
 *
 * CPU numbering: the boot CPU is cpu0; the enabled MADT processors that come
 * up get cpu1, cpu2, ... in MADT order.  An AP that does not come up gets no
 * number (the next one reuses it), so online CPUs are always 0..n-1.
 */
#ifndef ARCH_X86_SMP_H
#define ARCH_X86_SMP_H

#include "boot/cmdline.h"

/* How long an AP has to reach C and report after its start-up IPIs. */
#define SMP_AP_TIMEOUT_MS 500
/* A CPU that has claimed the trampoline gets this long in total to report. */
#define SMP_AP_CLAIMED_TIMEOUT_MS 5000

/* Fixed vector the boot CPU pings every AP with after bring-up. */
#define SMP_VECTOR_PING 0xf0

/* APIC ID meaning "none" (no debug.nosipi= on the command line). */
#define SMP_NO_APIC 0xffffffffu

/**
 * smp_boot_aps() - start every enabled MADT CPU (boot CPU only, once).
 * @cfg: maxcpus / nosmp limits from the command line, and debug.nosipi=APIC:
 *       that CPU gets its INIT but no start-up IPI, so it never comes up and
 *       the "did not come up" path runs on any machine (a test aid)
 *
 * Needs acpi_init(), lapic_init(), tsc_calibrate() and the BSP's
 * percpu_setup() first.  Prints one "online" line per CPU (the boot CPU's
 * too), one line per CPU that did not come up or was left out, and a
 * summary.  Never fails the boot: without ACPI, an APIC or a trampoline
 * page it says why and leaves the boot CPU running alone.
 */
void smp_boot_aps(const struct hv_config *cfg);

/**
 * smp_check_cpus_answer() - ping every other online CPU with a fixed IPI.
 *
 * Prints "hv: all N CPUs answer", or one "hv: cpuN ... does not answer"
 * line per CPU that did not take the interrupt within 100 ms (interrupts
 * masked for good, e.g. a task priority a guest left in the LAPIC, or a
 * CPU stuck with interrupts off).  Return: the number of CPUs lost.
 */
unsigned int smp_check_cpus_answer(void);

/* 64-bit C entry of an AP, jumped to by boot/trampoline.asm; never returns. */
struct percpu;
__noreturn void smp_ap_entry(struct percpu *pc);

#endif /* ARCH_X86_SMP_H */
