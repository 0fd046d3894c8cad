/* SPDX-License-Identifier: MIT */
/*
 * MCS queued spinlock: each waiter spins on its own node, so a contended
 * hand-off touches one remote cache line instead of every waiter's.
 *
 *   struct mcs_lock l = MCS_LOCK_INIT;
 *   struct mcs_node n;                    (on the stack or per CPU)
 *   mcs_lock(&l, &n); ... mcs_unlock(&l, &n);
 *
 * The node must stay valid and unused by anything else from mcs_lock()
 * until mcs_unlock() returns.  Ordering rules: docs/locking.md, R14.
 */
#ifndef LIB_MCSLOCK_H
#define LIB_MCSLOCK_H

#include "lib/atomic.h"
#include "lib/lockdep.h"
#include "lib/mutate.h"

/**
 * struct mcs_node - one CPU's place in the queue.
 * @next:   successor, linked by the successor after it swapped the tail
 * @locked: set to 1 by the predecessor when it hands the lock over
 */
struct mcs_node {
	struct mcs_node *next;
	u32 locked;
} __aligned(16);

/**
 * struct mcs_lock - queue tail plus owner tracking and statistics.
 * @tail:  last node in the queue, NULL when free
 * @owner: lockdep_self() of the holder (debug builds)
 * @stats: contention statistics, written only by the holder
 */
struct mcs_lock {
	struct mcs_node *tail;
	u32 owner;
	u32 pad_;
	struct lock_stats stats;
};

#define MCS_LOCK_INIT	{ .tail = NULL, .owner = LOCKDEP_NO_OWNER }

void mcs_lock_init(struct mcs_lock *l);

/* Acquire @l using @node as this CPU's queue entry. */
void mcs_lock(struct mcs_lock *l, struct mcs_node *node);
/* Acquire only if free now; @node is unused on failure.  True if acquired. */
bool mcs_trylock(struct mcs_lock *l, struct mcs_node *node);
/* Release @l; @node must be the one passed to the matching lock call. */
void mcs_unlock(struct mcs_lock *l, struct mcs_node *node);

unsigned long mcs_lock_irqsave(struct mcs_lock *l, struct mcs_node *node);
void mcs_unlock_irqrestore(struct mcs_lock *l, struct mcs_node *node, unsigned long flags);

bool mcs_is_locked(struct mcs_lock *l);

/*
 * Test hook: when set, called by a waiter between swapping itself into the
 * tail and linking itself behind its predecessor, to widen the "tail is the
 * owner but next is not yet linked" window on purpose.  NULL in production.
 */
extern void (*mcs_link_delay_hook)(void);

#endif /* LIB_MCSLOCK_H */
