// SPDX-License-Identifier: MIT
/*
 * Lock benchmarks: our ticket and MCS locks and our rwlock against
 * ck_spinlock_ticket, ck_spinlock_mcs and the pthread locks.
 *
 *   lock_uncontended*        one thread, ns per lock+unlock pair (a batch of
 *                            pairs timed with rdtsc, as ck's latency tests)
 *   lock_contended*          2 threads hammering one lock: total Mops/s, and
 *                            a *_fairness row (max/min per-thread count)
 *   rwlock_read_mostly       all CPUs, 98% reads: Mops/s, and a
 *                            *_writer_wait row (longest write_lock wait, us)
 */
#include "tests/bench/bench.h"
#include "lib/mcslock.h"
#include "lib/rwlock.h"
#include "lib/spinlock.h"

#include <ck_spinlock.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ------------------------------------------------------------ uncontended */

static spinlock_t u_ours = SPINLOCK_INIT;
static struct mcs_lock u_ours_mcs = MCS_LOCK_INIT;
static ck_spinlock_ticket_t u_ck_ticket = CK_SPINLOCK_TICKET_INITIALIZER;
static ck_spinlock_mcs_t u_ck_mcs = CK_SPINLOCK_MCS_INITIALIZER;
static pthread_spinlock_t u_pspin;
static pthread_mutex_t u_pmutex = PTHREAD_MUTEX_INITIALIZER;

static unsigned long uncontended_iters(void)
{
	return bench_opts.quick ? 200000 : 5000000;
}

/* Time @n lock+unlock pairs of one implementation; ns per pair. */
#define TIME_PAIRS(n, lock_stmt, unlock_stmt)				\
	({								\
		u64 t0_ = bench_rdtsc();				\
		for (unsigned long i_ = 0; i_ < (n); i_++) {		\
			lock_stmt;					\
			unlock_stmt;					\
		}							\
		(double)(bench_rdtsc() - t0_) / (double)(n) / bench_tsc_per_ns(); \
	})

enum u_impl { U_OURS, U_OURS_MCS, U_CK_TICKET, U_CK_MCS, U_PSPIN, U_PMUTEX, U_NIMPL };

static double uncontended_n(enum u_impl which, unsigned long n)
{
	struct mcs_node node;
	struct ck_spinlock_mcs ck_node;

	switch (which) {
	case U_OURS:
		return TIME_PAIRS(n, spin_lock(&u_ours), spin_unlock(&u_ours));
	case U_OURS_MCS:
		return TIME_PAIRS(n, mcs_lock(&u_ours_mcs, &node), mcs_unlock(&u_ours_mcs, &node));
	case U_CK_TICKET:
		return TIME_PAIRS(n, ck_spinlock_ticket_lock(&u_ck_ticket),
				  ck_spinlock_ticket_unlock(&u_ck_ticket));
	case U_CK_MCS:
		return TIME_PAIRS(n, ck_spinlock_mcs_lock(&u_ck_mcs, &ck_node),
				  ck_spinlock_mcs_unlock(&u_ck_mcs, &ck_node));
	case U_PSPIN:
		return TIME_PAIRS(n, pthread_spin_lock(&u_pspin), pthread_spin_unlock(&u_pspin));
	case U_PMUTEX:
		return TIME_PAIRS(n, pthread_mutex_lock(&u_pmutex),
				  pthread_mutex_unlock(&u_pmutex));
	default:
		return 0;
	}
}

static double uncontended_once(enum u_impl which);

static void bench_lock_uncontended(void)
{
	static const struct {
		const char *bench, *impl;
		enum u_impl which;
	} rowsdef[] = {
		{ "lock_uncontended", "ours", U_OURS },
		{ "lock_uncontended", "ck_ticket", U_CK_TICKET },
		{ "lock_uncontended", "ck_mcs", U_CK_MCS },
		{ "lock_uncontended", "pthread", U_PSPIN },
		{ "lock_uncontended_mcs", "ours", U_OURS_MCS },
		{ "lock_uncontended_mcs", "ck_mcs", U_CK_MCS },
		{ "lock_uncontended_mcs", "ck_ticket", U_CK_TICKET },
		{ "lock_uncontended_mutex", "ours", U_OURS },
		{ "lock_uncontended_mutex", "pthread", U_PMUTEX },
	};
	double s[ARRAY_SIZE(rowsdef)][BENCH_MAX_RUNS];

	pthread_spin_init(&u_pspin, PTHREAD_PROCESS_PRIVATE);
	/* Warm up every implementation once (page faults, frequency ramp). */
	for (int w = 0; w < U_NIMPL; w++)
		uncontended_once((enum u_impl)w);
	/* Interleave the implementations run by run so drift hits all alike. */
	for (unsigned int r = 0; r < bench_opts.runs; r++)
		for (unsigned int i = 0; i < ARRAY_SIZE(rowsdef); i++)
			s[i][r] = uncontended_once(rowsdef[i].which);
	for (unsigned int i = 0; i < ARRAY_SIZE(rowsdef); i++)
		bench_record(rowsdef[i].bench, rowsdef[i].impl, 1, s[i], bench_opts.runs, "ns/op",
			     BENCH_LOWER);
}
BENCH(lock_uncontended, bench_lock_uncontended)

