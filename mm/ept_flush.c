// SPDX-License-Identifier: MIT
/*
 * EPT flush generations, the R11 request/mode protocol and the R4
 * grace-period hook.  See mm/ept_flush.h.
 */
#include "mm/ept_flush.h"

#include "lib/atomic.h"
#include "lib/errno.h"
#include "lib/mutate.h"
#include "lib/printk.h"
#include "lib/string.h"

void ept_flush_init(struct ept_flush *fl, const struct ept_flush_ops *ops)
{
	memset(fl, 0, sizeof(*fl));
	fl->ops = ops;
}

int ept_flush_vcpu_add(struct ept_flush *fl, void *vcpu_ctx)
{
	u32 id = fetch_add(&fl->nr_vcpus, 1);

	if (id >= EPT_MAX_VCPUS) {
		fetch_sub(&fl->nr_vcpus, 1);
		pr_err("ept_flush: more than %d vCPUs\n", EPT_MAX_VCPUS);
		return -HV_ENOSPC;
	}
	fl->vcpu[id].ctx = vcpu_ctx;
	fl->vcpu[id].acked_gen = READ_ONCE(fl->gen);
	/*
	 * R11 bookkeeping: the slot is complete before requesters scan it.
	 * Pairs with the load_acquire of used in ept_flush_request_gen().
	 */
	store_release(&fl->vcpu[id].used, true);
	return (int)id;
}

u64 ept_flush_request_gen(struct ept_flush *fl)
{
	u32 n = READ_ONCE(fl->nr_vcpus);
	u64 gen;

	/*
	 * The new generation is visible before any request bit: a vCPU that
	 * takes the request (xchg in ept_flush_vcpu_service()) then reads a
	 * generation >= ours.  Locked RMW; pairs with the load_acquire of
	 * fl->gen in ept_flush_vcpu_service().
	 */
	gen = fetch_add(&fl->gen, 1) + 1;
	fetch_add(&fl->requests, 1);
	for (u32 i = 0; i < n; i++) {
		/* Pairs with the store_release of used in ept_flush_vcpu_add(). */
		if (!load_acquire(&fl->vcpu[i].used))
			continue;
		/* One bit only, so a plain store cannot lose another request. */
		WRITE_ONCE(fl->vcpu[i].flush_req, 1);
	}
	/*
	 * R11: requester side of the Dekker pair: the request stores must be
	 * visible before we read each vCPU's mode.  Pairs with the smp_mb()
	 * in ept_flush_vcpu_enter() between mode = IN_GUEST and the load of
	 * flush_req.
	 */
	smp_mb_rule(R11_REQ_FENCE);
	for (u32 i = 0; i < n; i++) {
		struct ept_flush_vcpu *v = &fl->vcpu[i];

		if (!load_acquire(&v->used))
			continue;
		if (READ_ONCE(v->mode) == EPT_MODE_IN_GUEST) {
			stat_add(&v->kicks, 1);
			if (fl->ops && fl->ops->kick)
				fl->ops->kick(v->ctx);
		} else {
			/* Diagnostic for the R11 invariant (ept_flush_vcpu_check()). */
			u64 cur = READ_ONCE(v->nokick_gen);

			while (cur < gen && !try_cmpxchg(&v->nokick_gen, &cur, gen))
				;
		}
	}
	return gen;
}

bool ept_flush_done(struct ept_flush *fl, u64 gen)
{
	u32 n = READ_ONCE(fl->nr_vcpus);

	for (u32 i = 0; i < n; i++) {
		struct ept_flush_vcpu *v = &fl->vcpu[i];

		if (!load_acquire(&v->used))
			continue;
		/*
		 * R4: pairs with the store_release of acked_gen in
		 * ept_flush_vcpu_service(), made after the vCPU's flush.
		 */
		if ((s64)(load_acquire(&v->acked_gen) - gen) >= 0)
			continue;
		/*
		 * Outside the guest with our request still untaken: the vCPU
		 * flushes before it can use a translation again (R11 makes it
		 * see the request at entry).  Mode first, then the request:
		 * if the request is gone it may be half-serviced, so wait.
		 */
		if (READ_ONCE(v->mode) == EPT_MODE_OUTSIDE && READ_ONCE(v->flush_req))
			continue;
		return false;
	}
	return true;
}

void ept_flush_wait(struct ept_flush *fl, u64 gen)
{
	u64 spins = 0;

	stat_add(&fl->waits, 1);
	while (!ept_flush_done(fl, gen)) {
		cpu_relax();
		if (++spins == (1ULL << 32))
			pr_warn("ept_flush: still waiting for generation %llu\n",
				gen);
	}
}

bool ept_flush_vcpu_enter(struct ept_flush *fl, int id)
{
	struct ept_flush_vcpu *v = &fl->vcpu[id];

	WRITE_ONCE(v->mode, EPT_MODE_IN_GUEST);
	/*
	 * R11: vCPU side of the Dekker pair: mode = IN_GUEST must be visible
	 * before we look for requests, or a requester could miss us (no kick)
	 * while we miss its request.  Pairs with the smp_mb() in
	 * ept_flush_request_gen() between the request store and the mode load.
	 */
	smp_mb_rule(R11_ENTRY_FENCE);
	if (READ_ONCE(v->flush_req)) {
		/* Abort the entry; R11: pairs with nothing, our own store. */
		store_release(&v->mode, EPT_MODE_OUTSIDE);
		return false;
	}
	return true;
}

void ept_flush_vcpu_exit(struct ept_flush *fl, int id)
{
	/* Leaving the guest: every use of cached translations is before this. */
	store_release(&fl->vcpu[id].mode, EPT_MODE_OUTSIDE);
}

void ept_flush_vcpu_service(struct ept_flush *fl, int id)
{
	struct ept_flush_vcpu *v = &fl->vcpu[id];
	u64 gen;

	/* Take the request (locked RMW, a full barrier) before reading gen. */
	xchg(&v->flush_req, 0);
	/*
	 * R4/R11: read the generation after taking the request; pairs with the
	 * fetch_add of fl->gen in ept_flush_request_gen(), made before the
	 * request store.
	 */
	gen = load_acquire(&fl->gen);
	if (gen == READ_ONCE(v->acked_gen))
		return;
	if (fl->ops && fl->ops->invept)
		fl->ops->invept(v->ctx);
	stat_add(&v->acks, 1);
	/*
	 * R4: the flush is complete before the acknowledgement.  Pairs with
	 * the load_acquire of acked_gen in ept_flush_done().
	 */
	store_release(&v->acked_gen, gen);
}

bool ept_flush_vcpu_check(struct ept_flush *fl, int id)
{
	struct ept_flush_vcpu *v = &fl->vcpu[id];

	return READ_ONCE(v->nokick_gen) <= READ_ONCE(v->acked_gen);
}

static void ept_flush_gp_start(void *arg, u64 epoch)
{
	struct ept_flush *fl = arg;

	WRITE_ONCE(fl->gp_target, ept_flush_request_gen(fl));
}

static bool ept_flush_gp_done(void *arg, u64 epoch)
{
	struct ept_flush *fl = arg;

	return ept_flush_done(fl, READ_ONCE(fl->gp_target));
}

void ept_flush_gp_hook(struct ept_flush *fl, struct ebr_domain *d)
{
	fl->hook.start = ept_flush_gp_start;
	fl->hook.done = ept_flush_gp_done;
	fl->hook.arg = fl;
	ebr_set_gp_hook(d, &fl->hook);
}
