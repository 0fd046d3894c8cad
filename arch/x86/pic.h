/* SPDX-License-Identifier: MIT */
/* The legacy 8259 interrupt controllers: moved out of the way and masked. */
#ifndef ARCH_X86_PIC_H
#define ARCH_X86_PIC_H

#define PIC_VECTOR_BASE 0x20 /* IRQ 0..15 -> vectors 0x20..0x2f (spurious: 0x27, 0x2f) */

void pic_disable(void);

#endif /* ARCH_X86_PIC_H */
