// SPDX-License-Identifier: MIT
/*
 * Fair rwlock (lib/rwlock.h): writer mutual exclusion (non-atomic counter),
 * readers against writers (readers check an invariant that writers break
 * inside their critical section; writers check that no reader is inside),
 * bounded writer wait under a continuous reader stream and bounded reader
 * wait under a continuous writer stream, rwlock_contended(), trylock,
 * irqsave/irqrestore and the lockdep checks.
 *
 * The reader/writer part is the store-buffering test of R14: a reader
 * increment that is not a locked RMW (or a writer announce without a full
 * barrier) lets both sides in, and the invariant check sees it.
 *
 * usage: test_lock_rwlock [--seconds=S] [--threads=N] [--seed=X] [--quick]
 */
#include "lib/rwlock.h"
#include "tests/host/test_lock_common.h"

#include <pthread.h>
#include <sched.h>
#include <stdlib.h>

static rwlock_t rw = RWLOCK_INIT;
static u64 rw_a, rw_b;			/* plain: writers keep a == b outside the CS */
static u64 rw_readers_inside;		/* atomic: readers currently in the CS */
static u64 rw_writers_inside;		/* atomic: writers currently in the CS */
static u64 rw_reader_violations, rw_writer_violations;
static double rw_deadline;

struct rw_arg {
	u64 seed;
	u64 reads, writes;
	unsigned int write_pct;
	unsigned int think;	/* random PAUSEs between operations */
};

static void *rw_worker(void *p)
{
	struct rw_arg *a = p;
	u64 n = 0;

	while (!(n++ & 127) ? test_elapsed() < rw_deadline : true) {
		if (test_rand(&a->seed) % 100 < a->write_pct) {
			write_lock(&rw);
			if (fetch_add(&rw_writers_inside, 1) != 0)
				atomic_inc(&rw_writer_violations);
			if (READ_ONCE(rw_readers_inside))
				atomic_inc(&rw_writer_violations);
			rw_a++;
			lt_delay(&a->seed, 32);
			rw_b++;
			atomic_dec(&rw_writers_inside);
			write_unlock(&rw);
			a->writes++;
		} else {
			read_lock(&rw);
			atomic_inc(&rw_readers_inside);
			u64 x = rw_a;

			lt_delay(&a->seed, 16);
			if (rw_b != x || READ_ONCE(rw_writers_inside))
				atomic_inc(&rw_reader_violations);
			atomic_dec(&rw_readers_inside);
			read_unlock(&rw);
			a->reads++;
		}
		lt_delay(&a->seed, a->think);
	}
	return NULL;
}

static void test_read_write(unsigned int nthreads, double secs, unsigned int write_pct,
			    unsigned int think)
{
	struct rw_arg *args = calloc(nthreads, sizeof(*args));
	u64 reads = 0, writes = 0, a0 = rw_a;
	struct lock_stats st;

	for (unsigned int i = 0; i < nthreads; i++) {
		args[i].seed = test_opts.seed * 31 + i + write_pct;
		args[i].write_pct = write_pct;
		args[i].think = think;
	}
	rw_deadline = test_elapsed() + secs;
	lt_watchdog_arm("rwlock readers vs writers", (unsigned int)secs + 4);
	test_run_threads(nthreads, rw_worker, args, sizeof(*args));
	lt_watchdog_disarm();
	for (unsigned int i = 0; i < nthreads; i++) {
		reads += args[i].reads;
		writes += args[i].writes;
	}
	lock_stats_read(&rw, &st);
	printf("readers vs writers (%u%% writes): %u threads x %.2fs: %llu reads, %llu writes, "
	       "counter +%llu, reader violations %llu, writer violations %llu; stats %llu acq, "
	       "%llu contended, max wait %llu ns\n",
	       write_pct, nthreads, secs, reads, writes,
	       (rw_a - a0), rw_reader_violations,
	       rw_writer_violations, st.acquisitions,
	       st.contended, st.max_wait_ns);
	CHECK_EQ(rw_a - a0, writes);
	CHECK_EQ(rw_a, rw_b);
	CHECK_EQ(rw_reader_violations, 0);
	CHECK_EQ(rw_writer_violations, 0);
	CHECK_EQ(rwlock_readers(&rw), 0);
	CHECK_EQ(READ_ONCE(rw.wstate), 0);
	CHECK(!rwlock_contended(&rw));
	free(args);
}

