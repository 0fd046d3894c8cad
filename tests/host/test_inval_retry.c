// SPDX-License-Identifier: MIT
/*
 * R9 state machine (mm/mmu_invalidate.c) against a simple table.
 *
 * "Guest memory" is NGFN gfns; gfn g is backed by host frame generation
 * gen[g].  Invalidators do begin (under the write lock: in_progress++,
 * range union, zap the table entries of the range) / "free and poison the
 * frames, bump their generation" / end (seq++, wmb, in_progress--).
 * Faulters snapshot seq, pre-check locklessly, resolve (read poison and
 * generation), and install table[g] = generation under the READ lock only
 * if the locked re-check passes.
 *
 * Invariant (checked by every install, by a checker thread and by each
 * invalidator after its end): a present table entry always holds the
 * current, unpoisoned generation of its frame.
 *
 * Second phase: a lockless pre-check loop terminates once a long
 * invalidation ends (READ_ONCE observes the 1 => 0 transition).
 */
#include "tests/host/harness.h"

#include "lib/atomic.h"
#include "lib/platform.h"
#include "lib/rwlock.h"
#include "mm/mmu_invalidate.h"

#include <stdlib.h>
#include <unistd.h>

#define NGFN		256
#define MAP_PRESENT	BIT(63)

static struct mmu_invalidate inv;
static rwlock_t mmu_lock;
static u64 table[NGFN];		/* 0 or MAP_PRESENT | generation */
static u64 gen[NGFN];		/* frame generation; bumped by every invalidation */
static u64 poison[NGFN];	/* invalidations currently holding the frame freed */
static int stop;

struct worker {
	unsigned int id;
	u64 seed;
	u64 ops, installs, precheck_retries, locked_retries, violations;
};

/* Every present entry must hold its frame's current, unpoisoned generation. */
static unsigned long check_range_locked(gfn_t s, gfn_t e)
{
	unsigned long bad = 0;

	for (gfn_t g = s; g < e; g++) {
		u64 m = READ_ONCE(table[g]);

		if (!(m & MAP_PRESENT))
			continue;
		if ((m & ~MAP_PRESENT) != READ_ONCE(gen[g]) || READ_ONCE(poison[g]))
			bad++;
	}
	return bad;
}

static void *invalidator(void *arg)
{
	struct worker *w = arg;

	while (!READ_ONCE(stop)) {
		gfn_t s = test_rand(&w->seed) % NGFN;
		gfn_t e = s + 1 + test_rand(&w->seed) % 32;

		if (e > NGFN)
			e = NGFN;
		write_lock(&mmu_lock);
		mmu_invalidate_begin_locked(&inv, s, e);
		for (gfn_t g = s; g < e; g++)
			WRITE_ONCE(table[g], 0);	/* zap */
		write_unlock(&mmu_lock);

		/* Free and poison the frames; the new ones get a new generation. */
		for (gfn_t g = s; g < e; g++) {
			fetch_add(&poison[g], 1);
			fetch_add(&gen[g], 1);
		}
		/* Hold the frames freed a while: overlapping invalidations meet. */
		for (u64 i = test_rand(&w->seed) % 2000; i; i--)
			cpu_relax();
		for (gfn_t g = s; g < e; g++)
			fetch_sub(&poison[g], 1);

		write_lock(&mmu_lock);
		mmu_invalidate_end_locked(&inv);
		write_unlock(&mmu_lock);

		read_lock(&mmu_lock);
		w->violations += check_range_locked(s, e);
		read_unlock(&mmu_lock);
		w->ops++;
	}
	return NULL;
}

static void *faulter(void *arg)
{
	struct worker *w = arg;

	while (!READ_ONCE(stop)) {
		gfn_t g = test_rand(&w->seed) % NGFN;
		u64 snap, gv, p;

		w->ops++;
		snap = mmu_invalidate_snapshot(&inv);
		if (mmu_invalidate_retry_gfn_unsafe(&inv, snap, g)) {
			w->precheck_retries++;
			continue;
		}
		/* "Resolve" gfn -> frame: no lock, like a host page-table walk. */
		gv = READ_ONCE(gen[g]);
		p = READ_ONCE(poison[g]);

		read_lock(&mmu_lock);
		if (mmu_invalidate_retry_gfn_locked(&inv, snap, g)) {
			read_unlock(&mmu_lock);
			w->locked_retries++;
			continue;
		}
		WRITE_ONCE(table[g], MAP_PRESENT | gv);
		w->installs++;
		if (p || gv != READ_ONCE(gen[g]) || READ_ONCE(poison[g]))
			w->violations++;
		read_unlock(&mmu_lock);
	}
	return NULL;
}

