// SPDX-License-Identifier: MIT
/*
 * gpc_refresh_storm: pfncache (mm/pfncache.c) against an invalidation storm.
 *
 * "Guest memory" is NGFN gfns; gfn g is backed by a host frame whose
 * generation gen[g] every invalidation of g bumps (free the old frame,
 * back g with a new one).  The backend resolves g to pfn = g << 32 | gen[g].
 *
 * Invalidators run the same composition as mmu_invalidate_range_start/end:
 * gpc_invalidate_start, begin (under the write lock), "free" the frames,
 * end (seq++, wmb, in_progress--), gpc_invalidate_end.
 * Users pick a cache, check it under its read lock and "use" it: the
 * stale-use detector compares the cached generation with gen[g], which may
 * only have moved if the cache was invalidated first (so check would fail).
 * A fuzzer activates/deactivates caches and a checker asserts, under each
 * cache's read lock, that a valid cache is on the VM's list (R15).
 *
 * Then: no lost wake-up (a refresher waiting for an overlapping
 * invalidation returns once it ends, over many timings), and a quiet phase
 * in which every cache refreshes to the current frames.
 */
#include "tests/host/harness.h"

#include "lib/atomic.h"
#include "lib/errno.h"
#include "lib/platform.h"
#include "lib/rwlock.h"
#include "mm/mmu_invalidate.h"
#include "mm/pfncache.h"

#include <stdlib.h>
#include <unistd.h>

#define NGFN		32
#define NCACHE		8	/* caches used by the users */
#define NFUZZ		4	/* caches activated/deactivated by the fuzzer */
#define NALL		(NCACHE + NFUZZ)

static struct mmu_invalidate inv;
static rwlock_t mmu_lock;
static struct gpc_vm_state vm;
static struct gfn_pfn_cache caches[NALL];
static gpa_t want_gpa[NALL];	/* what users ask each cache for */
static u64 gen[NGFN];
static u64 memslot_gen = 1;
static int stop;

static bool storm_resolve(void *ctx, gfn_t gfn, pfn_t *pfn, void **hva)
{
	(void)ctx;
	if (gfn >= NGFN)
		return false;
	*pfn = (gfn << 32) | READ_ONCE(gen[gfn]);
	*hva = &gen[gfn];
	return true;
}

static u64 storm_generation(void *ctx)
{
	(void)ctx;
	return READ_ONCE(memslot_gen);
}

static const struct gpc_backend storm_backend = {
	.resolve = storm_resolve,
	.generation = storm_generation,
};

struct worker {
	unsigned int id;
	u64 seed;
	u64 ops, invals, uses, refreshes, refresh_fail, stale, r15_bad, activations;
};

/* The invalidation composition of mmu_invalidate_range_start/_end. */
static void invalidate(gfn_t s, gfn_t e, unsigned int hold)
{
	gpc_invalidate_start(&vm, s, e);
	write_lock(&mmu_lock);
	mmu_invalidate_begin_locked(&inv, s, e);
	write_unlock(&mmu_lock);

	for (gfn_t g = s; g < e; g++)
		fetch_add(&gen[g], 1);	/* old frame freed, a new one backs g */
	for (unsigned int i = 0; i < hold; i++)
		cpu_relax();

	write_lock(&mmu_lock);
	mmu_invalidate_end_locked(&inv);
	write_unlock(&mmu_lock);
	gpc_invalidate_end(&vm, s, e);
}

/* Invalidate random ranges of [0, storm_span): small spans collide more. */
static gfn_t storm_span = NGFN;

static void invalidate_random(struct worker *w)
{
	gfn_t s = test_rand(&w->seed) % storm_span;
	gfn_t e = s + 1 + test_rand(&w->seed) % 4;

	invalidate(s, e > storm_span ? storm_span : e, (unsigned int)(test_rand(&w->seed) % 64));
	w->invals++;
}

