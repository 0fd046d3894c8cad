/* SPDX-License-Identifier: MIT */
/*
 * EPT TLB flushes: the hardware interface of the EPT core.
 *
 * A VM has a flush generation.  ept_flush_request() bumps it and asks every
 * vCPU of the VM to acknowledge: a vCPU acknowledges generation g by
 * flushing its EPT-derived translations (INVEPT single-context on real
 * hardware) after reading g; it does so at its next VM entry, or at once
 * when it is kicked out of the guest.
 *
 * R11 (request vs mode, a store-buffering pair):
 *   requester: flush_req = 1;  FULL FENCE;  if (mode == IN_GUEST) kick
 *   vCPU:      mode = IN_GUEST; FULL FENCE;  if (flush_req) abort entry
 * Either the requester sees the vCPU in the guest and kicks it, or the vCPU
 * sees the request before entering.
 *
 * R4 via the EBR grace-period hook: ept_flush_gp_hook() makes every grace
 * period of the VM's EBR domain also wait until every vCPU acknowledged a
 * generation requested when the grace period started, so no table page is
 * freed while any CPU's paging-structure cache may still hold it.
 *
 * The platform side (VMX, or tests/host/ept_sim.c) supplies struct
 * ept_flush_ops: invept() for the calling vCPU and kick() (an IPI).
 */
#ifndef MM_EPT_FLUSH_H
#define MM_EPT_FLUSH_H

#include "lib/compiler.h"
#include "mm/ebr.h"

#define EPT_MAX_VCPUS		HV_MAX_CPUS

enum ept_vcpu_mode {
	EPT_MODE_OUTSIDE = 0,
	EPT_MODE_IN_GUEST = 1,
};

/*
 * struct ept_flush_ops - implemented by the VMX code (and the hosted sim).
 * @invept: invalidate the calling vCPU's EPT-derived translations
 *          (INVEPT single-context for this VM's EPTP).
 * @kick:   make vCPU @vcpu_ctx leave the guest soon (IPI); it will then
 *          call ept_flush_vcpu_service() before re-entering.
 */
struct ept_flush_ops {
	void (*invept)(void *vcpu_ctx);
	void (*kick)(void *vcpu_ctx);
};

/*
 * struct ept_flush_vcpu - one vCPU's side, one cache line.
 * @mode:        enum ept_vcpu_mode, written by the vCPU (R11)
 * @flush_req:   1 when a flush is requested and not yet taken (R11)
 * @acked_gen:   highest generation this vCPU has flushed for (store_release)
 * @nokick_gen:  diagnostic: latest generation whose requester saw this vCPU
 *               outside the guest and therefore sent no kick.  While the
 *               vCPU runs in the guest this is never above @acked_gen
 *               (ept_flush_vcpu_check(); the R11 invariant)
 * @ctx:         platform vCPU pointer passed to the ops
 */
struct ept_flush_vcpu {
	u32 mode;
	u32 flush_req;
	u64 acked_gen;
	u64 nokick_gen;
	u64 kicks;
	u64 acks;
	void *ctx;
	bool used;
} __cacheline_aligned;

/*
 * struct ept_flush - a VM's flush state.
 * @gen:       last requested generation (only grows)
 * @gp_target: generation requested by the current grace period's start()
 */
struct ept_flush {
	u64 gen __cacheline_aligned;
	u64 requests;
	u64 gp_target;
	u64 waits;
	u32 nr_vcpus;
	const struct ept_flush_ops *ops;
	struct ebr_gp_hook hook;
	struct ept_flush_vcpu vcpu[EPT_MAX_VCPUS];
};

void ept_flush_init(struct ept_flush *fl, const struct ept_flush_ops *ops);
/* Register a vCPU; returns its index, or -HV_ENOSPC when EPT_MAX_VCPUS are in use. */
int ept_flush_vcpu_add(struct ept_flush *fl, void *vcpu_ctx);

/* Request a flush of every vCPU; returns the generation to wait for. */
u64 ept_flush_request_gen(struct ept_flush *fl);
/* True once every vCPU acknowledged @gen (or will flush before entering). */
bool ept_flush_done(struct ept_flush *fl, u64 gen);
/* Spin (kicking as needed) until ept_flush_done(@gen). */
void ept_flush_wait(struct ept_flush *fl, u64 gen);

/*
 * vCPU side.  ept_flush_vcpu_enter() is called with interrupts off right
 * before VM entry: it sets IN_GUEST and returns false (mode back to
 * OUTSIDE) if a flush is pending, in which case the caller calls
 * ept_flush_vcpu_service() and tries again.  ept_flush_vcpu_exit() after
 * VM exit.  ept_flush_vcpu_service() flushes and acknowledges.
 */
bool ept_flush_vcpu_enter(struct ept_flush *fl, int id);
void ept_flush_vcpu_exit(struct ept_flush *fl, int id);
void ept_flush_vcpu_service(struct ept_flush *fl, int id);
/* True while the R11 invariant holds for vCPU @id in the guest (tests). */
bool ept_flush_vcpu_check(struct ept_flush *fl, int id);

/* Install the R4 grace-period hook on @d. */
void ept_flush_gp_hook(struct ept_flush *fl, struct ebr_domain *d);

#endif /* MM_EPT_FLUSH_H */
