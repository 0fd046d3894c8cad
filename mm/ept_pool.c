// SPDX-License-Identifier: MIT
/*
 * EPT table-page pool: per-CPU caches filled outside mmu_lock, EBR-deferred
 * frees, poisoned quarantine and exact accounting.  See mm/ept_pool.h.
 */
#include "mm/ept_pool.h"

#include "lib/errno.h"
#include "lib/panic.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "mm/heap.h"

static u64 ept_pool_hash_of(const void *spt, u64 mask)
{
	return (((u64)(uintptr_t)spt >> PAGE_SHIFT) * 0x9e3779b97f4a7c15ULL >> 20) & mask;
}

static struct ept_page **ept_pool_slot(struct ept_pool *pool, u64 i)
{
	return &pool->hash[i / EPT_ENTRIES][i % EPT_ENTRIES];
}

static void ept_pool_hash_free(struct ept_pool *pool)
{
	for (u64 i = 0; i < (pool->hash_mask + 1) / EPT_ENTRIES; i++)
		if (pool->hash[i])
			arch_page_free(pool->hash[i]);
	arch_page_free(pool->hash);
}

int ept_pool_init(struct ept_pool *pool, u64 max_pages)
{
	u64 cap = 1024;

	memset(pool, 0, sizeof(*pool));
	spin_lock_init(&pool->lock);
	if (!max_pages) {
		pr_err("ept_pool: a pool needs at least one page\n");
		return -HV_EINVAL;
	}
	if (max_pages > EPT_POOL_MAX_PAGES) {
		pr_err("ept_pool: %llu pages asked, at most %llu\n", max_pages,
		       EPT_POOL_MAX_PAGES);
		return -HV_ERANGE;
	}
	while (cap < 2 * max_pages)
		cap <<= 1;
	/* Slots live in whole pages: the heap hands out small objects only. */
	pool->hash = arch_page_alloc();
	for (u64 i = 0; pool->hash && i < cap / EPT_ENTRIES; i++) {
		pool->hash[i] = arch_page_alloc();
		if (!pool->hash[i]) {
			pool->hash_mask = cap - 1;
			ept_pool_hash_free(pool);
			pool->hash = NULL;
		}
	}
	if (!pool->hash) {
		pr_err("ept_pool: no memory for the page hash (%llu slots)\n",
		       cap);
		return -HV_ENOMEM;
	}
	pool->hash_mask = cap - 1;
	pool->max_pages = max_pages;
	return 0;
}

/* Insert @pg; the hash has twice the slots of the page limit, so it never fills. */
static void ept_pool_hash_insert(struct ept_pool *pool, struct ept_page *pg)
{
	u64 i = ept_pool_hash_of((__force const void *)pg->spt, pool->hash_mask);

	for (;;) {
		struct ept_page *cur = NULL;

		/*
		 * R1: the header is fully initialised before it becomes
		 * findable; the locked cmpxchg orders those stores first.
		 * Pairs with the READ_ONCE in ept_pool_lookup().
		 */
		if (try_cmpxchg(ept_pool_slot(pool, i), &cur, pg))
			return;
		i = (i + 1) & pool->hash_mask;
	}
}

struct ept_page *ept_pool_lookup(struct ept_pool *pool, const u64 __ept *spt)
{
	u64 i = ept_pool_hash_of((__force const void *)spt, pool->hash_mask);

	for (;;) {
		/* R1 reader side: pairs with the cmpxchg in ept_pool_hash_insert(). */
		struct ept_page *pg = READ_ONCE(*ept_pool_slot(pool, i));

		if (!pg)
			panic("ept_pool: table page %p is not in its pool", (__force const void *)spt);
		if (pg->spt == spt)
			return pg;
		i = (i + 1) & pool->hash_mask;
	}
}

static bool ept_page_set_state(struct ept_pool *pool, struct ept_page *pg, u32 from, u32 to)
{
	u32 old = from;

	if (try_cmpxchg(&pg->state, &old, to))
		return true;
	fetch_add(&pool->st.state_errors, 1);
	pr_err("ept_pool: page %p in state %u, expected %u (going to %u)\n",
	       (__force void *)pg->spt, old, from, to);
	return false;
}

