/* SPDX-License-Identifier: MIT */
/*
 * Choosing the pages for the AP start-up trampoline: a pure function of the
 * memory map, kept apart from arch/x86/smp.c so a hosted test can check it
 * against a brute-force search (tests/host/test_lowmem.c).
 */
#ifndef ARCH_X86_SMP_LOWMEM_H
#define ARCH_X86_SMP_LOWMEM_H

#include "boot/multiboot2.h"

/**
 * smp_lowmem_pick() - find room for the trampoline.
 * @usable:   usable RAM ranges (any order; need not be page-aligned)
 * @n_usable: number of @usable ranges
 * @busy:     ranges in use although the map calls them usable (image, boot
 *            information, modules); any order, may overlap, empty ones ignored
 * @n_busy:   number of @busy ranges
 * @size:     bytes needed, a non-zero multiple of PAGE_SIZE
 * @min:      lowest acceptable address (page-aligned)
 * @max:      the area must end at or below this (page-aligned)
 * @out:      the chosen base
 *
 * The area lies inside one usable range, in whole pages, and touches no
 * page of a busy range.  Of all such areas the highest is chosen.
 *
 * Return: true when an area was found.
 */
bool smp_lowmem_pick(const struct mem_range *usable, unsigned int n_usable,
		     const struct mem_range *busy, unsigned int n_busy, u64 size, u64 min, u64 max,
		     u64 *out);

#endif /* ARCH_X86_SMP_LOWMEM_H */
