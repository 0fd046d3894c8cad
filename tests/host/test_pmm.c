// SPDX-License-Identifier: MIT
/*
 * mm/pmm.c over mmap'd arenas whose addresses serve as physical addresses
 * (the hosted arch_phys_to_virt() is the identity).  Reserved ranges and
 * holes are mprotect'ed PROT_NONE and the "RAM below 1 MiB" given to
 * pmm_init() is not mapped at all, so a single store by the allocator into
 * any of them kills the test.  Checks: exact free-page accounting, every
 * order, coalescing back to the initial free lists, exhaustion and
 * recovery, double/misaligned/foreign frees refused, a write into a free
 * block noticed, order-18 (1 GiB) blocks, checksummed contents proving no
 * two live allocations overlap, and a threaded run (TSan).
 */
#include "mm/pmm.h"
#include "tests/host/churn.h"
#include "tests/host/harness.h"
#include "tests/host/test_capture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define ARENA		MiB(64)

static u8 *arena;		/* ARENA bytes, ARENA-aligned */
static struct mem_range ram[5], resv[4];
static u64 expect_free;
static u64 counts0[PMM_MAX_ORDER + 1];

static u8 *map_aligned(u64 size, u64 align)
{
	u8 *p = mmap(NULL, size + align, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(2);
	}
	return (u8 *)ALIGN_UP((uintptr_t)p, align);
}

static u64 A(u64 off)
{
	return (u64)(uintptr_t)arena + off;
}

static bool in_ranges(const struct mem_range *r, unsigned int n, u64 b, u64 e, bool any)
{
	for (unsigned int i = 0; i < n; i++) {
		u64 rb = r[i].base, re = rb + r[i].len;

		if (any ? (b < re && rb < e) : (b >= rb && e <= re))
			return true;
	}
	return false;
}

/* Fill a block with a pattern naming its address and owner; verify it later. */
static void fill(phys_addr_t pa, unsigned int order, u64 tag)
{
	u64 *p = (u64 *)(uintptr_t)pa;
	u64 words = (PAGE_SIZE << order) / 8;
	u64 step = order > 2 ? words / 64 : 1;	/* big blocks: a sample */

	for (u64 i = 0; i < words; i += step)
		p[i] = pa ^ tag ^ (i * 0x9e3779b97f4a7c15ULL);
	p[words - 1] = pa ^ tag ^ ~0ULL;
}

static bool verify(phys_addr_t pa, unsigned int order, u64 tag)
{
	const u64 *p = (const u64 *)(uintptr_t)pa;
	u64 words = (PAGE_SIZE << order) / 8;
	u64 step = order > 2 ? words / 64 : 1;

	for (u64 i = 0; i < words - 1; i += step)
		if (p[i] != (pa ^ tag ^ (i * 0x9e3779b97f4a7c15ULL)))
			return false;
	return p[words - 1] == (pa ^ tag ^ ~0ULL);
}

static void check_counts_initial(int line)
{
	u64 c[PMM_MAX_ORDER + 1];

	pmm_free_counts(c);
	if (memcmp(c, counts0, sizeof(c)) || pmm_free_pages() != expect_free)
		test_fail(__FILE__, line, "free lists differ from the initial state (free %llu/%llu)",
			  pmm_free_pages(), expect_free);
}

/* A block from the allocator must be aligned, in RAM, off every reserved range, above 1 MiB. */
static void check_block(phys_addr_t pa, unsigned int order)
{
	u64 e = pa + (PAGE_SIZE << order);

	CHECK(pa != 0);
	CHECK(IS_ALIGNED(pa, PAGE_SIZE << order));
	CHECK(pa >= PMM_LOW_LIMIT);
	CHECK(in_ranges(ram, ARRAY_SIZE(ram), pa, e, false));
	CHECK(!in_ranges(resv, ARRAY_SIZE(resv), pa, e, true));
}

