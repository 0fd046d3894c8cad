// SPDX-License-Identifier: MIT
/*
 * MCS lock (lib/mcslock.h): mutual exclusion with a non-atomic counter
 * (with and without injected delays between the tail swap and the link),
 * the unlock-while-the-successor-is-not-yet-linked race exercised on
 * purpose, trylock, irqsave/irqrestore, statistics, and the lockdep checks.
 *
 * usage: test_lock_mcs [--seconds=S] [--threads=N] [--seed=X] [--quick]
 */
#include "lib/mcslock.h"
#include "tests/host/test_lock_common.h"

#include <sched.h>
#include <stdlib.h>

static struct mcs_lock mx_lock = MCS_LOCK_INIT;
static u64 mx_counter, mx_shadow, mx_torn;
static double mx_deadline;

/* Per-thread knobs for the link-delay hook. */
static __thread unsigned int hook_max_delay;	/* random PAUSEs, 0 = off */
static __thread u64 hook_seed;
static __thread bool hook_signal;		/* hand-off test: announce + long delay */
static unsigned int hook_in_window;
static unsigned int hook_window_pauses = 20000;

static void link_delay_hook(void)
{
	if (hook_signal) {
		/* We have swapped the tail but not linked: tell the holder. */
		store_release(&hook_in_window, 1);
		for (unsigned int i = 0; i < hook_window_pauses; i++)
			cpu_relax();
	} else if (hook_max_delay) {
		lt_delay(&hook_seed, hook_max_delay);
	}
}

struct mx_arg {
	u64 iters;
	u64 seed;
	unsigned int link_delay;
};

static void *mx_worker(void *p)
{
	struct mx_arg *a = p;
	struct mcs_node node;

	hook_seed = a->seed ^ 0x5555;
	hook_max_delay = a->link_delay;
	while (true) {
		if (!(a->iters & 255) && test_elapsed() > mx_deadline)
			break;
		mcs_lock(&mx_lock, &node);
		u64 c = mx_counter;

		if (mx_shadow != c)
			mx_torn++;
		lt_delay(&a->seed, 16);
		mx_counter = c + 1;
		mx_shadow = c + 1;
		mcs_unlock(&mx_lock, &node);
		a->iters++;
		lt_delay(&a->seed, 64);
	}
	return NULL;
}

static void test_mutual_exclusion(unsigned int nthreads, double secs, unsigned int link_delay)
{
	struct mx_arg *args = calloc(nthreads, sizeof(*args));
	struct lock_stats before, st;
	u64 sum = 0, c0 = mx_counter;

	lock_stats_read(&mx_lock, &before);
	for (unsigned int i = 0; i < nthreads; i++) {
		args[i].seed = test_opts.seed + i * 104729 + link_delay;
		args[i].link_delay = link_delay;
	}
	mx_deadline = test_elapsed() + secs;
	lt_watchdog_arm("MCS mutual exclusion", (unsigned int)secs + 4);
	test_run_threads(nthreads, mx_worker, args, sizeof(*args));
	lt_watchdog_disarm();
	for (unsigned int i = 0; i < nthreads; i++)
		sum += args[i].iters;
	lock_stats_read(&mx_lock, &st);
	printf("mutual exclusion (link delay <%u pauses): %u threads x %.2fs: %llu acquisitions, "
	       "counter +%llu, torn %llu; stats: +%llu acq, +%llu contended, max wait %llu ns\n",
	       link_delay, nthreads, secs, sum,
	       (mx_counter - c0), mx_torn,
	       (st.acquisitions - before.acquisitions),
	       (st.contended - before.contended),
	       st.max_wait_ns);
	CHECK_EQ(mx_counter - c0, sum);
	CHECK_EQ(mx_torn, 0);
	CHECK_EQ(st.acquisitions - before.acquisitions, sum);
	CHECK(!mcs_is_locked(&mx_lock));
	free(args);
}

/*
 * The hand-off race on purpose: the holder unlocks exactly while the
 * waiter has swapped itself into the tail but not linked itself yet (the
 * waiter announces this from the link-delay hook and then stays there).
 * The holder's cmpxchg fails and it must wait for the link, then hand
 * over.  A holder that gives up instead strands the waiter (watchdog).
 */
static struct mcs_lock ho_lock = MCS_LOCK_INIT;
static unsigned int ho_round, ho_holding, ho_done;
static u64 ho_window_hits, ho_rounds;
static double ho_deadline;

