// SPDX-License-Identifier: MIT
/* Physical address ranges (lib/mem_range.h). */
#include "lib/mem_range.h"

unsigned int mem_ranges_normalize(struct mem_range *r, unsigned int n)
{
	unsigned int m = 0;

	for (unsigned int i = 0; i < n; i++) {
		if (r[i].len > ~0ULL - r[i].base)
			r[i].len = ~0ULL - r[i].base;
	}
	for (unsigned int i = 1; i < n; i++) {
		struct mem_range x = r[i];
		unsigned int j = i;

		for (; j > 0 && r[j - 1].base > x.base; j--)
			r[j] = r[j - 1];
		r[j] = x;
	}
	for (unsigned int i = 0; i < n; i++) {
		u64 end = r[i].base + r[i].len;

		if (!r[i].len)
			continue;
		if (m && r[i].base <= r[m - 1].base + r[m - 1].len) {
			if (end > r[m - 1].base + r[m - 1].len)
				r[m - 1].len = end - r[m - 1].base;
		} else {
			r[m++] = r[i];
		}
	}
	return m;
}
