// SPDX-License-Identifier: MIT
/*
 * bench-host: runs the benchmarks registered with BENCH() (tests/bench/),
 * prints the median of every row and the "ours" ratios, writes --json.
 *
 * usage: bench-host [--json FILE [--append]] [--filter SUBSTR] [--runs N] [--quick]
 *                   [--debug-build] [--icount PREFIX] [--list]
 */
#include "tests/bench/bench.h"
#include "lib/atomic.h"

#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <valgrind/callgrind.h>

struct bench_options bench_opts = { .runs = 7 };

static struct bench_desc *bench_list;

void bench_register(struct bench_desc *d)
{
	struct bench_desc **pp = &bench_list;

	/* Keep the registry sorted by name: output order does not depend on link order. */
	while (*pp && strcmp((*pp)->name, d->name) < 0)
		pp = &(*pp)->next;
	d->next = *pp;
	*pp = d;
}

/* ------------------------------------------------------------ results */

struct bench_row {
	const char *bench, *impl, *unit;
	unsigned int threads;
	enum bench_better better;
	double median, min, max;
	unsigned int n;
};

static struct bench_row *rows;
static unsigned int nrows, cap_rows;

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double bench_median(const double *v, unsigned int n)
{
	double tmp[BENCH_MAX_RUNS];

	if (n == 0)
		return 0;
	if (n > BENCH_MAX_RUNS)
		n = BENCH_MAX_RUNS;
	memcpy(tmp, v, n * sizeof(*v));
	qsort(tmp, n, sizeof(*tmp), cmp_double);
	return n % 2 ? tmp[n / 2] : (tmp[n / 2 - 1] + tmp[n / 2]) / 2;
}

void bench_record(const char *bench, const char *impl, unsigned int threads,
		  const double *samples, unsigned int nsamples, const char *unit,
		  enum bench_better better)
{
	struct bench_row *r;

	if (!bench || !impl || !unit || !samples || nsamples == 0) {
		fprintf(stderr, "bench_record: bad arguments (bench %s impl %s, %u samples)\n",
			bench ? bench : "(null)", impl ? impl : "(null)", nsamples);
		exit(2);
	}
	if (bench_opts.debug_build) {
		/* The release binary records the comparisons; ours is ours_debug here. */
		if (strcmp(impl, "ours"))
			return;
		impl = "ours_debug";
	}
	if (nrows == cap_rows) {
		cap_rows = cap_rows ? cap_rows * 2 : 64;
		rows = realloc(rows, cap_rows * sizeof(*rows));
		if (!rows) {
			fprintf(stderr, "bench_record: out of memory\n");
			exit(2);
		}
	}
	r = &rows[nrows++];
	r->bench = bench;
	r->impl = impl;
	r->unit = unit;
	r->threads = threads;
	r->better = better;
	r->n = nsamples;
	r->median = bench_median(samples, nsamples);
	r->min = r->max = samples[0];
	for (unsigned int i = 1; i < nsamples; i++) {
		r->min = MIN(r->min, samples[i]);
		r->max = MAX(r->max, samples[i]);
	}
	printf("  %-34s %-11s %3u thr  median %12.3f %-8s (min %.3f, max %.3f, %u runs)\n",
	       bench, impl, threads, r->median, unit, r->min, r->max, nsamples);
	fflush(stdout);
}

static bool is_ours(const struct bench_row *r)
{
	return !strcmp(r->impl, "ours");
}

