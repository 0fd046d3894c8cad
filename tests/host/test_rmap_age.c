// SPDX-License-Identifier: MIT
/*
 * rmap (mm/rmap.c) and lockless aging (mm/ept_age.c) under concurrency.
 *
 * Simulated EPT leaves are slots of a static array.  Writer threads hold
 * the stand-in mmu_lock SHARED (as faults do) and install / remove leaves:
 * install = store a present leaf, then rmap_table_add(); remove = xchg the
 * leaf to 0, then rmap_table_remove().  Several writers hit the same heads,
 * including the empty -> first-entry transition.  Between operations they
 * play the hardware: set A (and D on "writes") in random present leaves
 * with a cmpxchg, as the CPU does.  An ager thread runs lockless passes
 * (EBR section + read-only bit lock) and validates every entry it is shown.
 *
 * Invariants:
 *  - no torn, retired or freed descriptor is seen (descriptors are
 *    poisoned when freed through EBR; rt.bad_desc counts dead ones met);
 *  - no writer update is clobbered: the final rmap equals the ledger;
 *  - no A or D transition is lost: every 0 -> 1 made by the "hardware" is
 *    matched by a 1 -> 0 of the ager or a zap, or is still set at the end;
 *  - quiesced: a pass reports exactly the number of young leaves, then 0.
 */
#include "tests/host/harness.h"

#include "lib/atomic.h"
#include "lib/errno.h"
#include "lib/platform.h"
#include "lib/rwlock.h"
#include "mm/ebr.h"
#include "mm/ept_entry.h"
#include "mm/rmap.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NWRITER		2
#define NSLOT		48		/* slots (leaves) per writer */
#define NHOT		3		/* gfns 0..NHOT-1 collect long chains */
#define NGFN		64
#define NALL		(NWRITER * NSLOT)

static struct ebr_domain dom;
static struct rmap_table rt;
static rwlock_t mmu_lock;
static u64 slots[NALL] __aligned(64);	/* the leaves */
static u64 ledger[NALL];		/* gfn + 1 while installed, else 0 */
static int stop;

struct stats {
	u64 ops, adds, removes;
	u64 a_sets, d_sets;		/* hardware 0 -> 1 transitions */
	u64 zap_a, zap_d;		/* transitions back to 0 by zaps */
	u64 young;			/* A cleared by the ager */
	u64 passes, visited, bad_ptr, nonpresent_seen;
};

struct worker {
	unsigned int id;
	u64 seed;
	struct stats st;
};

static u64 leaf_for(unsigned int slot)
{
	return ept_make_leaf(0x1000 + slot, EPT_LEVEL_4K, EPT_RWX, EPT_MT_WB, true);
}

/* The CPU accessing the page behind a random leaf: set A (and D). */
static void hardware_access(struct worker *w)
{
	unsigned int s = (unsigned int)(test_rand(&w->seed) % NALL);
	bool write = test_rand(&w->seed) & 1;
	u64 old = READ_ONCE(slots[s]), new;

	do {
		if (!ept_is_present(old))
			return;
		new = old | EPT_A | (write ? EPT_D : 0);
		if (new == old)
			return;
	} while (!try_cmpxchg(&slots[s], &old, new));
	w->st.a_sets += !(old & EPT_A);
	w->st.d_sets += (new & EPT_D) && !(old & EPT_D);
}

static void writer_op(struct worker *w)
{
	unsigned int k = (unsigned int)(test_rand(&w->seed) % NSLOT);
	unsigned int s = w->id * NSLOT + k;
	struct ebr_rec *rec = ebr_rec_this(&dom);

	read_lock(&mmu_lock);
	ebr_enter(rec);
	if (!ledger[s]) {
		u64 r = test_rand(&w->seed);
		gfn_t g = (r & 1) ? (r >> 8) % NHOT : NHOT + (r >> 8) % (NGFN - NHOT);

		WRITE_ONCE(slots[s], leaf_for(s));
		if (rmap_table_add(&rt, g, (u64 __ept *)&slots[s], EPT_LEVEL_4K) == 0) {
			ledger[s] = g + 1;
			w->st.adds++;
		} else {
			WRITE_ONCE(slots[s], 0);
		}
	} else {
		u64 old = xchg(&slots[s], 0);

		w->st.zap_a += !!(old & EPT_A);
		w->st.zap_d += !!(old & EPT_D);
		rmap_table_remove(&rt, ledger[s] - 1, (u64 __ept *)&slots[s], EPT_LEVEL_4K);
		ledger[s] = 0;
		w->st.removes++;
	}
	ebr_exit(rec);
	read_unlock(&mmu_lock);
}