static void ept_page_poison(struct ept_page *pg)
{
	for (int i = 0; i < EPT_ENTRIES; i++)
		ept_write_entry(&pg->spt[i], EPT_POISON);
}

/* Zero a page taken off the free list, counting writes made while it was free. */
static void ept_page_unpoison(struct ept_pool *pool, struct ept_page *pg)
{
	bool corrupt = false;

	for (int i = 0; i < EPT_ENTRIES; i++) {
		if (ept_read_entry(&pg->spt[i]) != EPT_POISON)
			corrupt = true;
		ept_write_entry(&pg->spt[i], 0);
	}
	if (corrupt) {
		fetch_add(&pool->st.poison_corrupt, 1);
		pr_err("ept_pool: freed table page %p was written after its free\n",
		       (__force void *)pg->spt);
	}
}

/* One page for the cache: from the free list past quarantine, else a new one. */
static struct ept_page *ept_pool_get_page(struct ept_pool *pool)
{
	struct ept_page *pg = NULL;
	void *mem;

	spin_lock(&pool->lock);
	if (pool->free_head &&
	    (READ_ONCE(pool->st.free) > EPT_POOL_QUARANTINE ||
	     READ_ONCE(pool->st.bound) >= pool->max_pages)) {
		pg = pool->free_head;
		pool->free_head = pg->next;
		if (!pool->free_head)
			pool->free_tail = NULL;
		fetch_sub(&pool->st.free, 1);
	}
	spin_unlock(&pool->lock);
	if (pg) {
		ept_page_unpoison(pool, pg);
		ept_page_set_state(pool, pg, EPT_PG_FREE, EPT_PG_CACHED);
		return pg;
	}

	/* Reserve a slot under the limit, then allocate outside the lock. */
	if (fetch_add(&pool->st.bound, 1) >= pool->max_pages) {
		fetch_sub(&pool->st.bound, 1);
		return NULL;
	}
	pg = kzalloc(sizeof(*pg));
	mem = arch_page_alloc();
	if (!pg || !mem) {
		kfree(pg);
		if (mem)
			arch_page_free(mem);
		fetch_sub(&pool->st.bound, 1);
		return NULL;
	}
	pg->spt = (u64 __ept *)mem;
	pg->pool = pool;
	pg->state = EPT_PG_CACHED;
	spin_lock(&pool->lock);
	pg->all = pool->all;
	pool->all = pg;
	spin_unlock(&pool->lock);
	ept_pool_hash_insert(pool, pg);
	return pg;
}

int ept_pool_topup(struct ept_pool *pool, unsigned int min)
{
	struct ept_pcpu_cache *c = &pool->cache[arch_cpu_id()];

	while (c->nr < min) {
		struct ept_page *pg = ept_pool_get_page(pool);

		if (!pg) {
			fetch_add(&pool->st.alloc_failures, 1);
			return -HV_ENOMEM;
		}
		pg->next = c->head;
		c->head = pg;
		WRITE_ONCE(c->nr, c->nr + 1);
	}
	return 0;
}

struct ept_page *ept_pool_take(struct ept_pool *pool)
{
	struct ept_pcpu_cache *c = &pool->cache[arch_cpu_id()];
	struct ept_page *pg = c->head;

	if (!pg)
		return NULL;
	c->head = pg->next;
	WRITE_ONCE(c->nr, c->nr - 1);
	pg->next = NULL;
	ept_page_set_state(pool, pg, EPT_PG_CACHED, EPT_PG_LIVE);
	WRITE_ONCE(c->live, c->live + 1);
	WRITE_ONCE(c->allocs, c->allocs + 1);
	return pg;
}

void ept_pool_unused(struct ept_pool *pool, struct ept_page *pg)
{
	struct ept_pcpu_cache *c = &pool->cache[arch_cpu_id()];

	/* Never published: nobody else saw it, so plain zeroing is enough. */
	for (int i = 0; i < EPT_ENTRIES; i++)
		ept_write_entry(&pg->spt[i], 0);
	ept_page_set_state(pool, pg, EPT_PG_LIVE, EPT_PG_CACHED);
	pg->next = c->head;
	c->head = pg;
	WRITE_ONCE(c->nr, c->nr + 1);
	WRITE_ONCE(c->live, c->live - 1);
	WRITE_ONCE(c->unused, c->unused + 1);
}

