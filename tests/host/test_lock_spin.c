// SPDX-License-Identifier: MIT
/*
 * Ticket spinlock (lib/spinlock.h): mutual exclusion with a non-atomic
 * counter, per-thread fairness, strict FIFO hand-off order, trylock,
 * irqsave/irqrestore, contention statistics, and that the lockdep checks
 * really fire (assert_held on an unheld lock, unlock by a non-owner,
 * recursion) in debug builds.
 *
 * usage: test_lock_spin [--seconds=S] [--threads=N] [--seed=X] [--quick]
 */
#include "lib/spinlock.h"
#include "tests/host/test_lock_common.h"

#include <sched.h>
#include <stdlib.h>

static spinlock_t mx_lock = SPINLOCK_INIT;
static u64 mx_counter;		/* plain: protected by mx_lock only */
static u64 mx_shadow;		/* second plain word, must always equal mx_counter */
static u64 mx_torn;		/* violations seen inside the critical section */
static double mx_deadline;

struct mx_arg {
	u64 iters;
	u64 seed;
};

static void *mx_worker(void *p)
{
	struct mx_arg *a = p;

	while (true) {
		if (!(a->iters & 255) && test_elapsed() > mx_deadline)
			break;
		spin_lock(&mx_lock);
		u64 c = mx_counter;

		if (mx_shadow != c)
			mx_torn++;
		lt_delay(&a->seed, 16);	/* widen the window a broken lock leaves open */
		mx_counter = c + 1;
		mx_shadow = c + 1;
		spin_unlock(&mx_lock);
		a->iters++;
		/* Random think time: arrivals also race with each other. */
		lt_delay(&a->seed, 64);
	}
	return NULL;
}

static void test_mutual_exclusion(unsigned int nthreads, double secs)
{
	struct mx_arg *args = calloc(nthreads, sizeof(*args));
	struct lock_stats st;
	u64 sum = 0, min = ~0ULL, max = 0;

	for (unsigned int i = 0; i < nthreads; i++)
		args[i].seed = test_opts.seed + i * 7919;
	mx_deadline = test_elapsed() + secs;
	lt_watchdog_arm("ticket mutual exclusion", (unsigned int)secs + 4);
	test_run_threads(nthreads, mx_worker, args, sizeof(*args));
	lt_watchdog_disarm();
	for (unsigned int i = 0; i < nthreads; i++) {
		sum += args[i].iters;
		min = MIN(min, args[i].iters);
		max = MAX(max, args[i].iters);
	}
	lock_stats_read(&mx_lock, &st);
	printf("mutual exclusion: %u threads x %.2fs: %llu acquisitions, counter %llu, "
	       "torn %llu; per-thread min %llu max %llu (ratio %.3f); stats: %llu acq, "
	       "%llu contended, max wait %llu ns\n",
	       nthreads, secs, sum, mx_counter,
	       mx_torn, min, max,
	       min ? (double)max / (double)min : 0.0, st.acquisitions,
	       st.contended, st.max_wait_ns);
	CHECK_EQ(mx_counter, sum);
	CHECK_EQ(mx_torn, 0);
	CHECK_EQ(st.acquisitions, sum);
	CHECK(st.contended <= st.acquisitions);
	CHECK(!spin_is_locked(&mx_lock));
	CHECK(min > 0);
	free(args);
}

/*
 * Fairness: threads re-acquire at once (no think time), so each one is
 * nearly always queued; FIFO hand-off then alternates them and the
 * per-thread counts stay close.  (A test-and-set lock lets the releasing
 * CPU win again and again.)  Only meaningful when the threads really
 * contended: on a machine so busy that they mostly ran alone, say so.
 */
static spinlock_t fair_lock = SPINLOCK_INIT;
static u64 fair_shared;

static void *fair_worker(void *p)
{
	struct mx_arg *a = p;

	while ((a->iters & 255) || test_elapsed() < mx_deadline) {
		spin_lock(&fair_lock);
		fair_shared++;
		spin_unlock(&fair_lock);
		a->iters++;
	}
	return NULL;
}

