// SPDX-License-Identifier: MIT
/*
 * A pfncache user with stale-use detectors; see tests/host/gpc_sim.h.
 */
#include "tests/host/gpc_sim.h"

#include "lib/rwlock.h"
#include "mm/ebr.h"
#include "mm/memslot.h"

#include <stdio.h>
#include <string.h>

void gpc_sim_init(struct gpc_sim *s, struct vm_mmu *mmu)
{
	memset(s, 0, sizeof(*s));
	s->mmu = mmu;
	gpc_init(&s->gpc, &mmu->gpc);
}

int gpc_sim_activate(struct gpc_sim *s, gpa_t gpa)
{
	s->gpa = gpa;
	s->st.activations++;
	if (gpc_activate(&s->gpc, gpa, GPC_SIM_LEN)) {
		s->st.refresh_errors++;
		return -1;
	}
	return 0;
}

void gpc_sim_deactivate(struct gpc_sim *s)
{
	gpc_deactivate(&s->gpc);
}

/*
 * gpc_sim_check_use() - run the detectors on a use of @s at @gpa.  The
 * caller holds the cache's read lock and gpc_check() passed, so no
 * invalidation can clear the cache until the caller unlocks.
 */
static void gpc_sim_check_use(struct gpc_sim *s, gpa_t gpa)
{
	struct vm_mmu *mmu = s->mmu;
	struct ebr_rec *rec = ebr_rec_this(&mmu->ebr);
	const struct ept_memmap *map;
	const struct ept_memslot *slot;
	gfn_t gfn = gpa >> PAGE_SHIFT;
	bool stale, covered;

	ebr_enter(rec);
	map = ept_memmap_get(mmu);
	slot = ept_memslot_find(map, gfn);
	/*
	 * Only the map of the generation it checked is the truth for it: a
	 * newer map makes the next gpc_check() fail.
	 */
	stale = map->generation == s->gpc.generation &&
		(!slot || slot->kind == EPT_SLOT_MMIO || ept_memslot_pfn(slot, gfn) != s->gpc.pfn);
	ebr_exit(rec);
	if (stale && s->st.stale_uses++ < 3)
		fprintf(stderr, "gpc_sim: used gpa 0x%llx -> pfn 0x%llx, the map of its generation disagrees\n",
			gpa, s->gpc.pfn);

	/*
	 * An invalidation counts itself in (mmu->inv, under mmu_lock for
	 * write) only after gpc_invalidate_start() cleared every valid cache
	 * of its range, and refreshes of that range wait or retry until its
	 * gpc_invalidate_end().  So a valid cache (held by our read lock) under
	 * an invalidation in progress was missed or made valid too early
	 * (R10, R15).  mmu_lock for read gives the count and the range of one
	 * moment; taking it inside gpc->lock is safe, nothing that holds
	 * mmu_lock takes a cache's lock.
	 */
	read_lock(&mmu->mmu_lock);
	covered = mmu->inv.in_progress && gfn >= mmu->inv.range_start &&
		  gfn < mmu->inv.range_end;
	read_unlock(&mmu->mmu_lock);
	if (covered && s->st.inval_uses++ < 3)
		fprintf(stderr, "gpc_sim: used gpa 0x%llx -> pfn 0x%llx during its invalidation\n",
			gpa, s->gpc.pfn);
	s->st.uses++;
}

bool gpc_sim_use(struct gpc_sim *s, gpa_t gpa)
{
	s->gpa = gpa;
	for (int i = 0; i < GPC_SIM_TRIES; i++) {
		unsigned long flags = read_lock_irqsave(&s->gpc.lock);

		if (gpc_check(&s->gpc, gpa, GPC_SIM_LEN)) {
			gpc_sim_check_use(s, gpa);
			read_unlock_irqrestore(&s->gpc.lock, flags);
			return true;
		}
		read_unlock_irqrestore(&s->gpc.lock, flags);
		s->st.refreshes++;
		if (gpc_refresh(&s->gpc, gpa, GPC_SIM_LEN)) {
			s->st.refresh_errors++;
			return false;
		}
	}
	s->st.gave_up++;
	return false;
}

void gpc_sim_stats_add(struct gpc_sim_stats *sum, const struct gpc_sim_stats *st)
{
	sum->uses += st->uses;
	sum->refreshes += st->refreshes;
	sum->gave_up += st->gave_up;
	sum->activations += st->activations;
	sum->stale_uses += st->stale_uses;
	sum->inval_uses += st->inval_uses;
	sum->refresh_errors += st->refresh_errors;
}

u64 gpc_sim_report(const struct gpc_sim_stats *st, const char *tag)
{
	printf("%s: pfncache uses %llu refreshes %llu activations %llu gave_up %llu"
	       " | stale %llu during_inval %llu refresh_errors %llu\n", tag,
	       st->uses, st->refreshes,
	       st->activations, st->gave_up,
	       st->stale_uses, st->inval_uses,
	       st->refresh_errors);
	return st->stale_uses + st->inval_uses + st->refresh_errors;
}