static void *checker(void *arg)
{
	struct worker *w = arg;

	while (!READ_ONCE(stop)) {
		read_lock(&mmu_lock);
		w->violations += check_range_locked(0, NGFN);
		read_unlock(&mmu_lock);
		w->ops++;
		usleep(100);
	}
	return NULL;
}

/* The state machine step by step (single thread, deterministic). */
static void unit_checks(void)
{
	struct mmu_invalidate t;
	u64 snap, snap2;

	mmu_invalidate_init(&t);
	snap = mmu_invalidate_snapshot(&t);
	CHECK(!mmu_invalidate_retry_gfn_locked(&t, snap, 15));
	CHECK(!mmu_invalidate_retry_gfn_unsafe(&t, snap, 15));

	mmu_invalidate_begin_locked(&t, 10, 20);
	CHECK(mmu_invalidate_retry_gfn_locked(&t, snap, 15));
	CHECK(mmu_invalidate_retry_gfn_unsafe(&t, snap, 15));
	CHECK(!mmu_invalidate_retry_gfn_locked(&t, snap, 5));	/* outside, seq unchanged */
	CHECK(!mmu_invalidate_retry_gfn_locked(&t, snap, 20));	/* end is exclusive */

	/* A second, disjoint invalidation: the range is the union. */
	mmu_invalidate_begin_locked(&t, 30, 40);
	CHECK(mmu_invalidate_retry_gfn_locked(&t, snap, 15));
	CHECK(mmu_invalidate_retry_gfn_locked(&t, snap, 35));
	CHECK(mmu_invalidate_retry_gfn_locked(&t, snap, 25));	/* conservative */
	CHECK(!mmu_invalidate_retry_gfn_locked(&t, snap, 45));

	/* One ends: seq moved, every old snapshot retries; range unchanged. */
	mmu_invalidate_end_locked(&t);
	CHECK(mmu_invalidate_retry_gfn_locked(&t, snap, 45));
	snap2 = mmu_invalidate_snapshot(&t);
	CHECK(mmu_invalidate_retry_gfn_locked(&t, snap2, 15));	/* still in progress */
	CHECK(!mmu_invalidate_retry_gfn_locked(&t, snap2, 45));
	mmu_invalidate_end_locked(&t);
	CHECK_EQ(t.in_progress, 0);
	CHECK(mmu_invalidate_retry_gfn_locked(&t, snap2, 15));	/* seq moved again */
	snap2 = mmu_invalidate_snapshot(&t);
	CHECK(!mmu_invalidate_retry_gfn_locked(&t, snap2, 15));
	CHECK(!mmu_invalidate_retry_gfn_unsafe(&t, snap2, 15));

	/* 0 -> 1 starts a new range: the old one no longer counts. */
	mmu_invalidate_begin_locked(&t, 50, 60);
	CHECK(!mmu_invalidate_retry_gfn_locked(&t, snap2, 15));
	CHECK(mmu_invalidate_retry_gfn_locked(&t, snap2, 55));
	mmu_invalidate_end_locked(&t);

	/* Bad input is reported and ignored. */
	mmu_invalidate_end_locked(&t);			/* unbalanced end */
	CHECK_EQ(t.in_progress, 0);
	mmu_invalidate_begin_locked(&t, 9, 9);		/* empty range */
	CHECK_EQ(t.in_progress, 0);
	printf("unit: state machine checks done\n");
}

enum role { ROLE_INVALIDATOR, ROLE_CHECKER, ROLE_FAULTER, ROLE_TIMER };

struct slot {
	enum role role;
	struct worker w;
};

static void *timer_thread(void)
{
	while (test_elapsed() < test_opts.seconds)
		usleep(1000);
	WRITE_ONCE(stop, 1);
	return NULL;
}

static void *dispatch(void *arg)
{
	struct slot *s = arg;

	switch (s->role) {
	case ROLE_INVALIDATOR:
		return invalidator(&s->w);
	case ROLE_CHECKER:
		return checker(&s->w);
	case ROLE_FAULTER:
		return faulter(&s->w);
	case ROLE_TIMER:
		return timer_thread();
	}
	return NULL;
}

