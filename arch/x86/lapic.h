/* SPDX-License-Identifier: MIT */
/*
 * Local APIC: xAPIC through its MMIO page (mapped uncached) or x2APIC
 * through MSRs.  The BSP picks the mode once in lapic_init() (x2APIC when
 * CPUID.1:ECX[21] says the CPU has it) and every AP switches to the same
 * mode in lapic_ap_init(), so an ICR destination means the same on all CPUs.
 */
#ifndef ARCH_X86_LAPIC_H
#define ARCH_X86_LAPIC_H

#include "lib/errno.h"
#include "lib/types.h"
#include "lib/x86_apic.h"

/* Vector for spurious interrupts (low nibble all ones, as old APICs need). */
#define LAPIC_SPURIOUS_VECTOR 0xff

/* ICR delivery modes, in place (bits 10:8). */
#define LAPIC_DM_FIXED	 (APIC_DM_FIXED << APIC_ICR_DM_SHIFT)
#define LAPIC_DM_NMI	 (APIC_DM_NMI << APIC_ICR_DM_SHIFT)
#define LAPIC_DM_INIT	 (APIC_DM_INIT << APIC_ICR_DM_SHIFT)
#define LAPIC_DM_STARTUP (APIC_DM_SIPI << APIC_ICR_DM_SHIFT)

enum lapic_mode {
	LAPIC_MODE_NONE,
	LAPIC_MODE_XAPIC,
	LAPIC_MODE_X2APIC,
};

/**
 * lapic_init() - bring up the BSP's local APIC (once, before SMP).
 * @madt_lapic_pa: the MADT's local APIC address (0 if no MADT), checked
 *                 against IA32_APIC_BASE
 *
 * Return: 0, or -HV_ENODEV after a message when the CPU has no APIC or
 * the xAPIC page cannot be mapped.
 */
int lapic_init(u64 madt_lapic_pa);

/* Per-AP part: same mode as the BSP, software-enabled.  0, -HV_ENODEV or -HV_EINVAL. */
int lapic_ap_init(void);

enum lapic_mode lapic_mode(void);
const char *lapic_mode_name(void);
bool lapic_ready(void);

/* APIC ID of the calling CPU from its APIC (lapic_init() done). */
u32 lapic_id(void);

/* APIC ID of the calling CPU from CPUID (0xB x2APIC ID, else leaf 1); any time. */
u32 lapic_cpuid_apic_id(void);

/* Highest APIC ID an ICR can address in the current mode. */
u32 lapic_max_dest(void);

void lapic_eoi(void);

/* True when the local APIC timer has TSC-deadline mode (CPUID.1:ECX[24]). */
bool lapic_timer_deadline_ok(void);

/**
 * lapic_timer_arm() - one interrupt on @vector when the TSC reaches @tsc.
 * @tsc:    absolute TSC value; one already past fires at once
 * @vector: the vector to raise on this CPU
 *
 * TSC-deadline mode only (lapic_timer_deadline_ok()); this CPU's timer.
 */
void lapic_timer_arm(u64 tsc, u8 vector);

/* Cancel this CPU's timer (an interrupt already raised stays pending). */
void lapic_timer_disarm(void);

/**
 * lapic_send_ipi() - send one IPI to a physical APIC ID.
 * @apic_id: destination
 * @icr_lo:  delivery mode | vector | level/trigger bits
 *
 * Waits (bounded) for the previous IPI to leave the xAPIC ICR and for this
 * one to be accepted.  Interrupts are masked while the ICR is written.
 *
 * Return: 0, -HV_ENODEV, -HV_EINVAL (destination not addressable in this
 * mode) or -HV_ETIMEDOUT (the ICR stayed busy; reported with pr_err).
 */
int lapic_send_ipi(u32 apic_id, u32 icr_lo);

int lapic_send_init(u32 apic_id);
int lapic_send_startup(u32 apic_id, u8 vector_page);
int lapic_send_nmi(u32 apic_id);
int lapic_send_fixed(u32 apic_id, u8 vector);

/* NMI to every CPU but the caller (destination shorthand); panic path. */
int lapic_send_nmi_allbutself(void);

#endif /* ARCH_X86_LAPIC_H */
