// SPDX-License-Identifier: MIT
/*
 * Each vCPU's virtual local APIC (vmx/dev/vlapic.c) wired to VT-x: its
 * clock is the guest's TSC, its IPIs go through apic_route() over the VM's
 * local APICs, its level EOIs to the I/O APIC on the VM's bus, and a vector
 * that becomes pending kicks the vCPU's CPU.  INIT, SIPI and NMI messages
 * become the vCPU's remote requests, served by its run loop.
 *
 * Remote requests: a sender on any CPU stores the request (a flag or the
 * SIPI vector), then calls vcpu_wake() (full fence, kick IPI).  The owner
 * clears intr_pending before it looks at the vlapic (a locked RMW, so the
 * clear is ordered before the look): a vector made pending after the look
 * sets the flag again after it, and the next pass sees it.
 */
#include "vmx/vcpu_lapic.h"

#include "arch/x86/cpu.h"
#include "arch/x86/tsc.h"
#include "lib/atomic.h"
#include "lib/errno.h"
#include "lib/platform.h"
#include "lib/printk.h"
#include "lib/x86_apic.h"
#include "vmx/dev/apic_route.h"
#include "vmx/dev/platform.h"
#include "vmx/dev/vlapic.h"
#include "vmx/vcpu_run.h"
#include "vmx/vm/vm.h"
#include "vmx/vm/vm_log.h"
#include "vmx/vmx_ops.h"

static u64 lapic_now(void *ctx)
{
	const struct vcpu *v = ctx;

	/* Tear-free read of the owner's offset; a racing TSC write moves the clock either way. */
	return rdtsc() + READ_ONCE(v->tsc_offset);
}

static unsigned int lapic_send(void *ctx, const struct apic_msg *m)
{
	struct vm *vm = ((struct vcpu *)ctx)->vm;

	return apic_route(vm->lapics, vm->nvcpus, m);
}

static void lapic_eoi(void *ctx, u8 vector)
{
	vdev_irq_eoi(&((struct vcpu *)ctx)->vm->bus, vector);
}

/* Make @v look for interrupts at its next pass, waking or kicking its CPU. */
static void vcpu_notify(struct vcpu *v)
{
	WRITE_ONCE(v->intr_pending, 1);
	if (v->pcpu != arch_cpu_id())
		vcpu_wake(v);
}

static void lapic_kick(void *ctx)
{
	vcpu_notify(ctx);
}

/*
 * INIT: a vCPU waiting for its SIPI just notes it; a started vCPU is sent
 * back to wait-for-SIPI by its own run loop (vcpu_lapic_service()), as
 * hardware does.  SIPI: latched for a vCPU that got INIT and waits (R1:
 * store_release, paired with the load_acquire in vcpu_idle(), so the
 * sender's trampoline is visible first); later SIPIs are ignored.  NMI:
 * pending until the guest can take it.
 */
static void lapic_event(void *ctx, u8 delivery, u8 vector)
{
	struct vcpu *v = ctx;

	switch (delivery) {
	case APIC_DM_INIT:
		if (READ_ONCE(v->run_state) == VCPU_WAIT_SIPI) {
			WRITE_ONCE(v->init_seen, 1);
		} else {
			WRITE_ONCE(v->init_pending, 1);
			vcpu_notify(v);
		}
		break;
	case APIC_DM_SIPI:
		if (!READ_ONCE(v->init_seen) || READ_ONCE(v->run_state) != VCPU_WAIT_SIPI ||
		    READ_ONCE(v->sipi))
			break;
		store_release(&v->sipi, 0x100u | vector);
		if (v->pcpu != arch_cpu_id())
			vcpu_wake(v);
		break;
	case APIC_DM_NMI:
		WRITE_ONCE(v->nmi_pending, 1);
		vcpu_notify(v);
		break;
	default:
		vm_guest_warn(v->vm, "vm %s vcpu %u: delivery mode %u (vector %#x) is not emulated\n",
			      v->vm->cfg.name, v->id, delivery, vector);
		break;
	}
}

static const struct vlapic_ops vcpu_lapic_ops = {
	.now = lapic_now,
	.send = lapic_send,
	.eoi = lapic_eoi,
	.kick = lapic_kick,
	.event = lapic_event,
};

