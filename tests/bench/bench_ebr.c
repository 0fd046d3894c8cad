/* SPDX-License-Identifier: MIT */
/*
 * Reclamation benchmarks: ours (mm/ebr.h) against ck_epoch (libck) and the
 * liburcu flavours, through one backend table (bench_ebr_ops.h) so the
 * workloads are the same code for every implementation.
 *
 *   ebr_read             ns per empty read section (enter + exit), in thread
 *                        CPU time, 1 and 2 threads: ours ebr_enter/exit, ck_epoch_begin/end,
 *                        urcu_memb and urcu_mb read_lock/unlock.
 *   ebr_read_qsbr_k1     QSBR: a quiescent state after every section: ours
 *   ebr_read_qsbr_k64    (online record, ebr_quiescent) vs urcu_qsbr; and
 *                        one every 64 sections.
 *   ebr_retire           one reader (sections that load a random slot and
 *                        check its canary) and one writer replacing random
 *                        slots and retiring the old object, which the
 *                        callback poisons and frees: retire->free Mops/s
 *                        (the clock stops when everything is freed), and
 *   ebr_retire_peak      the peak number of retired-not-yet-freed objects.
 *   ebr_retire_limit_waits  (ours) retires that waited at the hard backlog
 *                        limit, per run: a reader descheduled inside a
 *                        section stops every advance, and past the limit
 *                        the writer waits for it where the others go on.
 *                        ours: ebr_retire (default backlog limits);
 *                        ours_nolimit: the same code, hard limit 2^30 (what
 *                        the bound costs; not a configuration hv uses);
 *                        ck_epoch: ck_epoch_call + ck_epoch_poll every 64;
 *                        urcu_*: call_rcu (freed by its worker thread).
 *   ebr_grace_L<ns>      synchronize latency (p50, and _p99) seen by one
 *                        updater while a reader runs sections of L ns
 *                        (L = 0, 1000, 10000): ours ebr_synchronize,
 *                        ck_epoch_synchronize, urcu synchronize_rcu.
 */
#include "tests/bench/bench.h"
#include "tests/bench/bench_ebr_ops.h"

#include "lib/atomic.h"
#include "mm/ebr.h"

#include <ck_epoch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ------------------------------------------------------------ common */

static u64 eb_freed;		/* objects freed by ebr_bench_free() */

void ebr_bench_free(struct ebr_bench_obj *o)
{
	if (o->canary != EBR_BENCH_LIVE) {
		fprintf(stderr, "bench_ebr: double free or corrupt object %p\n", (void *)o);
		abort();
	}
	o->canary = EBR_BENCH_DEAD;
	stat_add(&eb_freed, 1);
	free(o);
}

static double eb_ns_since(clockid_t clk, const struct timespec *a)
{
	struct timespec b;

	clock_gettime(clk, &b);
	return (double)(b.tv_sec - a->tv_sec) * 1e9 + (double)(b.tv_nsec - a->tv_nsec);
}

/* ------------------------------------------------------------ ours */

static struct ebr_domain eb_dom;
static __thread struct ebr_rec *eb_rec;

static void ours_init(void)
{
	ebr_domain_init(&eb_dom);
}

static void ours_thread_enter(void)
{
	eb_rec = ebr_rec_this(&eb_dom);
	ebr_register(eb_rec);
}

static void ours_thread_exit(void)
{
	ebr_unregister(eb_rec);
}

static double ours_read_loop(u64 n, unsigned int qs_every)
{
	struct ebr_rec *r = eb_rec;
	unsigned int left = qs_every;
	struct timespec a;

	if (!qs_every) {
		/* The same loop as ck_read_loop(), with no QSBR test in it. */
		clock_gettime(EBR_BENCH_READ_CLOCK, &a);
		for (u64 i = 0; i < n; i++) {
			ebr_enter(r);
			ebr_exit(r);
		}
		return eb_ns_since(EBR_BENCH_READ_CLOCK, &a) / (double)n;
	}
	ebr_online(r);
	clock_gettime(EBR_BENCH_READ_CLOCK, &a);
	for (u64 i = 0; i < n; i++) {
		ebr_enter(r);
		ebr_exit(r);
		if (!--left) {
			ebr_quiescent(r);
			left = qs_every;
		}
	}
	ebr_offline(r);
	return eb_ns_since(EBR_BENCH_READ_CLOCK, &a) / (double)n;
}

