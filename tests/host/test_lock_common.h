/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the tests/host/test_lock_*.c programs (header only, so
 * it is not linked into every other test): death tests for the lockdep
 * checks, a hang watchdog, and small random delays.
 */
#ifndef TESTS_HOST_TEST_LOCK_COMMON_H
#define TESTS_HOST_TEST_LOCK_COMMON_H

#include "lib/atomic.h"
#include "tests/host/harness.h"

#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * Run fn(arg) in a forked child with stderr captured.  Returns true when the
 * child died from a signal (lockdep_fail -> arch_halt_cpu -> abort) and its
 * output contains @needle.  Prints the captured message either way.
 */
static inline bool lt_dies(const char *label, void (*fn)(void *), void *arg, const char *needle)
{
	int pfd[2];
	pid_t pid;
	char buf[2048];
	size_t len = 0;
	ssize_t n;
	int status = 0;

	if (pipe(pfd)) {
		perror("pipe");
		return false;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		return false;
	}
	if (pid == 0) {
		struct sigaction sa;

		/* Keep core dumps and sanitizer reports out of the way. */
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = SIG_DFL;
		sigaction(SIGABRT, &sa, NULL);
		close(pfd[0]);
		dup2(pfd[1], 2);
		alarm(20);	/* a check that does not fire may leave a deadlock */
		fn(arg);
		_exit(0);	/* survived: the check did not fire */
	}
	close(pfd[1]);
	while (len < sizeof(buf) - 1 && (n = read(pfd[0], buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = 0;
	close(pfd[0]);
	waitpid(pid, &status, 0);
	printf("death test %-28s: %s, message: %s", label,
	       WIFSIGNALED(status) ? "child killed by signal" : "child exited",
	       len ? buf : "(none)\n");
	if (len && buf[len - 1] != '\n')
		printf("\n");
	return WIFSIGNALED(status) && strstr(buf, needle) != NULL;
}

static const char *lt_watchdog_what = "test";

static void lt_watchdog_fire(int sig)
{
	static const char pre[] = "\nWATCHDOG: no progress, hang in ";
	size_t n = strlen(lt_watchdog_what);

	(void)sig;
	if (write(2, pre, sizeof(pre) - 1) < 0 || write(2, lt_watchdog_what, n) < 0 ||
	    write(2, "\n", 1) < 0)
		_exit(3);
	_exit(3);
}

/* Die with a message unless lt_watchdog_arm() is called again within @secs. */
static inline void lt_watchdog_arm(const char *what, unsigned int secs)
{
	lt_watchdog_what = what;
	signal(SIGALRM, lt_watchdog_fire);
	alarm(secs);
}

static inline void lt_watchdog_disarm(void)
{
	alarm(0);
}

/* Spin for a random 0..max-1 PAUSEs (widen race windows). */
static inline void lt_delay(u64 *seed, unsigned int max)
{
	unsigned int n = max ? (unsigned int)(test_rand(seed) % max) : 0;

	while (n--)
		cpu_relax();
}

/* Number of CPUs to run stress threads on by default. */
static inline unsigned int lt_threads(unsigned int dflt)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (test_opts.threads)
		return test_opts.threads;
	if (!dflt)
		dflt = n > 0 ? (unsigned int)n : 2;
	if (dflt < 2)
		dflt = 2;
	return dflt;
}

#endif /* TESTS_HOST_TEST_LOCK_COMMON_H */
