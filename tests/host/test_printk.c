// SPDX-License-Identifier: MIT
/*
 * lib/printk.c and lib/panic.c, with the console captured (the hosted
 * arch_console_write() writes to fd 2, which the test points at a memfd):
 * line layout and the "cpuN: " prefix, levels, pr_plain, truncation; whole
 * lines from concurrent threads, each exactly once and with its own CPU's
 * prefix; a console hold keeps another CPU's line out of a multi-line dump
 * and blocks other printers; emergency mode gets a line out past a holder
 * that never lets go; panic/ASSERT/BUG_ON in a child process and
 * WARN_ON/WARN_ON_ONCE.
 */
#include "lib/panic.h"
#include "lib/platform.h"
#include "lib/printk.h"
#include "tests/host/harness.h"
#include "tests/host/test_capture.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void expect_output(const char *got, const char *want, int line)
{
	if (strcmp(got, want))
		test_fail(__FILE__, line, "output\n---\n%s---\nwanted\n---\n%s---", got, want);
}

static void test_layout(void)
{
	unsigned int cpu = arch_cpu_id();
	char want[1024];
	struct capture c;

	printk_set_level(LOG_INFO);
	capture_begin(&c);
	printk(LOG_INFO, "hello %d\n", 5);
	pr_info("no newline %s", "here");
	pr_warn("two\nlines\n");
	pr_err("%s", "");
	pr_debug("dropped at INFO\n");
	pr_plain("hv: ready cpus=%u mem=%u\n", 1u, 128u);
	capture_end(&c);
	snprintf(want, sizeof(want),
		 "cpu%u: hello 5\ncpu%u: no newline here\ncpu%u: two\ncpu%u: lines\ncpu%u: \n"
		 "hv: ready cpus=1 mem=128\n", cpu, cpu, cpu, cpu, cpu);
	expect_output(c.text, want, __LINE__);
	capture_free(&c);

	/* levels */
	capture_begin(&c);
	printk_set_level(LOG_WARN);
	pr_info("info\n");
	pr_plain("plain\n");
	pr_warn("warn\n");
	pr_err("err\n");
	printk_set_level(LOG_DEBUG);
	pr_debug("debug\n");
	printk_set_level(LOG_ERR);
	pr_warn("warn2\n");
	printk_set_level((enum log_level)42);	/* clamped to DEBUG */
	CHECK_EQ(printk_get_level(), LOG_DEBUG);
	printk_set_level(LOG_INFO);
	capture_end(&c);
	snprintf(want, sizeof(want), "cpu%u: warn\ncpu%u: err\ncpu%u: debug\n", cpu, cpu, cpu);
	expect_output(c.text, want, __LINE__);
	capture_free(&c);

	/* an over-long message is cut, marked and still one line */
	{
		char big[2000];

		memset(big, 'x', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		capture_begin(&c);
		pr_info("%s", big);
		capture_end(&c);
		CHECK(c.len < PRINTK_LINE_MAX + 16);
		CHECK(c.len > PRINTK_LINE_MAX - 16);
		CHECK(!strncmp(c.text + c.len - 5, "x...\n", 5));
		CHECK(strchr(c.text, '\n') == c.text + c.len - 1);
		capture_free(&c);
	}
	/* many short lines in one message: prefixes may cut it, but it ends in a newline */
	{
		char many[600];

		for (size_t i = 0; i < sizeof(many) - 1; i++)
			many[i] = i % 2 ? '\n' : 'a';
		many[sizeof(many) - 1] = '\0';
		capture_begin(&c);
		pr_info("%s", many);
		capture_end(&c);
		CHECK(c.len > 0 && c.text[c.len - 1] == '\n');
		CHECK(!strncmp(c.text, "cpu", 3));
		capture_free(&c);
	}
}

/* ---- concurrent printers: every line whole, exactly once, own prefix */

#define PT_THREADS	3
#define PT_LINES	400

static unsigned int pt_cpu[PT_THREADS];

static void *pt_main(void *arg)
{
	unsigned int t = (unsigned int)*(const uintptr_t *)arg;

	pt_cpu[t] = arch_cpu_id();
	for (unsigned int i = 0; i < PT_LINES; i++) {
		unsigned int len = (i * 7 + t * 13) % 120;

		pr_info("T%u L%u %.*s|\n", t, i, (int)len,
			"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz"
			"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz");
	}
	return NULL;
}

static void test_concurrent(void)
{
	static unsigned char seen[PT_THREADS][PT_LINES];
	uintptr_t ids[PT_THREADS];
	unsigned int next[PT_THREADS] = { 0 };
	unsigned long lines = 0, bad = 0;
	struct capture c;
	char *save = NULL;

	for (unsigned int t = 0; t < PT_THREADS; t++)
		ids[t] = t;
	capture_begin(&c);
	test_run_threads(PT_THREADS, pt_main, ids, sizeof(ids[0]));
	capture_end(&c);
	for (char *l = strtok_r(c.text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		unsigned int cpu, t, i, len;
		int n = 0;

		lines++;
		if (sscanf(l, "cpu%u: T%u L%u %n", &cpu, &t, &i, &n) != 3 || !n || t >= PT_THREADS ||
		    i >= PT_LINES) {
			if (bad++ < 5)
				test_fail(__FILE__, __LINE__, "mangled line \"%s\"", l);
			continue;
		}
		len = (i * 7 + t * 13) % 120;
		if (strlen(l + n) != len + 1 || l[n + len] != '|' || cpu != pt_cpu[t] ||
		    (len && l[n + len - 1] != "abcdefghijklmnopqrstuvwxyz"[(len - 1) % 26])) {
			if (bad++ < 5)
				test_fail(__FILE__, __LINE__, "mangled line \"%s\"", l);
			continue;
		}
		seen[t][i]++;
		if (i != next[t]++ && bad++ < 5)
			test_fail(__FILE__, __LINE__, "thread %u line %u out of order", t, i);
	}
	for (unsigned int t = 0; t < PT_THREADS; t++)
		for (unsigned int i = 0; i < PT_LINES; i++)
			if (seen[t][i] != 1 && bad++ < 5)
				test_fail(__FILE__, __LINE__, "thread %u line %u seen %u times", t, i,
					  seen[t][i]);
	printf("concurrent: %d threads, %lu lines, %lu bad\n", PT_THREADS, lines, bad);
	CHECK_EQ(lines, PT_THREADS * PT_LINES);
	capture_free(&c);
}

/* ---- console hold: blocks other printers; emergency mode gets past it */

static int hold_state;		/* 0: start, 1: holding, 2: release now, 3: released */
static int other_done;

/* A pthread start routine: its parameter is void *, not const. */
// cppcheck-suppress constParameter
static void *holder_main(void *arg)
{
	struct printk_hold h;
	bool forever = arg != NULL;

	printk_console_lock(&h);
	pr_info("dump line 1\n");	/* nested on this CPU: written straight through */
	__atomic_store_n(&hold_state, 1, __ATOMIC_RELEASE);
	while (__atomic_load_n(&hold_state, __ATOMIC_ACQUIRE) != 2)
		usleep(1000);
	pr_info("dump line 2\n");
	if (!forever) {
		printk_console_unlock(&h);
		__atomic_store_n(&hold_state, 3, __ATOMIC_RELEASE);
	}
	return NULL;
}

static void *other_main(void *arg)
{
	pr_info("other line\n");
	__atomic_store_n(&other_done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void wait_for(int *v, int want)
{
	while (__atomic_load_n(v, __ATOMIC_ACQUIRE) != want)
		usleep(1000);
}

static void test_hold(void)
{
	pthread_t h, o;
	struct capture c;
	const char *l1, *l2, *lo;

	capture_begin(&c);
	hold_state = 0;
	other_done = 0;
	pthread_create(&h, NULL, holder_main, NULL);
	wait_for(&hold_state, 1);
	pthread_create(&o, NULL, other_main, NULL);
	usleep(100000);
	/* the other printer must still be waiting for the console */
	CHECK_EQ(__atomic_load_n(&other_done, __ATOMIC_ACQUIRE), 0);
	__atomic_store_n(&hold_state, 2, __ATOMIC_RELEASE);
	pthread_join(h, NULL);
	pthread_join(o, NULL);
	capture_end(&c);
	l1 = strstr(c.text, "dump line 1");
	l2 = strstr(c.text, "dump line 2");
	lo = strstr(c.text, "other line");
	CHECK(l1 && l2 && lo && l1 < l2 && l2 < lo);
	capture_free(&c);
}

/* Last: emergency mode cannot be turned off. */
static void test_emergency(void)
{
	pthread_t h;
	struct capture c;
	double t0;

	capture_begin(&c);
	hold_state = 0;
	pthread_create(&h, NULL, holder_main, (void *)1);	/* never unlocks */
	wait_for(&hold_state, 1);
	printk_emergency_mode();
	t0 = test_elapsed();
	pr_err("emergency line\n");
	printf("emergency: a line got past a dead holder in %.3fs\n", test_elapsed() - t0);
	CHECK(test_elapsed() - t0 < 5.0);
	/* once the holder is known dead, later lines do not wait the full bound */
	t0 = test_elapsed();
	for (int i = 0; i < 20; i++)
		pr_err("emergency line %d\n", i);
	printf("emergency: 20 more lines in %.3fs\n", test_elapsed() - t0);
	CHECK(test_elapsed() - t0 < 1.0);
	__atomic_store_n(&hold_state, 2, __ATOMIC_RELEASE);
	pthread_join(h, NULL);
	capture_end(&c);
	CHECK(strstr(c.text, "emergency line\n") != NULL);
	CHECK(strstr(c.text, "emergency line 19\n") != NULL);
	capture_free(&c);
}

/* ---- panic and friends, in a child process (arch_halt_cpu aborts) */

static void child_panic(int which)
{
	int x = 3;

	switch (which) {
	case 0:
		panic("boom %d", 7);
	case 1:
		ASSERT(x == 4);
		break;
	case 2:
		BUG_ON(x == 3);		/* false: BUG_ON must not fire */ // cppcheck-suppress knownConditionTrueFalse
		break;
	default:
		break;
	}
	_exit(0);
}

static void test_panic(void)
{
	static const char *const want[] = { "PANIC: boom 7", "assertion failed at", "BUG at" };

	for (int which = 0; which < 3; which++) {
		int fds[2], status = 0;
		char buf[4096];
		ssize_t n, total = 0;
		pid_t pid;

		if (pipe(fds))
			abort();
		fflush(NULL);
		pid = fork();
		if (pid == 0) {
			dup2(fds[1], 2);
			close(fds[0]);
			signal(SIGABRT, SIG_DFL);
			child_panic(which);
		}
		close(fds[1]);
		while ((n = read(fds[0], buf + total, sizeof(buf) - 1 - (size_t)total)) > 0)
			total += n;
		buf[total] = '\0';
		close(fds[0]);
		waitpid(pid, &status, 0);
		CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
		if (!strstr(buf, want[which]))
			test_fail(__FILE__, __LINE__, "case %d: no \"%s\" in \"%s\"", which,
				  want[which], buf);
	}
}

static void test_warn(void)
{
	struct capture c;
	int hits = 0;

	capture_begin(&c);
	CHECK(WARN_ON(1 + 1 == 2));
	CHECK(!WARN_ON(0));
	for (int i = 0; i < 3; i++)
		hits += WARN_ON_ONCE(i >= 0);
	capture_end(&c);
	CHECK_EQ(hits, 3);		/* evaluates to the condition every time */
	CHECK(strstr(c.text, "WARNING at tests/host/test_printk.c:") != NULL);
	CHECK(strstr(c.text, "1 + 1 == 2") != NULL);
	{
		int n = 0;

		for (const char *p = c.text; (p = strstr(p, "i >= 0")); p++)
			n++;
		CHECK_EQ(n, 1);		/* printed once */
	}
	capture_free(&c);
}

int main(int argc, char **argv)
{
	test_init(argc, argv, 0);
	test_panic();		/* forks: before any thread exists */
	test_layout();
	test_warn();
	test_concurrent();
	test_hold();
	test_emergency();
	return test_finish();
}