/* For every (bench, threads) group with an "ours" row: ours / each other impl. */
static void print_ratios(void)
{
	printf("\nratios (ours / other, same run):\n");
	for (unsigned int i = 0; i < nrows; i++) {
		const struct bench_row *o = &rows[i];

		if (!is_ours(o))
			continue;
		for (unsigned int j = 0; j < nrows; j++) {
			const struct bench_row *x = &rows[j];

			if (j == i || is_ours(x) || strcmp(x->bench, o->bench) ||
			    x->threads != o->threads || strcmp(x->unit, o->unit))
				continue;
			printf("  %-34s %3u thr  ours/%-10s = %6.2fx  (%s is better)\n", o->bench,
			       o->threads, x->impl, x->median != 0 ? o->median / x->median : 0.0,
			       o->better == BENCH_LOWER ? "lower" : "higher");
		}
	}
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

/*
 * --append: the rows already in @path, without the closing bracket, or
 * NULL (*@len = 0) if there are none.
 */
static char *json_read_rows(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t n = 0;

	*len = 0;
	if (!f)
		return NULL;
	buf = malloc(1 << 22);
	if (buf)
		n = fread(buf, 1, (1 << 22) - 1, f);
	fclose(f);
	if (!buf)
		return NULL;
	/* Cut at the closing bracket and the whitespace before it. */
	while (n && buf[n - 1] != ']')
		n--;
	if (n)
		n--;
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		n--;
	if (n <= 1 || !memchr(buf, '{', n)) {
		free(buf);
		return NULL;
	}
	*len = n;
	return buf;
}

static int write_json(const char *path)
{
	size_t old_len = 0;
	char *old = bench_opts.append ? json_read_rows(path, &old_len) : NULL;
	FILE *f = fopen(path, "w");

	if (!f) {
		fprintf(stderr, "bench-host: cannot write %s: %s\n", path, strerror(errno));
		free(old);
		return -1;
	}
	if (old) {
		fwrite(old, 1, old_len, f);
		fprintf(f, "%s\n", nrows ? "," : "");
		free(old);
	} else {
		fprintf(f, "[\n");
	}
	for (unsigned int i = 0; i < nrows; i++) {
		const struct bench_row *r = &rows[i];

		fprintf(f, "  {\"bench\": ");
		json_str(f, r->bench);
		fprintf(f, ", \"impl\": ");
		json_str(f, r->impl);
		fprintf(f, ", \"threads\": %u, \"median\": %.6g, \"min\": %.6g, \"max\": %.6g, "
			"\"runs\": %u, \"unit\": ", r->threads, r->median, r->min, r->max, r->n);
		json_str(f, r->unit);
		fprintf(f, ", \"better\": \"%s\"}%s\n", r->better == BENCH_LOWER ? "lower" : "higher",
			i + 1 < nrows ? "," : "");
	}
	fprintf(f, "]\n");
	if (fclose(f)) {
		fprintf(stderr, "bench-host: error writing %s\n", path);
		return -1;
	}
	printf("%s %u rows to %s\n", bench_opts.append ? "appended" : "wrote", nrows, path);
	return 0;
}

/* ------------------------------------------------------------ time */

u64 bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ULL + (u64)ts.tv_nsec;
}

static double tsc_per_ns;

double bench_tsc_per_ns(void)
{
	if (tsc_per_ns == 0) {
		u64 n0 = bench_now_ns(), c0 = bench_rdtsc(), n1, c1;

		do {
			n1 = bench_now_ns();
		} while (n1 - n0 < 50000000ULL);
		c1 = bench_rdtsc();
		tsc_per_ns = (double)(c1 - c0) / (double)(n1 - n0);
	}
	return tsc_per_ns;
}

/* ------------------------------------------------------------ instructions */

static unsigned int icount_dumps;	/* callgrind dumps so far: PREFIX.1, .2, ... */

void bench_icount_begin(void)
{
	CALLGRIND_ZERO_STATS;
	CALLGRIND_TOGGLE_COLLECT;
}

/* The "summary:" (total instructions) of callgrind dump number @k. */
static u64 icount_read_dump(unsigned int k)
{
	char path[4096], line[512];
	u64 total = 0;
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "%s.%u", bench_opts.icount, k);
	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "bench-host: no callgrind dump %s: %s\n", path, strerror(errno));
		exit(2);
	}
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "summary:", 8)) {
			total = strtoull(line + 8, NULL, 10);
			found = true;
			break;
		}
	}
	fclose(f);
	if (!found) {
		fprintf(stderr, "bench-host: no summary line in %s\n", path);
		exit(2);
	}
	return total;
}

void bench_icount_end(const char *bench, const char *impl, unsigned int threads, u64 ops)
{
	double per;

	CALLGRIND_TOGGLE_COLLECT;
	CALLGRIND_DUMP_STATS_AT(bench);
	per = (double)icount_read_dump(++icount_dumps) / (double)(ops ? ops : 1);
	bench_record(bench, impl, threads, &per, 1, "instructions", BENCH_LOWER);
}