/* This CPU's live count drops by one (a page it holds leaves "live"). */
static void ept_pool_live_dec(struct ept_pool *pool)
{
	struct ept_pcpu_cache *c = &pool->cache[arch_cpu_id()];

	WRITE_ONCE(c->live, c->live - 1);
}

/* Put a page whose grace period is over on the tail of the free list. */
static void ept_pool_push_free(struct ept_pool *pool, struct ept_page *pg)
{
	ept_page_poison(pg);
	pg->next = NULL;
	spin_lock(&pool->lock);
	if (pool->free_tail)
		pool->free_tail->next = pg;
	else
		pool->free_head = pg;
	pool->free_tail = pg;
	spin_unlock(&pool->lock);
	fetch_add(&pool->st.free, 1);
}

/* EBR callback: the grace period (and the flush hook) are over. */
static void ept_pool_free_cb(struct ebr_node *n)
{
	struct ept_page *pg = container_of(n, struct ept_page, rcu);
	struct ept_pool *pool = pg->pool;

	if (!ept_page_set_state(pool, pg, EPT_PG_RETIRED, EPT_PG_FREE))
		return;
	fetch_sub(&pool->st.retired, 1);
	fetch_add(&pool->st.frees, 1);
	ept_pool_push_free(pool, pg);
}

void ept_pool_retire(struct ept_pool *pool, struct ebr_rec *rec, struct ept_page *pg)
{
	if (!ept_page_set_state(pool, pg, EPT_PG_LIVE, EPT_PG_RETIRED))
		return;
	ept_pool_live_dec(pool);
	fetch_add(&pool->st.retired, 1);
	fetch_add(&pool->st.retires, 1);
	ebr_retire(rec, &pg->rcu, ept_pool_free_cb);
}

void ept_pool_free_now(struct ept_pool *pool, struct ept_page *pg)
{
	if (!ept_page_set_state(pool, pg, EPT_PG_LIVE, EPT_PG_FREE))
		return;
	ept_pool_live_dec(pool);
	fetch_add(&pool->st.frees, 1);
	ept_pool_push_free(pool, pg);
}

void ept_pool_stats_read(struct ept_pool *pool, struct ept_pool_stats *out)
{
	s64 live = 0;

	out->bound = READ_ONCE(pool->st.bound);
	out->cached = out->allocs = out->unused_returns = 0;
	for (unsigned int i = 0; i < HV_MAX_CPUS; i++) {
		const struct ept_pcpu_cache *c = &pool->cache[i];

		out->cached += READ_ONCE(c->nr);
		live += READ_ONCE(c->live);
		out->allocs += READ_ONCE(c->allocs);
		out->unused_returns += READ_ONCE(c->unused);
	}
	out->live = (u64)live;
	out->retired = READ_ONCE(pool->st.retired);
	out->free = READ_ONCE(pool->st.free);
	out->retires = READ_ONCE(pool->st.retires);
	out->frees = READ_ONCE(pool->st.frees);
	out->poison_corrupt = READ_ONCE(pool->st.poison_corrupt);
	out->state_errors = READ_ONCE(pool->st.state_errors);
	out->alloc_failures = READ_ONCE(pool->st.alloc_failures);
}

void ept_pool_destroy(struct ept_pool *pool)
{
	struct ept_page *pg, *next;
	struct ept_pool_stats ps;
	u64 n = 0;

	ept_pool_stats_read(pool, &ps);
	if (ps.live || ps.retired)
		pr_err("ept_pool: destroy with %llu live and %llu retired pages (leaked)\n",
		       ps.live, ps.retired);
	for (pg = pool->all; pg; pg = next) {
		next = pg->all;
		if (pg->state == EPT_PG_LIVE || pg->state == EPT_PG_RETIRED)
			continue;	/* leaked: reported above, never freed under a user */
		arch_page_free((__force void *)pg->spt);
		kfree(pg);
		n++;
	}
	pool->all = NULL;
	if (pool->hash)
		ept_pool_hash_free(pool);
	pool->hash = NULL;
	for (unsigned int i = 0; i < HV_MAX_CPUS; i++) {
		pool->cache[i].head = NULL;
		pool->cache[i].nr = 0;
	}
	(void)n;
}
