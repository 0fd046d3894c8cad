// SPDX-License-Identifier: MIT
/*
 * Global descriptor table: one per CPU because each CPU has its own TSS
 * (its own interrupt stacks).  Long mode ignores base and limit for code and
 * data, so the table is the minimum: null, 64-bit code, data, TSS.
 */
#include "arch/x86/gdt.h"
#include "arch/x86/cpu.h"

#define SEG_CODE64     0x00af9a000000ffffULL /* P, DPL0, code RX, L=1 */
#define SEG_DATA       0x00cf92000000ffffULL /* P, DPL0, data RW */
#define TSS_TYPE_AVAIL 0x9ULL

struct gdt_ptr {
	u16 limit;
	u64 base;
} __packed;

void gdt_build(struct percpu *pc)
{
	u64 base = (u64)&pc->tss;
	u64 limit = sizeof(pc->tss) - 1;

	pc->gdt[0] = 0;
	pc->gdt[GDT_KERNEL_CS / 8] = SEG_CODE64;
	pc->gdt[GDT_KERNEL_DS / 8] = SEG_DATA;
	/* 16-byte TSS descriptor; rebuilt "available" so LTR never sees it busy. */
	pc->gdt[GDT_TSS / 8] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
			       (TSS_TYPE_AVAIL << 40) | BIT(47) | (((limit >> 16) & 0xf) << 48) |
			       (((base >> 24) & 0xff) << 56);
	pc->gdt[GDT_TSS / 8 + 1] = base >> 32;
	/* No I/O bitmap: the offset points past the TSS limit. */
	pc->tss.iopb_offset = sizeof(pc->tss);
}

void gdt_load(struct percpu *pc)
{
	struct gdt_ptr p = { .limit = sizeof(pc->gdt) - 1, .base = (u64)pc->gdt };

	__asm__ __volatile__("lgdt %0\n\t"
			     /* Far return reloads CS. */
			     "pushq %1\n\t"
			     "leaq 1f(%%rip), %%rax\n\t"
			     "pushq %%rax\n\t"
			     "lretq\n"
			     "1:\n\t"
			     "movl %2, %%eax\n\t"
			     "movl %%eax, %%ds\n\t"
			     "movl %%eax, %%es\n\t"
			     "movl %%eax, %%ss\n\t"
			     "xorl %%eax, %%eax\n\t"
			     "movl %%eax, %%fs\n\t"
			     "movl %%eax, %%gs\n\t"
			     "ltr %w3"
			     :
			     : "m"(p), "i"((u64)GDT_KERNEL_CS), "i"(GDT_KERNEL_DS),
			       "r"((u16)GDT_TSS)
			     : "rax", "memory");
}
