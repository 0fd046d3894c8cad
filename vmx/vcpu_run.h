/* SPDX-License-Identifier: MIT */
/* The vCPU run loop, kicks, virtual interrupts and the EPT flush hooks. */
#ifndef VMX_VCPU_RUN_H
#define VMX_VCPU_RUN_H

#include "lib/compiler.h"
#include "mm/ept_flush.h"

struct vcpu;

/* IPI vectors of the VMX core (the LAPIC spurious vector is 0xff, SMP ping 0xf0). */
#define VCPU_KICK_VECTOR	0xf2	/* leave the guest: a request is pending */
#define VCPU_LAUNCH_VECTOR	0xf3	/* start the vCPU assigned to this CPU */

/* The platform side of mm/ept_flush.h: INVEPT and the kick IPI. */
extern const struct ept_flush_ops vmx_ept_flush_ops;

/* Register the kick and launch vectors (BSP, once, before any vCPU runs). */
void vcpu_run_init(void);

/* Make @v leave guest mode soon (fixed IPI to its CPU; harmless when it is outside). */
void vcpu_kick(struct vcpu *v);

/**
 * vcpu_wake() - make @v notice a change the caller has just stored.
 * @v: the target (on another CPU)
 *
 * Full fence, then vcpu_kick(): the change is globally visible before the
 * IPI can arrive, so the target sees it whether it is in the guest (the IPI
 * makes it exit and look), on its way in (its re-check after the R11 fence)
 * or asleep in vcpu_idle() (the IPI ends the HLT).
 */
void vcpu_wake(struct vcpu *v);

/* Deliver external interrupt @vec to @v when the guest can take it. */
void vcpu_queue_interrupt(struct vcpu *v, u8 vec);

/* hc_deadline or lapic_deadline changed: recompute timer_deadline and the preemption timer. */
void vcpu_timer_update(struct vcpu *v);

/* The VMX-preemption timer ran out: give the next entry a new slice. */
void vcpu_preempt_expired(struct vcpu *v);

/* HC_TIMER: arm (or with @delta 0 cancel) @v's one-shot timer.  HC_* status. */
long vcpu_set_timer(struct vcpu *v, u64 delta, u64 vector);

/*
 * vcpu_run() - run @v on the calling CPU until its VM stops.
 *
 * Enters VMX operation if needed, builds the VMCS, then loops: pending
 * requests and events, VM entry under the R11 protocol, exit dispatch, an
 * EBR quiescent state per exit.  Called with interrupts off.
 */
void vcpu_run(struct vcpu *v);

#endif /* VMX_VCPU_RUN_H */
