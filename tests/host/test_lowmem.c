// SPDX-License-Identifier: MIT
/*
 * Hosted test of smp_lowmem_pick() (arch/x86/smp_lowmem.c): fixed cases
 * from real memory maps, edge cases near 2^64, and random maps checked
 * against a brute-force search over every page-aligned candidate.
 *
 * Built by the Makefile with the other hosted tests (tests/smp.tests runs the
 * ASan+UBSan build); exits non-zero on any mismatch.
 * usage: test_lowmem [ITERATIONS] [SEED]
 */
#include "arch/x86/smp_lowmem.h"

#include <stdio.h>
#include <stdlib.h>

#define AREA (4 * PAGE_SIZE)

static unsigned long failures;

#define CHECK(cond, ...)                                                       \
	do {                                                                   \
		if (!(cond)) {                                                 \
			failures++;                                            \
			printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
			printf(__VA_ARGS__);                                   \
			printf("\n");                                          \
		}                                                              \
	} while (0)

static u64 rng_state = 0x9e3779b97f4a7c15ULL;

static u64 rng(void)
{
	u64 x = rng_state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rng_state = x;
	return x * 0x2545f4914f6cdd1dULL;
}

/* The specification, one candidate at a time, in a small universe. */
static bool ref_pick(const struct mem_range *u, unsigned int nu, const struct mem_range *b,
		     unsigned int nb, u64 size, u64 min, u64 max, u64 universe, u64 *out)
{
	for (u64 c = universe - size + PAGE_SIZE; c-- > 0;) {
		bool in_usable = false, clear = true;

		if (c % PAGE_SIZE || c < min || c + size > max)
			continue;
		for (unsigned int i = 0; i < nu; i++) {
			u64 lo = ALIGN_UP(u[i].base, PAGE_SIZE);
			u64 hi = ALIGN_DOWN(u[i].base + u[i].len, PAGE_SIZE);

			if (lo <= c && c + size <= hi)
				in_usable = true;
		}
		for (unsigned int i = 0; i < nb; i++) {
			u64 lo = ALIGN_DOWN(b[i].base, PAGE_SIZE);
			u64 hi = ALIGN_UP(b[i].base + b[i].len, PAGE_SIZE);

			if (b[i].len && lo < c + size && hi > c)
				clear = false;
		}
		if (in_usable && clear) {
			*out = c;
			return true;
		}
	}
	return false;
}

static void test_fixed(void)
{
	/* QEMU/SeaBIOS: [0, 0x9fc00) usable, image at 2 MiB. */
	struct mem_range qemu[] = { { 0, 0x9fc00 }, { 0x100000, 0x1fee0000 } };
	struct mem_range image[] = { { 0x200000, 0x80000 } };
	/* Boot information and a module placed low by some loader. */
	struct mem_range low_busy[] = { { 0x9d100, 0x100 }, { 0x90000, 0x8000 } };
	/* Everything low is busy but one 16 KiB hole at 0x10000. */
	struct mem_range holes[] = { { 0x1000, 0xf000 }, { 0x14000, 0x8c000 } };
	u64 pa = 0;

	CHECK(smp_lowmem_pick(qemu, 2, image, 1, AREA, 0x1000, 0x100000, &pa) && pa == 0x9b000,
	      "pa %#llx", pa);
	CHECK(smp_lowmem_pick(qemu, 2, low_busy, 2, AREA, 0x1000, 0x100000, &pa) && pa == 0x99000,
	      "pa %#llx", pa);
	CHECK(smp_lowmem_pick(qemu, 2, holes, 2, AREA, 0x1000, 0x100000, &pa) && pa == 0x10000,
	      "pa %#llx", pa);
	/* Page 0 is never taken: only [0, 0x4000) free -> nothing. */
	struct mem_range only0[] = { { 0, 0x4000 } };

	CHECK(!smp_lowmem_pick(only0, 1, NULL, 0, AREA, 0x1000, 0x100000, &pa), "took page 0");
	/* A usable range entirely above the limit does not count. */
	struct mem_range high[] = { { 0x100000, 0x100000 } };

	CHECK(!smp_lowmem_pick(high, 1, NULL, 0, AREA, 0x1000, 0x100000, &pa), "above max");
	/* Bad sizes are refused. */
	CHECK(!smp_lowmem_pick(qemu, 2, NULL, 0, 0, 0x1000, 0x100000, &pa), "size 0");
	CHECK(!smp_lowmem_pick(qemu, 2, NULL, 0, 100, 0x1000, 0x100000, &pa), "size 100");
	/* Unaligned usable bounds shrink inward: [0x10001, 0x14fff) has 3 whole pages. */
	struct mem_range unal[] = { { 0x10001, 0x4ffe } };

	CHECK(!smp_lowmem_pick(unal, 1, NULL, 0, AREA, 0x1000, 0x100000, &pa), "unaligned");
	unal[0].len += 1;
	CHECK(smp_lowmem_pick(unal, 1, NULL, 0, AREA, 0x1000, 0x100000, &pa) && pa == 0x11000,
	      "pa %#llx", pa);
}