/*
 * Store-buffering litmus in lockstep (R14).  Two threads meet at a
 * barrier every round and then race read_trylock() against
 * write_trylock() on a fresh lock: the reader's slot increment + load of
 * wstate against the writer's xchg of wstate + scan of the slots.  At most
 * one may succeed; with a plain-store increment (R14_RW_READ_INC) or a
 * plain-store announce (R14_RW_WRITER_XCHG) both sometimes do.  Meeting at
 * a barrier lines the two windows up, which the free-running stress above
 * rarely does now that readers no longer share a counter.
 */
static rwlock_t sb_lock = RWLOCK_INIT;
static u32 sb_arrive[2];		/* per-thread phase counters (the barrier) */
static u32 sb_result[2];		/* per round: 1 = trylock succeeded */
static u64 sb_rounds_done, sb_both, sb_reader_only, sb_writer_only, sb_neither;
static double sb_deadline;
static unsigned int sb_stop;		/* set by thread 0 before a round's first meet */

/*
 * Barrier: announce that @me reached @phase, wait for the other thread.
 * It never gives up half-way through a round: a thread that left the
 * round early (and dropped its lock) would let the partner's late trylock
 * succeed and the tally count both, a failure of the test, not of the
 * lock.  A partner that never arrives is the watchdog's business.
 */
static void sb_meet(unsigned int me, u32 phase)
{
	/* Release: our previous phase's accesses come before the arrival. */
	store_release(&sb_arrive[me], phase);
	/* Acquire: pairs with the partner's store_release just above. */
	while (load_acquire(&sb_arrive[!me]) < phase)
		cpu_relax();
}

static void *sb_worker(void *p)
{
	unsigned int me = *(unsigned int *)p;
	u64 seed = test_opts.seed * 7 + me;
	u32 phase = 0;

	for (u64 round = 0;; round++) {
		bool held;

		/*
		 * Thread 0 decides when to stop, before the round's first
		 * meet; its release there publishes sb_stop to thread 1, so
		 * both leave at the same round boundary, holding nothing.
		 */
		if (me == 0 && !(round & 255) && test_elapsed() >= sb_deadline)
			WRITE_ONCE(sb_stop, 1);
		sb_meet(me, ++phase);
		if (READ_ONCE(sb_stop))
			break;
		/* A few random PAUSEs shift the two windows against each other. */
		lt_delay(&seed, 4);
		held = me == 0 ? read_trylock(&sb_lock) : write_trylock(&sb_lock);
		WRITE_ONCE(sb_result[me], held);
		sb_meet(me, ++phase);
		if (me == 0) {
			bool r = READ_ONCE(sb_result[0]), w = READ_ONCE(sb_result[1]);

			sb_both += r && w;
			sb_reader_only += r && !w;
			sb_writer_only += !r && w;
			sb_neither += !r && !w;
			sb_rounds_done++;
		}
		/* Both have read the results: release, then race again. */
		sb_meet(me, ++phase);
		if (held && me == 0)
			read_unlock(&sb_lock);
		else if (held)
			write_unlock(&sb_lock);
	}
	return NULL;
}

static void test_sb_lockstep(double secs)
{
	unsigned int ids[2] = { 0, 1 };

	sb_arrive[0] = sb_arrive[1] = 0;
	sb_stop = 0;
	sb_rounds_done = sb_both = sb_reader_only = sb_writer_only = sb_neither = 0;
	sb_deadline = test_elapsed() + secs;
	lt_watchdog_arm("rwlock store-buffering lockstep", (unsigned int)secs + 4);
	test_run_threads(2, sb_worker, ids, sizeof(ids[0]));
	lt_watchdog_disarm();
	printf("store-buffering lockstep (read_trylock vs write_trylock): %llu rounds: "
	       "reader only %llu, writer only %llu, neither %llu, BOTH %llu\n",
	       sb_rounds_done, sb_reader_only,
	       sb_writer_only, sb_neither,
	       sb_both);
	CHECK(sb_rounds_done > 0);
	CHECK_EQ(sb_both, 0);
	CHECK_EQ(rwlock_readers(&sb_lock), 0);
	CHECK(!rwlock_is_write_locked(&sb_lock));
}

