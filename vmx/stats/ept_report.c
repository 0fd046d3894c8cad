// SPDX-License-Identifier: MIT
/* "ept NAME [GPA]": statistics and one walk through the EPT iterator (ept_report.h). */
#include "vmx/stats/ept_report.h"

#include "lib/string.h"
#include "mm/ept_iter.h"

void ept_report_stats(u64 __ept *root_pt, int root_level, struct ept_map_stats *st)
{
	gfn_t end = ept_root_gfn_span(root_level);
	struct ept_iter it;

	memset(st, 0, sizeof(*st));
	ept_for_each_entry(&it, root_pt, root_level, EPT_LEVEL_4K, 0, end) {
		u64 e = it.old;

		if (ept_is_frozen(e))
			st->frozen++;
		if (!ept_is_present(e))
			continue;
		st->present[it.level]++;
		if (ept_is_leaf(e, it.level)) {
			if (it.level <= EPT_MAX_HUGE_LEVEL)
				st->leaves[it.level]++;
			st->mapped_bytes += ept_pages_per_entry(it.level) << PAGE_SHIFT;
		} else {
			st->tables++;
		}
	}
	st->poison = it.poison;
}

unsigned int ept_report_walk(u64 __ept *root_pt, int root_level, u64 gpa,
			     struct ept_walk_step *steps)
{
	gfn_t gfn = gpa >> PAGE_SHIFT;
	struct ept_iter it;
	unsigned int n = 0;

	if (gfn >= ept_root_gfn_span(root_level))
		return 0;
	/* [gfn, gfn + 1): the iterator visits exactly the entries on the way to it. */
	ept_for_each_entry(&it, root_pt, root_level, EPT_LEVEL_4K, gfn, gfn + 1) {
		if (n == EPT_MAX_LEVEL)
			break;
		steps[n].level = it.level;
		steps[n].entry = it.old;
		n++;
		if (!ept_is_table(it.old, it.level))
			break;
	}
	return n;
}
