// SPDX-License-Identifier: MIT
/*
 * The BIOS leaves the master 8259 delivering IRQ 0..7 on vectors 8..15,
 * which are CPU exceptions in protected mode (a timer tick would look like
 * a double fault).  Re-program both controllers to vectors 0x20..0x2f and
 * mask every line; the LAPIC is the only interrupt source the hypervisor
 * uses.
 */
#include "arch/x86/pic.h"
#include "arch/x86/cpu.h"

#define PIC1_CMD  0x20
#define PIC1_DATA 0x21
#define PIC2_CMD  0xa0
#define PIC2_DATA 0xa1

#define ICW1_INIT_ICW4 0x11
#define ICW4_8086      0x01

void pic_disable(void)
{
	outb(PIC1_CMD, ICW1_INIT_ICW4);
	outb(PIC2_CMD, ICW1_INIT_ICW4);
	outb(PIC1_DATA, PIC_VECTOR_BASE); /* ICW2: vector base */
	outb(PIC2_DATA, PIC_VECTOR_BASE + 8);
	outb(PIC1_DATA, 1 << 2); /* ICW3: slave on IRQ2 */
	outb(PIC2_DATA, 2);	 /* ICW3: cascade identity */
	outb(PIC1_DATA, ICW4_8086);
	outb(PIC2_DATA, ICW4_8086);
	outb(PIC1_DATA, 0xff); /* mask all */
	outb(PIC2_DATA, 0xff);
}
