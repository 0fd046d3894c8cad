/* SPDX-License-Identifier: MIT */
/*
 * EBR API behaviour, deterministic where it can be:
 *  - callbacks run only after two advances past their tag; statistics;
 *  - nested sections keep protecting until the outermost exit, seen from
 *    another thread blocked in ebr_synchronize(); so do the sections of a
 *    record that ebr_rec_this() registered implicitly; with a grace-period
 *    hook installed, ebr_synchronize() also waits for the hook's consent;
 *  - a QSBR-online record holds grace periods until it reports a
 *    quiescent state; an offline one never does;
 *  - ebr_barrier() runs callbacks queued on other threads' records;
 *  - ebr_unregister() flushes the record's callbacks, also callbacks that
 *    retire further objects;
 *  - the hard backlog limit makes a retiring thread wait (and counts it);
 *  - ebr_synchronize() or ebr_barrier() inside a section is caught by the
 *    assertion (in a child process, which must die with SIGABRT).
 */
#include "mm/ebr.h"
#include "tests/host/harness.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static struct ebr_domain d;
static u64 ran;

struct obj {
	struct ebr_node node;
	int id;
};

static void cb(struct ebr_node *n)
{
	atomic_inc(&ran);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static void test_basic(void)
{
	struct ebr_rec *r;
	struct obj o[4] = {};
	struct ebr_stats st;
	u64 tag;

	ebr_domain_init(&d);
	ran = 0;
	r = ebr_rec_this(&d);
	ebr_register(r);		/* explicit: a no-op after ebr_rec_this() */
	ebr_retire(r, &o[0].node, cb);
	ebr_stats_read(&d, &st);
	CHECK_EQ(st.retired, 1);
	CHECK_EQ(st.pending, 1);
	CHECK_EQ(ran, 0);
	ebr_poll(r);			/* advance once, then tag */
	tag = o[0].node.epoch;
	CHECK_EQ(tag, ebr_epoch(&d));
	CHECK_EQ(ran, 0);
	ebr_poll(r);			/* tag + 1 */
	CHECK_EQ(ebr_epoch(&d), tag + 1);
	CHECK_EQ(ran, 0);
	ebr_poll(r);			/* tag + 2: runs */
	CHECK_EQ(ebr_epoch(&d), tag + 2);
	CHECK_EQ(ran, 1);
	/* With no reader protecting, a grace period needs no advance at all. */
	ebr_synchronize(&d);
	CHECK_EQ(ebr_epoch(&d), tag + 2);
	ebr_stats_read(&d, &st);
	CHECK_EQ(st.freed, 1);
	CHECK_EQ(st.pending, 0);
	CHECK_EQ(st.advances, 3);
	CHECK(st.peak_pending >= 1);
	/* Retired inside a section: same rule. */
	ebr_enter(r);
	ebr_retire(r, &o[1].node, cb);
	ebr_exit(r);
	ebr_barrier(&d);
	CHECK_EQ(ran, 2);
	CHECK(ebr_epoch(&d) - o[1].node.epoch >= 2);
	ebr_unregister(r);
	printf("basic: tag %llu ran at +2, stats ok\n", tag);
}

/* ---- a second thread blocked in ebr_synchronize() ---- */

static u32 sync_done, sync_go;

static void *syncer(void *arg)
{
	struct ebr_rec *r = ebr_rec_this(&d);

	ebr_register(r);
	while (!READ_ONCE(sync_go))
		sched_yield();
	ebr_synchronize(&d);
	store_release(&sync_done, 1);
	ebr_unregister(r);
	return NULL;
}

static void test_nested(void)
{
	struct ebr_rec *r;
	pthread_t t;

	ebr_domain_init(&d);
	r = ebr_rec_this(&d);
	ebr_register(r);
	sync_done = sync_go = 0;
	pthread_create(&t, NULL, syncer, NULL);
	ebr_enter(r);
	ebr_enter(r);
	CHECK(ebr_protecting(r));
	WRITE_ONCE(sync_go, 1);
	sleep_ms(30);
	CHECK_EQ(load_acquire(&sync_done), 0);
	ebr_exit(r);			/* inner exit: still protecting */
	CHECK(ebr_protecting(r));
	sleep_ms(30);
	CHECK_EQ(load_acquire(&sync_done), 0);
	ebr_exit(r);			/* outermost exit releases it */
	CHECK(!ebr_protecting(r));
	pthread_join(t, NULL);
	CHECK_EQ(load_acquire(&sync_done), 1);
	ebr_unregister(r);
	printf("nested: synchronize waited for the outermost exit\n");
}

/* With a hook installed, synchronize also waits for the hook's consent. */
static u32 hook_allow;

static bool refusing_done(void *arg, u64 e)
{
	return load_acquire(&hook_allow) != 0;
}

static const struct ebr_gp_hook refusing_hook = { .done = refusing_done };

static void test_sync_hook(void)
{
	struct ebr_rec *r;
	pthread_t t;

	ebr_domain_init(&d);
	r = ebr_rec_this(&d);
	hook_allow = 0;
	ebr_set_gp_hook(&d, &refusing_hook);
	sync_done = sync_go = 0;
	pthread_create(&t, NULL, syncer, NULL);
	WRITE_ONCE(sync_go, 1);
	sleep_ms(30);
	CHECK_EQ(load_acquire(&sync_done), 0);	/* no reader, but no consent */
	store_release(&hook_allow, 1);
	pthread_join(t, NULL);
	CHECK_EQ(load_acquire(&sync_done), 1);
	ebr_set_gp_hook(&d, NULL);
	ebr_unregister(r);
	printf("sync-hook: synchronize waited for the hook's consent\n");
}

/* A record that was never explicitly registered still protects. */
static void test_implicit_register(void)
{
	struct ebr_rec *r;
	pthread_t t;

	ebr_domain_init(&d);
	r = ebr_rec_this(&d);		/* no ebr_register() call */
	CHECK(r->registered);
	CHECK(READ_ONCE(d.nr_recs) > r->cpu);
	sync_done = sync_go = 0;
	ebr_enter(r);
	pthread_create(&t, NULL, syncer, NULL);
	WRITE_ONCE(sync_go, 1);
	sleep_ms(30);
	CHECK_EQ(load_acquire(&sync_done), 0);
	ebr_exit(r);
	pthread_join(t, NULL);
	CHECK_EQ(load_acquire(&sync_done), 1);
	ebr_unregister(r);
	printf("implicit: ebr_rec_this() registers; its sections hold synchronize\n");
}

static void test_qsbr(void)
{
	struct ebr_rec *r;
	pthread_t t;

	ebr_domain_init(&d);
	r = ebr_rec_this(&d);
	ebr_register(r);
	ebr_online(r);
	/* Online and not quiescent: a grace period must wait for us. */
	sync_done = sync_go = 0;
	pthread_create(&t, NULL, syncer, NULL);
	WRITE_ONCE(sync_go, 1);
	sleep_ms(30);
	CHECK_EQ(load_acquire(&sync_done), 0);
	/* Sections on an online record just nest. */
	ebr_enter(r);
	ebr_exit(r);
	CHECK(ebr_protecting(r));
	sleep_ms(10);
	CHECK_EQ(load_acquire(&sync_done), 0);
	/* Keep reporting quiescent states until it completes. */
	while (!load_acquire(&sync_done))
		ebr_quiescent(r);
	pthread_join(t, NULL);
	/* Offline: never holds anything up. */
	ebr_offline(r);
	sync_done = sync_go = 0;
	pthread_create(&t, NULL, syncer, NULL);
	WRITE_ONCE(sync_go, 1);
	pthread_join(t, NULL);
	CHECK_EQ(load_acquire(&sync_done), 1);
	/* An online caller of synchronize counts as quiescent while it waits. */
	ebr_online(r);
	ebr_synchronize(&d);
	CHECK(ebr_protecting(r));
	ebr_offline(r);
	ebr_unregister(r);
	printf("qsbr: online holds grace periods until quiescent; offline does not\n");
}

/* ---- barrier and unregister with callbacks on other records ---- */

static u32 retired_other, leave_other;

static void *other_retirer(void *arg)
{
	struct ebr_rec *r = ebr_rec_this(&d);
	struct obj *o = arg;

	ebr_register(r);
	for (int i = 0; i < 10; i++)
		ebr_retire(r, &o[i].node, cb);
	store_release(&retired_other, 1);
	while (!READ_ONCE(leave_other))
		sched_yield();
	ebr_unregister(r);
	return NULL;
}

static void test_barrier_unregister(void)
{
	static struct obj o[20];
	struct ebr_rec *r;
	struct ebr_stats st;
	pthread_t t;

	ebr_domain_init(&d);
	ran = 0;
	r = ebr_rec_this(&d);
	ebr_register(r);
	retired_other = leave_other = 0;
	pthread_create(&t, NULL, other_retirer, o);
	while (!load_acquire(&retired_other))
		sched_yield();
	ebr_barrier(&d);		/* runs the other thread's 10 callbacks */
	CHECK_EQ(ran, 10);
	WRITE_ONCE(leave_other, 1);
	pthread_join(t, NULL);
	/* Unregister flushes: 10 more on our record. */
	for (int i = 10; i < 20; i++)
		ebr_retire(r, &o[i].node, cb);
	ebr_unregister(r);
	CHECK_EQ(ran, 20);
	ebr_stats_read(&d, &st);
	CHECK_EQ(st.retired, 20);
	CHECK_EQ(st.freed, 20);
	printf("barrier: ran other records' callbacks; unregister flushed its own\n");
}

static void test_backlog(void)
{
	static struct obj o[100];
	struct ebr_rec *r;
	struct ebr_stats st;

	ebr_domain_init(&d);
	ebr_set_backlog(&d, 2, 8);
	ran = 0;
	r = ebr_rec_this(&d);
	ebr_register(r);
	for (int i = 0; i < 100; i++) {
		ebr_retire(r, &o[i].node, cb);
		ebr_stats_read(&d, &st);
		CHECK(st.pending <= 8);
	}
	/* Inside a section it may not wait: counted, pending may exceed. */
	ebr_enter(r);
	for (int i = 0; i < 20; i++)
		ebr_retire(r, &o[i].node, cb);		/* o[0..19] already ran */
	ebr_exit(r);
	ebr_stats_read(&d, &st);
	CHECK(st.nowait_over_hard > 0);
	ebr_barrier(&d);
	ebr_stats_read(&d, &st);
	CHECK_EQ(st.freed, 120);
	printf("backlog: soft 2 hard 8: pending stayed <= 8; waits %llu, nowait %llu\n",
	       st.waits_for_backlog, st.nowait_over_hard);
	ebr_unregister(r);
}

/* ---- a callback that retires another object (subtree teardown) ---- */

static struct obj chain[4];

static void chain_cb(struct ebr_node *n)
{
	struct obj *o = container_of(n, struct obj, node);

	atomic_inc(&ran);
	if (o->id + 1 < (int)ARRAY_SIZE(chain))
		ebr_retire(ebr_rec_this(&d), &chain[o->id + 1].node, chain_cb);
}

static void test_chain(void)
{
	struct ebr_rec *r;
	struct ebr_stats st;

	ebr_domain_init(&d);
	ran = 0;
	r = ebr_rec_this(&d);
	ebr_register(r);
	for (int i = 0; i < (int)ARRAY_SIZE(chain); i++)
		chain[i].id = i;
	ebr_retire(r, &chain[0].node, chain_cb);
	ebr_unregister(r);		/* drains the whole chain */
	CHECK_EQ(ran, ARRAY_SIZE(chain));
	ebr_stats_read(&d, &st);
	CHECK_EQ(st.retired, ARRAY_SIZE(chain));
	CHECK_EQ(st.freed, ARRAY_SIZE(chain));
	for (int i = 1; i < (int)ARRAY_SIZE(chain); i++)
		CHECK(chain[i].node.epoch - chain[i - 1].node.epoch >= 2);
	printf("chain: callbacks retiring from callbacks drained by unregister\n");
}

/* ---- the assertion: run in a child, expect SIGABRT ---- */

static void expect_abort(const char *what, void (*fn)(void))
{
	int status;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0) {
		fn();
		_exit(0);	/* not caught: the parent reports it */
	}
	waitpid(pid, &status, 0);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
	printf("assert: %s -> %s\n", what,
	       WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT ? "caught (SIGABRT)" :
	       "NOT caught");
}

