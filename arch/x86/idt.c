// SPDX-License-Identifier: MIT
/*
 * Interrupt descriptor table: 256 interrupt gates (IF cleared on entry) to
 * the stubs in isr.asm.  NMI, #DF and #MC switch to their own IST stacks so
 * that they are handled even when the interrupted stack is unusable (a
 * stack overflow into a guard page ends in #DF).
 */
#include "arch/x86/idt.h"
#include "arch/x86/percpu.h"

#define GATE_INTERRUPT 0x8e /* present, DPL 0, 64-bit interrupt gate */

struct idt_entry {
	u16 offset_lo;
	u16 selector;
	u8 ist;
	u8 type_attr;
	u16 offset_mid;
	u32 offset_hi;
	u32 reserved;
} __packed;

BUILD_BUG_ON(sizeof(struct idt_entry) != 16);

struct idt_ptr {
	u16 limit;
	u64 base;
} __packed;

extern const u64 isr_stub_table[256];

static struct idt_entry idt_table[256] __aligned(16);

static unsigned int idt_ist_for(unsigned int vector)
{
	switch (vector) {
	case 2:
		return IST_NMI;
	case 8:
		return IST_DF;
	case 18:
		return IST_MC;
	default:
		return 0;
	}
}

void idt_init(void)
{
	for (unsigned int v = 0; v < 256; v++) {
		u64 addr = isr_stub_table[v];
		struct idt_entry *e = &idt_table[v];

		e->offset_lo = addr & 0xffff;
		e->selector = GDT_KERNEL_CS;
		e->ist = (u8)idt_ist_for(v);
		e->type_attr = GATE_INTERRUPT;
		e->offset_mid = (addr >> 16) & 0xffff;
		e->offset_hi = (u32)(addr >> 32);
		e->reserved = 0;
	}
}

void idt_load(void)
{
	struct idt_ptr p = { .limit = sizeof(idt_table) - 1, .base = (u64)idt_table };

	__asm__ __volatile__("lidt %0" ::"m"(p) : "memory");
}