static void *ho_role(void *p)
{
	unsigned int role = *(unsigned int *)p;
	struct mcs_node node;

	for (unsigned int round = 1;; round++) {
		if (role == 0) {
			u64 t0, t1;
			bool stop = test_elapsed() > ho_deadline;

			if (stop) {
				WRITE_ONCE(ho_round, ~0U);
				return NULL;
			}
			mcs_lock(&ho_lock, &node);
			WRITE_ONCE(hook_in_window, 0);
			WRITE_ONCE(ho_holding, round);
			WRITE_ONCE(ho_round, round);
			while (!load_acquire(&hook_in_window))
				cpu_relax();
			t0 = arch_time_ns();
			mcs_unlock(&ho_lock, &node);
			t1 = arch_time_ns();
			/* The waiter is still in its delay: we waited for its link. */
			if (t1 - t0 > 2000)
				ho_window_hits++;
			while (READ_ONCE(ho_done) != round)
				sched_yield();
			ho_rounds = round;
		} else {
			unsigned int r;

			hook_signal = true;
			while ((r = READ_ONCE(ho_round)) != round && r != ~0U)
				cpu_relax();
			if (r == ~0U)
				return NULL;
			mcs_lock(&ho_lock, &node);
			CHECK_EQ(READ_ONCE(ho_holding), round);
			mcs_unlock(&ho_lock, &node);
			WRITE_ONCE(ho_done, round);
		}
	}
}

static void test_handoff_race(double secs)
{
	unsigned int roles[2] = { 0, 1 };

	ho_deadline = test_elapsed() + secs;
	lt_watchdog_arm("MCS hand-off with an unlinked successor", (unsigned int)secs + 4);
	test_run_threads(2, ho_role, roles, sizeof(roles[0]));
	lt_watchdog_disarm();
	printf("hand-off race: %llu rounds, unlock waited for the successor's link in %llu\n",
	       ho_rounds, ho_window_hits);
	CHECK(ho_rounds >= 3);
	/* The window must really have been hit (most rounds, barring preemption). */
	CHECK(ho_window_hits * 4 >= ho_rounds && ho_window_hits > 0);
	CHECK(!mcs_is_locked(&ho_lock));
}

static void test_basic(void)
{
	struct mcs_lock l;
	struct mcs_node a, b;
	unsigned long flags, outer;

	mcs_lock_init(&l);
	CHECK(!mcs_is_locked(&l));
	CHECK(mcs_trylock(&l, &a));
	CHECK(mcs_is_locked(&l));
	CHECK(!mcs_trylock(&l, &b));
	assert_held(&l);
	mcs_unlock(&l, &a);
	CHECK(!mcs_is_locked(&l));

	flags = mcs_lock_irqsave(&l, &a);
	CHECK(arch_irqs_disabled());
	assert_held(&l);
	mcs_unlock_irqrestore(&l, &a, flags);
	CHECK(!arch_irqs_disabled());
	outer = arch_irq_save();
	flags = mcs_lock_irqsave(&l, &b);
	mcs_unlock_irqrestore(&l, &b, flags);
	CHECK(arch_irqs_disabled());
	arch_irq_restore(outer);
	CHECK(!arch_irqs_disabled());
}

static struct mcs_lock death_lock = MCS_LOCK_INIT;

static void death_assert_unheld(void *arg)
{
	assert_held(&death_lock);
}

static void death_unlock_unheld(void *arg)
{
	struct mcs_node n = { 0 };

	mcs_unlock(&death_lock, &n);
}

static void death_recursive(void *arg)
{
	struct mcs_node a, b;

	mcs_lock(&death_lock, &a);
	mcs_lock(&death_lock, &b);
}

static void test_lockdep(void)
{
	bool want = LOCKDEP_ON;

	CHECK(lt_dies("assert_held(unheld mcs)", death_assert_unheld, NULL,
		      "test_lock_mcs.c") == want);
	/* Without lockdep these two hang for real: only run them with lockdep. */
	if (!want)
		return;
	CHECK(lt_dies("mcs_unlock(unheld)", death_unlock_unheld, NULL,
		      "mcs_unlock: lock not held"));
	CHECK(lt_dies("mcs_lock twice", death_recursive, NULL, "recursive"));
}

int main(int argc, char **argv)
{
	unsigned int n;
	double secs;

	test_init(argc, argv, 2.0);
	n = lt_threads(0);
	secs = test_opts.quick ? MIN(test_opts.seconds, 0.5) : test_opts.seconds;
	mcs_link_delay_hook = link_delay_hook;
	test_basic();
	test_lockdep();
	test_mutual_exclusion(n, secs / 2, 0);
	test_mutual_exclusion(n, secs / 2, 256);
	test_handoff_race(test_opts.quick ? 0.2 : 0.5);
	return test_finish();
}