int vcpu_lapic_create(struct vcpu *v)
{
	const struct vlapic_config cfg = {
		.id = v->id,
		.bsp = v->id == 0,
		.phys_bits = (u8)(cpuid_count(0x80000008u, 0).eax & 0xff),
		.x2apic = true,
		.tsc_deadline = true,
		.eoi_suppress = false,
		.tsc_hz = tsc_hz(),
		.timer_hz = tsc_hz(),
		.ops = &vcpu_lapic_ops,
		.ctx = v,
	};

	v->lapic = vlapic_create(&cfg);
	if (!v->lapic) {
		pr_err("vm %s vcpu %u: no memory for its local APIC\n", v->vm->cfg.name, v->id);
		return -HV_ENOMEM;
	}
	if (v->vm->apicv)
		vlapic_set_virtualised(v->lapic, true);
	v->vm->lapics[v->id] = v->lapic;
	return 0;
}

void vcpu_lapic_destroy(struct vcpu *v)
{
	if (v->lapic)
		vlapic_destroy(v->lapic);
	v->lapic = NULL;
}

void vcpu_lapic_timer_sync(struct vcpu *v)
{
	u64 next = vlapic_timer_next(v->lapic);

	/* Guest TSC to host TSC; an expiry already in the past fires at once. */
	v->lapic_deadline = next ? MAX(next - v->tsc_offset, 1ull) : 0;
	vcpu_timer_update(v);
}

void vcpu_apicv_controls(struct vcpu *v)
{
	const u8 *bm = v->vm->msr_bitmap;
	u32 proc2;

	if (!v->vm->apicv)
		return;
	proc2 = (v->proc2_ctls & ~(PROC2_VIRT_APIC_ACCESS | PROC2_VIRT_X2APIC)) |
		PROC2_APIC_REG_VIRT | PROC2_VID;
	switch (vlapic_mode(v->lapic)) {
	case VLAPIC_XAPIC:
		/* Only the page the VM's EPT maps to the APIC-access page (vm.c). */
		if (vlapic_mmio_base(v->lapic) == PLAT_LAPIC_BASE)
			proc2 |= PROC2_VIRT_APIC_ACCESS;
		break;
	case VLAPIC_X2APIC:
		if (v->vm->msr_bitmap_x2apic) {
			proc2 |= PROC2_VIRT_X2APIC;
			bm = v->vm->msr_bitmap_x2apic;
		}
		break;
	default:
		break;
	}
	if (proc2 == v->proc2_ctls)
		return;
	v->proc2_ctls = proc2;
	vmcs_write(VMCS_PROC_CTLS2, proc2);
	vmcs_write(VMCS_MSR_BITMAP, arch_virt_to_phys(bm));
}

/*
 * Bochs 2.7 delivers a virtual interrupt that RVI requests at VM entry even
 * when the guest runs with RFLAGS.IF = 0: a Linux guest took its
 * function-call IPI inside a spin_lock_irqsave() section and deadlocked on
 * its own runqueue lock (docs/platform.md, "APIC virtualisation").  The SDM
 * delivers only once the guest can take interrupts, so holding RVI at 0
 * until the interrupt-window exit changes nothing on hardware but one exit.
 */
bool vcpu_apicv_sync(struct vcpu *v, bool can_take)
{
	struct vlapic_virt_state st;
	bool held;

	if (!v->vm->apicv)
		return false;
	vlapic_virt_sync(v->lapic, &st);
	held = !can_take && st.rvi;
	vmcs_write(VMCS_GUEST_INTR_STATUS, (held ? 0 : st.rvi) | (u32)st.svi << 8);
	/* Level-triggered vectors (TMR) must exit on EOI to reach the I/O APIC. */
	for (unsigned int i = 0; i < 4; i++) {
		if (st.tmr[2 * i] == v->eoi_exit[2 * i] && st.tmr[2 * i + 1] == v->eoi_exit[2 * i + 1])
			continue;
		v->eoi_exit[2 * i] = st.tmr[2 * i];
		v->eoi_exit[2 * i + 1] = st.tmr[2 * i + 1];
		vmcs_write(VMCS_EOI_EXIT0 + 2 * i, st.tmr[2 * i] | (u64)st.tmr[2 * i + 1] << 32);
	}
	return held;
}

void vcpu_lapic_service(struct vcpu *v)
{
	if (unlikely(READ_ONCE(v->init_pending))) {
		WRITE_ONCE(v->init_pending, 0);
		vlapic_init_signal(v->lapic);
		vcpu_apicv_sync(v, true);	/* IRR and ISR are empty now */
		WRITE_ONCE(v->sipi, 0);
		WRITE_ONCE(v->init_seen, 1);
		WRITE_ONCE(v->run_state, VCPU_WAIT_SIPI);
		vm_guest_warn(v->vm, "vm %s vcpu %u: INIT: back to wait-for-SIPI\n",
			      v->vm->cfg.name, v->id);
	}
}