/*
 * Starvation bounds.  Role "stream" threads hold the lock in one mode back
 * to back (overlapping, so the lock is never free of them); the "victim"
 * thread repeatedly takes the other mode and records its longest wait.
 */
static rwlock_t sv_lock = RWLOCK_INIT;
static unsigned int sv_stop;
static u64 sv_victim_max_ns, sv_victim_count, sv_stream_count;
static u64 sv_max_overtakes, sv_starved;

/*
 * Stream acquisitions completed while the victim waited ("overtakes").  A
 * fair lock lets through only those already inside or queued ahead
 * (a handful); a stream-preferring lock lets all of them through.  Time is
 * not a robust measure on a loaded machine, overtakes are.
 */
#define SV_MAX_OVERTAKES	32

/*
 * Writer victim: the exact check.  A reader that starts after the waiting
 * writer has announced itself (wstate set) must not get in before the
 * writer; this does not depend on scheduling at all.
 */
static unsigned int sv_victim_gen;	/* odd while the victim waits; +1 per change */
static u64 sv_late_readers_in;

struct sv_arg {
	bool victim;
	bool victim_writes;	/* victim takes the write side, streams read */
	u64 seed;
};

static void *sv_worker(void *p)
{
	struct sv_arg *a = p;

	while (!READ_ONCE(sv_stop)) {
		bool write = a->victim ? a->victim_writes : !a->victim_writes;
		u64 s0 = READ_ONCE(sv_stream_count), t0 = arch_time_ns(), w, ov;
		unsigned int g = READ_ONCE(sv_victim_gen);
		bool late = false;

		if (a->victim)
			WRITE_ONCE(sv_victim_gen, g + 1);
		else if (!write)
			late = (g & 1) && rwlock_is_write_locked(&sv_lock);
		if (write)
			write_lock(&sv_lock);
		else
			read_lock(&sv_lock);
		if (a->victim)
			WRITE_ONCE(sv_victim_gen, g + 2);
		else if (late && READ_ONCE(sv_victim_gen) == g) {
			atomic_inc(&sv_late_readers_in);
			if (getenv("SV_DEBUG"))
				printf("  late reader in: wstate %u readers %u queue next %u serving %u\n",
				       READ_ONCE(sv_lock.wstate), rwlock_readers(&sv_lock),
				       READ_ONCE(sv_lock.queue.next), READ_ONCE(sv_lock.queue.serving));
		}
		w = arch_time_ns() - t0;
		ov = READ_ONCE(sv_stream_count) - s0;
		lt_delay(&a->seed, 2000);	/* a few microseconds of "work" */
		if (write)
			write_unlock(&sv_lock);
		else
			read_unlock(&sv_lock);
		if (a->victim) {
			if (w > sv_victim_max_ns)
				sv_victim_max_ns = w;
			if (ov > sv_max_overtakes)
				sv_max_overtakes = ov;
			if (ov > SV_MAX_OVERTAKES) {
				sv_starved++;
				if (getenv("SV_DEBUG"))
					printf("  starved: %llu overtakes in %.3f ms\n",
					       ov, (double)w / 1e6);
			}
			sv_victim_count++;
			/* Let the stream re-establish itself between tries. */
			for (int i = 0; i < 20000; i++)
				cpu_relax();
		} else {
			atomic_inc(&sv_stream_count);
		}
	}
	return NULL;
}

static void *sv_timer(void *p)
{
	double until = test_elapsed() + *(double *)p;

	while (test_elapsed() < until)
		usleep(1000);
	WRITE_ONCE(sv_stop, 1);
	return NULL;
}

