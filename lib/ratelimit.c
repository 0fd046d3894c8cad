// SPDX-License-Identifier: MIT
/* A fixed-window message limiter: see lib/ratelimit.h. */
#include "lib/ratelimit.h"

bool ratelimit_allow(struct ratelimit *rl, u64 now_ns, u32 *report_missed)
{
	*report_missed = 0;
	/* A new window opens with the first message after the old one ran out. */
	if (!rl->printed && !rl->suppressed)
		rl->window_start = now_ns;
	else if (now_ns - rl->window_start >= rl->interval_ns) {
		*report_missed = rl->suppressed;
		rl->printed = 0;
		rl->suppressed = 0;
		rl->window_start = now_ns;
	}
	if (rl->printed < rl->burst) {
		rl->printed++;
		return true;
	}
	rl->suppressed++;
	rl->suppressed_total++;
	return false;
}
