// SPDX-License-Identifier: MIT
/*
 * MCS queued spinlock (see lib/mcslock.h and docs/locking.md, R14).
 */
#include "lib/mcslock.h"

void (*mcs_link_delay_hook)(void);

void mcs_lock_init(struct mcs_lock *l)
{
	*l = (struct mcs_lock)MCS_LOCK_INIT;
}

static __always_inline void mcs_lockdep_acquired(struct mcs_lock *l)
{
	if (LOCKDEP_ON)
		WRITE_ONCE(l->owner, lockdep_self());
}

/* Swap @node in as the new tail; returns the previous tail. */
static __always_inline struct mcs_node *mcs_swap_tail(struct mcs_lock *l, struct mcs_node *node)
{
	if (mutated(R14_MCS_TAIL_XCHG)) {
		struct mcs_node *prev = READ_ONCE(l->tail);

		WRITE_ONCE(l->tail, node);
		return prev;
	}
	/*
	 * R14: one locked xchg gives every arrival a distinct predecessor,
	 * and (full barrier) publishes our initialised node before anyone can
	 * find it through the tail.  Pairs with the cmpxchg in mcs_unlock()
	 * and with the predecessor's READ_ONCE of its ->next, which finds the
	 * node only after this xchg.
	 */
	return xchg(&l->tail, node);
}

/**
 * mcs_lock() - acquire @l, queueing @node.
 * @l:    the lock
 * @node: this CPU's queue node, valid until the matching mcs_unlock()
 */
void mcs_lock(struct mcs_lock *l, struct mcs_node *node)
{
	struct mcs_node *prev;
	u64 start;

	if (LOCKDEP_ON && unlikely(READ_ONCE(l->owner) == lockdep_self()))
		mcs_lockdep_fail("mcs_lock: recursive acquisition (self-deadlock)", l);

	WRITE_ONCE(node->next, NULL);
	WRITE_ONCE(node->locked, 0);
	prev = mcs_swap_tail(l, node);
	if (likely(!prev)) {
		WRITE_ONCE(l->stats.acquisitions, l->stats.acquisitions + 1);
		mcs_lockdep_acquired(l);
		return;
	}

	start = arch_time_ns();
	if (mcs_link_delay_hook)
		mcs_link_delay_hook();
	/*
	 * Link behind the predecessor so that its unlock can find us.  No
	 * release is needed: the xchg above (a full barrier) already ordered
	 * our node's initialisation before anyone could reach the node.  A
	 * marked store, because the predecessor polls ->next concurrently.
	 */
	WRITE_ONCE(prev->next, node);
	/*
	 * R14: acquire; pairs with the store_release of ->locked in
	 * mcs_unlock(): the previous critical section happens before ours.
	 */
	while (!load_acquire(&node->locked))
		cpu_relax();
	lock_stats_note_wait(&l->stats, arch_time_ns() - start);
	mcs_lockdep_acquired(l);
}

/**
 * mcs_trylock() - acquire @l only if nobody holds or waits for it.
 * @l:    the lock
 * @node: queue node; left unused when the lock is busy
 *
 * Return: true if acquired.
 */
bool mcs_trylock(struct mcs_lock *l, struct mcs_node *node)
{
	WRITE_ONCE(node->next, NULL);
	WRITE_ONCE(node->locked, 0);
	if (READ_ONCE(l->tail))
		return false;
	/* R14: as mcs_swap_tail(), but only from an empty queue. */
	if (cmpxchg(&l->tail, (struct mcs_node *)NULL, node) != NULL)
		return false;
	WRITE_ONCE(l->stats.acquisitions, l->stats.acquisitions + 1);
	mcs_lockdep_acquired(l);
	return true;
}

/**
 * mcs_unlock() - release @l and hand it to the successor, if any.
 * @l:    the lock
 * @node: the node passed to mcs_lock()/mcs_trylock()
 */
void mcs_unlock(struct mcs_lock *l, struct mcs_node *node)
{
	struct mcs_node *next;

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
	next = READ_ONCE(node->next);
	if (!next) {
		if (mutated(R14_MCS_UNLOCK_CMPXCHG)) {
			if (READ_ONCE(l->tail) == node) {
				WRITE_ONCE(l->tail, NULL);
				return;
			}
		} else {
			/*
			 * R14: no successor linked yet.  If we are still the
			 * tail, the locked cmpxchg empties the queue atomically
			 * against a concurrent xchg in mcs_swap_tail(); a plain
			 * check-then-store would drop an arrival on the floor.
			 * Release: our critical section is ordered before it.
			 */
			if (cmpxchg(&l->tail, node, (struct mcs_node *)NULL) == node)
				return;
		}
		/*
		 * The tail moved, so a successor has swapped itself in but may
		 * not have linked itself behind us yet: wait for the link.
		 * Returning here would strand it.
		 */
		if (mutated(R14_MCS_WAIT_NEXT)) {
			next = READ_ONCE(node->next);
			if (!next)
				return;
		} else {
			/* R14: the link window; pairs with WRITE_ONCE(prev->next). */
			while (!(next = READ_ONCE(node->next)))
				cpu_relax();
		}
	}
	if (mutated(R14_MCS_HANDOFF)) {
		WRITE_ONCE(next->locked, 1);
		return;
	}
	/*
	 * R14: hand-off.  Release: our critical section is visible before
	 * the successor sees locked = 1.  Pairs with its load_acquire spin.
	 */
	store_release(&next->locked, 1);
}

unsigned long mcs_lock_irqsave(struct mcs_lock *l, struct mcs_node *node)
{
	unsigned long flags = arch_irq_save();

	mcs_lock(l, node);
	return flags;
}

void mcs_unlock_irqrestore(struct mcs_lock *l, struct mcs_node *node, unsigned long flags)
{
	mcs_unlock(l, node);
	arch_irq_restore(flags);
}

bool mcs_is_locked(struct mcs_lock *l)
{
	return READ_ONCE(l->tail) != NULL;
}
