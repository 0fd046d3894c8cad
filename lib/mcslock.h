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
#include "lib/platform.h"

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

/* Acquire only if free now; @node is unused on failure.  True if acquired. */
bool mcs_trylock(struct mcs_lock *l, struct mcs_node *node);

/* Out-of-line contended paths (lib/mcslock.c). */
void mcs_lock_wait(struct mcs_lock *l, struct mcs_node *node, struct mcs_node *prev);
void mcs_unlock_slow(struct mcs_lock *l, struct mcs_node *node);

/* Swap @node in as the new tail; returns the previous tail. */
static __always_inline struct mcs_node *mcs_swap_tail(struct mcs_lock *l, struct mcs_node *node)
{
	/*
	 * R14: one locked xchg gives every arrival a distinct predecessor,
	 * and (full barrier) publishes our initialised node before anyone can
	 * find it through the tail.  Pairs with the cmpxchg in mcs_unlock()
	 * and with the predecessor's READ_ONCE of its ->next, which finds the
	 * node only after this xchg.
	 */
	return xchg_rule(R14_MCS_TAIL_XCHG, &l->tail, node);
}

/**
 * mcs_lock() - acquire @l, queueing @node.
 * @l:    the lock
 * @node: this CPU's queue node, valid until the matching mcs_unlock()
 *
 * Uncontended: one xchg, inline.  Contended: mcs_lock_wait().
 */
static __always_inline void mcs_lock(struct mcs_lock *l, struct mcs_node *node)
{
	u32 me = LOCKDEP_NO_OWNER;
	struct mcs_node *prev;

	if (LOCKDEP_ON) {
		me = lockdep_self();
		if (unlikely(READ_ONCE(l->owner) == me))
			mcs_lockdep_fail("mcs_lock: recursive acquisition (self-deadlock)", l);
	}
	WRITE_ONCE(node->next, NULL);
	WRITE_ONCE(node->locked, 0);
	prev = mcs_swap_tail(l, node);
	if (unlikely(prev))
		mcs_lock_wait(l, node, prev);	/* counts the acquisition itself */
	else
		WRITE_ONCE(l->stats.acquisitions, l->stats.acquisitions + 1);
	if (LOCKDEP_ON)
		WRITE_ONCE(l->owner, me);
}

/**
 * mcs_unlock() - release @l and hand it to the successor, if any.
 * @l:    the lock
 * @node: the node passed to mcs_lock()/mcs_trylock()
 *
 * Uncontended: one cmpxchg, inline.  Otherwise mcs_unlock_slow().
 */
static __always_inline void mcs_unlock(struct mcs_lock *l, struct mcs_node *node)
{
	if (LOCKDEP_ON) {
		if (unlikely(READ_ONCE(l->owner) != lockdep_self()))
			mcs_lockdep_fail("mcs_unlock: lock not held by this cpu", l);
		WRITE_ONCE(l->owner, LOCKDEP_NO_OWNER);
	}
	/*
	 * R14: a successor that swapped the tail before our cmpxchg below
	 * links itself with a marked store; the xchg it did first is what
	 * orders its node's initialisation (see mcs_lock()).
	 */
	if (likely(!READ_ONCE(node->next))) {
		/*
		 * R14: no successor linked yet.  If we are still the tail, the
		 * locked cmpxchg empties the queue atomically against a
		 * concurrent xchg in mcs_swap_tail(); a plain check-then-store
		 * (the R14_MCS_UNLOCK_CMPXCHG mutant) would drop an arrival on
		 * the floor.  Release: our critical section is ordered before it.
		 */
		if (cmpxchg_rule(R14_MCS_UNLOCK_CMPXCHG, &l->tail, node,
				 (struct mcs_node *)NULL) == node)
			return;
	}
	mcs_unlock_slow(l, node);
}

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
