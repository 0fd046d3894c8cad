// SPDX-License-Identifier: MIT
/*
 * vmx/stats/: the exit-latency buckets, labels and histogram readers, the
 * trace ring's snapshot on one thread and against a writer thread (R19: a
 * snapshot never holds a torn or misnumbered event), the event text, and
 * the EPT statistics and walk over a hand-built 4-level EPT.
 */
#include "tests/host/harness.h"
#include "vmx/stats/ept_report.h"
#include "vmx/stats/exit_stats.h"
#include "vmx/stats/trace_ring.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_buckets(void)
{
	u64 seed = 7;

	CHECK_EQ(exit_lat_bucket(0), 0);
	CHECK_EQ(exit_lat_bucket(1), 0);
	CHECK_EQ(exit_lat_bucket(2), 1);
	CHECK_EQ(exit_lat_bucket(3), 1);
	CHECK_EQ(exit_lat_bucket(4), 2);
	CHECK_EQ(exit_lat_bucket(127), 6);
	CHECK_EQ(exit_lat_bucket(128), 7);
	CHECK_EQ(exit_lat_bucket((1ull << 31) - 1), 30);
	CHECK_EQ(exit_lat_bucket(1ull << 31), EXIT_LAT_BUCKETS - 1);
	CHECK_EQ(exit_lat_bucket(~0ull), EXIT_LAT_BUCKETS - 1);
	/* Every latency lies in the range its bucket's label names. */
	for (unsigned int i = 0; i < 100000; i++) {
		u64 t = test_rand(&seed) >> (test_rand(&seed) % 64);
		unsigned int b = exit_lat_bucket(t);
		unsigned long long lo, hi;
		char label[32];

		exit_lat_label(b, label, sizeof(label));
		if (b == EXIT_LAT_BUCKETS - 1) {
			CHECK(sscanf(label, "%llu+", &lo) == 1 && t >= lo);
		} else {
			CHECK(sscanf(label, "%llu-%llu", &lo, &hi) == 2);
			CHECK(t >= lo && t <= hi);
		}
	}
	{
		char label[32];

		exit_lat_label(0, label, sizeof(label));
		CHECK(!strcmp(label, "0-1"));
		exit_lat_label(7, label, sizeof(label));
		CHECK(!strcmp(label, "128-255"));
		exit_lat_label(EXIT_LAT_BUCKETS - 1, label, sizeof(label));
		CHECK(!strcmp(label, "2147483648+"));
	}
}

static void test_histogram(void)
{
	struct exit_stats *s = calloc(1, sizeof(*s));
	u64 hist[EXIT_LAT_BUCKETS] = { 0 };

	CHECK_EQ(exit_stats_row(10), 10);
	CHECK_EQ(exit_stats_row(0x80000021u), 33);	/* entry failure bit dropped */
	CHECK_EQ(exit_stats_row(EXIT_REASON_MAX + 5), EXIT_REASON_MAX);
	for (u64 t = 0; t < 1000; t++)
		exit_stats_account(s, 10, t);
	exit_stats_account(s, EXIT_REASON_MAX, 1ull << 40);
	CHECK_EQ(exit_stats_count(s, 10), 1000);
	CHECK_EQ(exit_stats_count(s, 30), 0);
	CHECK_EQ(exit_stats_total(s), 1001);
	/* Rows add up into the caller's array (several vCPUs of a VM). */
	CHECK_EQ(exit_stats_read_row(s, 10, hist), 1000);
	CHECK_EQ(exit_stats_read_row(s, 10, hist), 1000);
	CHECK_EQ(hist[0], 4);		/* 0, 1 twice */
	CHECK_EQ(hist[9], 2 * (1000 - 512));
	/* 0..999: the 500th value (499) is in 256-511. */
	memset(hist, 0, sizeof(hist));
	exit_stats_read_row(s, 10, hist);
	CHECK_EQ(exit_lat_median(hist, 1000), 8);
	CHECK_EQ(exit_stats_count(s, EXIT_REASON_MAX), 1);
	CHECK_EQ(s->hist[EXIT_REASON_MAX][EXIT_LAT_BUCKETS - 1], 1);
	/* The fast path's 32-bit variant picks the same buckets. */
	for (u64 t = 0; t < 70000; t += 7) {
		memset(s, 0, sizeof(*s));
		exit_stats_account_short(s, 3, (u32)t);
		CHECK_EQ(s->hist[3][exit_lat_bucket(t)], 1);
	}
	memset(s, 0, sizeof(*s));
	exit_stats_account_short(s, 3, 0xffffffffu);
	CHECK_EQ(s->hist[3][EXIT_LAT_BUCKETS - 1], 1);
	free(s);
}

static u32 test_who(u64 n)
{
	return TRACE_WHO(TRACE_EXIT, n & 0xff, (n >> 8) & 0xffff);
}

static void test_event_check(const struct trace_event *e, u64 n)
{
	if (e->tsc != n || e->who != test_who(n) || e->data != (u32)~n || e->arg != n * 7)
		test_fail(__FILE__, __LINE__, "event %llu torn: tsc %llu who %#x data %#x arg %llu",
			  (unsigned long long)n, (unsigned long long)e->tsc, e->who, e->data,
			  (unsigned long long)e->arg);
}