static double uncontended_once(enum u_impl which)
{
	return uncontended_n(which, uncontended_iters());
}

/* Instructions per lock+unlock pair, the rows of lock_uncontended. */
#define U_ICOUNT_PAIRS	100000

static void icount_lock_uncontended(void)
{
	static const struct {
		const char *bench, *impl;
		enum u_impl which;
	} rowsdef[] = {
		{ "lock_uncontended", "ours", U_OURS },
		{ "lock_uncontended", "ck_ticket", U_CK_TICKET },
		{ "lock_uncontended", "ck_mcs", U_CK_MCS },
		{ "lock_uncontended", "pthread", U_PSPIN },
		{ "lock_uncontended_mcs", "ours", U_OURS_MCS },
		{ "lock_uncontended_mcs", "ck_mcs", U_CK_MCS },
		{ "lock_uncontended_mutex", "ours", U_OURS },
		{ "lock_uncontended_mutex", "pthread", U_PMUTEX },
	};

	pthread_spin_init(&u_pspin, PTHREAD_PROCESS_PRIVATE);
	for (unsigned int i = 0; i < ARRAY_SIZE(rowsdef); i++) {
		uncontended_n(rowsdef[i].which, 1000);	/* lazy binding, first touch */
		bench_icount_begin();
		uncontended_n(rowsdef[i].which, U_ICOUNT_PAIRS);
		bench_icount_end(rowsdef[i].bench, rowsdef[i].impl, 1, U_ICOUNT_PAIRS);
	}
}
BENCH_ICOUNT(lock_uncontended, icount_lock_uncontended)

/* ------------------------------------------------------------ contended */

static spinlock_t c_ours = SPINLOCK_INIT;
static struct mcs_lock c_ours_mcs = MCS_LOCK_INIT;
static ck_spinlock_ticket_t c_ck_ticket = CK_SPINLOCK_TICKET_INITIALIZER;
static ck_spinlock_mcs_t c_ck_mcs = CK_SPINLOCK_MCS_INITIALIZER;
static pthread_spinlock_t c_pspin;
static u64 c_shared[8];			/* touched inside the critical section */
static unsigned int c_stop;
static struct bench_barrier c_bar;

struct c_arg {
	enum u_impl which;
	u64 ops;
} __aligned(64);

static void *contended_worker(void *p)
{
	struct c_arg *a = p;
	struct mcs_node node;
	struct ck_spinlock_mcs ck_node;
	u64 ops = 0;

	bench_barrier_wait(&c_bar);
	while (!READ_ONCE(c_stop)) {
		switch (a->which) {
		case U_OURS:
			spin_lock(&c_ours);
			c_shared[0]++;
			spin_unlock(&c_ours);
			break;
		case U_OURS_MCS:
			mcs_lock(&c_ours_mcs, &node);
			c_shared[0]++;
			mcs_unlock(&c_ours_mcs, &node);
			break;
		case U_CK_TICKET:
			ck_spinlock_ticket_lock(&c_ck_ticket);
			c_shared[0]++;
			ck_spinlock_ticket_unlock(&c_ck_ticket);
			break;
		case U_CK_MCS:
			ck_spinlock_mcs_lock(&c_ck_mcs, &ck_node);
			c_shared[0]++;
			ck_spinlock_mcs_unlock(&c_ck_mcs, &ck_node);
			break;
		default:
			pthread_spin_lock(&c_pspin);
			c_shared[0]++;
			pthread_spin_unlock(&c_pspin);
			break;
		}
		ops++;
	}
	a->ops = ops;
	return NULL;
}

/*
 * Run control: a plain pthread (not a pool worker, so it takes no CPU
 * identity) opens the start barrier with the workers, sleeps for the run's
 * duration and raises the stop flag.
 */
