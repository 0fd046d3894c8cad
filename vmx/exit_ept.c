// SPDX-License-Identifier: MIT
/*
 * EPT violations and misconfigurations.  Violations go to the EPT core's
 * fault path (mm/ept_mmu.h), which maps guest RAM lazily; what it cannot
 * map (no memory slot, an MMIO slot: the VM has no emulated MMIO device,
 * a write to read-only memory) stops the VM with a report.  Other VMs and
 * the hypervisor are untouched: a VM's EPT maps only its own memory.
 */
#include "vmx/exit.h"
#include "vmx/inject.h"

#include "lib/atomic.h"
#include "lib/printk.h"
#include "mm/ept_mmu.h"
#include "vmx/dev/vlapic.h"
#include "vmx/vm/vm.h"
#include "vmx/vmx_ops.h"

static bool vcpu_mmio_claimed(struct vcpu *v, u64 gpa)
{
	u64 base = vlapic_mmio_base(v->lapic);

	return (base != VLAPIC_NO_MMIO && gpa >= base && gpa - base < PAGE_SIZE) ||
	       vdev_mmio_claimed(&v->vm->bus, gpa);
}

static const char *ept_access_str(u64 q)
{
	if (q & EPT_QUAL_WRITE)
		return "write";
	if (q & EPT_QUAL_FETCH)
		return "instruction fetch";
	return "read";
}

enum exit_action exit_ept_violation(struct vcpu *v)
{
	u64 q = vmcs_read(VMCS_EXIT_QUAL);
	struct ept_fault f = {
		.gpa = vmcs_read(VMCS_GUEST_PHYS_ADDR),
		.access = ((q & EPT_QUAL_READ) ? EPT_ACC_READ : 0) |
			  ((q & EPT_QUAL_WRITE) ? EPT_ACC_WRITE : 0) |
			  ((q & EPT_QUAL_FETCH) ? EPT_ACC_EXEC : 0),
	};
	const char *what;
	int ret;

	vmcs_reinject_idt_vectoring();
	ret = ept_handle_fault(v->vm->mmu, &f);
	/*
	 * Not RAM: an emulated device's page (this vCPU's xAPIC page, or a
	 * range on the VM's bus) is served by emulating the instruction,
	 * unless the access was part of delivering an event (the IDT or a
	 * stack in device memory), which no guest does on hardware either.
	 */
	if ((ret == EPT_FAULT_OUTSIDE || ret == EPT_FAULT_MMIO) && vcpu_mmio_claimed(v, f.gpa) &&
	    !(vmcs_read(VMCS_IDT_VECT_INFO) & INTR_INFO_VALID))
		return vcpu_emulate(v, "MMIO");
	switch (ret) {
	case EPT_FAULT_FIXED:
	case EPT_FAULT_SPURIOUS:
	case EPT_FAULT_RETRY:
		return EXIT_RESUME;
	case EPT_FAULT_OUTSIDE:
		what = "outside its memory";
		break;
	case EPT_FAULT_MMIO:
		what = "in an MMIO range with no device";
		break;
	case EPT_FAULT_WRITE_TO_RO:
		what = "to read-only memory";
		break;
	case EPT_FAULT_NOMEM:
		what = "that needs an EPT table page, but none is left";
		break;
	default:
		what = "with an unknown fault result";
		break;
	}
	pr_err("vm %s vcpu %u: %s at gpa %#llx %s (rip %llx, gla %llx, qual %llx)\n",
	       v->vm->cfg.name, v->id, ept_access_str(q), f.gpa, what,
	       vmcs_read(VMCS_GUEST_RIP),
	       ((q & EPT_QUAL_GLA_VALID) ? vmcs_read(VMCS_GUEST_LINEAR_ADDR)
							     : 0),
	       q);
	vm_stop(v->vm, "%s at guest-physical %#llx %s", ept_access_str(q),
		f.gpa, what);
	return EXIT_STOP;
}

/*
 * A misconfigured entry is a bug in the EPT core, never the guest's doing:
 * print the walk for the address so the entry can be identified, and stop
 * the VM.
 */
enum exit_action exit_ept_misconfig(struct vcpu *v)
{
	gpa_t gpa = vmcs_read(VMCS_GUEST_PHYS_ADDR);
	u64 eptp = vmcs_read(VMCS_EPT_POINTER);
	struct ept_path_step steps[EPT_MAX_LEVEL];
	int n = ept_snapshot_path(v->vm->mmu, gpa >> PAGE_SHIFT, steps);

	pr_err("vm %s vcpu %u: EPT misconfiguration at gpa %#llx (eptp %llx), walk of the "
	       "active root:\n", v->vm->cfg.name, v->id, gpa, eptp);
	for (int i = 0; i < n; i++)
		pr_err("  level %d table %#llx [%3u] = %016llx\n", steps[i].level,
		       steps[i].table, steps[i].index, steps[i].entry);
	vm_stop(v->vm, "EPT misconfiguration at guest-physical %#llx (hypervisor bug)",
		gpa);
	return EXIT_STOP;
}
