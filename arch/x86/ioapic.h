/* SPDX-License-Identifier: MIT */
/*
 * The host's I/O APICs, only as far as the hypervisor needs them: one ISA
 * interrupt (the console UART's) routed to one CPU.  Every other pin stays
 * as the firmware left it (masked at reset).
 */
#ifndef ARCH_X86_IOAPIC_H
#define ARCH_X86_IOAPIC_H

#include "lib/types.h"

/**
 * ioapic_route_isa() - deliver ISA interrupt @irq as @vector to @apic_id.
 * @irq:     ISA IRQ (0..15); the MADT's interrupt source overrides apply
 * @vector:  fixed delivery, physical destination
 * @apic_id: the destination CPU's APIC id (at most 255)
 *
 * Return: 0, or -1 after a message (no MADT, no I/O APIC serves the GSI,
 * the page cannot be mapped).
 */
int ioapic_route_isa(unsigned int irq, u8 vector, u32 apic_id);

#endif /* ARCH_X86_IOAPIC_H */