struct run_ctl {
	struct bench_barrier *bar;
	unsigned int *stop;
	u64 dur_ns;
	u64 t0, t1;
};

static void *run_ctl_main(void *p)
{
	struct run_ctl *c = p;
	struct timespec ts = { (time_t)(c->dur_ns / 1000000000ULL),
			       (long)(c->dur_ns % 1000000000ULL) };

	bench_barrier_wait(c->bar);
	c->t0 = bench_now_ns();
	nanosleep(&ts, NULL);
	WRITE_ONCE(*c->stop, 1);
	c->t1 = bench_now_ns();
	return NULL;
}

/* Run @fn on @n pool threads for the standard duration; returns elapsed ns. */
static u64 run_timed(unsigned int n, void *(*fn)(void *), void *args, size_t arg_size,
		     struct bench_barrier *bar, unsigned int *stop)
{
	struct run_ctl ctl = { bar, stop, bench_opts.quick ? 20000000ULL : 200000000ULL, 0, 0 };
	pthread_t tid;

	WRITE_ONCE(*stop, 0);
	bench_barrier_init(bar, n + 1);
	if (pthread_create(&tid, NULL, run_ctl_main, &ctl)) {
		fprintf(stderr, "bench_locks: pthread_create failed\n");
		exit(2);
	}
	bench_run_threads(n, fn, args, arg_size);
	pthread_join(tid, NULL);
	return ctl.t1 - ctl.t0;
}

/* One timed run; returns Mops/s and sets *fair to max/min per-thread ops. */
static double contended_once(enum u_impl which, unsigned int nthreads, double *fair)
{
	struct c_arg args[2];
	u64 ns, min = ~0ULL, max = 0, sum = 0;

	memset(args, 0, sizeof(args));
	for (unsigned int i = 0; i < nthreads; i++)
		args[i].which = which;
	ns = run_timed(nthreads, contended_worker, args, sizeof(args[0]), &c_bar, &c_stop);
	for (unsigned int i = 0; i < nthreads; i++) {
		sum += args[i].ops;
		min = MIN(min, args[i].ops);
		max = MAX(max, args[i].ops);
	}
	*fair = min ? (double)max / (double)min : (double)max;
	return (double)sum / ((double)ns / 1e9) / 1e6;
}

static void bench_lock_contended(void)
{
	static const struct {
		const char *bench, *fbench, *impl;
		enum u_impl which;
	} rowsdef[] = {
		{ "lock_contended", "lock_contended_fairness", "ours", U_OURS },
		{ "lock_contended", "lock_contended_fairness", "ck_ticket", U_CK_TICKET },
		{ "lock_contended", "lock_contended_fairness", "ck_mcs", U_CK_MCS },
		{ "lock_contended", "lock_contended_fairness", "pthread", U_PSPIN },
		{ "lock_contended_mcs", "lock_contended_mcs_fairness", "ours", U_OURS_MCS },
		{ "lock_contended_mcs", "lock_contended_mcs_fairness", "ck_mcs", U_CK_MCS },
	};
	double tput[ARRAY_SIZE(rowsdef)][BENCH_MAX_RUNS];
	double fair[ARRAY_SIZE(rowsdef)][BENCH_MAX_RUNS];
	const unsigned int nthreads = 2;

	pthread_spin_init(&c_pspin, PTHREAD_PROCESS_PRIVATE);
	for (unsigned int r = 0; r < bench_opts.runs; r++)
		for (unsigned int i = 0; i < ARRAY_SIZE(rowsdef); i++)
			tput[i][r] = contended_once(rowsdef[i].which, nthreads, &fair[i][r]);
	for (unsigned int i = 0; i < ARRAY_SIZE(rowsdef); i++) {
		bench_record(rowsdef[i].bench, rowsdef[i].impl, nthreads, tput[i], bench_opts.runs,
			     "Mops/s", BENCH_HIGHER);
		bench_record(rowsdef[i].fbench, rowsdef[i].impl, nthreads, fair[i],
			     bench_opts.runs, "max/min", BENCH_LOWER);
	}
}
BENCH(lock_contended, bench_lock_contended)

/* ------------------------------------------------------------ rwlock */

static rwlock_t rw_ours = RWLOCK_INIT;
static pthread_rwlock_t rw_pthread = PTHREAD_RWLOCK_INITIALIZER;
static u64 rw_data[8];
static unsigned int rw_stop;
static struct bench_barrier rw_bar;

struct rw_arg {
	bool ours;
	u64 seed;
	u64 ops;
	u64 max_wait_ns;
} __aligned(64);