static void test_starvation(bool victim_writes, double secs)
{
	struct sv_arg args[3];
	double bound_s = 2.0;	/* only catches a lock that never lets the victim in */

	memset(args, 0, sizeof(args));
	args[0].victim = true;
	for (int i = 0; i < 3; i++) {
		args[i].victim_writes = victim_writes;
		args[i].seed = test_opts.seed + (u64)i * 3 + victim_writes;
	}
	sv_stop = 0;
	sv_victim_max_ns = sv_victim_count = sv_stream_count = 0;
	sv_max_overtakes = sv_starved = sv_late_readers_in = 0;
	lt_watchdog_arm(victim_writes ? "writer under a reader stream" :
					"reader under a writer stream", (unsigned int)secs + 4);
	/* The timer runs on its own thread while the three workers run. */
	{
		pthread_t tid;

		pthread_create(&tid, NULL, sv_timer, &secs);
		test_run_threads(3, sv_worker, args, sizeof(args[0]));
		pthread_join(tid, NULL);
	}
	lt_watchdog_disarm();
	printf("%s: victim acquired %llu times, longest wait %.3f ms (bound %.0f ms); "
	       "stream acquired %llu times; most overtakes of one victim wait %llu, "
	       "waits with more than %d overtakes: %llu\n",
	       victim_writes ? "writer under a continuous reader stream" :
			       "reader under a continuous writer stream",
	       sv_victim_count, (double)sv_victim_max_ns / 1e6,
	       bound_s * 1e3, sv_stream_count,
	       sv_max_overtakes, SV_MAX_OVERTAKES,
	       sv_starved);
	CHECK(sv_victim_count > 0);
	CHECK(sv_victim_max_ns < (u64)(bound_s * 1e9));
	CHECK(sv_stream_count > 0);
	if (victim_writes) {
		/*
		 * Overtakes before the writer announces include scheduling
		 * (a preempted queued reader holds up the queue while other
		 * readers pass on the fast path), so the exact check is on
		 * readers that arrived after the announce.
		 */
		printf("  readers that arrived after the writer announced and got in first: %llu\n",
		       sv_late_readers_in);
		CHECK_EQ(sv_late_readers_in, 0);
	} else {
		/* FIFO queue: only writers already queued may pass a reader. */
		CHECK(sv_starved * 10 <= sv_victim_count);
	}
}

/* rwlock_contended(): a waiting acquirer of either kind is visible to the holder. */
static rwlock_t ct_lock = RWLOCK_INIT;
static unsigned int ct_phase;

static void *ct_other(void *p)
{
	bool write = *(bool *)p;

	while (READ_ONCE(ct_phase) != 1)
		sched_yield();
	if (write) {
		write_lock(&ct_lock);
		write_unlock(&ct_lock);
	} else {
		read_lock(&ct_lock);
		read_unlock(&ct_lock);
	}
	WRITE_ONCE(ct_phase, 2);
	return NULL;
}

static void *ct_holder(void *p)
{
	bool holder_writes = *(bool *)p;
	double t0;
	bool seen = false;

	if (holder_writes)
		write_lock(&ct_lock);
	else
		read_lock(&ct_lock);
	CHECK(!rwlock_contended(&ct_lock));
	WRITE_ONCE(ct_phase, 1);
	t0 = test_elapsed();
	while (test_elapsed() - t0 < 5.0) {
		if (rwlock_contended(&ct_lock)) {
			seen = true;
			break;
		}
		sched_yield();
	}
	CHECK(seen);
	if (holder_writes)
		write_unlock(&ct_lock);
	else
		read_unlock(&ct_lock);
	return NULL;
}

static void test_contended(bool holder_writes)
{
	pthread_t tid;
	bool other_writes = !holder_writes;

	ct_phase = 0;
	pthread_create(&tid, NULL, ct_other, &other_writes);
	ct_holder(&holder_writes);
	pthread_join(tid, NULL);
	CHECK_EQ(ct_phase, 2);
	CHECK(!rwlock_contended(&ct_lock));
	printf("rwlock_contended: %s holder saw the waiting %s\n",
	       holder_writes ? "write" : "read", other_writes ? "writer" : "reader");
}