static void *invalidator(struct worker *w)
{
	while (!READ_ONCE(stop))
		invalidate_random(w);
	return NULL;
}

/*
 * Use cache c for gpa under its read lock if check() passes; returns
 * true if used.  The stale-use detector: the frame's generation must be
 * the one cached.
 */
static bool try_use(struct worker *w, struct gfn_pfn_cache *c, gpa_t gpa)
{
	unsigned long flags = read_lock_irqsave(&c->lock);
	bool ok = gpc_check(c, gpa, 8);

	if (ok) {
		gfn_t g = gpa >> PAGE_SHIFT;
		u64 cur = READ_ONCE(*(u64 *)c->hva);

		if ((c->pfn >> 32) != g || (u32)c->pfn != (u32)cur || c->hva != &gen[g])
			w->stale++;
		w->uses++;
	}
	read_unlock_irqrestore(&c->lock, flags);
	return ok;
}

static void *user(struct worker *w)
{
	while (!READ_ONCE(stop)) {
		unsigned int i = (unsigned int)(test_rand(&w->seed) % NCACHE);
		struct gfn_pfn_cache *c = &caches[i];
		gpa_t gpa;

		/* Now and then move a cache to another page. */
		if (test_rand(&w->seed) % 64 == 0)
			WRITE_ONCE(want_gpa[i], (test_rand(&w->seed) % storm_span) << PAGE_SHIFT | 0x10);
		gpa = READ_ONCE(want_gpa[i]);
		w->ops++;
		if (try_use(w, c, gpa))
			continue;
		w->refreshes++;
		if (gpc_refresh(c, gpa, 8))
			w->refresh_fail++;
		else
			try_use(w, c, gpa);
	}
	return NULL;
}

/* R15: activate/deactivate fuzz; also uses the fuzz caches while active. */
static void *fuzzer(struct worker *w)
{
	while (!READ_ONCE(stop)) {
		unsigned int i = NCACHE + (unsigned int)(test_rand(&w->seed) % NFUZZ);
		struct gfn_pfn_cache *c = &caches[i];
		gpa_t gpa = (test_rand(&w->seed) % NGFN) << PAGE_SHIFT;

		w->ops++;
		if (test_rand(&w->seed) & 1) {
			gpc_deactivate(c);
		} else {
			if (!gpc_activate(c, gpa, 64))
				w->activations++;
			try_use(w, c, gpa);
		}
	}
	return NULL;
}

/* R15 invariant: a valid cache is reachable by invalidations. */
static void *checker(struct worker *w)
{
	while (!READ_ONCE(stop)) {
		for (unsigned int i = 0; i < NALL; i++) {
			struct gfn_pfn_cache *c = &caches[i];
			unsigned long flags = read_lock_irqsave(&c->lock);

			if (c->valid && !READ_ONCE(c->linked))
				w->r15_bad++;
			read_unlock_irqrestore(&c->lock, flags);
		}
		w->ops++;
		if (!(w->ops & 7))
			invalidate_random(w);
	}
	return NULL;
}

static double timer_until;

enum role { ROLE_INVALIDATOR, ROLE_USER, ROLE_FUZZER, ROLE_CHECKER, ROLE_TIMER };

struct slot {
	enum role role;
	struct worker w;
};

static void *dispatch(void *arg)
{
	struct slot *s = arg;

	switch (s->role) {
	case ROLE_INVALIDATOR:
		return invalidator(&s->w);
	case ROLE_USER:
		return user(&s->w);
	case ROLE_FUZZER:
		return fuzzer(&s->w);
	case ROLE_CHECKER:
		return checker(&s->w);
	case ROLE_TIMER:
		while (test_elapsed() < timer_until)
			usleep(1000);
		WRITE_ONCE(stop, 1);
		return NULL;
	}
	return NULL;
}

/*
 * Run @n threads of the given roles for @seconds.  Only as many spinning
 * threads as the machine has cores: with more, a waiter spinning on a
 * preempted lock holder stalls the whole storm.
 */
