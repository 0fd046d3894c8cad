// SPDX-License-Identifier: MIT
/*
 * The exits of APIC virtualisation (docs/platform.md "APIC
 * virtualisation"): what the CPU does not virtualise by itself reaches the
 * vCPU's vlapic (vmx/dev/vlapic.c), whose register page is the
 * virtual-APIC page.
 *
 *  - APIC access (fault-like): an xAPIC access the CPU does not virtualise
 *    (PPR, APR, the current count, LVT CMCI, reserved offsets, accesses that
 *    are not 32-bit aligned): the instruction is emulated against the vlapic,
 *    as on the EPT-violation path without APIC virtualisation.
 *  - APIC write (trap-like): the CPU stored a write to a register with side
 *    effects (ID, LDR, DFR, SVR, ESR, ICR, LVT, timer) in the page; the
 *    vlapic acts on the value stored.
 *  - EOI-induced (trap-like): the guest's EOI retired a vector set in the
 *    EOI-exit bitmap (a level-triggered one); the vlapic broadcasts it to
 *    the I/O APIC, which clears remote IRR.
 */
#include "vmx/exit.h"
#include "vmx/inject.h"

#include "lib/printk.h"
#include "vmx/dev/vlapic.h"
#include "vmx/vcpu_lapic.h"
#include "vmx/vm/vm.h"
#include "vmx/vmx_ops.h"

/* APIC-access exit qualification: offset in bits 11:0, access type in 15:12. */
#define APIC_ACCESS_OFFSET(q)	((u32)(q) & 0xfff)
#define APIC_ACCESS_TYPE(q)	(((u32)(q) >> 12) & 0xf)
#define APIC_ACCESS_DATA_TYPES	2	/* 0 read, 1 write; 2 is a fetch, 3 and up event delivery */

enum exit_action exit_apic_access(struct vcpu *v)
{
	u64 q = vmcs_read(VMCS_EXIT_QUAL);

	vmcs_reinject_idt_vectoring();
	/* An access while delivering an event (IDT or stack on the page), or a fetch. */
	if (APIC_ACCESS_TYPE(q) >= APIC_ACCESS_DATA_TYPES ||
	    (vmcs_read(VMCS_IDT_VECT_INFO) & INTR_INFO_VALID)) {
		vcpu_log_exit(v, "APIC access that is no data access of an instruction");
		vm_stop(v->vm, "APIC access of type %u at offset %#x (rip %llx)",
			APIC_ACCESS_TYPE(q), APIC_ACCESS_OFFSET(q),
			vmcs_read(VMCS_GUEST_RIP));
		return EXIT_STOP;
	}
	return vcpu_emulate(v, "APIC access");
}

enum exit_action exit_apic_write(struct vcpu *v)
{
	vlapic_apic_write_exit(v->lapic, APIC_ACCESS_OFFSET(vmcs_read(VMCS_EXIT_QUAL)));
	vcpu_lapic_touched(v);
	return EXIT_RESUME;
}

enum exit_action exit_eoi_induced(struct vcpu *v)
{
	vlapic_eoi_virtualised(v->lapic, (u8)vmcs_read(VMCS_EXIT_QUAL));
	vcpu_lapic_touched(v);
	return EXIT_RESUME;
}
