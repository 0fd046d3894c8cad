/* SPDX-License-Identifier: MIT */
/*
 * EBR torture with read sections (ebr_enter/ebr_exit); the engine and its
 * checks are in tests/host/test_ebr_torture.h.  Three rounds:
 *
 *  ebr-retire  a reader and a writer that ebr_retire()s (the callback
 *              checks the age, poisons and recycles at once), 4 slots,
 *              nested sections;
 *  ebr-sync    a writer that ebr_synchronize()s and frees at once, one slot:
 *              the shortest unlink-to-free path, which is what exposes a
 *              missing R5 entry fence (killed in about a second);
 *  ebr-mixed   two readers, two writers retiring from inside their own
 *              sections (the "cannot wait" backlog path), 8 slots.
 *
 * Every round uses the store-buffer filler (see tt_make_noise()).
 */
#include "tests/host/test_ebr_torture.h"

int main(int argc, char **argv)
{
	struct tt_config c = {
		.readers = 1, .writers = 1, .nslots = 4, .soft = 4, .hard = 64, .noise = true,
	};

	test_init(argc, argv, 6.0);
	c.seconds = test_opts.seconds / 3;
	tt_run(&c, "ebr-retire");

	c.sync_writers = true;
	c.nslots = 1;
	tt_run(&c, "ebr-sync");

	c.sync_writers = false;
	c.writers_in_section = true;
	tt_config_mixed(&c);
	tt_run(&c, "ebr-mixed");
	return test_finish();
}