static void stress(void)
{
	unsigned int nfault = test_opts.threads ? test_opts.threads : 2;
	unsigned int ninv = 2, n = ninv + 1 + nfault + 1;
	struct slot *sl = calloc(n, sizeof(*sl));
	u64 inv_ops = 0, faults = 0, installs = 0, pre = 0, locked = 0, viol = 0;

	if (!sl) {
		CHECK(sl != NULL);
		return;
	}
	for (unsigned int i = 0; i < n; i++) {
		sl[i].role = i < ninv ? ROLE_INVALIDATOR : i == ninv ? ROLE_CHECKER :
			     i < n - 1 ? ROLE_FAULTER : ROLE_TIMER;
		sl[i].w.id = i;
		sl[i].w.seed = test_opts.seed + 7919 * (i + 1);
	}
	WRITE_ONCE(stop, 0);
	test_run_threads(n, dispatch, sl, sizeof(*sl));
	for (unsigned int i = 0; i < n; i++) {
		struct worker *w = &sl[i].w;

		viol += w->violations;
		if (sl[i].role == ROLE_INVALIDATOR)
			inv_ops += w->ops;
		if (sl[i].role == ROLE_FAULTER) {
			faults += w->ops;
			installs += w->installs;
			pre += w->precheck_retries;
			locked += w->locked_retries;
		}
	}
	printf("stress: %llu invalidations, %llu faults: %llu installed, %llu pre-check "
	       "retries, %llu locked re-check retries; %llu stale mappings\n",
	       inv_ops, faults,
	       installs, pre,
	       locked, viol);
	CHECK_EQ(viol, 0);
	CHECK(inv_ops > 0);
	CHECK(installs > 0);
	CHECK(locked > 0 || pre > 0);	/* the races were actually exercised */
	CHECK_EQ(READ_ONCE(inv.in_progress), 0);
	free(sl);
}

/*
 * Phase 2: a faulter loops on the lockless pre-check while one long
 * invalidation covers its gfn; it must leave the loop soon after the end.
 */
static u64 spin_iterations;
static u64 spin_exit_ns;

static void *precheck_spinner(void *arg)
{
	u64 snap, n = 0, t0 = arch_time_ns();

	(void)arg;
	do {
		snap = mmu_invalidate_snapshot(&inv);
		/* Give up (and fail) after 5 s rather than hang the suite. */
		if (!(++n & 0xfffff) && arch_time_ns() - t0 > 5000000000ULL)
			return NULL;
	} while (mmu_invalidate_retry_gfn_unsafe(&inv, snap, 5));
	WRITE_ONCE(spin_exit_ns, arch_time_ns());
	WRITE_ONCE(spin_iterations, n);
	return NULL;
}

static void *long_invalidator(void *arg)
{
	u64 end_ns;

	(void)arg;
	/* The spinner is already spinning: in_progress was raised in main. */
	usleep(20000);
	write_lock(&mmu_lock);
	mmu_invalidate_end_locked(&inv);
	write_unlock(&mmu_lock);
	end_ns = arch_time_ns();
	while (!READ_ONCE(spin_exit_ns) && arch_time_ns() - end_ns < 2000000000ULL)
		usleep(100);
	return NULL;
}

static void *phase2_dispatch(void *arg)
{
	return *(int *)arg ? long_invalidator(NULL) : precheck_spinner(NULL);
}

static void precheck_terminates(void)
{
	int roles[2] = { 0, 1 };
	u64 t0;

	write_lock(&mmu_lock);
	mmu_invalidate_begin_locked(&inv, 0, NGFN);
	write_unlock(&mmu_lock);
	t0 = arch_time_ns();
	test_run_threads(2, phase2_dispatch, roles, sizeof(roles[0]));
	printf("pre-check loop: %llu iterations, left %.3f ms after start\n",
	       spin_iterations,
	       spin_exit_ns ? (double)(spin_exit_ns - t0) / 1e6 : -1.0);
	CHECK(spin_exit_ns != 0);
	CHECK(spin_iterations > 1);
}

int main(int argc, char **argv)
{
	test_init(argc, argv, 3.0);
	rwlock_init(&mmu_lock);
	mmu_invalidate_init(&inv);
	unit_checks();
	stress();
	precheck_terminates();
	return test_finish();
}
