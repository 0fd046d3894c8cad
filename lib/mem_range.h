/* SPDX-License-Identifier: MIT */
/*
 * Physical address ranges: the type the boot information, the memory map
 * and the frame allocator share.
 */
#ifndef LIB_MEM_RANGE_H
#define LIB_MEM_RANGE_H

#include "lib/types.h"

/* A physical address range [base, base + len). */
struct mem_range {
	u64 base, len;
};

/*
 * Sort @r by base, merge overlapping or touching ranges and drop empty ones
 * (ends are clipped below 2^64); returns the new count.  In place, O(n^2).
 */
unsigned int mem_ranges_normalize(struct mem_range *r, unsigned int n);

#endif /* LIB_MEM_RANGE_H */