static void setup_arena(void)
{
	u64 ram_pages = 0, resv_pages = 0;

	arena = map_aligned(ARENA, ARENA);
	/* Low RAM that is not mapped: the allocator must never touch it. */
	ram[0] = (struct mem_range){ 0x1000, 0x9f000 };
	ram[1] = (struct mem_range){ A(0), MiB(24) };
	/* MiB 24..25 is a hole (not RAM); R2 starts unaligned, R3 ends unaligned */
	ram[2] = (struct mem_range){ A(MiB(25)) + 0x800, MiB(23) - 0x800 };
	ram[3] = (struct mem_range){ A(MiB(48)), MiB(16) - 0x800 };
	ram[4] = (struct mem_range){ 0x80000, 0x10000 };	/* below 1 MiB too */
	resv[0] = (struct mem_range){ A(MiB(1)) + 0x10, 0x10 };		/* a partial page */
	resv[1] = (struct mem_range){ A(MiB(10)), MiB(2) };
	resv[2] = (struct mem_range){ A(MiB(47)), MiB(2) };		/* spans R2/R3 */
	resv[3] = (struct mem_range){ A(MiB(200)), MiB(1) };		/* outside RAM */
	mprotect(arena + MiB(24), MiB(1) + PAGE_SIZE, PROT_NONE);
	mprotect(arena + MiB(1), PAGE_SIZE, PROT_NONE);
	mprotect(arena + MiB(10), MiB(2), PROT_NONE);
	mprotect(arena + MiB(47), MiB(2), PROT_NONE);
	mprotect(arena + MiB(64) - PAGE_SIZE, PAGE_SIZE, PROT_NONE);

	/* Expected: whole pages of RAM above 1 MiB, minus reserved, minus the state bytes. */
	ram_pages = (MiB(24) + (MiB(23) - PAGE_SIZE) + (MiB(16) - PAGE_SIZE)) / PAGE_SIZE;
	resv_pages = 1 + 2 * (MiB(2) / PAGE_SIZE);	/* R2 and R3 touch: one region */
	expect_free = ram_pages - resv_pages - DIV_ROUND_UP(ram_pages, PAGE_SIZE);
}

static void test_init_and_orders(void)
{
	struct capture c;
	int rc;

	capture_begin(&c);
	rc = pmm_init(ram, ARRAY_SIZE(ram), resv, ARRAY_SIZE(resv));
	capture_end(&c);
	CHECK_EQ(rc, 0);
	CHECK(strstr(c.text, "pmm: ") != NULL);
	printf("%s", c.text);
	capture_free(&c);
	CHECK_EQ(pmm_free_pages(), expect_free);
	CHECK_EQ(pmm_total_pages(), expect_free);
	pmm_free_counts(counts0);

	for (unsigned int order = 0; order <= PMM_MAX_ORDER; order++) {
		phys_addr_t pa = pmm_alloc(order);

		if (order > 11) {	/* no aligned free 16 MiB exists in this layout */
			CHECK_EQ(pa, 0);
			continue;
		}
		check_block(pa, order);
		if (!pa)
			continue;
		fill(pa, order, order);
		CHECK_EQ(pmm_free_pages(), expect_free - (1ULL << order));
		CHECK(verify(pa, order, order));
		pmm_free(pa, order);
		check_counts_initial(__LINE__);
	}
	capture_begin(&c);
	CHECK_EQ(pmm_alloc(PMM_MAX_ORDER + 1), 0);
	CHECK_EQ(pmm_init(ram, ARRAY_SIZE(ram), resv, ARRAY_SIZE(resv)), -HV_EINVAL);
	capture_end(&c);
	CHECK(strstr(c.text, "refused") && strstr(c.text, "called twice"));
	capture_free(&c);
}

static void test_exhaustion(void)
{
	phys_addr_t *all = malloc(expect_free * sizeof(*all));
	u64 n = 0, seed = test_opts.seed;

	if (!all)
		abort();
	for (;;) {
		phys_addr_t pa = pmm_alloc(0);

		if (!pa)
			break;
		if (n == expect_free) {
			test_fail(__FILE__, __LINE__, "more pages than expected");
			break;
		}
		check_block(pa, 0);
		*(u64 *)(uintptr_t)pa = pa;
		all[n++] = pa;
	}
	CHECK_EQ(n, expect_free);
	CHECK_EQ(pmm_free_pages(), 0);
	for (unsigned int k = 0; k <= PMM_MAX_ORDER; k++)
		CHECK_EQ(pmm_alloc(k), 0);
	/* every page distinct: each still holds its own address */
	for (u64 i = 0; i < n; i++)
		if (*(u64 *)(uintptr_t)all[i] != all[i]) {
			test_fail(__FILE__, __LINE__, "page %#llx handed out twice",
				  all[i]);
			break;
		}

	/* a write into a free block is noticed when it is handed out again */
	{
		struct capture c;
		phys_addr_t victim = all[n / 2], got;

		pmm_free(victim, 0);
		memset((void *)(uintptr_t)victim, 0x5a, 64);
		capture_begin(&c);
		got = pmm_alloc(0);
		capture_end(&c);
		CHECK_EQ(got, victim);
		CHECK(strstr(c.text, "overwritten while free") != NULL);
		capture_free(&c);
	}

	/* free in random order: everything coalesces back */
	for (u64 i = n - 1; i > 0; i--) {
		u64 j = test_rand(&seed) % (i + 1), t = all[i];

		all[i] = all[j];
		all[j] = t;
	}
	for (u64 i = 0; i < n; i++)
		pmm_free(all[i], 0);
	check_counts_initial(__LINE__);
	/* and it works again */
	{
		phys_addr_t pa = pmm_alloc(9);

		check_block(pa, 9);
		pmm_free(pa, 9);
		check_counts_initial(__LINE__);
	}
	free(all);
}

