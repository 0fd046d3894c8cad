/* SPDX-License-Identifier: MIT */
/*
 * What the shell's "ept NAME [GPA]" shows, gathered through the EPT
 * iterator (mm/ept_iter.h) without changing anything: the mapping
 * statistics of a root, or the walk of one guest-physical address.  The
 * caller holds a reference to the root and is inside an EBR section of the
 * VM's domain (the iterator's rule), no lock.  Portable.
 */
#ifndef VMX_STATS_EPT_REPORT_H
#define VMX_STATS_EPT_REPORT_H

#include "mm/ept_entry.h"

struct ept_map_stats {
	u64 present[EPT_MAX_LEVEL + 1];	/* present entries per level */
	u64 leaves[EPT_MAX_HUGE_LEVEL + 1];	/* leaves per level: 4K, 2M, 1G */
	u64 tables;			/* present non-leaf entries */
	u64 frozen;			/* FROZEN entries (R3: a writer owns them now) */
	u64 poison;			/* poisoned entries met (a freed table reached) */
	u64 mapped_bytes;		/* guest memory the leaves map */
};

/* Count every entry reachable from the root @root_pt of @root_level. */
void ept_report_stats(u64 __ept *root_pt, int root_level, struct ept_map_stats *st);

struct ept_walk_step {
	int level;
	u64 entry;
};

/**
 * ept_report_walk() - the entries the CPU would use for @gpa, root first.
 * @steps: EPT_MAX_LEVEL slots
 *
 * Return: how many steps; the last is a leaf, or an entry that is not
 * present (0, FROZEN or poison), where the walk ends.
 */
unsigned int ept_report_walk(u64 __ept *root_pt, int root_level, u64 gpa,
			     struct ept_walk_step *steps);

/* The host-physical address @gpa reaches through the leaf @e at @level. */
static inline u64 ept_report_leaf_hpa(u64 e, int level, u64 gpa)
{
	return (e & EPT_PFN_MASK & ~((1ull << ept_level_shift(level)) - 1)) |
	       (gpa & ((1ull << ept_level_shift(level)) - 1));
}

#endif /* VMX_STATS_EPT_REPORT_H */