static void *rw_worker(void *p)
{
	struct rw_arg *a = p;
	u64 ops = 0, x = a->seed | 1, sink = 0;

	bench_barrier_wait(&rw_bar);
	while (!READ_ONCE(rw_stop)) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		if (x % 100 < 2) {
			u64 t0 = bench_rdtsc(), w;

			if (a->ours)
				write_lock(&rw_ours);
			else
				pthread_rwlock_wrlock(&rw_pthread);
			w = bench_rdtsc() - t0;
			if (w > a->max_wait_ns)
				a->max_wait_ns = w;	/* in TSC ticks here, converted below */
			for (int i = 0; i < 8; i++)
				rw_data[i]++;
			if (a->ours)
				write_unlock(&rw_ours);
			else
				pthread_rwlock_unlock(&rw_pthread);
		} else {
			if (a->ours)
				read_lock(&rw_ours);
			else
				pthread_rwlock_rdlock(&rw_pthread);
			for (int i = 0; i < 8; i++)
				sink += READ_ONCE(rw_data[i]);
			if (a->ours)
				read_unlock(&rw_ours);
			else
				pthread_rwlock_unlock(&rw_pthread);
		}
		ops++;
	}
	bench_keep(sink);
	a->ops = ops;
	return NULL;
}

static void bench_rwlock_read_mostly(void)
{
	unsigned int n = bench_opts.ncpus < 2 ? 2 : MIN(bench_opts.ncpus, 8U);
	double tput[2][BENCH_MAX_RUNS], wait[2][BENCH_MAX_RUNS];
	struct rw_arg args[8];

	for (unsigned int r = 0; r < bench_opts.runs; r++) {
		for (int impl = 0; impl < 2; impl++) {
			u64 ns, sum = 0, maxw = 0;

			memset(args, 0, sizeof(args));
			for (unsigned int i = 0; i < n; i++) {
				args[i].ours = impl == 0;
				args[i].seed = 0x9e3779b97f4a7c15ULL * (i + 1) + r;
			}
			ns = run_timed(n, rw_worker, args, sizeof(args[0]), &rw_bar, &rw_stop);
			for (unsigned int i = 0; i < n; i++) {
				sum += args[i].ops;
				maxw = MAX(maxw, args[i].max_wait_ns);
			}
			tput[impl][r] = (double)sum / ((double)ns / 1e9) / 1e6;
			wait[impl][r] = (double)maxw / bench_tsc_per_ns() / 1e3;
		}
	}
	bench_record("rwlock_read_mostly", "ours", n, tput[0], bench_opts.runs, "Mops/s",
		     BENCH_HIGHER);
	bench_record("rwlock_read_mostly", "pthread", n, tput[1], bench_opts.runs, "Mops/s",
		     BENCH_HIGHER);
	bench_record("rwlock_read_mostly_writer_wait", "ours", n, wait[0], bench_opts.runs, "us",
		     BENCH_LOWER);
	bench_record("rwlock_read_mostly_writer_wait", "pthread", n, wait[1], bench_opts.runs,
		     "us", BENCH_LOWER);
}
BENCH(rwlock_read_mostly, bench_rwlock_read_mostly)

/*
 * Instructions of one uncontended read_lock+read_unlock pair and of one
 * write_lock+write_unlock pair, on one thread: the fast paths that
 * rwlock_read_mostly's operations take.
 */
static void rw_icount_pairs(bool ours, bool write, u64 n)
{
	for (u64 i = 0; i < n; i++) {
		if (ours) {
			if (write) {
				write_lock(&rw_ours);
				write_unlock(&rw_ours);
			} else {
				read_lock(&rw_ours);
				read_unlock(&rw_ours);
			}
		} else {
			if (write)
				pthread_rwlock_wrlock(&rw_pthread);
			else
				pthread_rwlock_rdlock(&rw_pthread);
			pthread_rwlock_unlock(&rw_pthread);
		}
	}
}

static void icount_rwlock(void)
{
	const u64 n = 100000;

	for (int w = 0; w <= 1; w++) {
		for (int ours = 1; ours >= 0; ours--) {
			rw_icount_pairs(ours, w, 1000);
			bench_icount_begin();
			rw_icount_pairs(ours, w, n);
			bench_icount_end(w ? "rwlock_read_mostly_write_pair" : "rwlock_read_mostly_read_pair",
					 ours ? "ours" : "pthread", 1, n);
		}
	}
}
BENCH_ICOUNT(rwlock_read_mostly, icount_rwlock)
