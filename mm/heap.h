/* SPDX-License-Identifier: MIT */
/*
 * Small heap for hypervisor objects.  Sizes up to HEAP_SMALL_MAX come from
 * per-size-class pages (arch_page_alloc); larger ones take a whole buddy
 * block from the frame allocator (pmm_alloc) and need pmm_init() first.
 * Every pointer returned is at least 16-byte aligned.  kfree() of a pointer
 * it did not hand out, or a double free, is reported and ignored, as long
 * as the page it points into is still mapped and has not been reused: a
 * pointer into a page the heap has already given back cannot be recognised.
 */
#ifndef MM_HEAP_H
#define MM_HEAP_H

#include "lib/compiler.h"

#define HEAP_MIN_ALIGN	16
#define HEAP_SMALL_MAX	2048

void *kmalloc(size_t size);		/* NULL on exhaustion or size 0 */
void *kzalloc(size_t size);		/* zeroed */
void kfree(void *p);			/* NULL is ignored */

struct heap_stats {
	u64 allocs, frees, bad_frees;
	u64 small_pages;		/* pages currently held by size classes */
	u64 large_blocks;		/* live large allocations */
};
void heap_get_stats(struct heap_stats *st);

#endif /* MM_HEAP_H */