static void test_bad_frees(void)
{
	phys_addr_t pa = pmm_alloc(3);
	struct capture c;
	u64 before;

	check_block(pa, 3);
	before = pmm_free_pages();
	capture_begin(&c);
	pmm_free(pa + PAGE_SIZE, 0);		/* middle of a block */
	pmm_free(pa, 2);			/* wrong order */
	pmm_free(pa + 8, 3);			/* not page aligned */
	pmm_free(pa + PAGE_SIZE * 2, 3);	/* not aligned to the order */
	pmm_free(A(MiB(10)), 0);		/* reserved */
	pmm_free(A(MiB(24)), 0);		/* hole */
	pmm_free(0x1000, 0);			/* below 1 MiB */
	pmm_free(pa, 40);			/* impossible order */
	capture_end(&c);
	CHECK_EQ(pmm_free_pages(), before);
	CHECK(strstr(c.text, "inside an allocated block") != NULL);
	CHECK(strstr(c.text, "order differs") != NULL);
	CHECK(strstr(c.text, "misaligned free") != NULL);
	CHECK(strstr(c.text, "reserved, never handed out") != NULL);
	CHECK(strstr(c.text, "not managed RAM") != NULL);
	capture_free(&c);

	pmm_free(pa, 3);
	capture_begin(&c);
	pmm_free(pa, 3);			/* double free */
	pmm_free(pa + PAGE_SIZE, 0);		/* a frame of a freed block */
	capture_end(&c);
	CHECK(strstr(c.text, "double free") != NULL);
	capture_free(&c);
	check_counts_initial(__LINE__);
}

/* Random alloc/free with checksummed contents: a live block never changes. */
struct live {
	phys_addr_t pa;
	unsigned int order;
	u64 tag;
};

static void test_patterns(unsigned long ops)
{
	enum { MAXLIVE = 512 };
	static struct live live[MAXLIVE];
	unsigned int nlive = 0;
	u64 rng = test_opts.seed ^ 0x1234, fails = 0, corrupt = 0;

	for (unsigned long i = 0; i < ops; i++) {
		if (nlive < MAXLIVE && (nlive == 0 || test_rand(&rng) % 3)) {
			unsigned int order = (unsigned int)(test_rand(&rng) % 7);
			phys_addr_t pa = pmm_alloc(order);

			if (!pa) {
				fails++;
				continue;
			}
			check_block(pa, order);
			live[nlive] = (struct live){ pa, order, test_rand(&rng) };
			fill(pa, order, live[nlive].tag);
			nlive++;
		} else {
			unsigned int k = (unsigned int)(test_rand(&rng) % nlive);

			if (!verify(live[k].pa, live[k].order, live[k].tag))
				corrupt++;
			pmm_free(live[k].pa, live[k].order);
			live[k] = live[--nlive];
		}
	}
	for (unsigned int k = 0; k < nlive; k++) {
		if (!verify(live[k].pa, live[k].order, live[k].tag))
			corrupt++;
		pmm_free(live[k].pa, live[k].order);
	}
	printf("patterns: %lu ops, %llu failed allocations, %llu corrupted blocks\n", ops,
	       fails, corrupt);
	CHECK_EQ(corrupt, 0);
	check_counts_initial(__LINE__);
}

/* Threads allocate and free concurrently; contents and final state must hold. */
static bool thr_alloc(void *obj, u64 *rng)
{
	struct live *l = obj;
	unsigned int order = (unsigned int)(test_rand(rng) % 5);
	phys_addr_t pa = pmm_alloc(order);

	if (!pa)
		return false;
	*l = (struct live){ pa, order, test_rand(rng) };
	fill(pa, order, l->tag);
	return true;
}