/* Ranges near the top of the address space must neither wrap nor fool the search. */
static void test_wrap(void)
{
	struct mem_range top[] = { { ~0ULL - 100, 50 }, { ~0ULL - 0x10000, 0x20000 } };
	struct mem_range low[] = { { 0x20000, 0x10000 } };
	struct mem_range busy_wrap[] = { { ~0ULL - 10, 100 } };
	struct mem_range busy_all[] = { { 0x1000, ~0ULL } };
	u64 pa = 0;

	CHECK(!smp_lowmem_pick(top, 2, NULL, 0, AREA, 0x1000, 0x100000, &pa),
	      "wrapped usable range taken at %#llx", pa);
	CHECK(smp_lowmem_pick(low, 1, busy_wrap, 1, AREA, 0x1000, 0x100000, &pa) && pa == 0x2c000,
	      "pa %#llx", pa);
	CHECK(!smp_lowmem_pick(low, 1, busy_all, 1, AREA, 0x1000, 0x100000, &pa),
	      "busy-to-the-top range ignored, took %#llx", pa);
	/* With no upper limit, the top usable pages may be chosen. */
	CHECK(smp_lowmem_pick(top, 2, NULL, 0, AREA, 0x1000, ~0ULL, &pa) &&
		      pa == ALIGN_DOWN(~0ULL, PAGE_SIZE) - AREA,
	      "pa %#llx", pa);
}

static void test_random(unsigned long iters)
{
	const u64 universe = 96 * PAGE_SIZE;
	unsigned long found = 0;

	for (unsigned long it = 0; it < iters; it++) {
		struct mem_range u[6], b[5];
		unsigned int nu = 1 + rng() % 6, nb = rng() % 5;
		u64 size = (1 + rng() % 5) * PAGE_SIZE;
		u64 min = (rng() % 4) * PAGE_SIZE;
		u64 max = universe - (rng() % 8) * PAGE_SIZE;
		u64 got = 0, want = 0;
		bool g, w;

		for (unsigned int i = 0; i < nu; i++) {
			u[i].base = rng() % universe;
			u[i].len = rng() % (universe - u[i].base);
		}
		for (unsigned int i = 0; i < nb; i++) {
			b[i].base = rng() % universe;
			b[i].len = rng() % 3 ? rng() % (24 * PAGE_SIZE) : 0;
		}
		g = smp_lowmem_pick(u, nu, b, nb, size, min, max, &got);
		w = ref_pick(u, nu, b, nb, size, min, max, universe, &want);
		CHECK(g == w && (!g || got == want), "iteration %lu: got %d %#llx, want %d %#llx",
		      it, g, got, w, want);
		found += w;
		if (failures > 10)
			break;
	}
	printf("random: %lu maps, %lu with room, %lu failures\n", iters, found, failures);
}

int main(int argc, char **argv)
{
	unsigned long iters = argc > 1 ? strtoul(argv[1], NULL, 0) : 30000;

	if (argc > 2)
		rng_state = strtoull(argv[2], NULL, 0) | 1;
	test_fixed();
	test_wrap();
	test_random(iters);
	if (failures) {
		printf("test_lowmem: %lu check(s) failed\n", failures);
		return 1;
	}
	printf("test_lowmem: all checks passed\n");
	return 0;
}
