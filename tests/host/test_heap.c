// SPDX-License-Identifier: MIT
/*
 * mm/heap.c: every size class and large sizes, alignment, zeroing, reuse,
 * exhaustion and recovery of the large path (the frame allocator runs over
 * a 16 MiB mmap'd arena), bad frees refused with a message, checksummed
 * objects proving no two live objects overlap, and a threaded run (TSan).
 */
#include "mm/heap.h"
#include "mm/pmm.h"
#include "tests/host/churn.h"
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
	       st.small_pages, st.large_blocks);
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
	kfree(small);		/* double free, small */	// NOLINT(clang-analyzer-unix.Malloc): on purpose
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
static bool thr_alloc(void *obj, u64 *rng)
{
	struct obj *o = obj;
	size_t size = 1 + test_rand(rng) % (test_rand(rng) % 8 ? 512 : 9000);

	*o = (struct obj){ kmalloc(size), size, (u8)test_rand(rng) };
	if (!o->p)
		return false;
	obj_fill(o);
	return true;
}

static bool thr_release(void *obj)
{
	struct obj *o = obj;
	bool ok = obj_ok(o);

	kfree(o->p);
	return ok;
}

static void test_threads(void)
{
	static const struct churn_ops ops = {
		.obj_size = sizeof(struct obj), .max_live = 128, .min_ops = 2000,
		.seed_step = 104729, .alloc = thr_alloc, .release = thr_release,
	};
	struct churn_result r = churn_run(&ops);
	struct heap_stats st;

	heap_get_stats(&st);
	printf("threads: %u threads, %llu operations, %llu corrupted objects\n", r.threads,
	       r.ops, r.bad);
	CHECK_EQ(r.bad, 0);
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