static void test_basic(void)
{
	rwlock_t l;
	unsigned long flags;

	rwlock_init(&l);
	CHECK(read_trylock(&l));
	CHECK(read_trylock(&l));
	assert_held_read(&l);
	assert_held(&l);
	CHECK(!write_trylock(&l));
	CHECK_EQ(READ_ONCE(l.wstate), 0);	/* a failed trylock withdraws */
	read_unlock(&l);
	read_unlock(&l);
	CHECK(write_trylock(&l));
	assert_held_write(&l);
	assert_held(&l);
	CHECK(!read_trylock(&l));
	CHECK(rwlock_is_write_locked(&l));
	write_unlock(&l);
	CHECK(!rwlock_is_write_locked(&l));

	flags = read_lock_irqsave(&l);
	CHECK(arch_irqs_disabled());
	read_unlock_irqrestore(&l, flags);
	CHECK(!arch_irqs_disabled());
	flags = write_lock_irqsave(&l);
	CHECK(arch_irqs_disabled());
	write_unlock_irqrestore(&l, flags);
	CHECK(!arch_irqs_disabled());
	CHECK_EQ(rwlock_readers(&l), 0);
}

static rwlock_t death_rw = RWLOCK_INIT;

static void death_read_unheld(void *arg)
{
	assert_held_read(&death_rw);
}

static void death_write_when_read(void *arg)
{
	read_lock(&death_rw);
	assert_held_write(&death_rw);
}

static void death_read_when_write(void *arg)
{
	write_lock(&death_rw);
	assert_held_read(&death_rw);
}

static void death_any_unheld(void *arg)
{
	assert_held(&death_rw);
}

static void death_write_unlock_unheld(void *arg)
{
	write_unlock(&death_rw);
}

static void death_read_unlock_unheld(void *arg)
{
	read_unlock(&death_rw);
}

static void death_upgrade(void *arg)
{
	read_lock(&death_rw);
	write_lock(&death_rw);
}

static void test_lockdep(void)
{
	bool want = LOCKDEP_ON;

	CHECK(lt_dies("assert_held_read(unheld)", death_read_unheld, NULL,
		      "assert_held_read failed") == want);
	CHECK(lt_dies("assert_held_write(read-held)", death_write_when_read, NULL,
		      "assert_held_write failed") == want);
	CHECK(lt_dies("assert_held_read(write-held)", death_read_when_write, NULL,
		      "assert_held_read failed") == want);
	CHECK(lt_dies("assert_held(unheld rwlock)", death_any_unheld, NULL,
		      "test_lock_rwlock.c") == want);
	CHECK(lt_dies("write_unlock(unheld)", death_write_unlock_unheld, NULL,
		      "write_unlock: rwlock not write-held") == want);
	CHECK(lt_dies("read_unlock(unheld)", death_read_unlock_unheld, NULL,
		      "read_unlock: rwlock not read-held") == want);
	/* Without lockdep this self-deadlocks for real: only run it with lockdep. */
	if (want)
		CHECK(lt_dies("read_lock then write_lock", death_upgrade, NULL, "self-deadlock"));
}

int main(int argc, char **argv)
{
	unsigned int n;
	double secs;

	test_init(argc, argv, 2.0);
	n = lt_threads(0);
	secs = test_opts.quick ? MIN(test_opts.seconds, 0.6) : test_opts.seconds;
	test_basic();
	test_lockdep();
	test_read_write(n, secs * 0.2, 100, 32);	/* writers only: mutual exclusion */
	test_read_write(n, secs * 0.4, 50, 4);	/* many reader-entry/writer-announce races */
	test_read_write(n, secs * 0.4, 5, 32);
	test_sb_lockstep(secs * 0.5);
	test_contended(true);
	test_contended(false);
	test_starvation(true, test_opts.quick ? 0.3 : 0.6);
	test_starvation(false, test_opts.quick ? 0.3 : 0.6);
	return test_finish();
}
