/* SPDX-License-Identifier: MIT */
/*
 * Stalled reader (tests/host/test_ebr_torture.h engine).  Reader 0 enters
 * a section and stays there for a long time, re-checking the objects it
 * loaded, while writers retire at full speed.
 *
 *  stall-wait    writers retire outside their sections, so at the hard
 *                backlog limit they wait: no object retired after the
 *                reader entered may be freed while it stays (checked in
 *                every free callback), pending stays <= 2 * writers * hard
 *                (queue <= hard per record, plus one batch running), and
 *                everything retired before the reader left is freed soon
 *                after it leaves (drain time reported and bounded).
 *  stall-nowait  writers retire inside their own sections: they cannot
 *                wait for the stalled reader, so pending grows past the
 *                hard limit; the growth is measured and each such retire
 *                is counted in nowait_over_hard.  Still no early free.
 */
#include "tests/host/test_ebr_torture.h"

#define SOFT	64
#define HARD	1024

static double stall_seconds;
static u32 stall_active;
static u64 stall_seq, stall_early_frees, stall_max_pending;
static u64 stall_retired_at_exit;
static double stall_drain_s;

static void stall_on_free(struct tt_obj *o)
{
	/* Pairs with the store_release before the reader's ebr_exit(). */
	if (load_acquire(&stall_active) && o->retire_seq >= READ_ONCE(stall_seq) &&
	    fetch_add(&stall_early_frees, 1) < 5)
		fprintf(stderr, "freed object retired after the stalled reader entered "
			"(retire #%llu >= #%llu)\n", o->retire_seq,
			stall_seq);
}

static void stall_reader(struct ebr_rec *r)
{
	struct tt_thread *t = tt_self;
	struct tt_obj *held[TT_MAX_SLOTS];
	const unsigned int nslots = tt_cfg.nslots;	/* fixed while the threads run */
	struct ebr_stats st;
	double start, until, exit_time;
	struct timespec ms = { .tv_sec = 0, .tv_nsec = 1000000 };

	nanosleep(&ms, NULL);		/* let the writers get going */
	ebr_enter(r);
	WRITE_ONCE(stall_seq, READ_ONCE(tt_retire_seq));
	WRITE_ONCE(stall_active, 1);
	for (unsigned int i = 0; i < nslots; i++) {
		/* Pairs with the writers' cmpxchg (object init before publish). */
		held[i] = load_acquire(&tt_slots[i]);
		t->last_gen[i] = READ_ONCE(held[i]->gen);
	}
	start = test_elapsed();
	until = start + stall_seconds;
	while (test_elapsed() < until && !READ_ONCE(tt_stop)) {
		for (unsigned int i = 0; i < nslots; i++)
			tt_check(t, i, held[i]);
		ebr_stats_read(&tt_dom, &st);
		if (st.pending > stall_max_pending)
			stall_max_pending = st.pending;
		nanosleep(&ms, NULL);
		t->ops++;
	}
	ebr_stats_read(&tt_dom, &st);
	stall_retired_at_exit = st.retired;
	/* R6 (test side): "inactive" is visible before any free that our exit allows. */
	store_release(&stall_active, 0);
	ebr_exit(r);
	exit_time = test_elapsed();
	/* Everything retired before we left must be freed promptly. */
	do {
		nanosleep(&ms, NULL);
		ebr_stats_read(&tt_dom, &st);
	} while (st.freed < stall_retired_at_exit && test_elapsed() - exit_time < 10);
	stall_drain_s = test_elapsed() - exit_time;
	WRITE_ONCE(tt_stop, 1);
}

static void stall_round(const char *label, bool in_section, double seconds)
{
	struct tt_config c = {
		.readers = 1, .writers = 2, .nslots = 8, .soft = SOFT, .hard = HARD,
		.writers_in_section = in_section, .reader0 = stall_reader,
		.on_free = stall_on_free,
	};
	struct ebr_stats st;

	stall_seconds = seconds;
	/* The reader ends the round; this is only the upper bound. */
	c.seconds = seconds + 15;
	stall_active = 0;
	stall_early_frees = stall_max_pending = 0;
	tt_run(&c, label);
	ebr_stats_read(&tt_dom, &st);
	printf("%s: reader stalled %.2fs; peak pending %llu (bound %u = 2 * %u writers * hard %u), "
	       "waits_for_backlog %llu, nowait_over_hard %llu, pending growth %.0f/s; "
	       "drained %.3fs after the reader left; early frees %llu\n", label, seconds,
	       stall_max_pending, 2 * c.writers * HARD, c.writers, (unsigned int)HARD,
	       st.waits_for_backlog, st.nowait_over_hard,
	       stall_max_pending / seconds, stall_drain_s, stall_early_frees);
	CHECK_EQ(stall_early_frees, 0);
	CHECK(stall_drain_s < 5);
	if (!in_section) {
		CHECK(stall_max_pending <= 2ULL * c.writers * HARD);
		CHECK(stall_max_pending >= HARD);	/* the limit was really reached */
		CHECK(st.waits_for_backlog > 0);
	} else {
		CHECK(st.nowait_over_hard > 0);
	}
}

int main(int argc, char **argv)
{
	test_init(argc, argv, 1.0);
	stall_round("stall-wait", false, test_opts.seconds);
	stall_round("stall-nowait", true, test_opts.quick ? 0.03 : 0.1);
	return test_finish();
}