static void *writer(struct worker *w)
{
	while (!READ_ONCE(stop)) {
		writer_op(w);
		for (int i = 0; i < 4; i++)
			hardware_access(w);
		w->st.ops++;
	}
	return NULL;
}

/* Validate every entry the lockless walk shows us. */
static void check_visit(u64 __ept *sptep, void *arg)
{
	struct stats *st = arg;
	uintptr_t p = (uintptr_t)sptep;

	st->visited++;
	if (p < (uintptr_t)slots || p >= (uintptr_t)(slots + NALL) || (p & 7)) {
		st->bad_ptr++;
		return;
	}
	if (!ept_is_present(READ_ONCE(*(u64 *)p)))
		st->nonpresent_seen++;	/* zapped while we look: tolerated */
}

static void *ager(struct worker *w)
{
	struct ebr_rec *rec = ebr_rec_this(&dom);

	while (!READ_ONCE(stop)) {
		ebr_enter(rec);
		for (gfn_t g = 0; g < NGFN; g++)
			rmap_walk_readonly(&rt, g, EPT_LEVEL_4K, check_visit, &w->st);
		ebr_exit(rec);
		w->st.young += ept_age_table_range(&rt, 0, NGFN);
		w->st.passes++;
	}
	return NULL;
}

enum role { ROLE_WRITER, ROLE_AGER, ROLE_TIMER };

struct slot_arg {
	enum role role;
	struct worker w;
};

static void *dispatch(void *arg)
{
	struct slot_arg *a = arg;
	struct ebr_rec *rec;
	void *ret = NULL;

	if (a->role == ROLE_TIMER) {
		while (test_elapsed() < test_opts.seconds)
			usleep(1000);
		WRITE_ONCE(stop, 1);
		return NULL;
	}
	rec = ebr_rec_this(&dom);
	ebr_register(rec);
	if (a->role == ROLE_WRITER)
		ret = writer(&a->w);
	else
		ret = ager(&a->w);
	ebr_unregister(rec);
	return ret;
}

/* Every installed slot exactly once in its gfn's rmap, nothing else. */
struct collect {
	unsigned int seen[NALL];
	u64 bad;
};

static void collect_visit(u64 __ept *sptep, void *arg)
{
	struct collect *c = arg;
	uintptr_t p = (uintptr_t)sptep;

	if (p < (uintptr_t)slots || p >= (uintptr_t)(slots + NALL) || (p & 7)) {
		c->bad++;
		return;
	}
	c->seen[(u64 *)p - slots]++;
}

static void check_ledger(void)
{
	static struct collect c;
	u64 mismatches = 0, installed = 0;

	for (gfn_t g = 0; g < NGFN; g++) {
		memset(&c, 0, sizeof(c));
		rmap_walk_readonly(&rt, g, EPT_LEVEL_4K, collect_visit, &c);
		for (unsigned int s = 0; s < NALL; s++) {
			unsigned int want = ledger[s] == g + 1;

			if (c.seen[s] != want)
				mismatches++;
		}
		mismatches += c.bad;
	}
	for (unsigned int s = 0; s < NALL; s++) {
		installed += !!ledger[s];
		/* A leaf is present iff the ledger says installed. */
		if (ept_is_present(slots[s]) != !!ledger[s])
			mismatches++;
	}
	printf("ledger: %llu leaves installed, %llu mismatches with the rmap\n",
	       installed, mismatches);
	CHECK_EQ(mismatches, 0);
}

