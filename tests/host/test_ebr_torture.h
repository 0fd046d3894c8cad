/* SPDX-License-Identifier: MIT */
/*
 * EBR torture engine shared by the test_ebr_* programs (in the spirit of
 * rcutorture and ck_epoch's torture, written for mm/ebr.h).
 *
 * A small array of slots points at objects carrying a canary, their slot
 * number and a per-slot generation.  Readers, inside sections (EBR) or
 * between quiescent states (QSBR), load a slot and re-check the object
 * several times while they hold it: canary live, slot right, generation
 * unchanged, and never older than the last one they saw in that slot.
 * Writers replace objects with cmpxchg and either ebr_retire() the old one
 * (the callback frees it) or ebr_synchronize() and free it at once.  Free
 * poisons the object, checks its age in epochs (retire tag to free time,
 * < 2 is a failure) into a histogram, and puts it on the freeing thread's
 * free list, from which writers take new objects immediately: a reader
 * still holding it sees poison or a different slot/generation rather than
 * crashing.  At the end ebr_barrier() must leave retired == freed and every
 * object either in a slot or on a free list.
 *
 * Included by one test program each (static functions only).
 */
#ifndef TESTS_HOST_TEST_EBR_TORTURE_H
#define TESTS_HOST_TEST_EBR_TORTURE_H

#include "lib/atomic.h"
#include "mm/ebr.h"
#include "tests/host/harness.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TT_LIVE		0x11fe11fe11fe11feULL
#define TT_POISON	0xdeaddeaddeaddeadULL
#define TT_MAX_SLOTS	64
#define TT_HIST		8	/* ages 0..6, 7+ */

struct tt_obj {
	u64 canary;
	u64 slot;
	u64 gen;
	u64 retire_seq;		/* global retire order (stall test) */
	u64 flush_req;		/* hook test: flush requests seen at retire */
	struct ebr_node node;
	struct tt_obj *free_next;
};

struct tt_config {
	unsigned int readers;
	unsigned int writers;
	unsigned int nslots;
	unsigned int hold;	/* re-checks per held object */
	bool qsbr;		/* readers run QSBR-online with ebr_quiescent() */
	unsigned int qsbr_offline_every; /* QSBR readers go offline every N reads */
	bool sync_writers;	/* writers synchronize + free instead of retiring */
	bool writers_in_section; /* retire inside the writer's section */
	bool noise;		/* store-buffer filler before each ebr_enter() */
	u64 start_epoch;
	u32 soft, hard;
	double seconds;
	const struct ebr_gp_hook *hook;
	/* Called by reader 0 instead of the normal loop when set (stall test). */
	void (*reader0)(struct ebr_rec *r);
	/* Checked in every free callback (hook/stall tests). */
	void (*on_free)(struct tt_obj *o);
	/* Called on every retire, before it (hook test). */
	void (*on_retire)(struct tt_obj *o);
};

struct tt_thread {
	unsigned int id;
	bool writer;
	u64 rng;
	u64 ops;		/* sections (readers) or replacements (writers) */
	u64 allocated;		/* objects malloc'd by this thread */
	u64 hist[TT_HIST];
	u64 freelist_len;
	struct tt_obj *freelist;
	u64 last_gen[TT_MAX_SLOTS];
} __cacheline_aligned;

static struct ebr_domain tt_dom;
static struct tt_obj *tt_slots[TT_MAX_SLOTS];
static struct tt_config tt_cfg;
static u64 tt_uaf, tt_early, tt_double, tt_backwards, tt_retire_seq;
static __thread struct tt_thread *tt_self;
static struct tt_thread tt_main_ctx;
static struct tt_thread *tt_threads;
/*
 * Store-buffer filler (cfg.noise): writers keep this line in their cache, so
 * a reader's store to it just before ebr_enter() waits for the line, and
 * TSO keeps the reader's "active" store queued behind it.  Without the R5
 * fence the reader's protected loads then run far ahead of that store: a
 * wider store-buffering window, the same bug, found sooner.
 */
#define TT_NOISE_LINES	4
static struct {
	u64 v;
} __cacheline_aligned tt_noise[TT_NOISE_LINES];

static inline void tt_make_noise(u64 v)
{
	for (unsigned int i = 0; i < TT_NOISE_LINES; i++)
		WRITE_ONCE(tt_noise[i].v, v);
}

static u32 tt_stop;

/* A use-after-free ends the round at once (it has failed; finish fast). */
static void tt_report_uaf(const char *what, unsigned int slot, u64 got, u64 want)
{
	WRITE_ONCE(tt_stop, 1);
	if (fetch_add(&tt_uaf, 1) < 5)
		fprintf(stderr, "use-after-free: %s in slot %u: 0x%llx, expected 0x%llx\n",
			what, slot, got, want);
}

