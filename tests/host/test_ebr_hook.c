/* SPDX-License-Identifier: MIT */
/*
 * Grace-period hook: the EPT core's "every CPU acknowledged a TLB flush
 * before table pages retired under that epoch are freed", simulated.
 * start(e) requests a new flush generation; done(e) is true once an
 * "acker" thread (standing in for the other CPUs' INVEPT acks) has
 * acknowledged it.  Checked on top of the torture (test_ebr_torture.h):
 *
 *  - every freed object saw a flush requested after its retire acked
 *    (ack generation at free > request generation at retire);
 *  - start() runs once per epoch, in order, and done() only for the epoch
 *    last started;
 *  - while the acker is paused, the epoch advances at most once, so
 *    nothing retired during the pause is freed; after it resumes the
 *    backlog drains.
 */
#include "tests/host/test_ebr_torture.h"

#include <sched.h>

static u64 hk_req, hk_acked, hk_target, hk_started_epoch, hk_starts;
static u64 hk_order_bad, hk_unacked_free;
static bool hk_have_start;
static u32 hk_paused, hk_quit;
static u64 hk_pause_advances, hk_pause_freed_new;
static u64 hk_pause_seq;
static u32 hk_pausing;

static void hk_start(void *arg, u64 e)
{
	/* Called under the domain's advance flag: no concurrent start/done. */
	if (hk_have_start && e != hk_started_epoch + 1 && hk_order_bad++ < 5)
		fprintf(stderr, "hook: start(%llu) after start(%llu)\n",
			e, hk_started_epoch);
	hk_have_start = true;
	hk_started_epoch = e;
	hk_starts++;
	/* The new flush request; pairs with the acker's load_acquire. */
	hk_target = fetch_add(&hk_req, 1) + 1;
}

static bool hk_done(void *arg, u64 e)
{
	if (e != hk_started_epoch && hk_order_bad++ < 5)
		fprintf(stderr, "hook: done(%llu) but last start(%llu)\n",
			e, hk_started_epoch);
	/* Pairs with the acker's store_release of the ack. */
	return load_acquire(&hk_acked) >= hk_target;
}

static const struct ebr_gp_hook hk_hook = {
	.start = hk_start, .done = hk_done, .arg = NULL,
};

/* o->retire_seq is already the engine's fetch_add value (exact order). */
static void hk_on_retire(struct tt_obj *o)
{
	o->flush_req = READ_ONCE(hk_req);
}

static void hk_on_free(struct tt_obj *o)
{
	/* Pairs with the acker's store_release (via the advance chain). */
	u64 acked = load_acquire(&hk_acked);

	if (acked <= o->flush_req && fetch_add(&hk_unacked_free, 1) < 5)
		fprintf(stderr, "hook: freed with flush ack %llu <= request %llu at retire\n",
			acked, o->flush_req);
	if (READ_ONCE(hk_pausing) && o->retire_seq >= READ_ONCE(hk_pause_seq))
		atomic_inc(&hk_pause_freed_new);
}

/* The other CPUs: acknowledge each flush request after a short delay. */
static void *hk_acker(void *arg)
{
	while (!READ_ONCE(hk_quit)) {
		u64 req = load_acquire(&hk_req);

		if (!READ_ONCE(hk_paused) && READ_ONCE(hk_acked) < req) {
			for (int i = 0; i < 16; i++)	/* the IPI round trip */
				cpu_relax();
			/* The acks: pairs with load_acquire in hk_done()/hk_on_free(). */
			store_release(&hk_acked, req);
		} else {
			sched_yield();
		}
	}
	return NULL;
}

/* Reader 0: the controller.  Pauses the acks once, mid-run. */
static void hk_controller(struct ebr_rec *r)
{
	struct timespec ms = { .tv_sec = 0, .tv_nsec = 1000000 };
	double third = tt_cfg.seconds / 3;
	double t0 = test_elapsed();
	struct ebr_stats a, b;

	while (test_elapsed() - t0 < third)
		nanosleep(&ms, NULL);
	WRITE_ONCE(hk_paused, 1);
	nanosleep(&ms, NULL);		/* an ack already in flight lands */
	ebr_stats_read(&tt_dom, &a);
	WRITE_ONCE(hk_pause_seq, READ_ONCE(tt_retire_seq));
	WRITE_ONCE(hk_pausing, 1);
	while (test_elapsed() - t0 < 2 * third)
		nanosleep(&ms, NULL);
	ebr_stats_read(&tt_dom, &b);
	WRITE_ONCE(hk_pausing, 0);
	hk_pause_advances = b.advances - a.advances;
	printf("hook: acks paused %.2fs: %llu advance(s), retired %llu, freed %llu "
	       "(of those retired during the pause: %llu), pending %llu\n", third,
	       hk_pause_advances, (b.retired - a.retired),
	       (b.freed - a.freed), hk_pause_freed_new,
	       b.pending);
	WRITE_ONCE(hk_paused, 0);
	while (test_elapsed() - t0 < tt_cfg.seconds)
		nanosleep(&ms, NULL);
	WRITE_ONCE(tt_stop, 1);
}

int main(int argc, char **argv)
{
	struct tt_config c = {
		.readers = 2, .writers = 1, .nslots = 4, .soft = 16, .hard = 256,
		.hook = &hk_hook, .on_retire = hk_on_retire, .on_free = hk_on_free,
		.reader0 = hk_controller,
	};
	struct ebr_stats st;
	pthread_t acker;

	test_init(argc, argv, 1.5);
	c.seconds = test_opts.seconds;
	pthread_create(&acker, NULL, hk_acker, NULL);
	tt_run(&c, "hook");
	WRITE_ONCE(hk_quit, 1);
	pthread_join(acker, NULL);
	ebr_stats_read(&tt_dom, &st);
	printf("hook: %llu start() calls, %llu advances, flush requests %llu, acked %llu; "
	       "frees without a later ack %llu, order errors %llu\n",
	       hk_starts, st.advances,
	       hk_req, hk_acked,
	       hk_unacked_free, hk_order_bad);
	CHECK_EQ(hk_unacked_free, 0);
	CHECK_EQ(hk_order_bad, 0);
	CHECK(hk_starts == st.advances || hk_starts == st.advances + 1);
	CHECK(hk_pause_advances <= 1);
	CHECK_EQ(hk_pause_freed_new, 0);
	CHECK(st.advances >= 3);	/* progress even on a loaded 2-core host */
	return test_finish();
}
