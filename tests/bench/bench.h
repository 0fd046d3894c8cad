/* SPDX-License-Identifier: MIT */
/*
 * Shared benchmark framework: every tests/bench/ source file is linked into one
 * program, build/host/bench-host (make bench-host), together with the
 * portable core, the hosted shim and the comparison libraries (libck,
 * liburcu flavours).
 *
 * A file registers benchmark functions with BENCH(name, fn).  bench-host
 * runs each registered function whose name contains --filter; the
 * function runs its workload for every implementation it compares, each
 * bench_opts.runs times, and hands the samples to bench_record().  At the
 * end bench-host prints the median of every (bench, impl, threads) row and,
 * for every (bench, threads, unit) group that has an "ours" row, the ratio
 * of ours to every other impl of the group; --json FILE writes the rows as a
 * JSON list of {"bench", "impl", "threads", "median", "min", "max", "runs",
 * "unit", "better"}.
 *
 * Instruction counts (--icount PREFIX, run under valgrind --tool=callgrind
 * --collect-atstart=no --callgrind-out-file=PREFIX; make bench-host does
 * that): instead of the timed functions, bench-host runs the functions
 * registered with BENCH_ICOUNT(name, fn).  Each runs a fixed number of
 * operations of every implementation on one thread between
 * bench_icount_begin() and bench_icount_end(), which records a row with
 * unit "instructions" (per operation).  The count does not depend on the
 * machine's load: it is the same from run to run.
 *
 * --debug-build marks the binary built with lock debugging (make
 * bench-host builds both): its "ours" rows are recorded as "ours_debug",
 * its comparison rows are dropped (the release binary has them), and
 * --append adds the rows to an existing --json file.
 *
 * Impl names used across the project: ours, ours_debug, ck_epoch, urcu_qsbr,
 * urcu_memb, urcu_mb, ck_ticket, ck_mcs, pthread, global_lock, lockless,
 * write_lock.  Recorded bench names should start with the registered name
 * so that --filter selects what the user expects.
 *
 * Example:
 *
 *   static void bench_foo(void)
 *   {
 *           double s[BENCH_MAX_RUNS];
 *
 *           for (unsigned int r = 0; r < bench_opts.runs; r++)
 *                   s[r] = run_foo_once();      (ns per op)
 *           bench_record("foo", "ours", 1, s, bench_opts.runs, "ns/op", BENCH_LOWER);
 *   }
 *   BENCH(foo, bench_foo);
 */
#ifndef TESTS_BENCH_BENCH_H
#define TESTS_BENCH_BENCH_H

#include "lib/types.h"

#include <stddef.h>

enum bench_better {
	BENCH_LOWER,	/* smaller is better (latency, time, wait) */
	BENCH_HIGHER,	/* larger is better (throughput) */
};

#define BENCH_MAX_RUNS	64

/* Options of this invocation (set by bench_main before any benchmark runs). */
struct bench_options {
	unsigned int runs;	/* --runs N, default 7, at most BENCH_MAX_RUNS */
	bool quick;		/* --quick: shorten every workload (smoke test) */
	const char *filter;	/* --filter SUBSTR, NULL = all */
	const char *json;	/* --json FILE, NULL = none */
	bool append;		/* --append: add to the rows already in --json FILE */
	bool debug_build;	/* --debug-build: "ours" is "ours_debug", others dropped */
	const char *icount;	/* --icount PREFIX: callgrind's output file, NULL = time */
	unsigned int ncpus;	/* online CPUs; threads are pinned modulo this */
};

extern struct bench_options bench_opts;

typedef void (*bench_fn)(void);

struct bench_desc {
	const char *name;
	bench_fn fn;
	bool icount;			/* registered with BENCH_ICOUNT() */
	struct bench_desc *next;	/* registry link, owned by the framework */
};

/* Add @d to the registry (normally through BENCH() or BENCH_ICOUNT()). */
void bench_register(struct bench_desc *d);

/* Register @fn under @name from a constructor. */
#define BENCH(name, fn)							\
	static struct bench_desc bench_desc_##name = { #name, fn, false, NULL }; \
	static void __attribute__((constructor)) bench_ctor_##name(void)	\
	{								\
		bench_register(&bench_desc_##name);			\
	}

/* Register @fn, an instruction-count function, under @name (--icount). */
#define BENCH_ICOUNT(name, fn)						\
	static struct bench_desc bench_icdesc_##name = { #name, fn, true, NULL }; \
	static void __attribute__((constructor)) bench_icctor_##name(void)	\
	{								\
		bench_register(&bench_icdesc_##name);			\
	}

/*
 * Count the instructions of the code between these two calls (on the
 * calling thread; other threads must be idle) and record them as a row
 * "@bench @impl @threads" of @ops operations, in instructions per operation.
 * Only under --icount.  Run the code once before, uncounted, so that lazy
 * symbol binding and first-touch paths are not counted.
 */
void bench_icount_begin(void);
void bench_icount_end(const char *bench, const char *impl, unsigned int threads, u64 ops);

/**
 * bench_record() - store one row of results.
 * @bench:    benchmark name (e.g. "lock_uncontended")
 * @impl:     implementation name (see the list above)
 * @threads:  thread count of the workload
 * @samples:  one value per run (the median is reported)
 * @nsamples: number of values, >= 1
 * @unit:     unit of the values, e.g. "ns/op", "Mops/s"
 * @better:   whether lower or higher values are better
 *
 * Strings must stay valid until the program exits (use literals).
 */
void bench_record(const char *bench, const char *impl, unsigned int threads,
		  const double *samples, unsigned int nsamples, const char *unit,
		  enum bench_better better);

/* Monotonic nanoseconds. */
u64 bench_now_ns(void);

/* Time-stamp counter, and its rate (calibrated once at start). */
static inline u64 bench_rdtsc(void)
{
	u32 lo, hi;

	__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}
double bench_tsc_per_ns(void);

/*
 * Run fn(args + i * arg_size) on @n threads, thread i pinned to CPU
 * i % bench_opts.ncpus; returns when all have finished.
 */
void bench_run_threads(unsigned int n, void *(*fn)(void *), void *args, size_t arg_size);

/* Reusable spinning barrier for lining threads up before a timed phase. */
struct bench_barrier {
	unsigned int n;
	unsigned int count;
	unsigned int phase;
};
void bench_barrier_init(struct bench_barrier *b, unsigned int n);
void bench_barrier_wait(struct bench_barrier *b);

/* Median of @n values (does not modify @v). */
double bench_median(const double *v, unsigned int n);

/* Keep the compiler from deleting a computed value. */
#define bench_keep(x)	__asm__ __volatile__("" : : "r"(x) : "memory")

#endif /* TESTS_BENCH_BENCH_H */