static struct tt_obj *tt_alloc(void)
{
	struct tt_thread *t = tt_self;
	struct tt_obj *o = t->freelist;

	if (o) {
		t->freelist = o->free_next;
		t->freelist_len--;
	} else {
		o = malloc(sizeof(*o));
		if (!o) {
			fprintf(stderr, "out of memory\n");
			exit(2);
		}
		t->allocated++;
	}
	return o;
}

/* Poison @o and put it straight onto this thread's free list for reuse. */
static void tt_poison(struct tt_obj *o)
{
	struct tt_thread *t = tt_self;

	if (READ_ONCE(o->canary) != TT_LIVE && fetch_add(&tt_double, 1) < 5)
		fprintf(stderr, "double free or corrupt object %p\n", (void *)o);
	WRITE_ONCE(o->canary, TT_POISON);
	WRITE_ONCE(o->gen, TT_POISON);
	WRITE_ONCE(o->slot, TT_POISON);
	o->free_next = t->freelist;
	t->freelist = o;
	t->freelist_len++;
}

/* EBR callback: check the age in epochs, record it, free. */
static void tt_free(struct ebr_node *n)
{
	struct tt_obj *o = container_of(n, struct tt_obj, node);
	u64 age = ebr_epoch(&tt_dom) - n->epoch;

	if (age < 2 && fetch_add(&tt_early, 1) < 5)
		fprintf(stderr, "freed at age %llu epochs (tag %llu, now %llu)\n",
			age, n->epoch,
			ebr_epoch(&tt_dom));
	tt_self->hist[age < TT_HIST - 1 ? age : TT_HIST - 1]++;
	if (tt_cfg.on_free)
		tt_cfg.on_free(o);
	tt_poison(o);
}

/* Hold @o (loaded from slot @i) and re-check it tt_cfg.hold times. */
static void tt_check(struct tt_thread *t, unsigned int i, struct tt_obj *o)
{
	u64 g = READ_ONCE(o->gen);

	if (g != TT_POISON) {
		if ((s64)(g - t->last_gen[i]) < 0 && fetch_add(&tt_backwards, 1) < 5)
			fprintf(stderr, "generation went backwards in slot %u: %llu after %llu\n",
				i, g, t->last_gen[i]);
		t->last_gen[i] = g;
	}
	for (unsigned int h = 0; h < tt_cfg.hold; h++) {
		u64 c = READ_ONCE(o->canary), s = READ_ONCE(o->slot), g2 = READ_ONCE(o->gen);

		if (c != TT_LIVE) {
			tt_report_uaf("canary", i, c, TT_LIVE);
			return;
		}
		if (s != i) {
			tt_report_uaf("slot", i, s, i);
			return;
		}
		if (g2 != g) {
			tt_report_uaf("generation", i, g2, g);
			return;
		}
	}
}

static void tt_read_one(struct tt_thread *t)
{
	unsigned int i = (unsigned int)(test_rand(&t->rng) % tt_cfg.nslots);
	/* Pairs with the cmpxchg that published the object (init before publish). */
	struct tt_obj *o = load_acquire(&tt_slots[i]);

	tt_check(t, i, o);
}

static void tt_reader(struct tt_thread *t, struct ebr_rec *r)
{
	if (tt_cfg.qsbr) {
		ebr_online(r);
		while (!READ_ONCE(tt_stop)) {
			tt_read_one(t);
			WRITE_ONCE(t->ops, t->ops + 1);	/* read by the timer */
			if (t->ops % tt_cfg.qsbr_offline_every) {
				ebr_quiescent(r);
				continue;
			}
			/* A short idle period; the read right after online is R5_ONLINE's window. */
			ebr_offline(r);
			if (tt_cfg.noise)
				tt_make_noise(t->ops);
			ebr_online(r);
		}
		ebr_offline(r);
		return;
	}
	while (!READ_ONCE(tt_stop)) {
		if (tt_cfg.noise)
			tt_make_noise(t->ops);
		ebr_enter(r);
		tt_read_one(t);
		if ((t->ops & 7) == 0) {
			ebr_enter(r);	/* nested: must keep protecting */
			tt_read_one(t);
			ebr_exit(r);
			tt_read_one(t);
		}
		ebr_exit(r);
		WRITE_ONCE(t->ops, t->ops + 1);	/* read by the timer */
	}
}