static void run_phase(const char *name, const enum role *roles, unsigned int n, double seconds)
{
	struct slot sl[8] = { 0 };
	u64 inval = 0, uses = 0, refreshes = 0, fail = 0, stale = 0, r15 = 0, act = 0;
	u64 scans = 0, retries = 0, waits = 0;
	double t0 = test_elapsed();

	for (unsigned int i = 0; i < NALL; i++)
		caches[i].refresh_retries = caches[i].refresh_waits = 0;
	for (unsigned int i = 0; i < n; i++) {
		sl[i].role = roles[i];
		sl[i].w.id = i;
		sl[i].w.seed = test_opts.seed * 31 + i + 1;
	}
	sl[n].role = ROLE_TIMER;
	timer_until = t0 + seconds;
	WRITE_ONCE(stop, 0);
	test_run_threads(n + 1, dispatch, sl, sizeof(sl[0]));
	for (unsigned int i = 0; i < n; i++) {
		struct worker *w = &sl[i].w;

		if (sl[i].role == ROLE_CHECKER)
			scans += w->ops;
		inval += w->invals;
		uses += w->uses;
		refreshes += w->refreshes;
		fail += w->refresh_fail;
		stale += w->stale;
		r15 += w->r15_bad;
		act += w->activations;
	}
	for (unsigned int i = 0; i < NALL; i++) {
		retries += caches[i].refresh_retries;
		waits += caches[i].refresh_waits;
	}
	printf("%s: %.1fs, %llu invalidations, %llu uses, %llu refreshes (%llu failed, "
	       "%llu resolutions retried, %llu waits), %llu activations, %llu R15 scans\n",
	       name, test_elapsed() - t0, inval, uses,
	       refreshes, fail,
	       retries, waits,
	       act, scans);
	printf("%s: %llu stale uses, %llu valid caches off the list\n", name,
	       stale, r15);
	CHECK_EQ(stale, 0);
	CHECK_EQ(r15, 0);
	CHECK_EQ(fail, 0);
	CHECK(uses > 0);
}

/*
 * R10 in lockstep: each round, released together by a spinning barrier,
 * the refresher refreshes a cache to gfn g while the invalidator, after a
 * random delay that sweeps the alignment, starts an invalidation of g and
 * then (still in progress) looks at the cache under its read lock: it must
 * not be valid for g.  Either the refresh saw the invalidation (it retries
 * and waits for the end) or the invalidation saw the valid cache (and
 * cleared it).  Many alignments per second of co-scheduled time, so the
 * store-buffering window is hit even on a loaded machine.
 */
static struct gfn_pfn_cache sb_cache;
static unsigned int sb_count, sb_phase;
static int sb_stop;
static u64 sb_rounds, sb_violations, sb_close;

static void sb_barrier(void)
{
	unsigned int phase = load_acquire(&sb_phase);

	if (fetch_add(&sb_count, 1) == 1) {
		WRITE_ONCE(sb_count, 0);
		store_release(&sb_phase, phase + 1);
		return;
	}
	while (load_acquire(&sb_phase) == phase)
		cpu_relax();
}

static void *sb_refresher(void)
{
	u64 seed = test_opts.seed ^ 0xa5a5;

	for (u64 r = 0;; r++) {
		sb_barrier();
		if (load_acquire(&sb_stop))
			return NULL;
		for (u64 i = test_rand(&seed) % 8; i; i--)
			cpu_relax();
		if (gpc_refresh(&sb_cache, (gpa_t)(1 + (r & 1)) << PAGE_SHIFT, 8))
			CHECK(!"lockstep refresh failed");
		sb_barrier();
	}
}

