/* SPDX-License-Identifier: MIT */
/*
 * Ticket spinlock: FIFO fair, one locked RMW to acquire, one plain
 * release-store to release.
 *
 *   spinlock_t l = SPINLOCK_INIT;         or spin_lock_init(&l);
 *   spin_lock(&l); ... spin_unlock(&l);
 *   flags = spin_lock_irqsave(&l); ... spin_unlock_irqrestore(&l, flags);
 *
 * The ticket word holds "serving" in its low half and "next" in its high
 * half: an acquirer takes a ticket with one 32-bit fetch_add of next and
 * waits until serving equals it; spin_trylock() uses one cmpxchg of the
 * whole word.  Only the owner writes serving (at unlock), so the release is
 * a plain store.  See docs/locking.md, R14.
 *
 * Not recursive.  Debug builds (lib/lockdep.h) record the owner CPU,
 * catch recursion and unlock by a non-owner, and back assert_held().
 */
#ifndef LIB_SPINLOCK_H
#define LIB_SPINLOCK_H

#include "lib/atomic.h"
#include "lib/lockdep.h"
#include "lib/mutate.h"

/* Raw ticket pair, shared with the rwlock's FIFO queue (lib/rwlock.h). */
struct ticket_raw {
	union {
		u64 word;
		struct {
			u32 serving;	/* ticket now allowed in (low half) */
			u32 next;	/* next ticket to hand out (high half) */
		};
	};
};

#define TICKET_ONE	(1ULL << 32)	/* one ticket, added to the whole word */

/**
 * typedef spinlock_t - ticket lock plus owner tracking and statistics.
 * @t:     the ticket pair
 * @owner: lockdep_self() of the holder, LOCKDEP_NO_OWNER when free (debug)
 * @stats: contention statistics, written only by the holder
 */
typedef struct spinlock {
	struct ticket_raw t;
	u32 owner;
	u32 pad_;
	struct lock_stats stats;
} spinlock_t;

#define SPINLOCK_INIT	{ .t = { .word = 0 }, .owner = LOCKDEP_NO_OWNER }

void spin_lock_init(spinlock_t *l);

/* Out-of-line parts (lib/spinlock.c). */
void spin_lock_wait(spinlock_t *l, u32 ticket);
void ticket_raw_wait(struct ticket_raw *t, u32 ticket);
__noreturn void spin_lockdep_recursion(const spinlock_t *l);
__noreturn void spin_lockdep_bad_unlock(const spinlock_t *l);

/*
 * ticket_raw_take() - take the next ticket; returns our ticket in the high
 * half and the serving value seen right after taking it in the low half.
 *
 * The RMW is a 32-bit fetch_add on @next alone, not on the whole word: the
 * previous holder's release is a 32-bit store to @serving, and a locked RMW
 * that overlapped that still-buffered store could not be forwarded from it
 * (a store-forwarding stall of a dozen cycles on every uncontended
 * lock/unlock pair).
 */
static __always_inline u64 ticket_raw_take(struct ticket_raw *t)
{
	u32 ticket;

	/*
	 * R14: the ticket must come from one locked RMW so that no two
	 * acquirers get the same number; being a full barrier it also orders
	 * the take before every load of the critical section.
	 */
	ticket = fetch_add_rule(R14_TICKET_TAKE, &t->next, 1);
	/*
	 * R14: acquire; pairs with the store_release of serving in
	 * ticket_raw_release() by the previous holder.
	 */
	return ((u64)ticket << 32) | load_acquire(&t->serving);
}

/* Acquire the raw ticket pair (no lockdep, no statistics). */
static __always_inline void ticket_raw_lock(struct ticket_raw *t)
{
	u64 old = ticket_raw_take(t);
	u32 ticket = (u32)(old >> 32);

	if (unlikely((u32)old != ticket))
		ticket_raw_wait(t, ticket);
}

static __always_inline bool ticket_raw_trylock(struct ticket_raw *t)
{
	u64 old = READ_ONCE(t->word);

	if ((u32)old != (u32)(old >> 32))
		return false;
	/* R14: as ticket_raw_take(); pairs with ticket_raw_release(). */
	return try_cmpxchg(&t->word, &old, old + TICKET_ONE);
}

static __always_inline void ticket_raw_release(struct ticket_raw *t)
{
	u32 next_serving = READ_ONCE(t->serving) + 1;

	/*
	 * R14: hand the lock to the next ticket.  Release: every access of
	 * the critical section is ordered before it.  Pairs with the
	 * load_acquire of serving in ticket_raw_wait() / spin_lock_wait().
	 */
	store_release_rule(R14_TICKET_RELEASE, &t->serving, next_serving);
}

static __always_inline bool ticket_raw_is_locked(const struct ticket_raw *t)
{
	u64 w = READ_ONCE(t->word);

	return (u32)w != (u32)(w >> 32);
}

/* True when someone besides the holder is waiting. */
static __always_inline bool ticket_raw_is_contended(const struct ticket_raw *t)
{
	u64 w = READ_ONCE(t->word);

	return (u32)((u32)(w >> 32) - (u32)w) > 1;
}

/* Statistics: one plain increment, inside the critical section. */
static __always_inline void spin_stat_acquired(spinlock_t *l)
{
	WRITE_ONCE(l->stats.acquisitions, l->stats.acquisitions + 1);
}

/**
 * spin_lock() - acquire @l, spinning in FIFO order.
 * @l: the lock
 */
static __always_inline void spin_lock(spinlock_t *l)
{
	u32 me = LOCKDEP_NO_OWNER;
	u64 old;
	u32 ticket;

	if (LOCKDEP_ON) {
		me = lockdep_self();
		if (unlikely(READ_ONCE(l->owner) == me))
			spin_lockdep_recursion(l);
	}
	old = ticket_raw_take(&l->t);
	ticket = (u32)(old >> 32);
	if (unlikely((u32)old != ticket))
		spin_lock_wait(l, ticket);	/* counts the acquisition itself */
	else
		spin_stat_acquired(l);
	if (LOCKDEP_ON)
		WRITE_ONCE(l->owner, me);
}

/**
 * spin_trylock() - acquire @l only if it is free right now.
 * @l: the lock
 *
 * Return: true if acquired.
 */
static __always_inline bool spin_trylock(spinlock_t *l)
{
	if (!ticket_raw_trylock(&l->t))
		return false;
	spin_stat_acquired(l);
	if (LOCKDEP_ON)
		WRITE_ONCE(l->owner, lockdep_self());
	return true;
}

/**
 * spin_unlock() - release @l; the calling CPU must hold it.
 * @l: the lock
 */
static __always_inline void spin_unlock(spinlock_t *l)
{
	if (LOCKDEP_ON) {
		if (unlikely(READ_ONCE(l->owner) != lockdep_self()))
			spin_lockdep_bad_unlock(l);
		WRITE_ONCE(l->owner, LOCKDEP_NO_OWNER);
	}
	ticket_raw_release(&l->t);
}

static __always_inline unsigned long spin_lock_irqsave(spinlock_t *l)
{
	unsigned long flags = arch_irq_save();

	spin_lock(l);
	return flags;
}

static __always_inline void spin_unlock_irqrestore(spinlock_t *l, unsigned long flags)
{
	spin_unlock(l);
	arch_irq_restore(flags);
}

static __always_inline bool spin_is_locked(spinlock_t *l)
{
	return ticket_raw_is_locked(&l->t);
}

static __always_inline bool spin_is_contended(spinlock_t *l)
{
	return ticket_raw_is_contended(&l->t);
}

#endif /* LIB_SPINLOCK_H */
