/* SPDX-License-Identifier: MIT */
#include "tests/host/harness.h"

#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct test_opts test_opts;
unsigned long test_failures;
static struct timespec test_start;
static pthread_mutex_t test_fail_lock;	/* initialised by test_init() */

void test_init(int argc, char **argv, double default_seconds)
{
	/* Not PTHREAD_MUTEX_INITIALIZER: glibc spells a NULL in it as 0, which sparse reports. */
	pthread_mutex_init(&test_fail_lock, NULL);
	test_opts.seconds = default_seconds;
	test_opts.seed = 0x9e3779b97f4a7c15ULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strncmp(a, "--seconds=", 10))
			test_opts.seconds = atof(a + 10);
		else if (!strncmp(a, "--threads=", 10))
			test_opts.threads = (unsigned int)atoi(a + 10);
		else if (!strncmp(a, "--seed=", 7))
			test_opts.seed = strtoull(a + 7, NULL, 0);
		else if (!strcmp(a, "--quick"))
			test_opts.quick = true;
		else {
			fprintf(stderr, "%s: unknown option '%s'\n"
				"options: --seconds=S --threads=N --seed=X --quick\n", argv[0], a);
			exit(2);
		}
	}
	if (!test_opts.seed)
		test_opts.seed = 1;
	clock_gettime(CLOCK_MONOTONIC, &test_start);
}

double test_elapsed(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - test_start.tv_sec) +
	       (double)(now.tv_nsec - test_start.tv_nsec) / 1e9;
}

void test_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&test_fail_lock);
	if (test_failures++ < 20) {
		fprintf(stderr, "FAILED %s:%d: ", file, line);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
	pthread_mutex_unlock(&test_fail_lock);
}

int test_finish(void)
{
	if (test_failures) {
		fprintf(stderr, "%lu check(s) failed\n", test_failures);
		return 1;
	}
	printf("all checks passed (%.2fs)\n", test_elapsed());
	return 0;
}

struct thread_start {
	test_thread_fn fn;
	void *arg;
	unsigned int cpu;
};

static void *thread_trampoline(void *p)
{
	struct thread_start *ts = p;
	cpu_set_t set;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	CPU_ZERO(&set);
	CPU_SET(ts->cpu % (unsigned int)(ncpu > 0 ? ncpu : 1), &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	return ts->fn(ts->arg);
}

void test_run_threads(unsigned int n, test_thread_fn fn, void *args, size_t arg_size)
{
	pthread_t *tids = calloc(n, sizeof(*tids));
	struct thread_start *ts = calloc(n, sizeof(*ts));

	if (!tids || !ts) {
		fprintf(stderr, "test_run_threads: out of memory\n");
		exit(2);
	}
	for (unsigned int i = 0; i < n; i++) {
		ts[i].fn = fn;
		ts[i].arg = (char *)args + i * arg_size;
		ts[i].cpu = i;
		if (pthread_create(&tids[i], NULL, thread_trampoline, &ts[i])) {
			fprintf(stderr, "pthread_create failed\n");
			exit(2);
		}
	}
	for (unsigned int i = 0; i < n; i++)
		pthread_join(tids[i], NULL);
	free(tids);
	free(ts);
}
