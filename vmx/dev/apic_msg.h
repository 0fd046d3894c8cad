/* SPDX-License-Identifier: MIT */
/*
 * An interrupt message on the (virtual) APIC bus: what a local APIC's ICR
 * or an I/O APIC redirection entry sends.  The VM's router
 * (vmx/dev/apic_route.h) picks the local APICs it reaches.
 */
#ifndef VMX_DEV_APIC_MSG_H
#define VMX_DEV_APIC_MSG_H

#include "lib/compiler.h"

/* apic_msg.src of a message that no local APIC sent. */
#define APIC_SRC_IOAPIC		0xffffffffu

/**
 * struct apic_msg - one interrupt message.
 * @dest:      destination field: 8 bits in the xAPIC format (ICR_HI[31:24],
 *             I/O APIC RTE[63:56]), 32 bits in the x2APIC format
 * @src:       APIC id of the sending local APIC (shorthands are relative to
 *             it), or APIC_SRC_IOAPIC
 * @vector:    vector (SIPI: the start page)
 * @delivery:  APIC_DM_* (lib/x86_apic.h)
 * @shorthand: APIC_SH_*; the I/O APIC always sends APIC_SH_NONE
 * @logical:   logical destination mode (else physical)
 * @level:     level-triggered (else edge)
 * @assert:    level assert (only an INIT "de-assert" IPI has it clear)
 * @x2apic:    @dest is in the x2APIC format (an ICR written in x2APIC mode)
 */
struct apic_msg {
	u32 dest;
	u32 src;
	u8 vector;
	u8 delivery;
	u8 shorthand;
	bool logical;
	bool level;
	bool assert;
	bool x2apic;
};

#endif /* VMX_DEV_APIC_MSG_H */
