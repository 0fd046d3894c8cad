// SPDX-License-Identifier: MIT
/*
 * Starting a test guest's APs: the real-mode trampoline (ap_tramp.asm,
 * linked in as ap_blob.o) goes to 0x8000, then INIT-SIPI-SIPI through the
 * x2APIC ICR to each AP, as on hardware.  Linked only into the guests that
 * use APs (guests.mk: GUEST_SMP).
 */
#include "guest.h"
#include "lib/x86_msr.h"
#include "lib/x86_apic.h"

#define TRAMP		0x8000u

extern const u8 ap_tramp_start[], ap_tramp_end[];

static u8 ap_stacks[8 * 4096] __attribute__((aligned(4096)));

static void (*ap_user_entry)(u32 index);

/* Every local APIC starts in xAPIC mode: the ICR MSR needs x2APIC mode. */
void genable_x2apic(void)
{
	wrmsr(MSR_IA32_APIC_BASE, rdmsr(MSR_IA32_APIC_BASE) | APIC_BASE_EXTD);
}

void guest_idt_load(void);	/* lib/start.asm: the IDT vCPU 0 built */

static void ap_start(u32 index)
{
	guest_idt_load();	/* the trampoline loads a GDT only */
	genable_x2apic();
	ap_user_entry(index);
}

void gstart_aps(void (*entry)(u32 index), u32 count)
{
	genable_x2apic();
	ap_user_entry = entry;
	memcpy((void *)TRAMP, ap_tramp_start, ap_tramp_end - ap_tramp_start);
	*(volatile u32 *)(TRAMP + 8) = (u32)(uintptr_t)ap_start;
	/* The trampoline starts AP i with ESP = base + i * 4096: the top of slot i - 1. */
	*(volatile u32 *)(TRAMP + 12) = (u32)(uintptr_t)ap_stacks;
	for (u32 i = 1; i <= count && i < 8; i++) {
		u64 dest = (u64)i << 32;

		wrmsr(X2APIC_MSR_ICR, dest | 0x4500);			/* INIT, assert */
		wrmsr(X2APIC_MSR_ICR, dest | 0x4600 | (TRAMP >> 12));	/* SIPI */
		/* SIPI again, as the spec says */
		wrmsr(X2APIC_MSR_ICR, dest | 0x4600 | (TRAMP >> 12));
	}
}

u32 gaps_started(void)
{
	return *(volatile u32 *)(TRAMP + 16);
}