static void tt_writer(struct tt_thread *t, struct ebr_rec *r)
{
	bool sync = tt_cfg.sync_writers;

	while (!READ_ONCE(tt_stop)) {
		unsigned int i = (unsigned int)(test_rand(&t->rng) % tt_cfg.nslots);
		struct tt_obj *n = tt_alloc(), *old;

		if (tt_cfg.noise)
			tt_make_noise(t->ops);
		ebr_enter(r);
		old = load_acquire(&tt_slots[i]);
		for (;;) {
			n->canary = TT_LIVE;
			n->slot = i;
			n->gen = old->gen + 1;
			/* Full barrier: publishes n's init (R1 shape) and unlinks old. */
			if (try_cmpxchg(&tt_slots[i], &old, n))
				break;
		}
		if (!sync && tt_cfg.writers_in_section) {
			old->retire_seq = fetch_add(&tt_retire_seq, 1);
			if (tt_cfg.on_retire)
				tt_cfg.on_retire(old);
			ebr_retire(r, &old->node, tt_free);
		}
		ebr_exit(r);
		if (sync) {
			ebr_synchronize(&tt_dom);
			tt_poison(old);
		} else if (!tt_cfg.writers_in_section) {
			old->retire_seq = fetch_add(&tt_retire_seq, 1);
			if (tt_cfg.on_retire)
				tt_cfg.on_retire(old);
			ebr_retire(r, &old->node, tt_free);
		}
		WRITE_ONCE(t->ops, t->ops + 1);	/* read by the timer */
	}
}

static void *tt_thread_fn(void *arg)
{
	struct tt_thread *t = arg;
	struct ebr_rec *r = ebr_rec_this(&tt_dom);

	tt_self = t;
	ebr_register(r);
	if (!t->writer && t->id == 0 && tt_cfg.reader0)
		tt_cfg.reader0(r);
	else if (t->writer)
		tt_writer(t, r);
	else
		tt_reader(t, r);
	ebr_unregister(r);
	return NULL;
}

/* Number of torture threads that have not completed one operation yet. */
static unsigned int tt_idle_threads(void)
{
	unsigned int idle = 0;

	for (unsigned int i = 0; i < tt_cfg.readers + tt_cfg.writers; i++)
		idle += READ_ONCE(tt_threads[i].ops) == 0;
	return idle;
}

/*
 * Ends the round after its duration, but not before every thread has done
 * at least one operation (a starved thread on a loaded 2-core host would
 * otherwise make the round test nothing); 10 s extra at most.  Threads
 * with a custom reader0 function end the round themselves.
 */
static void *tt_timer_fn(void *arg)
{
	struct timespec ts = { .tv_sec = 0, .tv_nsec = 1000000 };
	double until = *(double *)arg;

	while (!READ_ONCE(tt_stop) &&
	       (test_elapsed() < until ||
		(!tt_cfg.reader0 && tt_idle_threads() && test_elapsed() < until + 10)))
		nanosleep(&ts, NULL);
	WRITE_ONCE(tt_stop, 1);
	return NULL;
}

#include <pthread.h>

/*
 * The mixed round's shape: 2 readers and 2 writers over 8 slots, or
 * --threads split half readers, half writers.
 */
static inline void tt_config_mixed(struct tt_config *c)
{
	c->readers = 2;
	c->writers = 2;
	c->nslots = 8;
	if (test_opts.threads >= 2) {
		c->readers = test_opts.threads / 2;
		c->writers = test_opts.threads - c->readers;
	}
}

/**
 * tt_run() - run one torture round with @cfg; returns failures found.
 * @cfg:   configuration
 * @label: printed with the results
 */
