/* SPDX-License-Identifier: MIT */
/* Per-CPU GDT and TSS construction and loading. */
#ifndef ARCH_X86_GDT_H
#define ARCH_X86_GDT_H

#include "arch/x86/percpu.h"

/* Fill pc->gdt (code, data, TSS descriptor for pc->tss). */
void gdt_build(struct percpu *pc);

/* Load pc->gdt, reload every segment register, load the TR. */
void gdt_load(struct percpu *pc);

#endif /* ARCH_X86_GDT_H */
