/* SPDX-License-Identifier: MIT */
/*
 * Message rate limiting: at most @burst messages per @interval_ns, the rest
 * counted.  Guest-triggered messages go through one of these per VM, so a
 * guest that touches a thousand unknown ports holds the console (about
 * 8 ms a line at 115200 baud) for a bounded share of the time, and the
 * operator still learns how many lines were left out.
 *
 * Not thread-safe: the caller serialises (vm->log_lock for a VM's limiter).
 */
#ifndef LIB_RATELIMIT_H
#define LIB_RATELIMIT_H

#include "lib/compiler.h"

struct ratelimit {
	u64 interval_ns;
	u32 burst;
	u32 printed;		/* messages allowed in the current window */
	u32 suppressed;		/* messages refused in the current window */
	u64 window_start;	/* arch_time_ns() of the window's first message */
	u64 suppressed_total;	/* over the limiter's life, for reports */
};

#define RATELIMIT_INIT(interval, n) { .interval_ns = (interval), .burst = (n) }

/**
 * ratelimit_allow() - may one more message be printed at @now_ns?
 * @rl:          the limiter
 * @now_ns:      the current time (monotonic)
 * @report_missed: set to the number of messages suppressed in the window
 *               that this call closed, which the caller should report
 *               before its own message; 0 when there is nothing to report
 *
 * Return: true when the message may be printed; false when it is counted
 * as suppressed instead.
 */
bool ratelimit_allow(struct ratelimit *rl, u64 now_ns, u32 *report_missed);

#endif /* LIB_RATELIMIT_H */