static void test_ring_single(void)
{
	static struct trace_ring r;
	static struct trace_event out[TRACE_RING_EVENTS];
	u64 first = 99;

	CHECK_EQ(trace_ring_snapshot(&r, out, &first), 0);
	for (u64 n = 0; n < 5; n++)
		trace_ring_put(&r, n, test_who(n), (u32)~n, n * 7);
	CHECK_EQ(trace_ring_snapshot(&r, out, &first), 5);
	CHECK_EQ(first, 0);
	for (u64 i = 0; i < 5; i++)
		test_event_check(&out[i], i);
	for (u64 n = 5; n < 1000; n++)
		trace_ring_put(&r, n, test_who(n), (u32)~n, n * 7);
	/* The oldest slot is the one the writer would fill next: never trusted. */
	CHECK_EQ(trace_ring_snapshot(&r, out, &first), TRACE_RING_EVENTS - 1);
	CHECK_EQ(first, 1000 - TRACE_RING_EVENTS + 1);
	for (u64 i = 0; i < TRACE_RING_EVENTS - 1; i++)
		test_event_check(&out[i], first + i);
}

static struct trace_ring race_ring;
static volatile int race_stop;

static void *race_writer(void *arg)
{
	u64 n = 0;

	while (!race_stop) {
		trace_ring_put(&race_ring, n, test_who(n), (u32)~n, n * 7);
		n++;
	}
	return NULL;
}

static void *race_reader(void *arg)
{
	static struct trace_event out[TRACE_RING_EVENTS];
	u64 snaps = 0, events = 0, last_first = 0;

	/*
	 * At least 1000 snapshots whatever the clock says: the time budget
	 * counts from program start, and on a loaded machine the earlier
	 * tests can use it all up.
	 */
	while (snaps < 1000 || test_elapsed() < test_opts.seconds) {
		u64 first;
		unsigned int n = trace_ring_snapshot(&race_ring, out, &first);

		CHECK(first >= last_first);
		last_first = first;
		for (unsigned int i = 0; i < n; i++)
			test_event_check(&out[i], first + i);
		snaps++;
		events += n;
	}
	race_stop = 1;
	printf("trace ring race: %llu snapshots, %llu events checked\n",
	       (unsigned long long)snaps, (unsigned long long)events);
	CHECK(snaps > 0);
	return NULL;
}

static void *race_thread(void *arg)
{
	return *(int *)arg ? race_reader(NULL) : race_writer(NULL);
}

static void test_ring_race(void)
{
	int roles[2] = { 0, 1 };

	test_run_threads(2, race_thread, roles, sizeof(roles[0]));
}

static const char *test_reason(u32 r)
{
	return r == 10 ? "CPUID" : "other";
}

/* The text of an event of @kind with @data and @arg (VM 0, vCPU 1). */
static void test_text(unsigned int kind, u32 data, u64 arg, const char *want)
{
	struct trace_event e = { .tsc = 1, .who = TRACE_WHO(kind, 0, 1), .data = data, .arg = arg };
	char buf[96];

	trace_event_describe(&e, test_reason, buf, sizeof(buf));
	if (strcmp(buf, want))
		test_fail(__FILE__, __LINE__, "kind %u: \"%s\", want \"%s\"", kind, buf, want);
}

static void test_describe(void)
{
	struct trace_event e = { .tsc = 1, .who = TRACE_WHO(TRACE_EXIT, 2, 3), .data = 10,
				 .arg = 0x100056 };
	char buf[96];

	CHECK_EQ(TRACE_WHO_KIND(e.who), TRACE_EXIT);
	CHECK_EQ(TRACE_WHO_VM(e.who), 2);
	CHECK_EQ(TRACE_WHO_VCPU(e.who), 3);
	trace_event_describe(&e, NULL, buf, sizeof(buf));
	CHECK(!strcmp(buf, "exit 10 (?) rip 0x100056"));
	test_text(TRACE_EXIT, 10, 0x100056, "exit 10 (CPUID) rip 0x100056");
	test_text(TRACE_INJECT, 0x80000020, 0, "inject vector 0x20 (external)");
	test_text(TRACE_INJECT, 0x80000b0e, 2, "inject vector 0xe (exception) error code 0x2");
	test_text(TRACE_KICK, 3, 0, "kick to cpu 3");
	test_text(TRACE_FLUSH, 1, 0x1234005e, "invept type 1 eptp 0x1234005e");
	test_text(TRACE_FLUSH, 2, 0, "invept type 2 (global)");
	test_text(TRACE_NKINDS, 0, 0, "event kind 5");
}

static u64 __ept *test_table(void)
{
	void *p = aligned_alloc(PAGE_SIZE, PAGE_SIZE);

	if (!p) {
		fprintf(stderr, "test_stats: out of memory\n");
		exit(2);
	}
	memset(p, 0, PAGE_SIZE);
	return (__force u64 __ept *)p;
}