static void sync_in_section(void)
{
	struct ebr_rec *r;

	ebr_domain_init(&d);
	r = ebr_rec_this(&d);
	ebr_register(r);
	ebr_enter(r);
	ebr_synchronize(&d);
}

static void barrier_in_section(void)
{
	struct ebr_rec *r;

	ebr_domain_init(&d);
	r = ebr_rec_this(&d);
	ebr_register(r);
	ebr_enter(r);
	ebr_enter(r);
	ebr_exit(r);
	ebr_barrier(&d);
}

static void quiescent_in_section(void)
{
	struct ebr_rec *r;

	ebr_domain_init(&d);
	r = ebr_rec_this(&d);
	ebr_register(r);
	ebr_online(r);
	ebr_enter(r);
	ebr_quiescent(r);
}

int main(int argc, char **argv)
{
	test_init(argc, argv, 0);
	test_basic();
	test_nested();
	test_implicit_register();
	test_sync_hook();
	test_qsbr();
	test_barrier_unregister();
	test_backlog();
	test_chain();
	expect_abort("ebr_synchronize() inside a section", sync_in_section);
	expect_abort("ebr_barrier() inside a section", barrier_in_section);
	expect_abort("ebr_quiescent() inside a section", quiescent_in_section);
	return test_finish();
}