static void ours_lock(void)
{
	ebr_enter(eb_rec);
}

static void ours_unlock(void)
{
	ebr_exit(eb_rec);
}

static void ours_sync(void)
{
	ebr_synchronize(&eb_dom);
}

static void ours_cb(struct ebr_node *n)
{
	ebr_bench_free(container_of((void *)n, struct ebr_bench_obj, head));
}

static void ours_retire(struct ebr_bench_obj *o)
{
	BUILD_BUG_ON(sizeof(struct ebr_node) > sizeof(o->head));
	ebr_retire(eb_rec, (struct ebr_node *)(void *)o->head, ours_cb);
}

static void ours_drain(void)
{
	ebr_barrier(&eb_dom);
}

static u64 ours_limit_waits(void)
{
	struct ebr_stats st;

	ebr_stats_read(&eb_dom, &st);
	return st.waits_for_backlog;
}

static void ours_nolimit_init(void)
{
	ebr_domain_init(&eb_dom);
	ebr_set_backlog(&eb_dom, EBR_BACKLOG_SOFT, 1U << 30);
}

static const struct ebr_bench_ops eb_ours = {
	.impl = "ours", .init = ours_init,
	.thread_enter = ours_thread_enter, .thread_exit = ours_thread_exit,
	.read_loop = ours_read_loop, .read_lock = ours_lock, .read_unlock = ours_unlock,
	.synchronize = ours_sync, .retire = ours_retire, .drain = ours_drain,
	.limit_waits = ours_limit_waits,
};

static const struct ebr_bench_ops eb_ours_nolimit = {
	.impl = "ours_nolimit", .init = ours_nolimit_init,
	.thread_enter = ours_thread_enter, .thread_exit = ours_thread_exit,
	.read_loop = ours_read_loop, .read_lock = ours_lock, .read_unlock = ours_unlock,
	.synchronize = ours_sync, .retire = ours_retire, .drain = ours_drain,
	.limit_waits = ours_limit_waits,
};

/* ------------------------------------------------------------ ck_epoch */

static ck_epoch_t eb_ck;
static ck_epoch_record_t eb_ck_recs[BENCH_MAX_RUNS] __cacheline_aligned;
static unsigned int eb_ck_next;
static __thread ck_epoch_record_t *eb_ck_rec;
static __thread unsigned int eb_ck_calls;

static void ck_init(void)
{
	ck_epoch_init(&eb_ck);
	memset(eb_ck_recs, 0, sizeof(eb_ck_recs));
	eb_ck_next = 0;
}

static void ck_thread_enter(void)
{
	unsigned int i = fetch_add(&eb_ck_next, 1);

	eb_ck_rec = &eb_ck_recs[i];
	ck_epoch_register(&eb_ck, eb_ck_rec, NULL);
	eb_ck_calls = 0;
}

static void ck_thread_exit(void)
{
	ck_epoch_barrier(eb_ck_rec);
	ck_epoch_unregister(eb_ck_rec);
}

static double ck_read_loop(u64 n, unsigned int qs_every)
{
	ck_epoch_record_t *r = eb_ck_rec;
	struct timespec a;

	clock_gettime(EBR_BENCH_READ_CLOCK, &a);
	for (u64 i = 0; i < n; i++) {
		ck_epoch_begin(r, NULL);
		ck_epoch_end(r, NULL);
	}
	return eb_ns_since(EBR_BENCH_READ_CLOCK, &a) / (double)n;
}

static void ck_lock(void)
{
	ck_epoch_begin(eb_ck_rec, NULL);
}

static void ck_unlock(void)
{
	ck_epoch_end(eb_ck_rec, NULL);
}

static void ck_sync(void)
{
	ck_epoch_synchronize(eb_ck_rec);
}

static void ck_cb(ck_epoch_entry_t *e)
{
	ebr_bench_free(container_of((void *)e, struct ebr_bench_obj, head));
}

static void ck_retire(struct ebr_bench_obj *o)
{
	BUILD_BUG_ON(sizeof(ck_epoch_entry_t) > sizeof(o->head));
	ck_epoch_call(eb_ck_rec, (ck_epoch_entry_t *)(void *)o->head, ck_cb);
	/* The documented pattern: a non-blocking poll every so often. */
	if ((++eb_ck_calls & 63) == 0)
		ck_epoch_poll(eb_ck_rec);
}