/* ------------------------------------------------------------ threads */

/*
 * A persistent pool: benchmark threads are created once and reused, so a
 * thread's identity (lib/platform.h arch_cpu_id(), at most HV_MAX_CPUS)
 * stays stable across runs.  Code that registers threads with a library
 * (liburcu) must register and unregister inside each call.
 */
#define BENCH_MAX_THREADS	32

struct pool_worker {
	pthread_t tid;
	unsigned int idx;
	void *(*fn)(void *);
	void *arg;
	unsigned int gen;
};

static struct pool_worker pool[BENCH_MAX_THREADS];
static unsigned int pool_size, pool_gen, pool_done;
static pthread_mutex_t pool_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pool_cv = PTHREAD_COND_INITIALIZER;
static pthread_cond_t pool_done_cv = PTHREAD_COND_INITIALIZER;

static void pin_to(unsigned int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu % (bench_opts.ncpus ? bench_opts.ncpus : 1), &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

static void *pool_main(void *p)
{
	struct pool_worker *w = p;
	unsigned int seen = 0;

	pin_to(w->idx);
	for (;;) {
		void *(*fn)(void *);
		void *arg;

		pthread_mutex_lock(&pool_mu);
		while (w->gen == seen)
			pthread_cond_wait(&pool_cv, &pool_mu);
		seen = w->gen;
		fn = w->fn;
		arg = w->arg;
		pthread_mutex_unlock(&pool_mu);

		fn(arg);

		pthread_mutex_lock(&pool_mu);
		pool_done++;
		pthread_cond_broadcast(&pool_done_cv);
		pthread_mutex_unlock(&pool_mu);
	}
	return NULL;
}

void bench_run_threads(unsigned int n, void *(*fn)(void *), void *args, size_t arg_size)
{
	if (n == 0 || n > BENCH_MAX_THREADS) {
		fprintf(stderr, "bench_run_threads: %u threads (1..%d supported)\n", n,
			BENCH_MAX_THREADS);
		exit(2);
	}
	while (pool_size < n) {
		struct pool_worker *w = &pool[pool_size];

		w->idx = pool_size;
		if (pthread_create(&w->tid, NULL, pool_main, w)) {
			fprintf(stderr, "bench_run_threads: pthread_create failed\n");
			exit(2);
		}
		pool_size++;
	}
	pthread_mutex_lock(&pool_mu);
	pool_gen++;
	pool_done = 0;
	for (unsigned int i = 0; i < n; i++) {
		pool[i].fn = fn;
		pool[i].arg = (char *)args + i * arg_size;
		pool[i].gen = pool_gen;
	}
	pthread_cond_broadcast(&pool_cv);
	while (pool_done < n)
		pthread_cond_wait(&pool_done_cv, &pool_mu);
	pthread_mutex_unlock(&pool_mu);
}

void bench_barrier_init(struct bench_barrier *b, unsigned int n)
{
	b->n = n;
	b->count = 0;
	b->phase = 0;
}

void bench_barrier_wait(struct bench_barrier *b)
{
	unsigned int phase = load_acquire(&b->phase);

	/* The last arrival resets the count and opens the next phase. */
	if (fetch_add(&b->count, 1) + 1 == b->n) {
		WRITE_ONCE(b->count, 0);
		store_release(&b->phase, phase + 1);
		return;
	}
	while (load_acquire(&b->phase) == phase)
		cpu_relax();
}

/* ------------------------------------------------------------ main */

static void usage(const char *argv0)
{
	fprintf(stderr,
		"usage: %s [--json FILE [--append]] [--filter SUBSTR] [--runs N] [--quick]\n"
		"          [--debug-build] [--icount PREFIX] [--list]\n"
		"  --json FILE     write the rows as a JSON list\n"
		"  --append        add the rows to those already in the --json file\n"
		"  --debug-build   this is the lock-debugging build: record ours as ours_debug,\n"
		"                  drop the comparison rows\n"
		"  --icount PREFIX instructions per operation instead of times; run under\n"
		"                  valgrind --tool=callgrind --collect-atstart=no\n"
		"                  --callgrind-out-file=PREFIX\n"
		"  --filter SUBSTR run only benchmarks whose name contains SUBSTR\n"
		"  --runs N        runs per row, median reported (default 7, max %d)\n"
		"  --quick         short workloads (smoke test)\n"
		"  --list          list registered benchmarks and exit\n",
		argv0, BENCH_MAX_RUNS);
}

int main(int argc, char **argv)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned int ran = 0;
	bool list = false;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--json") && i + 1 < argc) {
			bench_opts.json = argv[++i];
		} else if (!strcmp(a, "--filter") && i + 1 < argc) {
			bench_opts.filter = argv[++i];
		} else if (!strcmp(a, "--runs") && i + 1 < argc) {
			char *end;
			long v = strtol(argv[++i], &end, 10);

			if (*end || v < 1 || v > BENCH_MAX_RUNS) {
				fprintf(stderr, "%s: --runs wants 1..%d, got '%s'\n", argv[0],
					BENCH_MAX_RUNS, argv[i]);
				return 2;
			}
			bench_opts.runs = (unsigned int)v;
		} else if (!strcmp(a, "--append")) {
			bench_opts.append = true;
		} else if (!strcmp(a, "--debug-build")) {
			bench_opts.debug_build = true;
		} else if (!strcmp(a, "--icount") && i + 1 < argc) {
			bench_opts.icount = argv[++i];
		} else if (!strcmp(a, "--quick")) {
			bench_opts.quick = true;
		} else if (!strcmp(a, "--list")) {
			list = true;
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(argv[0]);
			return 0;
		} else {
			fprintf(stderr, "%s: unknown or incomplete option '%s'\n", argv[0], a);
			usage(argv[0]);
			return 2;
		}
	}
	bench_opts.ncpus = ncpu > 0 ? (unsigned int)ncpu : 1;
	if (list) {
		for (struct bench_desc *d = bench_list; d; d = d->next)
			printf("%s%s\n", d->name, d->icount ? " (instructions)" : "");
		return 0;
	}
	if (bench_opts.icount && !RUNNING_ON_VALGRIND) {
		fprintf(stderr, "%s: --icount runs under valgrind --tool=callgrind "
			"--collect-atstart=no --callgrind-out-file=%s\n", argv[0], bench_opts.icount);
		return 2;
	}
	/*
	 * Keep freed memory in the process: with glibc's defaults a large
	 * free goes back to the kernel (munmap or heap trim) and the next run
	 * pays page faults to touch it again, which made identical runs
	 * bimodal (1-thread EPT populate: 9.5 or 13.6 Mfaults/s).  The
	 * benchmarks measure our code, not the host kernel's fault path.
	 */
	mallopt(M_MMAP_THRESHOLD, 256 << 20);
	mallopt(M_TRIM_THRESHOLD, 1 << 30);
	pin_to(0);
	if (bench_opts.icount)
		printf("bench-host: instructions per operation (callgrind)%s\n",
		       bench_opts.debug_build ? ", debug build" : "");
	else
		printf("bench-host: %u cpus, %u runs per row%s%s, tsc %.3f GHz\n",
		       bench_opts.ncpus, bench_opts.runs, bench_opts.quick ? ", quick" : "",
		       bench_opts.debug_build ? ", debug build" : "", bench_tsc_per_ns());
	for (struct bench_desc *d = bench_list; d; d = d->next) {
		if (d->icount != !!bench_opts.icount)
			continue;
		if (bench_opts.filter && !strstr(d->name, bench_opts.filter))
			continue;
		printf("%s:\n", d->name);
		fflush(stdout);
		d->fn();
		ran++;
	}
	if (!ran && bench_opts.icount) {
		/* Benchmarks whose threads cannot be counted deterministically have none. */
		printf("bench-host: no instruction counts for '%s'\n",
		       bench_opts.filter ? bench_opts.filter : "");
	} else if (!ran) {
		fprintf(stderr, "bench-host: no benchmark matches '%s'\n",
			bench_opts.filter ? bench_opts.filter : "");
		return 2;
	}
	if (!bench_opts.debug_build)
		print_ratios();
	if (bench_opts.json && write_json(bench_opts.json))
		return 1;
	return 0;
}
