/* SPDX-License-Identifier: MIT */
/*
 * A pfncache user for hosted tests (tests/host/gpc_sim.c): one
 * gfn_pfn_cache on a VM's own backend (struct vm_mmu's memory map), used
 * the way mm/pfncache.h says (gpc_check() under the cache's read lock,
 * gpc_refresh() when that fails), with detectors that tests require to
 * stay 0:
 *   stale_uses     the cache passed gpc_check() but its frame is not what
 *                  the memory map of the generation it checked gives
 *   inval_uses     the cache passed gpc_check() while an invalidation
 *                  covering its gfn was in progress (its
 *                  mmu_invalidate_range_start() had cleared the caches and
 *                  counted itself in, its _range_end() had not yet run)
 *   refresh_errors gpc_refresh() failed; the callers only use gpas that
 *                  memory always backs, so any failure is a bug
 *
 * inval_uses reads mmu->inv, whose range is the union of the invalidations
 * in progress: exact while they do not overlap in time, as when every
 * invalidation comes from a memory-map update (those are serialised by
 * memmap_lock).  A test that overlaps invalidations must not use it.
 */
#ifndef TESTS_HOST_GPC_SIM_H
#define TESTS_HOST_GPC_SIM_H

#include "mm/ept_mmu.h"

struct gpc_sim_stats {
	u64 uses;		/* gpc_check() passed and the page was "used" */
	u64 refreshes;		/* gpc_refresh() calls after a failed check */
	u64 gave_up;		/* uses abandoned after GPC_SIM_TRIES failed checks */
	u64 activations;
	u64 stale_uses, inval_uses, refresh_errors;
};

/* Checks a use makes before it gives up (invalidations kept winning). */
#define GPC_SIM_TRIES	16

/* Bytes one use covers: within one page at any 8-byte aligned gpa. */
#define GPC_SIM_LEN	8

struct gpc_sim {
	struct vm_mmu *mmu;
	struct gfn_pfn_cache gpc;
	gpa_t gpa;		/* what gpc_sim_use() asked for last */
	struct gpc_sim_stats st;
};

/*
 * The calling thread must be registered with @mmu (ept_mmu_cpu_register())
 * for every call below but gpc_sim_init() and the stats helpers.
 */
void gpc_sim_init(struct gpc_sim *s, struct vm_mmu *mmu);
/* gpc_activate() at @gpa; 0 or -1 (counted as a refresh error). */
int gpc_sim_activate(struct gpc_sim *s, gpa_t gpa);
/*
 * Use [gpa, gpa + GPC_SIM_LEN): check under the read lock, refresh (moving
 * the cache to @gpa if needed) and check again.  True if it was used.
 */
bool gpc_sim_use(struct gpc_sim *s, gpa_t gpa);
void gpc_sim_deactivate(struct gpc_sim *s);

void gpc_sim_stats_add(struct gpc_sim_stats *sum, const struct gpc_sim_stats *st);
/* Print one line for @st; returns stale_uses + inval_uses + refresh_errors. */
u64 gpc_sim_report(const struct gpc_sim_stats *st, const char *tag);

#endif /* TESTS_HOST_GPC_SIM_H */
