/* SPDX-License-Identifier: MIT */
/*
 * Shared support for hosted test programs: checks that count failures,
 * thread spawning with CPU pinning, and a common command line
 * (--seconds=S, --threads=N, --seed=X, --quick).
 */
#ifndef TESTS_HOST_HARNESS_H
#define TESTS_HOST_HARNESS_H

#include "lib/types.h"

#include <stdio.h>

struct test_opts {
	double seconds;		/* stress duration (default per test) */
	unsigned int threads;	/* 0: test's default */
	u64 seed;
	bool quick;		/* sanitizer builds: fewer iterations */
};

extern struct test_opts test_opts;
extern unsigned long test_failures;

/* Parse the common options; unknown options are an error (exit 2). */
void test_init(int argc, char **argv, double default_seconds);

/* Print the summary and return the process exit code (0 iff no failure). */
int test_finish(void);

#define CHECK(cond)							\
	do {								\
		if (!(cond))						\
			test_fail(__FILE__, __LINE__, "%s", #cond);	\
	} while (0)

#define CHECK_EQ(a, b)							\
	do {								\
		unsigned long long __a = (unsigned long long)(a);	\
		unsigned long long __b = (unsigned long long)(b);	\
		if (__a != __b)						\
			test_fail(__FILE__, __LINE__, "%s == %s (0x%llx != 0x%llx)", \
				  #a, #b, __a, __b);			\
	} while (0)

void test_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Run fn(arg_i) on n threads, thread i pinned to CPU i % ncpus; waits for all. */
typedef void *(*test_thread_fn)(void *arg);
void test_run_threads(unsigned int n, test_thread_fn fn, void *args, size_t arg_size);

/* Seconds since test_init(). */
double test_elapsed(void);

/* Small fast PRNG (xorshift64*), per caller state. */
static inline u64 test_rand(u64 *state)
{
	u64 x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545F4914F6CDD1DULL;
}

#endif /* TESTS_HOST_HARNESS_H */