static void test_fairness(unsigned int nthreads, double secs)
{
	struct mx_arg *args = calloc(nthreads, sizeof(*args));
	struct lock_stats st;
	u64 sum = 0, min = ~0ULL, max = 0;
	double ratio;

	mx_deadline = test_elapsed() + secs;
	lt_watchdog_arm("ticket fairness", (unsigned int)secs + 4);
	test_run_threads(nthreads, fair_worker, args, sizeof(*args));
	lt_watchdog_disarm();
	for (unsigned int i = 0; i < nthreads; i++) {
		sum += args[i].iters;
		min = MIN(min, args[i].iters);
		max = MAX(max, args[i].iters);
	}
	lock_stats_read(&fair_lock, &st);
	ratio = min ? (double)max / (double)min : 1e9;
	printf("fairness: %u threads, %llu acquisitions (%.1f%% contended), per-thread min %llu "
	       "max %llu, ratio %.3f\n", nthreads, sum,
	       sum ? 100.0 * (double)st.contended / (double)sum : 0.0, min,
	       max, ratio);
	CHECK_EQ(fair_shared, sum);
	if (st.contended * 10 >= sum * 9)
		CHECK(ratio < 1.25);
	else
		printf("fairness: ratio not checked, threads contended in fewer than 90%% of "
		       "acquisitions (busy machine)\n");
	free(args);
}

/*
 * FIFO order: A holds the lock, B queues, then C queues; when A releases,
 * B must get the lock before C.  Repeated for many rounds.
 */
static spinlock_t fifo_lock = SPINLOCK_INIT;
static unsigned int fifo_go_b, fifo_go_c, fifo_done, fifo_pos;
static unsigned int fifo_pos_b, fifo_pos_c;
static unsigned int fifo_rounds, fifo_bad;
static double fifo_deadline;

#define FIFO_MIN_ROUNDS	20

static unsigned int fifo_waiters(void)
{
	u64 w = READ_ONCE(fifo_lock.t.word);

	return (u32)(w >> 32) - (u32)w - 1;
}

static void fifo_wait_eq(unsigned int *p, unsigned int v)
{
	while (READ_ONCE(*p) != v)
		sched_yield();
}

static void *fifo_role(void *p)
{
	unsigned int role = *(unsigned int *)p;

	for (unsigned int round = 1;; round++) {
		if (role == 0) {
			/* At least FIFO_MIN_ROUNDS unless the machine is very slow. */
			double now = test_elapsed();
			bool stop = (round > FIFO_MIN_ROUNDS && now > fifo_deadline) ||
				    now > fifo_deadline + 5.0;

			spin_lock(&fifo_lock);
			WRITE_ONCE(fifo_go_b, stop ? ~0U : round);
			if (stop) {
				WRITE_ONCE(fifo_go_c, ~0U);
				spin_unlock(&fifo_lock);
				return NULL;
			}
			while (fifo_waiters() < 1)
				sched_yield();
			WRITE_ONCE(fifo_go_c, round);
			while (fifo_waiters() < 2)
				sched_yield();
			fifo_pos = 0;
			spin_unlock(&fifo_lock);
			fifo_wait_eq(&fifo_done, 2 * round);
			/* Both have left the lock: their writes are visible. */
			if (READ_ONCE(fifo_pos_b) != 0 || READ_ONCE(fifo_pos_c) != 1)
				fifo_bad++;
			fifo_rounds = round;
		} else {
			unsigned int *go = role == 1 ? &fifo_go_b : &fifo_go_c;
			unsigned int g;

			while ((g = READ_ONCE(*go)) != round && g != ~0U)
				sched_yield();
			if (g == ~0U)
				return NULL;
			spin_lock(&fifo_lock);
			WRITE_ONCE(*(role == 1 ? &fifo_pos_b : &fifo_pos_c), fifo_pos++);
			spin_unlock(&fifo_lock);
			atomic_inc(&fifo_done);
		}
	}
}

