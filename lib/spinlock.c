// SPDX-License-Identifier: MIT
/*
 * Ticket spinlock: the out-of-line contended path.  The uncontended paths
 * are inline in lib/spinlock.h.
 */
#include "lib/spinlock.h"

void spin_lock_init(spinlock_t *l)
{
	*l = (spinlock_t)SPINLOCK_INIT;
}

/* The serving value, reloaded on every call. */
static __always_inline u32 ticket_load_serving(struct ticket_raw *t)
{
	/*
	 * R14: acquire; pairs with the store_release of serving in
	 * ticket_raw_release(): the previous holder's critical section
	 * happens before ours.
	 */
	return load_acquire(&t->serving);
}

/**
 * ticket_raw_wait() - spin until @ticket is served.
 * @t:      the ticket pair
 * @ticket: the ticket taken by ticket_raw_take()
 */
void ticket_raw_wait(struct ticket_raw *t, u32 ticket)
{
	while (ticket_load_serving(t) != ticket)
		cpu_relax();
}

/**
 * spin_lock_wait() - contended path of spin_lock(): wait for @ticket and
 * account the wait.
 * @l:      the lock
 * @ticket: our ticket
 */
void spin_lock_wait(spinlock_t *l, u32 ticket)
{
	u64 start = arch_time_ns();

	ticket_raw_wait(&l->t, ticket);
	lock_stats_note_wait(&l->stats, arch_time_ns() - start);
}