static void ck_drain(void)
{
	ck_epoch_barrier(eb_ck_rec);
}

static const struct ebr_bench_ops eb_ck_ops = {
	.impl = "ck_epoch", .init = ck_init,
	.thread_enter = ck_thread_enter, .thread_exit = ck_thread_exit,
	.read_loop = ck_read_loop, .read_lock = ck_lock, .read_unlock = ck_unlock,
	.synchronize = ck_sync, .retire = ck_retire, .drain = ck_drain,
};

static const struct ebr_bench_ops *const eb_all[] = {
	&eb_ours, &eb_ck_ops, &ebr_bench_urcu_qsbr, &ebr_bench_urcu_memb, &ebr_bench_urcu_mb,
};

/* ------------------------------------------------------------ ebr_read */

struct eb_read_arg {
	const struct ebr_bench_ops *ops;
	u64 n;
	unsigned int qs_every;
	double ns;
} __cacheline_aligned;

static void *eb_read_thread(void *p)
{
	struct eb_read_arg *a = p;

	a->ops->thread_enter();
	a->ops->read_loop(a->n / 10, a->qs_every);	/* warm up */
	a->ns = a->ops->read_loop(a->n, a->qs_every);
	a->ops->thread_exit();
	return NULL;
}

static void eb_read_row(const char *bench, const struct ebr_bench_ops *ops,
			unsigned int threads, unsigned int qs_every)
{
	struct eb_read_arg args[2];
	double s[BENCH_MAX_RUNS];

	for (unsigned int run = 0; run < bench_opts.runs; run++) {
		double sum = 0;

		ops->init();
		for (unsigned int t = 0; t < threads; t++) {
			args[t].ops = ops;
			args[t].n = bench_opts.quick ? 200000 : 5000000;
			args[t].qs_every = qs_every;
		}
		bench_run_threads(threads, eb_read_thread, args, sizeof(args[0]));
		for (unsigned int t = 0; t < threads; t++)
			sum += args[t].ns;
		s[run] = sum / threads;
	}
	bench_record(bench, ops->impl, threads, s, bench_opts.runs, "ns/section", BENCH_LOWER);
}

static void bench_ebr_read(void)
{
	for (unsigned int threads = 1; threads <= 2; threads++) {
		eb_read_row("ebr_read", &eb_ours, threads, 0);
		eb_read_row("ebr_read", &eb_ck_ops, threads, 0);
		eb_read_row("ebr_read", &ebr_bench_urcu_memb, threads, 0);
		eb_read_row("ebr_read", &ebr_bench_urcu_mb, threads, 0);
		eb_read_row("ebr_read_qsbr_k1", &eb_ours, threads, 1);
		eb_read_row("ebr_read_qsbr_k1", &ebr_bench_urcu_qsbr, threads, 1);
		eb_read_row("ebr_read_qsbr_k64", &eb_ours, threads, 64);
		eb_read_row("ebr_read_qsbr_k64", &ebr_bench_urcu_qsbr, threads, 64);
	}
}
BENCH(ebr_read, bench_ebr_read);

/* ------------------------------------------------------------ ebr_retire */

#define EB_SLOTS	64

static struct ebr_bench_obj *eb_slots[EB_SLOTS];
static u32 eb_writers_left;
static u64 eb_retired, eb_peak, eb_bad_reads, eb_limit_waits;

struct eb_rt_arg {
	const struct ebr_bench_ops *ops;
	bool writer;
	u64 n, seed;
	double ns;
} __cacheline_aligned;

static struct ebr_bench_obj *eb_new_obj(u64 v)
{
	struct ebr_bench_obj *o = malloc(sizeof(*o));

	if (!o) {
		fprintf(stderr, "bench_ebr: out of memory\n");
		exit(2);
	}
	o->canary = EBR_BENCH_LIVE;
	o->payload = v;
	return o;
}

