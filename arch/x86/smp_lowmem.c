// SPDX-License-Identifier: MIT
/*
 * Trampoline placement (see smp_lowmem.h).  Portable: no hardware access,
 * tested hosted by tests/host/test_lowmem.c.
 */
#include "arch/x86/smp_lowmem.h"

/* End of [base, base + len) rounded up to a page; ~0 when that passes 2^64. */
static u64 smp_lowmem_end_up(u64 base, u64 len)
{
	u64 end = base + len;

	if (end < base || end > ~0ULL - (PAGE_SIZE - 1))
		return ~0ULL;
	return ALIGN_UP(end, PAGE_SIZE);
}

/* Lowest page of a busy range that touches [base, end), or @end if none. */
static u64 smp_lowmem_busy_below(const struct mem_range *busy, unsigned int n_busy, u64 base,
				 u64 end)
{
	u64 lowest = end;

	for (unsigned int i = 0; i < n_busy; i++) {
		u64 bb = ALIGN_DOWN(busy[i].base, PAGE_SIZE);
		u64 be = smp_lowmem_end_up(busy[i].base, busy[i].len);

		if (busy[i].len && bb < end && be > base && bb < lowest)
			lowest = bb;
	}
	return lowest;
}

bool smp_lowmem_pick(const struct mem_range *usable, unsigned int n_usable,
		     const struct mem_range *busy, unsigned int n_busy, u64 size, u64 min, u64 max,
		     u64 *out)
{
	bool found = false;
	u64 best = 0;

	if (!size || !IS_ALIGNED(size, PAGE_SIZE))
		return false;
	for (unsigned int i = 0; i < n_usable; i++) {
		u64 base = usable[i].base;
		u64 end = base + usable[i].len;
		u64 lo, hi;

		if (base > ~0ULL - (PAGE_SIZE - 1))
			continue; /* no whole page in it */
		if (end < base)
			end = ~0ULL; /* runs past 2^64: clip */
		lo = MAX(ALIGN_UP(base, PAGE_SIZE), min);
		hi = MIN(ALIGN_DOWN(end, PAGE_SIZE), ALIGN_DOWN(max, PAGE_SIZE));

		/* Slide down from the top of the range below anything busy. */
		while (hi >= lo && hi - lo >= size) {
			u64 cand = hi - size;
			u64 busy_at = smp_lowmem_busy_below(busy, n_busy, cand, hi);

			if (busy_at == hi) {
				if (!found || cand > best)
					best = cand;
				found = true;
				break;
			}
			hi = busy_at;
		}
	}
	if (found)
		*out = best;
	return found;
}
