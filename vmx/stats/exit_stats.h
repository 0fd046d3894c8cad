/* SPDX-License-Identifier: MIT */
/*
 * Per-vCPU exit statistics: for every basic exit reason, a histogram of the
 * time from the VM exit to the next VM entry, in TSC ticks, with log2
 * buckets (bucket b counts latencies in [2^b, 2^(b+1)), bucket 0 also 0, the
 * last bucket everything from 2^31 up).  The exit count of a reason is the
 * sum of its buckets: one increment per exit, no separate counter.
 *
 * Ordering (docs/locking.md R18): the vCPU's own CPU is the only writer
 * (plain increments of naturally aligned u64s, which x86-64 never tears);
 * the shell reads with READ_ONCE from another CPU, without ordering: a
 * figure may be a few exits old, and the counts it prints add up because it
 * prints the sums of the values it read.  Portable: tests/host/test_stats.c.
 */
#ifndef VMX_STATS_EXIT_STATS_H
#define VMX_STATS_EXIT_STATS_H

#include "lib/atomic.h"
#include "lib/compiler.h"
#include "vmx/vmcs_defs.h"

#define EXIT_LAT_BUCKETS	32
#define EXIT_STATS_REASONS	(EXIT_REASON_MAX + 1)	/* last: reasons above the table */

struct exit_stats {
	u64 hist[EXIT_STATS_REASONS][EXIT_LAT_BUCKETS];
};

/* The bucket of a latency of @ticks: floor(log2(ticks)), 0 for 0, at most the last. */
static __always_inline unsigned int exit_lat_bucket(u64 ticks)
{
	unsigned int b = 63u - (unsigned int)__builtin_clzll(ticks | 1);

	return b < EXIT_LAT_BUCKETS - 1 ? b : EXIT_LAT_BUCKETS - 1;
}

/* The basic reason's row: reasons past the table share the last one. */
static __always_inline unsigned int exit_stats_row(u32 reason)
{
	u32 basic = reason & 0xffff;

	return basic < EXIT_REASON_MAX ? basic : EXIT_REASON_MAX;
}

/*
 * exit_stats_account() - count one exit of row @row that took @ticks from
 * the exit to the next entry.  Owner CPU only (R18: a plain increment; the
 * shell's READ_ONCE loads see the old or the new value, never a torn one).
 */
static __always_inline void exit_stats_account(struct exit_stats *s, unsigned int row, u64 ticks)
{
	s->hist[row][exit_lat_bucket(ticks)]++;
}

/* The same for a latency below 2^32 ticks (the exit fast path: fewer instructions). */
BUILD_BUG_ON(EXIT_LAT_BUCKETS != 32);
static __always_inline void exit_stats_account_short(struct exit_stats *s, unsigned int row,
						     u32 ticks)
{
	s->hist[row][31u - (unsigned int)__builtin_clz(ticks | 1)]++;
}

/**
 * exit_stats_read_row() - a racy copy of one reason's histogram.
 * @s:   the statistics (another CPU may be adding to them)
 * @row: exit_stats_row() of the reason
 * @out: EXIT_LAT_BUCKETS counts, added to (so rows of several vCPUs sum up)
 *
 * Return: the sum of the counts read (the exits of that reason).
 */
u64 exit_stats_read_row(const struct exit_stats *s, unsigned int row, u64 *out);

/* The exits of @row (the sum of its buckets, read racily). */
u64 exit_stats_count(const struct exit_stats *s, unsigned int row);

/* Every exit counted in @s. */
u64 exit_stats_total(const struct exit_stats *s);

/**
 * exit_lat_label() - the range of bucket @b as text: "<2", "2-3", "4-7",
 * ..., "2^31+" ("1Ki" style is not used: ticks are printed exactly).
 * @buf, @len: where to write (truncated to fit, always NUL-terminated)
 */
void exit_lat_label(unsigned int b, char *buf, size_t len);

/**
 * exit_lat_median() - the bucket holding the median of a histogram.
 * @hist: EXIT_LAT_BUCKETS counts; @total: their sum (> 0)
 */
unsigned int exit_lat_median(const u64 *hist, u64 total);

#endif /* VMX_STATS_EXIT_STATS_H */
