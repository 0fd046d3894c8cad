// SPDX-License-Identifier: MIT
/*
 * Per-lock contention statistics (struct lock_stats, lib/lockdep.h): kept
 * in the debug and the release build alike.
 */
#include "lib/lockdep.h"
#include "lib/atomic.h"
#include "lib/mcslock.h"
#include "lib/rwlock.h"
#include "lib/spinlock.h"

static void stats_copy(const struct lock_stats *s, struct lock_stats *out)
{
	/* Racy snapshot by design: the holder updates with WRITE_ONCE. */
	out->acquisitions = READ_ONCE(s->acquisitions);
	out->contended = READ_ONCE(s->contended);
	out->max_wait_ns = READ_ONCE(s->max_wait_ns);
}

void spin_lock_stats(const struct spinlock *l, struct lock_stats *out)
{
	stats_copy(&l->stats, out);
}

void mcs_lock_stats(const struct mcs_lock *l, struct lock_stats *out)
{
	stats_copy(&l->stats, out);
}

void rwlock_stats(const struct rwlock *l, struct lock_stats *out)
{
	stats_copy(&l->stats, out);
}

void lock_stats_note_wait(struct lock_stats *s, u64 wait_ns)
{
	WRITE_ONCE(s->acquisitions, s->acquisitions + 1);
	WRITE_ONCE(s->contended, s->contended + 1);
	if (wait_ns > s->max_wait_ns)
		WRITE_ONCE(s->max_wait_ns, wait_ns);
}