static void *sb_invalidator(double until)
{
	u64 seed = test_opts.seed ^ 0x5b5b;

	for (u64 r = 0;; r++) {
		gfn_t g = 1 + (r & 1);
		u64 waits0 = sb_cache.refresh_waits + sb_cache.refresh_retries;
		unsigned long flags;

		if (test_elapsed() >= until)
			store_release(&sb_stop, 1);
		sb_barrier();
		if (load_acquire(&sb_stop))
			return NULL;
		for (u64 i = test_rand(&seed) % 24; i; i--)
			cpu_relax();
		gpc_invalidate_start(&vm, g, g + 1);
		flags = read_lock_irqsave(&sb_cache.lock);
		if (sb_cache.valid && (sb_cache.gpa >> PAGE_SHIFT) == g)
			sb_violations++;
		read_unlock_irqrestore(&sb_cache.lock, flags);
		gpc_invalidate_end(&vm, g, g + 1);
		sb_barrier();
		sb_rounds++;
		/* Read after the round: the refresher is done with the cache. */
		sb_close += sb_cache.refresh_waits + sb_cache.refresh_retries != waits0;
	}
}

static void *sb_dispatch(void *arg)
{
	double until = *(double *)arg;

	return until > 0 ? sb_invalidator(until) : sb_refresher();
}

static void lockstep(double seconds)
{
	double args[2] = { 0, test_elapsed() + seconds };

	gpc_init(&sb_cache, &vm);
	CHECK_EQ(gpc_activate(&sb_cache, 3 << PAGE_SHIFT, 8), 0);
	WRITE_ONCE(sb_stop, 0);
	test_run_threads(2, sb_dispatch, args, sizeof(args[0]));
	printf("lockstep: %llu rounds (%llu where the refresh waited or retried), "
	       "%llu valid caches inside an invalidation\n",
	       sb_rounds, sb_close,
	       sb_violations);
	CHECK_EQ(sb_violations, 0);
	CHECK(sb_rounds > 0);
	gpc_deactivate(&sb_cache);
}

static void storm(void)
{
	static const enum role r10[] = { ROLE_INVALIDATOR, ROLE_USER };
	static const enum role r15[] = { ROLE_FUZZER, ROLE_CHECKER };

	/* R10: one invalidator against one refresher/user on a few pages. */
	storm_span = 4;
	run_phase("storm", r10, ARRAY_SIZE(r10), test_opts.seconds * 0.25);
	lockstep(test_opts.seconds * 0.45);
	/* R15: activate/deactivate against invalidations and R15 scans. */
	storm_span = NGFN;
	run_phase("activate", r15, ARRAY_SIZE(r15), test_opts.seconds * 0.3);
}

/*
 * No lost wake-up: a refresher that finds an overlapping invalidation in
 * flight waits for it; the invalidation ends after a random delay (0 to
 * ~100 us, so that the end races the waiter's condition check and its
 * sampling of the wake ticket).  The refresher must return each time.
 */
static u64 wake_round_ready;	/* round the driver has opened */
static u64 wake_round_done;	/* round the refresher has finished */
static unsigned int wake_rounds;

static void *wake_refresher(struct gfn_pfn_cache *c)
{
	for (u64 r = 1; r <= wake_rounds; r++) {
		while (load_acquire(&wake_round_ready) != r)
			cpu_relax();
		if (gpc_refresh(c, 3 << PAGE_SHIFT, 8))
			CHECK(!"refresh failed");
		store_release(&wake_round_done, r);
	}
	return NULL;
}

