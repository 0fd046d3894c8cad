// SPDX-License-Identifier: MIT
/* Readers of the per-vCPU exit statistics (vmx/stats/exit_stats.h). */
#include "vmx/stats/exit_stats.h"

#include "lib/format.h"

u64 exit_stats_read_row(const struct exit_stats *s, unsigned int row, u64 *out)
{
	u64 sum = 0;

	for (unsigned int b = 0; b < EXIT_LAT_BUCKETS; b++) {
		/* R18: racy, tear-free; pairs with nothing (statistics). */
		u64 n = READ_ONCE(s->hist[row][b]);

		out[b] += n;
		sum += n;
	}
	return sum;
}

u64 exit_stats_count(const struct exit_stats *s, unsigned int row)
{
	u64 scratch[EXIT_LAT_BUCKETS] = { 0 };

	return exit_stats_read_row(s, row, scratch);
}

u64 exit_stats_total(const struct exit_stats *s)
{
	u64 total = 0;

	for (unsigned int r = 0; r < EXIT_STATS_REASONS; r++)
		total += exit_stats_count(s, r);
	return total;
}

void exit_lat_label(unsigned int b, char *buf, size_t len)
{
	if (b >= EXIT_LAT_BUCKETS - 1)
		fmt_snprintf(buf, len, "%llu+", 1ull << (EXIT_LAT_BUCKETS - 1));
	else if (!b)
		fmt_snprintf(buf, len, "0-1");
	else
		fmt_snprintf(buf, len, "%llu-%llu", 1ull << b, (2ull << b) - 1);
}

unsigned int exit_lat_median(const u64 *hist, u64 total)
{
	u64 seen = 0;

	for (unsigned int b = 0; b < EXIT_LAT_BUCKETS; b++) {
		seen += hist[b];
		if (seen * 2 >= total)
			return b;
	}
	return EXIT_LAT_BUCKETS - 1;
}
