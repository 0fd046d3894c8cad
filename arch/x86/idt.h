/* SPDX-License-Identifier: MIT */
/* The interrupt descriptor table, shared by all CPUs. */
#ifndef ARCH_X86_IDT_H
#define ARCH_X86_IDT_H

/* Build the table (once, on the BSP). */
void idt_init(void);

/* Load it on the calling CPU. */
void idt_load(void);

#endif /* ARCH_X86_IDT_H */
