/* SPDX-License-Identifier: MIT */
/*
 * The platform shim: the only services the portable core (lib/, mm/) asks
 * of its environment.  The bare-metal build links arch/x86's definitions;
 * the hosted build links tests/host/shim.c, which implements them with
 * pthreads.  Nothing else differs between the two builds, and no portable
 * file tests which one it is in.
 */
#ifndef LIB_PLATFORM_H
#define LIB_PLATFORM_H

#include "lib/compiler.h"

/* Upper bound on CPUs (bare metal) or registered threads (hosted). */
#define HV_MAX_CPUS	64
/* The most VMs hv runs; the command line keeps as many vm= options. */
#define HV_MAX_VMS	8

/* Dense index of the calling CPU (hosted: of the calling thread), < HV_MAX_CPUS. */
unsigned int arch_cpu_id(void);

/*
 * Count one event in @slots[arch_cpu_id()] (HV_MAX_CPUS slots): a per-CPU
 * statistics counter that its CPU alone writes, with one plain add to
 * memory (an aligned u64, never torn: readers on other CPUs sum the slots
 * with READ_ONCE).  Out of line with the CPU index looked up inside, so
 * that a caller keeps nothing across the call for it.
 */
void arch_count_this_cpu(u64 *slots);

/* Number of CPUs online (hosted: threads registered so far). */
unsigned int arch_cpus_online(void);

/*
 * Interrupt masking for IRQ-safe lock variants.  Returns the previous
 * state for arch_irq_restore().  Hosted: a per-thread flag only, so that
 * lock code can assert it.
 */
unsigned long arch_irq_save(void);
void arch_irq_restore(unsigned long flags);
bool arch_irqs_disabled(void);

/* Write raw bytes to the console (bare metal: the UART; hosted: stderr). */
void arch_console_write(const char *s, size_t len);

/* Stop the calling CPU for good (hosted: abort the process). */
__noreturn void arch_halt_cpu(void);

/* Ask every other CPU to stop (panic path); returns without waiting long. */
void arch_stop_other_cpus(void);

/* Monotonic nanoseconds since boot (bare metal: calibrated TSC). */
u64 arch_time_ns(void);

/* Seconds since 1970-01-01 UTC (bare metal: the host RTC read at boot, run on the TSC). */
s64 arch_wallclock_sec(void);

/*
 * One zeroed 4 KiB page for hypervisor data structures (page tables, EBR
 * records, ...), or NULL when memory is exhausted; never panics.
 * arch_virt_to_phys() gives the host-physical address an EPT entry stores;
 * arch_phys_to_virt() maps it back (hosted: the identity).
 */
void *arch_page_alloc(void);
void arch_page_free(void *page);
phys_addr_t arch_virt_to_phys(const void *va);
void *arch_phys_to_virt(phys_addr_t pa);

#endif /* LIB_PLATFORM_H */