/* Quiesced: a pass reports exactly the young leaves, then none. */
static void check_exact_young(void)
{
	u64 seed = test_opts.seed ^ 0xabcdef, want = 0, got, got2;
	struct ebr_rec *rec = ebr_rec_this(&dom);

	ebr_register(rec);
	ept_age_table_range(&rt, 0, NGFN);	/* clear everything */
	for (unsigned int s = 0; s < NALL; s++) {
		if (ledger[s] && (test_rand(&seed) & 1)) {
			fetch_or(&slots[s], EPT_A);
			want++;
		}
	}
	got = ept_age_table_range(&rt, 0, NGFN);
	got2 = ept_age_table_range(&rt, 0, NGFN);
	printf("quiesced aging: %llu young set, lockless pass found %llu, second pass %llu\n",
	       want, got, got2);
	CHECK_EQ(got, want);
	CHECK_EQ(got2, 0);

	/* The same through the writers-excluded walk. */
	want = 0;
	for (unsigned int s = 0; s < NALL; s++) {
		if (ledger[s] && (test_rand(&seed) & 1)) {
			fetch_or(&slots[s], EPT_A);
			want++;
		}
	}
	write_lock(&mmu_lock);
	got = ept_age_table_range_stable(&rt, 0, NGFN);
	write_unlock(&mmu_lock);
	CHECK_EQ(got, want);

	/* A range that covers half the gfns sees only their leaves. */
	want = 0;
	for (unsigned int s = 0; s < NALL; s++) {
		if (ledger[s]) {
			fetch_or(&slots[s], EPT_A);
			want += ledger[s] - 1 < NGFN / 2;
		}
	}
	got = ept_age_table_range(&rt, 0, NGFN / 2);
	CHECK_EQ(got, want);
	ept_age_table_range(&rt, 0, NGFN);
	ebr_unregister(rec);
}

/* Bad input: messages, no crash, nothing changed. */
static void check_bad_input(void)
{
	u64 dummy = 0;
	struct rmap_table t2;

	CHECK_EQ(rmap_table_add(&rt, 4096 + 5, (u64 __ept *)&dummy, EPT_LEVEL_4K), -HV_ERANGE);
	CHECK_EQ(rmap_table_add(&rt, 0, (u64 __ept *)&dummy, 7), -HV_ERANGE);
	rmap_table_remove(&rt, NGFN - 1, (u64 __ept *)&dummy, EPT_LEVEL_4K);
	CHECK_EQ(rmap_table_init(&t2, 0, 0, &dom), -HV_ERANGE);
	CHECK_EQ(rmap_table_init(&t2, 0, 1ULL << 40, &dom), -HV_ERANGE);
}

/*
 * The empty -> first-entry transition under concurrency: in each round both
 * writers add a leaf to the same empty head at the same moment (released by
 * a spinning barrier), then the head must hold both.  A plain store instead
 * of the cmpxchg loses one of them.
 */
#define RACE_GFN0	1024
#define RACE_GFNS	1024

static unsigned int race_count, race_phase;
static u64 race_rounds, race_lost, race_both_first;

static void race_barrier(unsigned int n)
{
	unsigned int phase = load_acquire(&race_phase);

	if (fetch_add(&race_count, 1) == n - 1) {
		WRITE_ONCE(race_count, 0);
		store_release(&race_phase, phase + 1);
		return;
	}
	while (load_acquire(&race_phase) == phase)
		cpu_relax();
}

static void count_visit(u64 __ept *sptep, void *arg)
{
	(void)sptep;
	(*(u64 *)arg)++;
}

static void *race_thread(void *arg)
{
	unsigned int id = *(unsigned int *)arg;
	u64 __ept *mine = (u64 __ept *)&slots[id];
	struct ebr_rec *rec = ebr_rec_this(&dom);

	ebr_register(rec);
	for (u64 r = 0; r < race_rounds; r++) {
		gfn_t g = RACE_GFN0 + r % RACE_GFNS;

		race_barrier(2);
		read_lock(&mmu_lock);
		ebr_enter(rec);
		rmap_table_add(&rt, g, mine, EPT_LEVEL_4K);
		ebr_exit(rec);
		read_unlock(&mmu_lock);
		race_barrier(2);
		if (id == 0) {
			u64 n = 0;

			ebr_enter(rec);
			rmap_walk_readonly(&rt, g, EPT_LEVEL_4K, count_visit, &n);
			ebr_exit(rec);
			race_lost += n != 2;
		}
		race_barrier(2);
		read_lock(&mmu_lock);
		ebr_enter(rec);
		rmap_table_remove(&rt, g, mine, EPT_LEVEL_4K);
		ebr_exit(rec);
		read_unlock(&mmu_lock);
	}
	ebr_unregister(rec);
	return NULL;
}

