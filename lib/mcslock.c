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

/**
 * mcs_lock_wait() - contended path of mcs_lock(): link behind @prev and
 * wait for the hand-off.
 * @l:    the lock
 * @node: our queue node, already swapped into the tail
 * @prev: the previous tail
 */
void mcs_lock_wait(struct mcs_lock *l, struct mcs_node *node, struct mcs_node *prev)
{
	u64 start = arch_time_ns();

	if (mcs_link_delay_hook)
		mcs_link_delay_hook();
	/*
	 * Link behind the predecessor so that its unlock can find us.  No
	 * release is needed: the xchg in mcs_swap_tail() (a full barrier)
	 * already ordered our node's initialisation before anyone could reach
	 * the node.  A marked store, because the predecessor polls ->next.
	 */
	WRITE_ONCE(prev->next, node);
	/*
	 * R14: acquire; pairs with the store_release of ->locked in
	 * mcs_unlock_slow(): the previous critical section happens before ours.
	 */
	while (!load_acquire(&node->locked))
		cpu_relax();
	lock_stats_note_wait(&l->stats, arch_time_ns() - start);
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
	if (LOCKDEP_ON)
		WRITE_ONCE(l->owner, lockdep_self());
	return true;
}

/**
 * mcs_unlock_slow() - hand @l over to the successor of @node.
 * @l:    the lock
 * @node: the holder's node; the tail has already moved past it
 */
void mcs_unlock_slow(struct mcs_lock *l, struct mcs_node *node)
{
	struct mcs_node *next;

	/*
	 * A successor has swapped itself into the tail but may not have
	 * linked itself behind us yet: wait for the link.  Returning here
	 * would strand it.
	 */
	/*
	 * R14: the link window; pairs with WRITE_ONCE(prev->next).  Only the
	 * R14_MCS_WAIT_NEXT mutant gives up, after one look.
	 */
	if (!spin_until_rule(R14_MCS_WAIT_NEXT, (next = READ_ONCE(node->next)) != NULL))
		return;
	/*
	 * R14: hand-off.  Release: our critical section is visible before
	 * the successor sees locked = 1.  Pairs with its load_acquire spin in
	 * mcs_lock_wait().
	 */
	store_release_rule(R14_MCS_HANDOFF, &next->locked, 1);
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
