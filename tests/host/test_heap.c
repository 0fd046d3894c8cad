// SPDX-License-Identifier: MIT
/*
 * mm/heap.c: every size class and large sizes, alignment, zeroing, reuse,
 * exhaustion and recovery of the large path (the frame allocator runs over
 * a 16 MiB mmap'd arena), bad frees refused with a message, checksummed
 * objects proving no two live objects overlap, and a threaded run (TSan).
 */
#include "mm/heap.h"
#include "mm/pmm.h"
#include "tests/host/harness.h"
#include "tests/host/test_capture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

struct obj {
	u8 *p;
	size_t size;
	u8 tag;
};

static void obj_fill(struct obj *o)
{
	for (size_t i = 0; i < o->size; i++)
		o->p[i] = (u8)(o->tag + i * 31);
}

static bool obj_ok(const struct obj *o)
{
	for (size_t i = 0; i < o->size; i++)
		if (o->p[i] != (u8)(o->tag + i * 31))
			return false;
	return true;
}

static void setup_pmm(void)
{
	u8 *a = mmap(NULL, MiB(17), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct mem_range r;
	struct capture c;

	if (a == MAP_FAILED) {
		perror("mmap");
		exit(2);
	}
	r = (struct mem_range){ ALIGN_UP((u64)(uintptr_t)a, MiB(1)), MiB(16) };
	capture_begin(&c);
	CHECK_EQ(pmm_init(&r, 1, NULL, 0), 0);
	capture_end(&c);
	capture_free(&c);
}

static void test_sizes(void)
{
	static struct obj objs[3000];
	unsigned int n = 0;
	struct heap_stats st;
	u64 rng = test_opts.seed;

	CHECK(kmalloc(0) == NULL);
	/* every size 1..2100, then larger ones, all live at once */
	for (size_t size = 1; size <= 2100; size++) {
		objs[n] = (struct obj){ kmalloc(size), size, (u8)test_rand(&rng) };
		CHECK(objs[n].p != NULL);
		if (!objs[n].p)
			return;
		CHECK(((uintptr_t)objs[n].p & (HEAP_MIN_ALIGN - 1)) == 0);
		obj_fill(&objs[n]);
		n++;
	}
	for (size_t size = 4000; size <= 300000; size = size * 3 / 2) {
		objs[n] = (struct obj){ kzalloc(size), size, (u8)test_rand(&rng) };
		CHECK(objs[n].p != NULL);
		if (!objs[n].p)
			return;
		for (size_t i = 0; i < size; i++)
			if (objs[n].p[i]) {
				test_fail(__FILE__, __LINE__, "kzalloc(%zu) not zeroed", size);
				break;
			}
		obj_fill(&objs[n]);
		n++;
	}
	/* kzalloc zeroes reused small slots too */
	{
		u8 *p = kmalloc(100), *q;

		memset(p, 0xff, 100);
		kfree(p);
		q = kzalloc(100);
		CHECK(q == p);
		for (int i = 0; i < 100; i++)
			CHECK(q[i] == 0);
		kfree(q);
	}
	for (unsigned int i = 0; i < n; i++) {
		if (!obj_ok(&objs[i]))
			test_fail(__FILE__, __LINE__, "object %u (%zu bytes) overwritten", i,
				  objs[i].size);
	}
	heap_get_stats(&st);
	printf("sizes: %u live objects, %llu class pages, %llu large blocks\n", n,
	       (unsigned long long)st.small_pages, (unsigned long long)st.large_blocks);
	for (unsigned int i = 0; i < n; i++)
		kfree(objs[i].p);
	heap_get_stats(&st);
	CHECK_EQ(st.large_blocks, 0);
	CHECK(st.small_pages <= 8);	/* one cached page per class at most */
	CHECK_EQ(st.allocs, st.frees);
}

static void test_reuse(void)
{
	void *a = kmalloc(48), *b = kmalloc(48), *c;

	kfree(a);
	c = kmalloc(40);		/* same class (64) */
	CHECK(c == a);
	kfree(b);
	kfree(c);
	a = kmalloc(100000);
	kfree(a);
	b = kmalloc(100000);
	CHECK(b == a);			/* the buddy block comes straight back */
	kfree(b);
}

static void test_exhaustion(void)
{
	void *p[64];
	unsigned int n = 0;
	u64 free0 = pmm_free_pages();

	CHECK(kmalloc((size_t)GiB(2)) == NULL);
	CHECK(kmalloc(~(size_t)0) == NULL);
	while (n < ARRAY_SIZE(p) && (p[n] = kmalloc(MiB(1))) != NULL)
		n++;
	/* 16 MiB arena: 1 MiB + header needs 2 MiB blocks */
	CHECK(n >= 6 && n < ARRAY_SIZE(p));
	CHECK(kmalloc(MiB(1)) == NULL);
	for (unsigned int i = 0; i < n; i++)
		kfree(p[i]);
	CHECK_EQ(pmm_free_pages(), free0);
	p[0] = kmalloc(MiB(1));
	CHECK(p[0] != NULL);
	kfree(p[0]);
	printf("exhaustion: %u 1-MiB objects before NULL\n", n);
}

static void test_bad_frees(void)
{
	struct capture c;
	struct heap_stats st0, st;
	u8 *small = kmalloc(64), *big = kmalloc(20000);
	u8 *foreign = aligned_alloc(PAGE_SIZE, PAGE_SIZE);

	memset(foreign, 0, PAGE_SIZE);
	heap_get_stats(&st0);
	kfree(small);
	kfree(big);
	capture_begin(&c);
	kfree(small);		/* double free, small */
	kfree(big);		/* double free, large */
	kfree(foreign + 64);	/* not from the heap */
	{
		u8 *a = kmalloc(64);

		kfree(a + 8);	/* inside an object */
		kfree(a);
	}
	capture_end(&c);
	CHECK(strstr(c.text, "double free") != NULL);
	CHECK(strstr(c.text, "not a heap pointer") != NULL);
	CHECK(strstr(c.text, "not the start of an object") != NULL);
	capture_free(&c);
	heap_get_stats(&st);
	CHECK_EQ(st.bad_frees - st0.bad_frees, 4);
	kfree(NULL);
	free(foreign);
}

/* Threads: random sizes, checksummed, freed by their owner. */
static u64 thr_bad, thr_ops;
static double thr_deadline;

static void *thr_main(void *arg)
{
	u64 rng = test_opts.seed + *(const uintptr_t *)arg * 104729;
	struct obj mine[128];
	unsigned int n = 0;
	u64 ops = 0, bad = 0;

	while (test_elapsed() < thr_deadline || ops < 2000) {
		if (n < 128 && (n == 0 || test_rand(&rng) & 1)) {
			size_t size = 1 + test_rand(&rng) % (test_rand(&rng) % 8 ? 512 : 9000);

			mine[n] = (struct obj){ kmalloc(size), size, (u8)test_rand(&rng) };
			if (mine[n].p) {
				obj_fill(&mine[n]);
				n++;
			}
		} else {
			unsigned int k = (unsigned int)(test_rand(&rng) % n);

			bad += !obj_ok(&mine[k]);
			kfree(mine[k].p);
			mine[k] = mine[--n];
		}
		ops++;
	}
	while (n--) {
		bad += !obj_ok(&mine[n]);
		kfree(mine[n].p);
	}
	__atomic_fetch_add(&thr_bad, bad, __ATOMIC_RELAXED);
	__atomic_fetch_add(&thr_ops, ops, __ATOMIC_RELAXED);
	return NULL;
}

static void test_threads(void)
{
	/*
	 * One thread per CPU by default (at least 2): a ticket lock with more
	 * spinning threads than CPUs convoys behind preempted holders.
	 */
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned int n = test_opts.threads ? test_opts.threads :
			 (unsigned int)(ncpu < 2 ? 2 : ncpu > 4 ? 4 : ncpu);
	uintptr_t ids[64];
	struct heap_stats st;

	if (n > 64)
		n = 64;
	for (unsigned int i = 0; i < n; i++)
		ids[i] = i;
	thr_deadline = test_elapsed() + test_opts.seconds;
	test_run_threads(n, thr_main, ids, sizeof(ids[0]));
	heap_get_stats(&st);
	printf("threads: %u threads, %llu operations, %llu corrupted objects\n", n,
	       (unsigned long long)thr_ops, (unsigned long long)thr_bad);
	CHECK_EQ(thr_bad, 0);
	CHECK_EQ(st.large_blocks, 0);
	CHECK_EQ(st.allocs, st.frees);
}

int main(int argc, char **argv)
{
	test_init(argc, argv, 1.0);
	setup_pmm();
	test_sizes();
	test_reuse();
	test_exhaustion();
	test_bad_frees();
	test_threads();
	return test_finish();
}