static void *wake_driver(void)
{
	u64 seed = test_opts.seed;

	for (u64 r = 1; r <= wake_rounds; r++) {
		u64 spins = test_rand(&seed) % 20000, t0;

		/* Invalidate the cache's page and leave the invalidation open. */
		gpc_invalidate_start(&vm, 0, NGFN);
		write_lock(&mmu_lock);
		mmu_invalidate_begin_locked(&inv, 0, NGFN);
		write_unlock(&mmu_lock);
		store_release(&wake_round_ready, r);

		for (u64 i = 0; i < spins; i++)
			cpu_relax();
		write_lock(&mmu_lock);
		mmu_invalidate_end_locked(&inv);
		write_unlock(&mmu_lock);
		gpc_invalidate_end(&vm, 0, NGFN);

		/* Watchdog: a lost wake-up leaves the refresher spinning forever. */
		t0 = arch_time_ns();
		while (load_acquire(&wake_round_done) != r) {
			if (arch_time_ns() - t0 > 2000000000ULL) {
				fprintf(stderr, "FAILED: refresher still waiting 2 s after the "
					"last invalidation ended (lost wake-up), round %llu\n",
					r);
				fflush(stderr);
				_exit(1);
			}
			cpu_relax();
		}
	}
	return NULL;
}

static void *wake_dispatch(void *arg)
{
	struct gfn_pfn_cache **pc = arg;

	return *pc ? wake_refresher(*pc) : wake_driver();
}

static void no_lost_wakeup(void)
{
	struct gfn_pfn_cache *c = &caches[0];
	struct gfn_pfn_cache *args[2] = { c, NULL };
	u64 waits0 = c->refresh_waits, waits;

	wake_rounds = test_opts.quick ? 100 : 300;
	/* Each thread's argument is one pointer of args[]. */
	test_run_threads(2, wake_dispatch, args, sizeof(args[0]));	// NOLINT(bugprone-sizeof-expression)
	/* The threads move refresh_waits; cppcheck sees one thread only. */
	// cppcheck-suppress duplicateExpression
	waits = c->refresh_waits - waits0;
	printf("wake-up: %u rounds, %llu waits, every refresher returned\n", wake_rounds,
	       waits);
	CHECK(waits > 0);
}

/* Quiet phase: every active cache refreshes to the current frames. */
static void quiet_check(void)
{
	struct worker w = { 0 };

	CHECK_EQ(READ_ONCE(vm.active_invalidations), 0);
	CHECK_EQ(READ_ONCE(inv.in_progress), 0);
	for (unsigned int i = 0; i < NCACHE; i++) {
		gpa_t gpa = want_gpa[i];

		if (!try_use(&w, &caches[i], gpa)) {
			CHECK_EQ(gpc_refresh(&caches[i], gpa, 8), 0);
			CHECK(try_use(&w, &caches[i], gpa));
		}
	}
	CHECK_EQ(w.stale, 0);
	/* Memslot generation change: every cache must fail check(). */
	WRITE_ONCE(memslot_gen, memslot_gen + 1);
	for (unsigned int i = 0; i < NCACHE; i++)
		CHECK(!try_use(&w, &caches[i], want_gpa[i]));
	/* Bad input is refused with a message, not a crash. */
	CHECK_EQ(gpc_refresh(&caches[0], PAGE_SIZE - 4, 8), -HV_EINVAL);
	CHECK_EQ(gpc_activate(&caches[NCACHE], 0, 0), -HV_EINVAL);
	CHECK_EQ(gpc_refresh(&caches[0], (u64)NGFN << PAGE_SHIFT, 8), -HV_EFAULT);
	for (unsigned int i = 0; i < NALL; i++)
		gpc_deactivate(&caches[i]);
	CHECK(gpc_vm_idle(&vm));
}

int main(int argc, char **argv)
{
	test_init(argc, argv, 3.0);
	rwlock_init(&mmu_lock);
	mmu_invalidate_init(&inv);
	gpc_vm_init(&vm, &inv, &storm_backend, NULL);
	for (unsigned int i = 0; i < NALL; i++)
		gpc_init(&caches[i], &vm);
	for (unsigned int i = 0; i < NCACHE; i++) {
		want_gpa[i] = ((gpa_t)(i * 3 % NGFN) << PAGE_SHIFT) | 0x10;
		CHECK_EQ(gpc_activate(&caches[i], want_gpa[i], 8), 0);
	}
	storm();
	no_lost_wakeup();
	quiet_check();
	return test_finish();
}