static void check_first_entry_race(void)
{
	unsigned int ids[2] = { 0, 1 };

	race_rounds = test_opts.quick ? 5000 : 30000;
	test_run_threads(2, race_thread, ids, sizeof(ids[0]));
	printf("first-entry race: %llu rounds, %llu lost entries\n",
	       race_rounds, race_lost);
	CHECK_EQ(race_lost, 0);
	(void)race_both_first;
}

/* Huge levels: heads of a 2M leaf are found by a range inside it. */
static void check_levels(void)
{
	static u64 big __aligned(8);
	struct ebr_rec *rec = ebr_rec_this(&dom);

	ebr_register(rec);
	big = ept_make_leaf(0x200, EPT_LEVEL_2M, EPT_RWX, EPT_MT_WB, true) | EPT_A;
	read_lock(&mmu_lock);
	CHECK_EQ(rmap_table_add(&rt, 512, (u64 __ept *)&big, EPT_LEVEL_2M), 0);
	read_unlock(&mmu_lock);
	CHECK_EQ(ept_age_table_range(&rt, 600, 601), 1);	/* inside [512, 1024) */
	CHECK_EQ(ept_age_table_range(&rt, 600, 601), 0);
	read_lock(&mmu_lock);
	rmap_table_remove(&rt, 512, (u64 __ept *)&big, EPT_LEVEL_2M);
	read_unlock(&mmu_lock);
	ebr_unregister(rec);
}

int main(int argc, char **argv)
{
	struct slot_arg a[NWRITER + 2] = { 0 };
	struct stats tot = { 0 };
	u64 set_a = 0, set_d = 0;

	test_init(argc, argv, 3.0);
	ebr_domain_init(&dom);
	rwlock_init(&mmu_lock);
	if (rmap_table_init(&rt, 0, 4096, &dom)) {
		CHECK(!"rmap_table_init");
		return test_finish();
	}
	for (unsigned int i = 0; i < ARRAY_SIZE(a); i++) {
		a[i].role = i < NWRITER ? ROLE_WRITER : i == NWRITER ? ROLE_AGER : ROLE_TIMER;
		a[i].w.id = i;
		a[i].w.seed = test_opts.seed * 131 + i + 1;
	}
	test_run_threads(ARRAY_SIZE(a), dispatch, a, sizeof(a[0]));
	for (unsigned int i = 0; i < ARRAY_SIZE(a); i++) {
		struct stats *s = &a[i].w.st;

		tot.adds += s->adds;
		tot.removes += s->removes;
		tot.a_sets += s->a_sets;
		tot.d_sets += s->d_sets;
		tot.zap_a += s->zap_a;
		tot.zap_d += s->zap_d;
		tot.young += s->young;
		tot.passes += s->passes;
		tot.visited += s->visited;
		tot.bad_ptr += s->bad_ptr;
		tot.nonpresent_seen += s->nonpresent_seen;
	}
	for (unsigned int s = 0; s < NALL; s++) {
		set_a += !!(slots[s] & EPT_A);
		set_d += !!(slots[s] & EPT_D);
	}
	printf("stress: %llu adds, %llu removes; ager: %llu passes, %llu entries seen "
	       "(%llu zapped while seen), %llu young\n",
	       tot.adds, tot.removes,
	       tot.passes, tot.visited,
	       tot.nonpresent_seen, tot.young);
	printf("A: %llu set = %llu aged + %llu zapped + %llu still set; "
	       "D: %llu set = %llu zapped + %llu still set\n",
	       tot.a_sets, tot.young,
	       tot.zap_a, set_a,
	       tot.d_sets, tot.zap_d,
	       set_d);
	printf("bad pointers seen: %llu, dead descriptors met: %llu\n",
	       tot.bad_ptr, READ_ONCE(rt.bad_desc));
	CHECK_EQ(tot.bad_ptr, 0);
	CHECK_EQ(READ_ONCE(rt.bad_desc), 0);
	CHECK_EQ(tot.a_sets, tot.young + tot.zap_a + set_a);
	CHECK_EQ(tot.d_sets, tot.zap_d + set_d);
	CHECK(tot.adds > 0 && tot.passes > 0 && tot.young > 0);
	check_ledger();
	check_first_entry_race();
	check_exact_young();
	check_levels();
	check_bad_input();
	return test_finish();
}