static void *eb_retire_thread(void *p)
{
	struct eb_rt_arg *a = p;
	const struct ebr_bench_ops *ops = a->ops;
	u64 s = a->seed | 1;
	struct timespec t0;

	ops->thread_enter();
	if (!a->writer) {
		u64 bad = 0;

		while (READ_ONCE(eb_writers_left)) {
			struct ebr_bench_obj *o;

			s ^= s << 13;
			s ^= s >> 7;
			s ^= s << 17;
			ops->read_lock();
			/* Pairs with the writer's xchg (object init before publish). */
			o = load_acquire(&eb_slots[s % EB_SLOTS]);
			bad += READ_ONCE(o->canary) != EBR_BENCH_LIVE;
			ops->read_unlock();
			if (ops->quiescent)
				ops->quiescent();
		}
		stat_add(&eb_bad_reads, bad);
		ops->thread_exit();
		return NULL;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (u64 i = 0; i < a->n; i++) {
		struct ebr_bench_obj *o = eb_new_obj(i), *old;

		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		/* Publishes o's init and unlinks old (full barrier). */
		old = xchg(&eb_slots[s % EB_SLOTS], o);
		ops->retire(old);
		if (ops->quiescent)
			ops->quiescent();
		if ((i & 255) == 0) {
			u64 pending = i + 1 - READ_ONCE(eb_freed);

			if (pending > eb_peak)
				eb_peak = pending;
		}
	}
	ops->drain();
	a->ns = eb_ns_since(CLOCK_MONOTONIC, &t0);
	if (ops->limit_waits)
		eb_limit_waits = ops->limit_waits();
	WRITE_ONCE(eb_retired, a->n);
	WRITE_ONCE(eb_writers_left, 0);
	ops->thread_exit();
	return NULL;
}

static void bench_ebr_retire(void)
{
	static const struct ebr_bench_ops *const impls[] = {
		&eb_ours, &eb_ck_ops, &ebr_bench_urcu_qsbr, &ebr_bench_urcu_memb,
		&ebr_bench_urcu_mb, &eb_ours_nolimit,
	};
	const unsigned int threads = 2;	/* one reader, one writer */

	static double tput[ARRAY_SIZE(impls)][BENCH_MAX_RUNS];
	static double peak[ARRAY_SIZE(impls)][BENCH_MAX_RUNS];
	static double waits[ARRAY_SIZE(impls)][BENCH_MAX_RUNS];

	/*
	 * Runs interleave the implementations (run r of each, then run r+1):
	 * the host moves this VM's vCPUs between cores and SMT siblings, and
	 * a throughput that two threads share changes by up to 2x with that.
	 * Interleaved, every implementation's runs meet the same conditions,
	 * so the same-run ratios hold where back-to-back blocks did not.
	 */
	for (unsigned int run = 0; run < bench_opts.runs; run++) {
		for (unsigned int k = 0; k < ARRAY_SIZE(impls); k++) {
			const struct ebr_bench_ops *ops = impls[k];
			struct eb_rt_arg args[2];

			ops->init();
			for (unsigned int i = 0; i < EB_SLOTS; i++)
				eb_slots[i] = eb_new_obj(i);
			eb_freed = eb_peak = eb_bad_reads = eb_limit_waits = 0;
			WRITE_ONCE(eb_writers_left, 1);
			memset(args, 0, sizeof(args));
			for (unsigned int t = 0; t < threads; t++) {
				args[t].ops = ops;
				args[t].writer = t == 1;
				args[t].n = bench_opts.quick ? 100000 : 1000000;
				args[t].seed = 0x9e3779b97f4a7c15ULL * (run + 1) + t;
			}
			bench_run_threads(threads, eb_retire_thread, args, sizeof(args[0]));
			if (READ_ONCE(eb_freed) != eb_retired || eb_bad_reads) {
				fprintf(stderr, "bench_ebr: %s: freed %llu of %llu retired, %llu bad reads\n",
					ops->impl, eb_freed,
					eb_retired,
					eb_bad_reads);
				exit(1);
			}
			tput[k][run] = (double)args[1].n / args[1].ns * 1e3;
			peak[k][run] = (double)eb_peak;
			waits[k][run] = (double)eb_limit_waits;
			for (unsigned int i = 0; i < EB_SLOTS; i++) {
				eb_slots[i]->canary = EBR_BENCH_DEAD;
				free(eb_slots[i]);
			}
		}
	}
	for (unsigned int k = 0; k < ARRAY_SIZE(impls); k++) {
		const struct ebr_bench_ops *ops = impls[k];

		bench_record("ebr_retire", ops->impl, threads, tput[k], bench_opts.runs, "Mops/s",
			     BENCH_HIGHER);
		bench_record("ebr_retire_peak", ops->impl, threads, peak[k], bench_opts.runs,
			     "objects", BENCH_LOWER);
		if (ops->limit_waits)
			bench_record("ebr_retire_limit_waits", ops->impl, threads, waits[k],
				     bench_opts.runs, "waits", BENCH_LOWER);
	}
}
BENCH(ebr_retire, bench_ebr_retire);

/* ------------------------------------------------------------ ebr_grace */

static u32 eb_updater_done;

struct eb_gr_arg {
	const struct ebr_bench_ops *ops;
	bool updater;
	u64 section_cycles, n;
	double p50, p99;
} __cacheline_aligned;

static int eb_cmp(const void *x, const void *y)
{
	u64 a = *(const u64 *)x, b = *(const u64 *)y;

	return a < b ? -1 : a > b;
}

static void *eb_grace_thread(void *p)
{
	struct eb_gr_arg *a = p;
	const struct ebr_bench_ops *ops = a->ops;

	ops->thread_enter();
	if (!a->updater) {
		while (!READ_ONCE(eb_updater_done)) {
			u64 t0 = bench_rdtsc();

			ops->read_lock();
			while (bench_rdtsc() - t0 < a->section_cycles)
				barrier();
			ops->read_unlock();
			if (ops->quiescent)
				ops->quiescent();
		}
	} else {
		u64 *lat = malloc(sizeof(*lat) * a->n);

		if (!lat) {
			fprintf(stderr, "bench_ebr: out of memory\n");
			exit(2);
		}
		for (u64 i = 0; i < a->n; i++) {
			u64 t0 = bench_rdtsc();

			ops->synchronize();
			lat[i] = bench_rdtsc() - t0;
		}
		WRITE_ONCE(eb_updater_done, 1);
		qsort(lat, a->n, sizeof(*lat), eb_cmp);
		a->p50 = (double)lat[a->n / 2] / bench_tsc_per_ns();
		a->p99 = (double)lat[a->n * 99 / 100] / bench_tsc_per_ns();
		free(lat);
	}
	ops->thread_exit();
	return NULL;
}

static void bench_ebr_grace(void)
{
	static const struct {
		const char *name, *name99;
		u64 ns;
	} lens[] = {
		{ "ebr_grace_L0", "ebr_grace_L0_p99", 0 },
		{ "ebr_grace_L1000", "ebr_grace_L1000_p99", 1000 },
		{ "ebr_grace_L10000", "ebr_grace_L10000_p99", 10000 },
	};
	const unsigned int threads = 2;	/* one reader, one updater */

	for (unsigned int l = 0; l < ARRAY_SIZE(lens); l++) {
		for (unsigned int k = 0; k < ARRAY_SIZE(eb_all); k++) {
			const struct ebr_bench_ops *ops = eb_all[k];
			double p50[BENCH_MAX_RUNS], p99[BENCH_MAX_RUNS];

			for (unsigned int run = 0; run < bench_opts.runs; run++) {
				struct eb_gr_arg args[2];

				ops->init();
				WRITE_ONCE(eb_updater_done, 0);
				memset(args, 0, sizeof(args));
				for (unsigned int t = 0; t < threads; t++) {
					args[t].ops = ops;
					args[t].updater = t == 1;
					args[t].section_cycles =
						(u64)((double)lens[l].ns * bench_tsc_per_ns());
					args[t].n = bench_opts.quick ? 200 : 2000;
				}
				bench_run_threads(threads, eb_grace_thread, args, sizeof(args[0]));
				p50[run] = args[1].p50;
				p99[run] = args[1].p99;
			}
			bench_record(lens[l].name, ops->impl, threads, p50, bench_opts.runs, "ns",
				     BENCH_LOWER);
			bench_record(lens[l].name99, ops->impl, threads, p99, bench_opts.runs, "ns",
				     BENCH_LOWER);
		}
	}
}
BENCH(ebr_grace, bench_ebr_grace);

/* ------------------------------------------------------------ instructions */

/*
 * Instruction counts on one thread (--icount): what each operation costs
 * when nothing contends, for every implementation.
 *   ebr_read, ebr_read_qsbr_k1/k64  per read section (as the timed rows)
 *   ebr_retire                      per retire of one object, including its
 *                                   share of the polls, grace periods and
 *                                   the free callback (one writer, no reader;
 *                                   ours and ck_epoch: liburcu frees on its
 *                                   own worker thread, whose instructions
 *                                   would be counted or not by chance)
 *   ebr_grace_L0                    per synchronize with no reader
 */
#define EB_IC_SECTIONS	100000
#define EB_IC_RETIRES	20000
#define EB_IC_SYNCS	2000

struct eb_ic_arg {
	const struct ebr_bench_ops *ops;
	const char *bench;
	unsigned int what;	/* 0 read, 1 retire, 2 synchronize */
	unsigned int qs_every;
};

static void eb_ic_retire_n(const struct ebr_bench_ops *ops, u64 n)
{
	for (u64 i = 0; i < n; i++) {
		struct ebr_bench_obj *o = eb_new_obj(i);
		/*
		 * Publishes o's init and unlinks the old object (full barrier);
		 * pairs with the readers' load_acquire of the slot.
		 */
		struct ebr_bench_obj *old = xchg(&eb_slots[i % EB_SLOTS], o);

		ops->retire(old);
		if (ops->quiescent)
			ops->quiescent();
	}
	ops->drain();
}

static void *eb_ic_thread(void *p)
{
	struct eb_ic_arg *a = p;
	const struct ebr_bench_ops *ops = a->ops;

	ops->init();
	ops->thread_enter();
	switch (a->what) {
	case 0:
		ops->read_loop(1000, a->qs_every);
		bench_icount_begin();
		ops->read_loop(EB_IC_SECTIONS, a->qs_every);
		bench_icount_end(a->bench, ops->impl, 1, EB_IC_SECTIONS);
		break;
	case 1:
		for (unsigned int i = 0; i < EB_SLOTS; i++)
			eb_slots[i] = eb_new_obj(i);
		eb_ic_retire_n(ops, 1000);
		bench_icount_begin();
		eb_ic_retire_n(ops, EB_IC_RETIRES);
		bench_icount_end(a->bench, ops->impl, 1, EB_IC_RETIRES);
		for (unsigned int i = 0; i < EB_SLOTS; i++) {
			eb_slots[i]->canary = EBR_BENCH_DEAD;
			free(eb_slots[i]);
		}
		break;
	default:
		for (unsigned int i = 0; i < 100; i++)
			ops->synchronize();
		bench_icount_begin();
		for (unsigned int i = 0; i < EB_IC_SYNCS; i++)
			ops->synchronize();
		bench_icount_end(a->bench, ops->impl, 1, EB_IC_SYNCS);
		break;
	}
	ops->thread_exit();
	return NULL;
}

static void eb_ic_row(const char *bench, const struct ebr_bench_ops *ops, unsigned int what,
		      unsigned int qs_every)
{
	struct eb_ic_arg a = { .ops = ops, .bench = bench, .what = what, .qs_every = qs_every };

	bench_run_threads(1, eb_ic_thread, &a, sizeof(a));
}

static void icount_ebr_read(void)
{
	for (unsigned int k = 0; k < ARRAY_SIZE(eb_all); k++)
		if (!eb_all[k]->qsbr)
			eb_ic_row("ebr_read", eb_all[k], 0, 0);
	eb_ic_row("ebr_read_qsbr_k1", &eb_ours, 0, 1);
	eb_ic_row("ebr_read_qsbr_k1", &ebr_bench_urcu_qsbr, 0, 1);
	eb_ic_row("ebr_read_qsbr_k64", &eb_ours, 0, 64);
	eb_ic_row("ebr_read_qsbr_k64", &ebr_bench_urcu_qsbr, 0, 64);
}
BENCH_ICOUNT(ebr_read, icount_ebr_read);

static void icount_ebr_retire(void)
{
	eb_ic_row("ebr_retire", &eb_ours, 1, 0);
	eb_ic_row("ebr_retire", &eb_ck_ops, 1, 0);
}
BENCH_ICOUNT(ebr_retire, icount_ebr_retire);

static void icount_ebr_grace(void)
{
	for (unsigned int k = 0; k < ARRAY_SIZE(eb_all); k++)
		eb_ic_row("ebr_grace_L0", eb_all[k], 2, 0);
}
BENCH_ICOUNT(ebr_grace, icount_ebr_grace);
