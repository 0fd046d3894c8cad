// SPDX-License-Identifier: MIT
/*
 * The guest's inter-processor interrupts through the x2APIC ICR (MSR 0x830):
 * INIT and start-up IPIs, so a guest starts its APs the way it would on
 * hardware (INIT-SIPI-SIPI).  A SIPI is latched in the target vCPU
 * (vcpu->sipi) and the target's CPU, asleep in its idle loop, is woken to
 * look (vcpu_wake()); a SIPI sent before that CPU even looks is not lost.
 * Later SIPIs to a started vCPU are ignored, as on hardware.  Other
 * delivery modes are not emulated (logged once).
 */
#include "vmx/exit.h"

#include "lib/atomic.h"
#include "lib/printk.h"
#include "vmx/vcpu_run.h"
#include "vmx/vm/vm.h"

#define ICR_VECTOR(icr)		((u8)(icr))
#define ICR_MODE(icr)		(((icr) >> 8) & 7)
#define ICR_LEVEL_ASSERT	BIT(14)
#define ICR_TRIGGER_LEVEL	BIT(15)
#define ICR_SHORTHAND(icr)	(((icr) >> 18) & 3)
#define ICR_DEST(icr)		((u32)((icr) >> 32))
#define ICR_MODE_INIT		5
#define ICR_MODE_STARTUP	6

static void vapic_deliver(struct vcpu *from, struct vcpu *to, u64 icr)
{
	unsigned int mode = ICR_MODE(icr);

	if (mode == ICR_MODE_INIT) {
		/* INIT level de-assert (the old "INIT, then de-assert" sequence): no-op. */
		if ((icr & ICR_TRIGGER_LEVEL) && !(icr & ICR_LEVEL_ASSERT))
			return;
		if (READ_ONCE(to->run_state) != VCPU_WAIT_SIPI) {
			vm_guest_warn(from->vm, "vm %s: INIT to running vcpu %u ignored (no reset "
				      "of a started vCPU)\n", from->vm->cfg.name, to->id);
			return;
		}
		/* Only the sender's CPU writes init_seen; SIPIs check it below. */
		WRITE_ONCE(to->init_seen, 1);
		return;
	}
	/* STARTUP: only a vCPU that got INIT and is still waiting takes it. */
	if (!READ_ONCE(to->init_seen) || READ_ONCE(to->run_state) != VCPU_WAIT_SIPI)
		return;
	/*
	 * Latch the first SIPI; a second one (the spec sends two) finds it
	 * set and changes nothing.  R1 (publish): release, so the guest's trampoline stores
	 * made before its WRMSR are visible to the target before it starts.
	 * Pairs with the load_acquire in vcpu_idle().
	 */
	if (!READ_ONCE(to->sipi)) {
		store_release(&to->sipi, 0x100u | ICR_VECTOR(icr));
		/* Its CPU may be asleep in vcpu_idle(): wake it to look. */
		vcpu_wake(to);
	}
}

void vcpu_send_ipi(struct vcpu *v, u64 icr)
{
	struct vm *vm = v->vm;
	unsigned int mode = ICR_MODE(icr), sh = ICR_SHORTHAND(icr), i;

	if (mode != ICR_MODE_INIT && mode != ICR_MODE_STARTUP) {
		vm_guest_warn(vm, "vm %s vcpu %u: IPI delivery mode %u is not emulated (ICR %llx)\n",
			      vm->cfg.name, v->id, mode, (unsigned long long)icr);
		return;
	}
	for (i = 0; i < vm->nvcpus; i++) {
		struct vcpu *to = vm->vcpus[i];
		bool hit;

		switch (sh) {
		case 0: hit = to->id == ICR_DEST(icr) || ICR_DEST(icr) == 0xffffffffu; break;
		case 1: hit = to == v; break;
		case 2: hit = true; break;
		default: hit = to != v; break;
		}
		if (hit && to != v)
			vapic_deliver(v, to, icr);
	}
}