static void test_fifo(double secs)
{
	unsigned int roles[3] = { 0, 1, 2 };

	fifo_deadline = test_elapsed() + secs;
	lt_watchdog_arm("ticket FIFO order", (unsigned int)secs + 10);
	test_run_threads(3, fifo_role, roles, sizeof(roles[0]));
	lt_watchdog_disarm();
	printf("FIFO order: %u rounds, %u out of order\n", fifo_rounds, fifo_bad);
	CHECK(fifo_rounds >= 5);	/* the loop aims for FIFO_MIN_ROUNDS */
	CHECK_EQ(fifo_bad, 0);
}

static void test_basic(void)
{
	spinlock_t l;
	unsigned long outer, flags;

	spin_lock_init(&l);
	CHECK(!spin_is_locked(&l));
	CHECK(spin_trylock(&l));
	CHECK(spin_is_locked(&l));
	CHECK(!spin_is_contended(&l));
	CHECK(!spin_trylock(&l));
	assert_held(&l);
	spin_unlock(&l);
	CHECK(!spin_is_locked(&l));

	CHECK(!arch_irqs_disabled());
	flags = spin_lock_irqsave(&l);
	CHECK(arch_irqs_disabled());
	assert_held(&l);
	spin_unlock_irqrestore(&l, flags);
	CHECK(!arch_irqs_disabled());

	/* Nested inside an already-disabled region: stays disabled. */
	outer = arch_irq_save();
	flags = spin_lock_irqsave(&l);
	spin_unlock_irqrestore(&l, flags);
	CHECK(arch_irqs_disabled());
	arch_irq_restore(outer);
	CHECK(!arch_irqs_disabled());

	/* Ticket wrap-around: serving/next are u32 and compare by equality. */
	l.t.serving = l.t.next = 0xfffffffeU;
	for (int i = 0; i < 4; i++) {
		spin_lock(&l);
		spin_unlock(&l);
	}
	CHECK_EQ(l.t.serving, 2);
	CHECK(!spin_is_locked(&l));
}

static spinlock_t death_lock = SPINLOCK_INIT;

static void death_assert_unheld(void *arg)
{
	assert_held(&death_lock);
}

static void death_unlock_unheld(void *arg)
{
	spin_unlock(&death_lock);
}

static void death_recursive(void *arg)
{
	spin_lock(&death_lock);
	spin_lock(&death_lock);
}

static void *other_cpu_locks(void *arg)
{
	spin_lock(&death_lock);
	return NULL;
}

static void death_assert_other_owner(void *arg)
{
	/* Held, but by another CPU: assert_held must still fail. */
	test_run_threads(1, other_cpu_locks, NULL, 0);
	CHECK(spin_is_locked(&death_lock));
	assert_held(&death_lock);
}

static void test_lockdep(void)
{
	bool want = LOCKDEP_ON;

	CHECK(lt_dies("assert_held(unheld)", death_assert_unheld, NULL,
		      "test_lock_spin.c") == want);
	CHECK(lt_dies("assert_held(other cpu)", death_assert_other_owner, NULL,
		      "assert_held failed") == want);
	CHECK(lt_dies("spin_unlock(unheld)", death_unlock_unheld, NULL,
		      "spin_unlock: lock not held") == want);
	/* Without lockdep this self-deadlocks for real: only run it with lockdep. */
	if (want)
		CHECK(lt_dies("spin_lock twice", death_recursive, NULL, "recursive"));
}

int main(int argc, char **argv)
{
	unsigned int n;

	test_init(argc, argv, 2.0);
	n = lt_threads(0);
	test_basic();
	test_lockdep();
	test_mutual_exclusion(n, test_opts.quick ? MIN(test_opts.seconds, 0.5) : test_opts.seconds);
	test_fairness(n, test_opts.quick ? 0.2 : 0.5);
	test_fifo(test_opts.quick ? 0.2 : 0.5);
	return test_finish();
}