static bool thr_release(void *obj)
{
	const struct live *l = obj;
	bool ok = verify(l->pa, l->order, l->tag);

	pmm_free(l->pa, l->order);
	return ok;
}

static void test_threads(void)
{
	static const struct churn_ops ops = {
		.obj_size = sizeof(struct live), .max_live = 64, .min_ops = 1000,
		.seed_step = 7919, .alloc = thr_alloc, .release = thr_release,
	};
	struct churn_result r = churn_run(&ops);

	printf("threads: %u threads, %llu operations, %llu corrupted blocks\n", r.threads,
	       r.ops, r.bad);
	CHECK_EQ(r.bad, 0);
	check_counts_initial(__LINE__);
}

/* 1 GiB blocks: order PMM_MAX_ORDER in a region that starts 2 MiB below a 1 GiB boundary. */
static void test_max_order(void)
{
	u8 *g = map_aligned(GiB(1) + MiB(4), GiB(1));
	struct mem_range r = { (u64)(uintptr_t)g - MiB(2), GiB(1) + MiB(4) };
	struct capture c;
	phys_addr_t pa;
	u64 cnt[PMM_MAX_ORDER + 1], cnt2[PMM_MAX_ORDER + 1];

	/* the 2 MiB below g belong to the same mapping only if mmap put them there: map them */
	if (mmap(g - MiB(2), MiB(2), PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED) {
		perror("mmap");
		exit(2);
	}
	pmm_reset();
	capture_begin(&c);
	CHECK_EQ(pmm_init(&r, 1, NULL, 0), 0);
	capture_end(&c);
	capture_free(&c);
	pmm_free_counts(cnt);
	CHECK_EQ(cnt[PMM_MAX_ORDER], 1);
	pa = pmm_alloc(PMM_MAX_ORDER);
	CHECK_EQ(pa, (u64)(uintptr_t)g);
	CHECK_EQ(pmm_alloc(PMM_MAX_ORDER), 0);
	if (pa) {
		fill(pa, PMM_MAX_ORDER, 1);
		CHECK(verify(pa, PMM_MAX_ORDER, 1));
		pmm_free(pa, PMM_MAX_ORDER);
	}
	pmm_free_counts(cnt2);
	CHECK(!memcmp(cnt, cnt2, sizeof(cnt)));
	munmap(g - MiB(2), GiB(1) + MiB(4));
}

static void test_no_ram(void)
{
	struct mem_range low = { 0x1000, 0x9f000 };
	struct capture c;

	pmm_reset();
	capture_begin(&c);
	CHECK_EQ(pmm_init(&low, 1, NULL, 0), -HV_ENOMEM);
	CHECK_EQ(pmm_alloc(0), 0);	/* not initialised: 0, never a crash */
	capture_end(&c);
	CHECK(strstr(c.text, "no usable RAM") != NULL);
	capture_free(&c);
	pmm_reset();
}

/* mem_ranges_normalize(): sort, merge overlapping and touching, drop empty, clip at 2^64. */
static void test_normalize(void)
{
	struct mem_range r[] = {
		{ 0x5000, 0x1000 }, { 0x1000, 0x2000 }, { 0x2000, 0x500 },	/* inside */
		{ 0x3000, 0x1000 },	/* touches [0x1000,0x3000) */
		{ 0x9000, 0 },		/* empty */
		{ 0x8000, 0x800 }, { 0x7000, 0x1000 },	/* touch: [0x7000,0x8800) */
		{ 0xfffffffffffff000ULL, 0x10000 },	/* wraps: clipped */
	};
	unsigned int n = mem_ranges_normalize(r, ARRAY_SIZE(r));

	CHECK_EQ(n, 4);
	CHECK(r[0].base == 0x1000 && r[0].len == 0x3000);
	CHECK(r[1].base == 0x5000 && r[1].len == 0x1000);
	CHECK(r[2].base == 0x7000 && r[2].len == 0x1800);
	CHECK(r[3].base == 0xfffffffffffff000ULL && r[3].len == 0xfff);
	CHECK_EQ(mem_ranges_normalize(r, 0), 0);
}

int main(int argc, char **argv)
{
	test_init(argc, argv, 1.0);
	test_normalize();
	setup_arena();
	test_init_and_orders();
	test_exhaustion();
	test_bad_frees();
	test_patterns(test_opts.quick ? 20000 : 200000);
	test_threads();
	test_max_order();
	test_no_ram();
	printf("pmm: %llu free pages in the arena layout\n", expect_free);
	return test_finish();
}
