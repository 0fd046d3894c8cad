/* SPDX-License-Identifier: MIT */
/*
 * QSBR-mode torture (tests/host/test_ebr_torture.h): readers are online
 * and call ebr_quiescent() between reads instead of entering sections, and
 * go offline and back online from time to time.  Rounds:
 *
 *  qsbr-online  offline/online around every read, writer synchronizes and
 *               frees at once, one slot: the R5_ONLINE store-buffering
 *               detector (first, so a mutant is killed fast);
 *  qsbr-retire  quiescent after every read, offline every 64, retiring
 *               writer, 4 slots;
 *  qsbr-mixed   two readers, two retiring writers, 8 slots.
 */
#include "tests/host/test_ebr_torture.h"

int main(int argc, char **argv)
{
	struct tt_config c = {
		.readers = 1, .writers = 1, .nslots = 1, .qsbr = true, .qsbr_offline_every = 1,
		.sync_writers = true, .soft = 4, .hard = 64, .noise = true,
	};

	test_init(argc, argv, 6.0);
	c.seconds = test_opts.seconds / 3;
	tt_run(&c, "qsbr-online");
	if (test_failures)
		return test_finish();

	c.qsbr_offline_every = 64;
	c.sync_writers = false;
	c.nslots = 4;
	tt_run(&c, "qsbr-retire");

	tt_config_mixed(&c);
	tt_run(&c, "qsbr-mixed");
	return test_finish();
}