static unsigned long tt_run(const struct tt_config *cfg, const char *label)
{
	unsigned int n = cfg->readers + cfg->writers;
	u64 reads = 0, writes = 0, hist[TT_HIST] = { 0 }, objs = 0, on_lists = 0;
	unsigned long before = test_failures;
	struct ebr_stats st;
	pthread_t timer;
	double until, t0;

	tt_cfg = *cfg;
	if (!tt_cfg.hold)
		tt_cfg.hold = 8;
	if (!tt_cfg.qsbr_offline_every)
		tt_cfg.qsbr_offline_every = 64;
	if (tt_cfg.nslots < 1 || tt_cfg.nslots > TT_MAX_SLOTS) {
		fprintf(stderr, "bad slot count %u (1..%d)\n", tt_cfg.nslots, TT_MAX_SLOTS);
		exit(2);
	}
	ebr_domain_init_at(&tt_dom, cfg->start_epoch);
	if (cfg->soft)
		ebr_set_backlog(&tt_dom, cfg->soft, cfg->hard);
	if (cfg->hook)
		ebr_set_gp_hook(&tt_dom, cfg->hook);
	tt_uaf = tt_early = tt_double = tt_backwards = tt_retire_seq = 0;
	WRITE_ONCE(tt_stop, 0);

	tt_self = &tt_main_ctx;
	memset(&tt_main_ctx, 0, sizeof(tt_main_ctx));
	for (unsigned int i = 0; i < tt_cfg.nslots; i++) {
		struct tt_obj *o = tt_alloc();

		o->canary = TT_LIVE;
		o->slot = i;
		o->gen = 1;
		tt_slots[i] = o;
	}
	tt_threads = aligned_alloc(64, sizeof(*tt_threads) * n);
	if (!tt_threads) {
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	memset(tt_threads, 0, sizeof(*tt_threads) * n);
	for (unsigned int i = 0; i < n; i++) {
		tt_threads[i].writer = i >= cfg->readers;
		tt_threads[i].id = tt_threads[i].writer ? i - cfg->readers : i;
		tt_threads[i].rng = test_opts.seed + 0x9e3779b97f4a7c15ULL * (i + 1);
	}
	t0 = test_elapsed();
	until = t0 + cfg->seconds;
	pthread_create(&timer, NULL, tt_timer_fn, &until);
	test_run_threads(n, tt_thread_fn, tt_threads, sizeof(*tt_threads));
	pthread_join(timer, NULL);
	t0 = test_elapsed() - t0;

	/* Every thread unregistered (flushed); the barrier must find nothing left. */
	ebr_barrier(&tt_dom);
	ebr_stats_read(&tt_dom, &st);
	for (unsigned int i = 0; i < n; i++) {
		struct tt_thread *t = &tt_threads[i];

		if (t->writer)
			writes += t->ops;
		else
			reads += t->ops;
		objs += t->allocated;
		on_lists += t->freelist_len;
		for (unsigned int a = 0; a < TT_HIST; a++)
			hist[a] += t->hist[a];
	}
	objs += tt_main_ctx.allocated;
	on_lists += tt_main_ctx.freelist_len;
	for (unsigned int a = 0; a < TT_HIST; a++)
		hist[a] += tt_main_ctx.hist[a];

	printf("%s: %u readers, %u writers, %u slots, %.2fs: %llu read sections, "
	       "%llu replacements\n", label, cfg->readers, cfg->writers, tt_cfg.nslots,
	       t0, reads, writes);
	printf("%s: retired %llu freed %llu pending %llu peak_pending %llu advances %llu "
	       "waits_for_backlog %llu nowait_over_hard %llu epoch %llu (start %llu)\n", label,
	       st.retired, st.freed,
	       st.pending, st.peak_pending,
	       st.advances, st.waits_for_backlog,
	       st.nowait_over_hard, st.epoch,
	       cfg->start_epoch);
	printf("%s: age histogram (epochs retire->free):", label);
	for (unsigned int a = 0; a < TT_HIST; a++)
		printf(" %s%u:%llu", a == TT_HIST - 1 ? ">=" : "", a, hist[a]);
	printf("\n%s: use-after-free %llu, early frees %llu, double frees %llu, "
	       "generation regressions %llu, objects %llu (slots %u + free lists %llu)\n",
	       label, tt_uaf, tt_early,
	       tt_double, tt_backwards,
	       objs, tt_cfg.nslots, on_lists);

	CHECK_EQ(tt_uaf, 0);
	CHECK_EQ(tt_early, 0);
	CHECK_EQ(tt_double, 0);
	CHECK_EQ(tt_backwards, 0);
	CHECK_EQ(hist[0] + hist[1], 0);
	CHECK_EQ(st.retired, st.freed);
	CHECK_EQ(st.pending, 0);
	CHECK_EQ(objs, tt_cfg.nslots + on_lists);	/* no leak */
	CHECK(reads > 0 || cfg->readers == 0);
	CHECK(writes > 0);

	/* Release the memory: everything is quiescent now. */
	for (unsigned int i = 0; i < tt_cfg.nslots; i++) {
		free(tt_slots[i]);
		tt_slots[i] = NULL;
	}
	for (unsigned int i = 0; i <= n; i++) {
		struct tt_thread *t = i < n ? &tt_threads[i] : &tt_main_ctx;

		while (t->freelist) {
			struct tt_obj *o = t->freelist;

			t->freelist = o->free_next;
			free(o);
		}
	}
	free(tt_threads);
	return test_failures - before;
}

#endif /* TESTS_HOST_TEST_EBR_TORTURE_H */