static void test_ept_report(void)
{
	u64 __ept *l4 = test_table(), *l3 = test_table(), *l2 = test_table(), *l1 = test_table();
	struct ept_walk_step steps[EPT_MAX_LEVEL];
	struct ept_map_stats st;
	unsigned int n;

	/* gfn 0..511: a 2 MiB leaf; 512..1023: a table with 4K leaves at 0, 1, 5 and a
	 * frozen entry at 2; 1 GiB..2 GiB: a 1 GiB leaf. */
	ept_write_entry(&l4[0], ept_make_table_entry(l3));
	ept_write_entry(&l3[0], ept_make_table_entry(l2));
	ept_write_entry(&l3[1], ept_make_leaf(0x40000, EPT_LEVEL_1G, EPT_RWX, EPT_MT_WB, true));
	ept_write_entry(&l2[0], ept_make_leaf(0x800, EPT_LEVEL_2M, EPT_R | EPT_X, EPT_MT_WB, false));
	ept_write_entry(&l2[1], ept_make_table_entry(l1));
	ept_write_entry(&l1[0], ept_make_leaf(0x1000, EPT_LEVEL_4K, EPT_RWX, EPT_MT_WB, true));
	ept_write_entry(&l1[1], ept_make_leaf(0x1001, EPT_LEVEL_4K, EPT_R, EPT_MT_UC, false));
	ept_write_entry(&l1[2], EPT_FROZEN);
	ept_write_entry(&l1[5], ept_make_leaf(0x2005, EPT_LEVEL_4K, EPT_RWX, EPT_MT_WB, true));

	ept_report_stats(l4, EPT_ROOT_LEVEL_4, &st);
	CHECK_EQ(st.present[4], 1);
	CHECK_EQ(st.present[3], 2);
	CHECK_EQ(st.present[2], 2);
	CHECK_EQ(st.present[1], 3);
	CHECK_EQ(st.leaves[EPT_LEVEL_4K], 3);
	CHECK_EQ(st.leaves[EPT_LEVEL_2M], 1);
	CHECK_EQ(st.leaves[EPT_LEVEL_1G], 1);
	CHECK_EQ(st.tables, 3);
	CHECK_EQ(st.frozen, 1);
	CHECK_EQ(st.poison, 0);
	CHECK_EQ(st.mapped_bytes, 3 * 4096ull + (2ull << 20) + (1ull << 30));

	/* A 4K leaf: four steps, the last one the leaf, the HPA keeps the page offset. */
	n = ept_report_walk(l4, EPT_ROOT_LEVEL_4, (512 + 5) * 4096ull + 0x123, steps);
	CHECK_EQ(n, 4);
	for (unsigned int i = 0; i < n; i++)
		CHECK_EQ(steps[i].level, 4 - (int)i);
	CHECK(ept_is_leaf(steps[3].entry, 1));
	CHECK_EQ(ept_report_leaf_hpa(steps[3].entry, 1, (512 + 5) * 4096ull + 0x123),
		 0x2005123);
	/* Inside the 2 MiB leaf: three steps. */
	n = ept_report_walk(l4, EPT_ROOT_LEVEL_4, 0x12345, steps);
	CHECK_EQ(n, 3);
	CHECK(ept_is_leaf(steps[2].entry, 2));
	CHECK_EQ(ept_report_leaf_hpa(steps[2].entry, 2, 0x12345), 0x812345);
	/* The 1 GiB leaf: two steps. */
	n = ept_report_walk(l4, EPT_ROOT_LEVEL_4, (1ull << 30) + 0x200000, steps);
	CHECK_EQ(n, 2);
	CHECK_EQ(ept_report_leaf_hpa(steps[1].entry, 3, (1ull << 30) + 0x200000),
		 0x40200000);
	/* Not mapped (4K) or frozen: the walk ends at that entry. */
	n = ept_report_walk(l4, EPT_ROOT_LEVEL_4, (512 + 3) * 4096ull, steps);
	CHECK_EQ(n, 4);
	CHECK_EQ(steps[3].entry, 0);
	n = ept_report_walk(l4, EPT_ROOT_LEVEL_4, (512 + 2) * 4096ull, steps);
	CHECK_EQ(n, 4);
	CHECK(ept_is_frozen(steps[3].entry));
	/* Nothing at the root's entry, and past what a 4-level root covers. */
	n = ept_report_walk(l4, EPT_ROOT_LEVEL_4, 1ull << 40, steps);
	CHECK_EQ(n, 1);
	CHECK_EQ(steps[0].entry, 0);
	CHECK_EQ(ept_report_walk(l4, EPT_ROOT_LEVEL_4, 1ull << 48, steps), 0);
	free((__force void *)l1);
	free((__force void *)l2);
	free((__force void *)l3);
	free((__force void *)l4);
}

int main(int argc, char **argv)
{
	test_init(argc, argv, 1.0);
	test_buckets();
	test_histogram();
	test_ring_single();
	test_describe();
	test_ept_report();
	test_ring_race();
	return test_finish();
}
