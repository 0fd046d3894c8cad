/* SPDX-License-Identifier: MIT */
/*
 * Quiesced check of a VM's reverse map against its EPT, for hosted tests
 * (tests/host/rmap_audit.c): the rmap (mm/rmap.h) must hold exactly the
 * present leaves of the active root, each once in the head of its gfn and
 * level, and an aging pass (ept_age_range()) must find exactly the leaves
 * made young, then none.
 */
#ifndef TESTS_HOST_RMAP_AUDIT_H
#define TESTS_HOST_RMAP_AUDIT_H

#include "mm/ept_mmu.h"

struct rmap_audit {
	u64 leaves;		/* present leaves of the active root */
	u64 mapped;		/* the MMU's mapped counters, summed over levels */
	u64 tracked;		/* leaves the rmap covers (gfn and level in range) */
	u64 entries;		/* rmap entries, every head of every level */
	u64 not_once;		/* tracked leaves not exactly once in their own head */
	u64 bad_desc;		/* mmu->rmap.bad_desc: dead descriptors walks met */
	u64 made_young;		/* entries whose leaf got A set through the rmap */
	u64 found_young;	/* young leaves the next ept_age_range() found */
	u64 found_again;	/* ... and the one after it (must be 0) */
};

/*
 * rmap_audit() - check @mmu's rmap against its EPT, then age it.  Nothing
 * else may run on @mmu; the caller is registered (ept_mmu_cpu_register()).
 * Leaves every leaf's A bit clear.  Fills @a, prints one line tagged @tag
 * (and the first problems), returns the number of problems (0 = the rmap
 * holds exactly the leaves, the mapped counts agree, aging is exact).
 */
u64 rmap_audit(struct vm_mmu *mmu, struct rmap_audit *a, const char *tag);

#endif /* TESTS_HOST_RMAP_AUDIT_H */
