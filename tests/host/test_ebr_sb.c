/* SPDX-License-Identifier: MIT */
/*
 * The R5 store-buffering detector on its own: one reader in short EBR
 * sections, one writer that unlinks, ebr_synchronize()s and poisons at
 * once, one slot, store-buffer filler on (tests/host/test_ebr_torture.h).
 * Stops at the first use-after-free.  The mutation test of R5_ENTER runs it.
 */
#include "tests/host/test_ebr_torture.h"

int main(int argc, char **argv)
{
	struct tt_config c = {
		.readers = 1, .writers = 1, .nslots = 1, .sync_writers = true, .noise = true,
	};

	test_init(argc, argv, 3.0);
	c.seconds = test_opts.seconds;
	tt_run(&c, "ebr-sb");
	return test_finish();
}
