/* SPDX-License-Identifier: MIT */
/*
 * Epoch wrap (R6): the global epoch is a u64 compared on modular
 * differences.  1) Deterministic: for every start epoch in the last few
 * values before 2^64 (and 0), a callback retired at each step runs exactly
 * when the epoch has advanced twice past its tag, never earlier, across
 * the wrap, also with tags on both sides of the wrap pending at once.
 * 2) The torture (EBR and QSBR rounds) started 40 epochs before
 * the wrap, checked to have crossed it, with the age histogram check.
 */
#include "tests/host/test_ebr_torture.h"

static struct ebr_domain wd;
static u64 wd_ran, wd_bad;

struct wnode {
	struct ebr_node node;
};

static void wd_cb(struct ebr_node *n)
{
	u64 age = ebr_epoch(&wd) - n->epoch;

	if (age < 2 && wd_bad++ < 5)
		fprintf(stderr, "wrap: callback ran at age %llu (tag 0x%llx, epoch 0x%llx)\n",
			age, n->epoch,
			ebr_epoch(&wd));
	wd_ran++;
}

static void wrap_deterministic(void)
{
	static const u64 starts[] = {
		UINT64_MAX - 5, UINT64_MAX - 2, UINT64_MAX - 1, UINT64_MAX, 0,
		(u64)INT64_MAX - 1, (u64)INT64_MAX,
	};
	struct wnode nodes[8];

	for (unsigned int s = 0; s < ARRAY_SIZE(starts); s++) {
		struct ebr_rec *r;
		u64 tag;

		ebr_domain_init_at(&wd, starts[s]);
		r = ebr_rec_this(&wd);
		ebr_register(r);
		for (unsigned int i = 0; i < ARRAY_SIZE(nodes); i++) {
			u64 before = wd_ran;

			ebr_retire(r, &nodes[i].node, wd_cb);
			ebr_poll(r);			/* tags with the current epoch */
			tag = nodes[i].node.epoch;
			/* Every poll advances once (nobody is reading). */
			while (ebr_epoch(&wd) - tag < 2) {
				CHECK_EQ(wd_ran, before);	/* not yet */
				ebr_poll(r);
			}
			ebr_poll(r);
			CHECK_EQ(wd_ran, before + 1);
		}
		/* A reader in an old epoch holds the epoch within one advance. */
		ebr_enter(r);
		tag = ebr_epoch(&wd);
		for (int k = 0; k < 5; k++)
			ebr_poll(r);
		CHECK(ebr_epoch(&wd) - tag <= 1);
		ebr_exit(r);
		ebr_unregister(r);
		printf("wrap: start 0x%016llx -> epoch 0x%016llx, %zu callbacks, all at age >= 2\n",
		       starts[s], ebr_epoch(&wd),
		       ARRAY_SIZE(nodes));
	}
	CHECK_EQ(wd_bad, 0);
	CHECK_EQ(wd_ran, ARRAY_SIZE(starts) * ARRAY_SIZE(nodes));
}

/*
 * Callbacks tagged UINT64_MAX and 0 pending at the same time: their bucket
 * indices must differ (with tag % 3 both were bucket 0 and the older one
 * ran at age 1 -- found by this test).
 */
static void wrap_overlap(void)
{
	struct wnode a, b;
	struct ebr_rec *r;
	u64 before = wd_ran;

	ebr_domain_init_at(&wd, UINT64_MAX - 1);
	r = ebr_rec_this(&wd);
	ebr_register(r);
	ebr_retire(r, &a.node, wd_cb);
	ebr_poll(r);				/* advance to MAX, tag a */
	CHECK_EQ(a.node.epoch, UINT64_MAX);
	ebr_retire(r, &b.node, wd_cb);
	ebr_poll(r);				/* advance to 0, tag b */
	CHECK_EQ(b.node.epoch, 0);
	CHECK_EQ(wd_ran, before);		/* a is at age 1 */
	ebr_poll(r);				/* epoch 1: a runs */
	CHECK_EQ(wd_ran, before + 1);
	ebr_poll(r);				/* epoch 2: b runs */
	CHECK_EQ(wd_ran, before + 2);
	ebr_unregister(r);
	printf("wrap: tags 0x%llx and 0x%llx pending together, each ran at age 2\n",
	       a.node.epoch, b.node.epoch);
}

int main(int argc, char **argv)
{
	struct tt_config c = {
		.readers = 1, .writers = 1, .nslots = 4, .soft = 1, .hard = 64,
		.start_epoch = UINT64_MAX - 40,
	};
	struct ebr_stats st;

	test_init(argc, argv, 1.0);
	wrap_deterministic();
	wrap_overlap();
	CHECK_EQ(wd_bad, 0);

	c.seconds = test_opts.seconds / 2;
	tt_run(&c, "wrap-ebr");
	ebr_stats_read(&tt_dom, &st);
	CHECK(st.epoch < c.start_epoch);	/* crossed 2^64 */

	c.qsbr = true;
	tt_run(&c, "wrap-qsbr");
	ebr_stats_read(&tt_dom, &st);
	CHECK(st.epoch < c.start_epoch);
	return test_finish();
}
